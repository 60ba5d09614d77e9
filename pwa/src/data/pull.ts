/**
 * Pulls what changed since the stored cursor, page by page until the server has no more,
 * and writes each page (documents, deletions, own votes, own pending posts, the new cursor)
 * in one transaction: a page is either all stored or not at all, so the cursor never runs
 * ahead of the data. A local vote still in the outbox is never overwritten by the server's.
 */
import type { PullResponse } from '../../../shared/src/api.js';
import type { ApiClient } from './api-client.js';
import { draftSyncKey, SETTINGS_SYNC_KEY } from './actions.js';
import { getMeta, setMeta, type HuddleDb } from './db.js';
import { withLock } from './lock.js';

export const PULL_LOCK = 'huddle-pull';
export const PULL_PAGE_SIZE = 500;

export interface PullOutcome {
  pages: number;
  docs: number;
}

export function pullChanges(db: HuddleDb, api: ApiClient, pageSize = PULL_PAGE_SIZE): Promise<PullOutcome> {
  return withLock(PULL_LOCK, async () => {
    let pages = 0;
    let docs = 0;
    for (;;) {
      const cursor = await getMeta(db, 'cursor');
      const page = await api.pull(cursor, pageSize);
      await applyPage(db, page);
      pages++;
      docs += page.docs.length;
      if (!page.hasMore || page.cursor === cursor) break;
    }
    await setMeta(db, 'lastSyncedAt', new Date().toISOString());
    return { pages, docs };
  });
}

const TABLE_BY_PREFIX = {
  conversation: 'conversations',
  stream: 'streams',
  idea: 'ideas',
  comment: 'comments',
  tally: 'tallies',
} as const;

export async function applyPage(db: HuddleDb, page: PullResponse): Promise<void> {
  const tables = [
    db.conversations,
    db.streams,
    db.ideas,
    db.comments,
    db.tallies,
    db.myVotes,
    db.outbox,
    db.meta,
    db.ownPosts,
    db.drafts,
  ];
  await db.transaction('rw', tables, async () => {
    const byType = {
      conversation: page.docs.filter((d) => d.type === 'conversation'),
      stream: page.docs.filter((d) => d.type === 'stream'),
      idea: page.docs.filter((d) => d.type === 'idea'),
      comment: page.docs.filter((d) => d.type === 'comment'),
      tally: page.docs.filter((d) => d.type === 'tally'),
    };
    await db.conversations.bulkPut(byType.conversation);
    await db.streams.bulkPut(byType.stream);
    // Released public versions replace any own "awaiting release" copy.
    await db.ideas.bulkPut(byType.idea);
    await db.comments.bulkPut(byType.comment);
    await db.tallies.bulkPut(byType.tally);

    for (const docId of page.deleted) {
      const colon = docId.indexOf(':');
      const prefix = docId.slice(0, colon) as keyof typeof TABLE_BY_PREFIX;
      const table = TABLE_BY_PREFIX[prefix];
      if (colon > 0 && table) await db[table].delete(docId.slice(colon + 1));
    }

    for (const own of page.ownPending) {
      // Never downgrade a released document to "awaiting release".
      if (own.type === 'idea') {
        const existing = await db.ideas.get(own.id);
        if (!existing || existing.isAwaitingRelease) await db.ideas.put({ ...own, isAwaitingRelease: true });
      } else {
        const existing = await db.comments.get(own.id);
        if (!existing || existing.isAwaitingRelease) await db.comments.put({ ...own, isAwaitingRelease: true });
      }
    }

    for (const own of page.ownVotes) {
      const current = await db.myVotes.get(own.itemId);
      const isUnsent = (await db.outbox.where('itemId').equals(own.itemId).count()) > 0;
      const conversationId = current?.conversationId ?? (await conversationOf(db, own.itemKind, own.itemId));
      await db.myVotes.put({
        itemId: own.itemId,
        itemKind: own.itemKind,
        conversationId,
        value: isUnsent && current ? current.value : own.value,
        serverValue: own.value,
      });
    }
    await applyOwn(db, page);
    await setMeta(db, 'cursor', page.cursor);
  });
}

/**
 * The person's own things from the server: their posts' status, drafts from their other devices, answers and
 * settings. Anything this device still has queued wins until the server has answered it.
 */
async function applyOwn(db: HuddleDb, page: PullResponse): Promise<void> {
  for (const own of page.ownPosts) {
    const local = await db.ownPosts.get(own.contentId);
    const comment = own.kind === 'comment' ? await db.comments.get(own.contentId) : undefined;
    const hasQueued = (await db.outbox.where('itemId').equals(`own:${own.contentId}`).count()) > 0;
    await db.ownPosts.put({
      ...local,
      contentId: own.contentId,
      kind: own.kind,
      conversationId: own.conversationId,
      ideaId: local?.ideaId ?? comment?.ideaId,
      status: own.status,
      reason: own.reason,
      mergedInto: own.mergedInto,
      changePending: own.changePending,
      isWithdrawn: hasQueued ? local?.isWithdrawn : own.status === 'withdrawn',
    });
  }
  for (const remote of page.ownDrafts) {
    const key = draftSyncKey(remote.draftId);
    if ((await db.outbox.where('itemId').equals(key).count()) > 0) continue;
    const local = await db.drafts.get(remote.draftId);
    if (local?.serverVersion === remote.version) continue;
    await db.drafts.put({
      ...local,
      id: remote.draftId,
      kind: remote.draftKind,
      conversationId: remote.conversationId,
      streamId: remote.streamId,
      ideaId: remote.ideaId,
      title: remote.title,
      body: remote.body,
      updatedAt: new Date().toISOString(),
      serverVersion: remote.version,
      isConflictCopy: Boolean(remote.conflictOf) || local?.isConflictCopy,
    });
  }
  // The list is complete: a draft the server had and no longer has was deleted (posted or discarded) on
  // another device. Only drafts with nothing unsent here go; anything changed here is sent again instead.
  const remoteIds = new Set(page.ownDrafts.map((d) => d.draftId));
  for (const local of await db.drafts.toArray()) {
    if (!local.serverVersion || remoteIds.has(local.id)) continue;
    if ((await db.outbox.where('itemId').equals(draftSyncKey(local.id)).count()) > 0) continue;
    await db.drafts.delete(local.id);
  }
  if (page.ownAnswers.length > 0) {
    const states = { ...((await getMeta(db, 'questionnaire')) ?? {}) };
    for (const answered of page.ownAnswers) states[answered.conversationId] = 'answered';
    await setMeta(db, 'questionnaire', states);
  }
  if ((await db.outbox.where('itemId').equals(SETTINGS_SYNC_KEY).count()) === 0)
    await setMeta(db, 'commentDigest', page.ownSettings.commentDigest);
}

async function conversationOf(db: HuddleDb, kind: 'idea' | 'comment', id: string): Promise<string> {
  const doc = kind === 'idea' ? await db.ideas.get(id) : await db.comments.get(id);
  return doc?.conversationId ?? '';
}
