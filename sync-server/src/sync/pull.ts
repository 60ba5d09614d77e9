/**
 * Incremental pull: released public documents changed since an opaque cursor (the public
 * db's update sequence), plus what only the caller may see about themselves: their own
 * current votes (as OwnVote, never vote documents) and their own posts still waiting for
 * the next batch release; and for "My activity" and other devices: the status of each of their
 * posts, their synced drafts, their questionnaire answers and their notification settings.
 */
import type { OwnVote, PullResponse } from '../../../shared/src/api.js';
import {
  answersDocSchema,
  conversationDocSchema,
  publicDocSchema,
  stagedDocSchema,
  voteDocSchema,
  type PublicDoc,
} from '../../../shared/src/documents.js';
import { LIMITS } from '../../../shared/src/protocol.js';
import type { Deps } from '../deps.js';
import { HttpError } from '../http/errors.js';
import { answersDocId, ownerTagFor, voterFor } from './keys.js';
import { listOwnDrafts } from './apply-draft.js';
import { readSettings } from './apply-settings.js';
import { listOwnPosts } from './own-posts.js';

type PullDeps = Pick<Deps, 'storage' | 'secrets'>;

/**
 * A cursor is base64url of `1:<update seq>`: opaque to clients, versioned, and short enough
 * for CouchDB's long sequence tokens (pullQuerySchema caps cursors at 500 characters).
 */
const CURSOR_PREFIX = '1:';

export function encodeCursor(seq: string): string {
  return Buffer.from(CURSOR_PREFIX + seq, 'utf8').toString('base64url');
}

/** The update sequence inside a cursor, or a 400 for anything this server did not make. */
export function decodeCursor(cursor: string): string {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const seq = decoded.slice(CURSOR_PREFIX.length);
  const isOurs =
    decoded.startsWith(CURSOR_PREFIX) && /^[\x21-\x7e]+$/.test(seq) && encodeCursor(seq) === cursor;
  if (!isOurs) throw new HttpError(400, 'invalid-cursor', 'Invalid cursor: pull again without a cursor.');
  return seq;
}

export async function pull(
  deps: PullDeps,
  accountId: string,
  query: { cursor?: string; limit?: number },
): Promise<PullResponse> {
  const since = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const limit = query.limit ?? LIMITS.pullPageMax;
  const page = await deps.storage.db('public').changes({ since, limit, includeDocs: true });
  const docs: PublicDoc[] = [];
  const deleted: string[] = [];
  for (const row of page.results) {
    if (row.id.startsWith('_design/')) continue;
    if (row.deleted) {
      deleted.push(row.id);
      continue;
    }
    const doc = publicDocSchema.safeParse(row.doc);
    if (doc.success) docs.push(doc.data);
  }
  const [ownVotes, ownPending, ownPosts, ownDrafts, ownAnswers, ownSettings] = await Promise.all([
    listOwnVotes(deps, accountId),
    listOwnPending(deps, accountId),
    listOwnPosts(deps, accountId),
    listOwnDrafts(deps, accountId),
    listOwnAnswers(deps, accountId),
    readSettings(deps, accountId),
  ]);
  return {
    cursor: encodeCursor(page.lastSeq),
    hasMore: page.results.length >= limit,
    docs,
    deleted,
    ownVotes,
    ownPending,
    ownPosts,
    ownDrafts,
    ownAnswers,
    ownSettings,
  };
}

/** Vote docs are keyed `vote:<voter>:<item>`, so each conversation's own votes are one range. */
async function listOwnVotes(deps: PullDeps, accountId: string): Promise<OwnVote[]> {
  const conversations = await deps.storage.db('public').list({ prefix: 'conversation:', includeDocs: true });
  const votes: OwnVote[] = [];
  for (const row of conversations) {
    const conversation = conversationDocSchema.safeParse(row.doc);
    if (!conversation.success) continue;
    const voter = voterFor(deps.secrets, conversation.data.id, accountId);
    for (const voteRow of await deps.storage
      .db('votes')
      .list({ prefix: `vote:${voter}:`, includeDocs: true })) {
      const vote = voteDocSchema.safeParse(voteRow.doc);
      // The prefix already pins the voter; checking again costs nothing and guards the promise.
      if (vote.success && vote.data.voter === voter) {
        votes.push({ itemId: vote.data.itemId, itemKind: vote.data.itemKind, value: vote.data.value });
      }
    }
  }
  return votes;
}

/**
 * Scale limit: this reads every staged doc (all posts of the current release interval, from
 * everyone) and filters by owner tag in the server. Fine for a few thousand posts per
 * interval; beyond that, a view keyed by ownerTag would replace the scan.
 */
async function listOwnPending(deps: PullDeps, accountId: string): Promise<PullResponse['ownPending']> {
  const ownerTag = ownerTagFor(deps.secrets, accountId);
  const pending: PullResponse['ownPending'] = [];
  for (const row of await deps.storage.db('private').list({ prefix: 'staged:', includeDocs: true })) {
    const staged = stagedDocSchema.safeParse(row.doc);
    if (staged.success && staged.data.ownerTag === ownerTag) pending.push(staged.data.doc);
  }
  return pending;
}

/** One answers document per (person, conversation): a direct read per conversation. */
async function listOwnAnswers(deps: PullDeps, accountId: string): Promise<PullResponse['ownAnswers']> {
  const conversations = await deps.storage.db('public').list({ prefix: 'conversation:', includeDocs: true });
  const ids = conversations.flatMap((row) => {
    const conversation = conversationDocSchema.safeParse(row.doc);
    return conversation.success && conversation.data.questionnaire
      ? [answersDocId(deps.secrets, accountId, conversation.data.id)]
      : [];
  });
  if (ids.length === 0) return [];
  const answers: PullResponse['ownAnswers'] = [];
  for (const row of await deps.storage.db('private').list({ keys: ids, includeDocs: true })) {
    const doc = answersDocSchema.safeParse(row.doc);
    if (doc.success) answers.push({ conversationId: doc.data.conversationId, answers: doc.data.answers });
  }
  return answers;
}
