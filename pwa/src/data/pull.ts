/**
 * Pulls what changed since the stored cursor, page by page until the server has no more, and writes
 * each page in one transaction: the public documents, deletions, the person's own changes from their
 * other devices, the new cursor, and then every change still pending on this device applied again on
 * top (rebase.ts). A page is either all stored or not at all, so the cursor never runs ahead of the
 * data, and no page can undo a change that is waiting to be sent. Runs under the sync lock (lock.ts).
 */
import type { OwnPost as ServerOwnPost, PullResponse } from '../../../shared/src/api.js';
import type { CommentDoc, IdeaDoc } from '../../../shared/src/documents.js';
import { ApiError, type ApiClient } from './api-client.js';
import { getMeta, setMeta, type HuddleDb, type OwnPost } from './db.js';
import { queueTables } from './actions.js';
import { rebaseOnServerState } from './rebase.js';
import { syncLockOf, withLock } from './lock.js';
import { takeSeenBaseline } from './seen.js';

export const PULL_PAGE_SIZE = 1000;

export interface PullOutcome {
  pages: number;
  docs: number;
}

/** pullChangesLocked under the sync lock (for callers that do not hold it). */
export const pullChanges = (db: HuddleDb, api: ApiClient, pageSize = PULL_PAGE_SIZE) =>
  withLock(syncLockOf(db), () => pullChangesLocked(db, api, pageSize));

/** Hold the sync lock. */
export async function pullChangesLocked(
  db: HuddleDb,
  api: ApiClient,
  pageSize = PULL_PAGE_SIZE,
): Promise<PullOutcome> {
  let pages = 0;
  let docs = 0;
  let next: Promise<PullResponse> | null = null;
  let hasResetCursor = false;
  for (;;) {
    const cursor = await getMeta(db, 'cursor');
    let page: PullResponse;
    try {
      page = await (next ?? api.pull(cursor, pageSize));
    } catch (err) {
      // A cursor from another server version (or a restored server): start again from nothing.
      if (err instanceof ApiError && err.code === 'invalid-cursor' && !hasResetCursor) {
        hasResetCursor = true;
        next = null;
        await db.meta.delete('cursor');
        continue;
      }
      throw err;
    }
    // Fetch the next page while this one is written (first sync of a large conversation).
    next = page.hasMore && page.cursor !== cursor ? api.pull(page.cursor, pageSize) : null;
    next?.catch(() => undefined);
    await applyPage(db, page);
    pages++;
    docs += page.docs.length;
    if (!next) break;
  }
  await setMeta(db, 'lastSyncedAt', new Date().toISOString());
  // After the first complete pull, what arrived counts as seen: "new" starts from here (seen.ts).
  await takeSeenBaseline(db);
  return { pages, docs };
}

const TABLE_BY_PREFIX = {
  conversation: 'conversations',
  stream: 'streams',
  idea: 'ideas',
  comment: 'comments',
  tally: 'tallies',
} as const;

export async function applyPage(db: HuddleDb, page: PullResponse): Promise<void> {
  const tables = [...queueTables(db), db.conversations, db.streams, db.tallies];
  await db.transaction('rw', tables, async () => {
    const ideas = page.docs.filter((d) => d.type === 'idea');
    const comments = page.docs.filter((d) => d.type === 'comment');
    await db.conversations.bulkPut(page.docs.filter((d) => d.type === 'conversation'));
    await db.streams.bulkPut(page.docs.filter((d) => d.type === 'stream'));
    // Released public versions replace any own "awaiting release" copy.
    await db.ideas.bulkPut(ideas);
    await db.comments.bulkPut(comments);
    await db.tallies.bulkPut(page.docs.filter((d) => d.type === 'tally'));
    for (const docId of page.deleted) {
      const colon = docId.indexOf(':');
      const table = TABLE_BY_PREFIX[docId.slice(0, colon) as keyof typeof TABLE_BY_PREFIX];
      if (colon > 0 && table) await db[table].delete(docId.slice(colon + 1));
    }
    await noteOwnReleased(db, [...ideas, ...comments]);
    await applyOwn(db, page.own);
    await setMeta(db, 'cursor', page.cursor);
    await rebaseOnServerState(db);
  });
}

