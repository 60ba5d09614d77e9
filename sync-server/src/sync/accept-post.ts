/**
 * What happens to every new idea or comment once it has passed its checks, in this order
 * (the crash test counts these writes): the vault entry and the staged copy (staging.ts),
 * a moderation flag if the text seems to identify someone (never blocks the post), and the
 * author's "My activity" index entry (own-posts.ts). Each step is idempotent, so a retry
 * after a crash finishes the job.
 */
import type { CommentDoc, IdeaDoc } from '../../../shared/src/documents.js';
import type { Deps } from '../deps.js';
import { flagOnArrival } from '../moderation/flags.js';
import type { Outcome } from './outcome.js';
import { recordOwnPost } from './own-posts.js';
import { stageContent } from './staging.js';

export async function acceptNewPost(
  deps: Deps,
  accountId: string,
  doc: IdeaDoc | CommentDoc,
): Promise<Outcome> {
  await stageContent(deps, accountId, doc);
  await flagOnArrival(deps, doc);
  await recordOwnPost(deps, accountId, {
    contentId: doc.id,
    kind: doc.type,
    conversationId: doc.conversationId,
  });
  return { status: 'applied', contentId: doc.id };
}
