/**
 * Opens or closes a conversation (admin). Once closed, every mutation on it is rejected with
 * 'conversation-closed' (sync/targets.ts), so clients put queued posts back into drafts with that
 * reason. Also sets its release k. The conversation document is public: only the setting changes.
 */
import { conversationDocSchema, type ConversationDoc } from '../../../shared/src/documents.js';
import { docId } from '../../../shared/src/ids.js';
import type { Deps } from '../deps.js';
import { HttpError } from '../http/errors.js';
import { ConflictError } from '../storage/port.js';

const MAX_ATTEMPTS = 5;

export async function setConversationStatus(
  deps: Pick<Deps, 'storage'>,
  conversationId: string,
  status: 'live' | 'closed',
): Promise<ConversationDoc> {
  return updateConversation(deps, conversationId, { status });
}

/**
 * k of the batch release (sync/release-plan.ts). Lowering it lets waiting batches out at the next
 * release; 1 turns the protection off for this conversation.
 */
export async function setReleaseMinContributors(
  deps: Pick<Deps, 'storage'>,
  conversationId: string,
  releaseMinContributors: number,
): Promise<ConversationDoc> {
  return updateConversation(deps, conversationId, { releaseMinContributors });
}

async function updateConversation(
  deps: Pick<Deps, 'storage'>,
  conversationId: string,
  change: Partial<Pick<ConversationDoc, 'status' | 'releaseMinContributors'>>,
): Promise<ConversationDoc> {
  const db = deps.storage.db('public');
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const parsed = conversationDocSchema.safeParse(await db.get(docId.conversation(conversationId)));
    if (!parsed.success) throw new HttpError(404, 'not-found', 'No conversation has this id.');
    const isSame = Object.entries(change).every(
      ([key, value]) => parsed.data[key as keyof typeof change] === value,
    );
    if (isSame) return parsed.data;
    const next = { ...parsed.data, ...change };
    try {
      const { rev } = await db.put(next);
      return { ...next, _rev: rev };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new HttpError(409, 'conflict', 'The conversation kept changing: try again.');
}