/** A released or moderated public copy of one of the person's own posts says where it stands now. */
async function noteOwnReleased(db: HuddleDb, docs: Array<IdeaDoc | CommentDoc>): Promise<void> {
  if (docs.length === 0) return;
  // A person's own posts are few and a page holds up to a thousand documents: one read of their ids and
  // a lookup in memory, not one read per document of the page (that was half of a first sync's writing
  // time, bench/first-sync-browser.ts).
  const ownIds = new Set(await db.ownPosts.toCollection().primaryKeys());
  const mine = docs.filter((d) => ownIds.has(d.id));
  if (mine.length === 0) return;
  const own = await db.ownPosts.bulkGet(mine.map((d) => d.id));
  for (const [i, local] of own.entries()) {
    if (!local) continue;
    const doc = mine[i]!;
    await db.ownPosts.put({
      ...local,
      status: doc.status === 'visible' && doc.editedByModerator ? 'edited-by-moderator' : doc.status,
      reason: doc.status === 'hidden' || doc.status === 'removed' ? doc.moderationReason : undefined,
      mergedInto: doc.type === 'idea' ? doc.mergedInto : undefined,
      changePending: false,
      isWithdrawn: doc.status === 'withdrawn',
    });
  }
}

/** The person's own things, changed on any of their devices: votes, posts, drafts, answers, settings, reports. */
async function applyOwn(db: HuddleDb, own: PullResponse['own']): Promise<void> {
  for (const doc of own.pending) {
    // Never downgrade a released document to "awaiting release".
    if (doc.type === 'idea') {
      const existing = await db.ideas.get(doc.id);
      if (!existing || existing.isAwaitingRelease) await db.ideas.put({ ...doc, isAwaitingRelease: true });
    } else {
      const existing = await db.comments.get(doc.id);
      if (!existing || existing.isAwaitingRelease) await db.comments.put({ ...doc, isAwaitingRelease: true });
    }
  }
  for (const post of own.posts) await db.ownPosts.put(mergeOwnPost(await db.ownPosts.get(post.contentId), post));
  for (const vote of own.votes) {
    const current = await db.myVotes.get(vote.itemId);
    const conversationId = current?.conversationId ?? (await conversationOf(db, vote.itemKind, vote.itemId));
    // The server's value; a change still pending here is applied again on top (rebase).
    await db.myVotes.put({ ...vote, conversationId, serverValue: vote.value });
  }
  for (const remote of own.drafts) {
    const local = await db.drafts.get(remote.draftId);
    await db.drafts.put({
      ...local,
      id: remote.draftId,
      kind: remote.draftKind,
      conversationId: remote.conversationId,
      streamId: remote.streamId,
      ideaId: remote.ideaId,
      title: remote.title,
      body: remote.body,
      updatedAt: local?.serverVersion === remote.version ? local.updatedAt : new Date().toISOString(),
      serverVersion: remote.version,
      isConflictCopy: Boolean(remote.conflictOf) || local?.isConflictCopy,
    });
  }
  // Posted or discarded on another device (a change still pending here brings it back: rebase).
  for (const draftId of own.deletedDrafts) await db.drafts.delete(draftId);
  if (own.answers.length > 0) {
    const states = { ...((await getMeta(db, 'questionnaire')) ?? {}) };
    for (const answered of own.answers) states[answered.conversationId] = 'answered';
    await setMeta(db, 'questionnaire', states);
  }
  if (own.settings) await setMeta(db, 'commentDigest', own.settings.commentDigest);
  if (own.reported.length > 0) {
    const reported = new Set((await getMeta(db, 'reportedItems')) ?? []);
    for (const id of own.reported) reported.add(id);
    await setMeta(db, 'reportedItems', [...reported]);
  }
}

function mergeOwnPost(local: OwnPost | undefined, server: ServerOwnPost): OwnPost {
  return {
    ...local,
    contentId: server.contentId,
    kind: server.kind,
    conversationId: server.conversationId,
    ideaId: local?.ideaId ?? server.ideaId,
    status: server.status,
    reason: server.reason,
    mergedInto: server.mergedInto,
    changePending: server.changePending,
    isWithdrawn: server.status === 'withdrawn',
  };
}

async function conversationOf(db: HuddleDb, kind: 'idea' | 'comment', id: string): Promise<string> {
  const doc = kind === 'idea' ? await db.ideas.get(id) : await db.comments.get(id);
  return doc?.conversationId ?? '';
}
