/**
 * Pushes the outbox to the server in order, in batches, and applies each answer:
 * applied/duplicate → the entry leaves the outbox (a pending post becomes the public id
 * the server made); rejected → the entry leaves and its text goes back to drafts with the
 * reason (a vote reverts to what the server holds); no answer → everything stays for a retry.
 */
import type { MutationResult } from '../../../shared/src/api.js';
import { LIMITS } from '../../../shared/src/protocol.js';
import { toCoarseHour } from '../../../shared/src/ids.js';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { REJECTION_CODES, isPermanent, type RejectionCode } from '../../../shared/src/rejections.js';
import { ApiError, type ApiClient } from './api-client.js';
import type { Mutation } from '../../../shared/src/mutations.js';
import { draftSyncKey, SETTINGS_SYNC_KEY } from './actions.js';
import { getMeta, setMeta, type HuddleDb, type OutboxEntry, type Rejection } from './db.js';
import { withLock } from './lock.js';

export const OUTBOX_LOCK = 'huddle-outbox';

export type PushOutcome =
  | { kind: 'done'; sent: number; rejected: number }
  /** 401: keep everything, the person must log in again. */
  | { kind: 'needs-login' }
  /** 409: this app is too old or too new for the server. */
  | { kind: 'protocol'; message: string };

export interface PushOptions {
  batchSize?: number;
}

/** Throws NetworkError / retryable ApiError: the caller backs off and tries again. */
export function pushOutbox(db: HuddleDb, api: ApiClient, options: PushOptions = {}): Promise<PushOutcome> {
  const batchSize = Math.min(options.batchSize ?? LIMITS.mutationsPerPush, LIMITS.mutationsPerPush);
  return withLock(OUTBOX_LOCK, async () => {
    let sent = 0;
    let rejected = 0;
    for (;;) {
      const batch = await db.transaction('rw', db.outbox, async () => {
        const entries = await db.outbox.orderBy('seq').limit(batchSize).toArray();
        // 'sending' stops a later vote from collapsing into an entry already on the wire.
        await db.outbox.bulkPut(entries.map((e) => ({ ...e, state: 'sending' as const })));
        return entries;
      });
      if (batch.length === 0) return { kind: 'done', sent, rejected };
      let results: MutationResult[];
      try {
        results = (await api.push(batch.map((e) => e.mutation))).results;
      } catch (err) {
        await requeue(db, batch);
        if (err instanceof ApiError && err.status === 401) {
          await setMeta(db, 'needsLogin', true);
          return { kind: 'needs-login' };
        }
        if (err instanceof ApiError && err.status === 409) return { kind: 'protocol', message: err.message };
        throw err;
      }
      const byId = new Map(results.map((r) => [r.id, r]));
      let answered = 0;
      let retryLater: string | null = null;
      await db.transaction('rw', resultTables(db), async () => {
        const keep: OutboxEntry[] = [];
        for (const entry of batch) {
          const result = byId.get(entry.id);
          if (!result) {
            keep.push(entry);
            continue;
          }
          if (result.status === 'rejected' && isRetryableRejection(result.reason.code)) {
            // Not the content's fault (e.g. this app version): keep it queued, never turn it into a draft.
            keep.push(entry);
            retryLater = result.reason.message;
            continue;
          }
          answered++;
          if (result.status === 'rejected') rejected++;
          else sent++;
          await applyResult(db, entry, result);
        }
        await requeue(db, keep);
      });
      if (retryLater !== null) return { kind: 'protocol', message: retryLater };
      // A server that answers none of a batch would loop forever: treat it as a failed attempt.
      if (answered === 0) throw new ApiError(502, 'no-results', 'The server did not answer the queued changes.');
    }
  });
}

/** Rejection codes come from the server as text; unknown codes are permanent (the content goes back to drafts). */
function isRetryableRejection(code: string): boolean {
  const known: readonly string[] = Object.values(REJECTION_CODES);
  return known.includes(code) && !isPermanent(code as RejectionCode);
}

async function requeue(db: HuddleDb, entries: OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.transaction('rw', db.outbox, async () => {
    for (const e of entries) await db.outbox.update(e.seq!, { state: 'queued' });
  });
}

async function applyResult(db: HuddleDb, entry: OutboxEntry, result: MutationResult): Promise<void> {
  await db.transaction('rw', resultTables(db), async () => {
    await db.outbox.delete(entry.seq!);
    if (result.status === 'rejected') await applyRejection(db, entry.mutation, result.reason);
    else await applyAccepted(db, entry.mutation, result.contentId);
  });
}

export const resultTables = (db: HuddleDb) => [
  db.outbox,
  db.localPosts,
  db.ideas,
  db.comments,
  db.drafts,
  db.myVotes,
  db.ownPosts,
  db.meta,
];

const nowIso = () => new Date().toISOString();

async function refuse(db: HuddleDb, kind: string, rejection: Rejection, text?: string): Promise<void> {
  const refused = (await getMeta(db, 'refusedActions')) ?? [];
  await setMeta(db, 'refusedActions', [...refused, { kind, message: rejection.message, at: nowIso(), text }].slice(-50));
}

/** The server refused: nothing the person wrote is lost. Text goes back to drafts with the reason. */
async function applyRejection(db: HuddleDb, m: Mutation, rejection: Rejection): Promise<void> {
  const conversationId = 'conversationId' in m ? m.conversationId : undefined;
  // Kept on this device only until the person takes it up again (then it gets a draft UUID and syncs).
  const draftBase = { id: `rejected:${m.id}`, updatedAt: nowIso(), rejection, conversationId };
  switch (m.kind) {
    case 'idea.create':
      await db.localPosts.delete(m.id);
      await db.drafts.put({ ...draftBase, kind: 'idea', streamId: m.streamId, title: m.title, body: m.body });
      return;
    case 'comment.create':
      await db.localPosts.delete(m.id);
      await db.drafts.put({ ...draftBase, kind: 'comment', ideaId: m.ideaId, body: m.body });
      return;
    case 'idea.edit':
    case 'comment.edit': {
      const itemId = m.kind === 'idea.edit' ? m.ideaId : m.commentId;
      const own = await db.ownPosts.get(itemId);
      const isNewerQueued = (await db.outbox.where('itemId').equals(`own:${itemId}`).count()) > 0;
      if (own && !isNewerQueued) await db.ownPosts.put({ ...own, pendingEdit: undefined });
      const idea = m.kind === 'idea.edit' ? await db.ideas.get(m.ideaId) : undefined;
      const comment = m.kind === 'comment.edit' ? await db.comments.get(m.commentId) : undefined;
      await db.drafts.put({
        ...draftBase,
        kind: m.kind === 'idea.edit' ? 'idea' : 'comment',
        streamId: idea?.streamId,
        ideaId: comment?.ideaId,
        title: m.kind === 'idea.edit' ? m.title : undefined,
        body: m.body,
        editOf: { itemKind: m.kind === 'idea.edit' ? 'idea' : 'comment', itemId },
      });
      return;
    }
    case 'idea.withdraw':
    case 'comment.withdraw': {
      const itemId = m.kind === 'idea.withdraw' ? m.ideaId : m.commentId;
      const own = await db.ownPosts.get(itemId);
      if (own) await db.ownPosts.put({ ...own, isWithdrawn: false });
      await refuse(db, m.kind, rejection);
      return;
    }
    case 'report.create': {
      const reported = (await getMeta(db, 'reportedItems')) ?? [];
      await setMeta(db, 'reportedItems', reported.filter((id) => id !== m.itemId));
      await refuse(db, m.kind, rejection, m.note);
      return;
    }
    case 'questionnaire.submit': {
      const states = (await getMeta(db, 'questionnaire')) ?? {};
      const { [m.conversationId]: _dropped, ...rest } = states;
      await setMeta(db, 'questionnaire', rest);
      await refuse(db, m.kind, rejection);
      return;
    }
    case 'notifications.set': {
      const isNewerQueued = (await db.outbox.where('itemId').equals(SETTINGS_SYNC_KEY).count()) > 0;
      if (!isNewerQueued) await setMeta(db, 'commentDigest', !m.commentDigest);
      await refuse(db, m.kind, rejection);
      return;
    }
    case 'draft.save':
    case 'draft.delete':
      // The draft itself stays on this device: only its copy on the server is missing.
      return;
    case 'vote.set': {
      // Only revert if no newer choice for this item is still waiting to be sent.
      const newer = await db.outbox.where('itemId').equals(m.itemId).count();
      const current = await db.myVotes.get(m.itemId);
      if (newer === 0 && current) await db.myVotes.put({ ...current, value: current.serverValue ?? 'none' });
      return;
    }
  }
}

/** applied or duplicate: the server has it. */
async function applyAccepted(db: HuddleDb, m: Mutation, contentId: string | undefined): Promise<void> {
  const hour = toCoarseHour(new Date());
  switch (m.kind) {
    case 'idea.create':
      await db.localPosts.delete(m.id);
      if (!contentId) return;
      await db.ownPosts.put({ contentId, kind: 'idea', conversationId: m.conversationId });
      if (!(await db.ideas.get(contentId))) {
        await db.ideas.put({
          _id: `idea:${contentId}`,
          schemaVersion: SCHEMA_VERSION,
          type: 'idea',
          id: contentId,
          conversationId: m.conversationId,
          streamId: m.streamId,
          title: m.title,
          body: m.body,
          createdHour: hour,
          status: 'visible',
          isAwaitingRelease: true,
        });
      }
      return;
    case 'comment.create':
      await db.localPosts.delete(m.id);
      if (!contentId) return;
      await db.ownPosts.put({ contentId, kind: 'comment', conversationId: m.conversationId, ideaId: m.ideaId });
      if (!(await db.comments.get(contentId))) {
        await db.comments.put({
          _id: `comment:${contentId}`,
          schemaVersion: SCHEMA_VERSION,
          type: 'comment',
          id: contentId,
          conversationId: m.conversationId,
          ideaId: m.ideaId,
          body: m.body,
          createdHour: hour,
          status: 'visible',
          isAwaitingRelease: true,
        });
      }
      return;
    case 'idea.edit':
    case 'comment.edit': {
      // The author sees their edit at once; others see it after the next batch.
      const itemId = m.kind === 'idea.edit' ? m.ideaId : m.commentId;
      const own = await db.ownPosts.get(itemId);
      const isNewerQueued = (await db.outbox.where('itemId').equals(`own:${itemId}`).count()) > 0;
      if (m.kind === 'idea.edit') await db.ideas.update(m.ideaId, { title: m.title, body: m.body });
      else await db.comments.update(m.commentId, { body: m.body });
      if (own && !isNewerQueued) await db.ownPosts.put({ ...own, pendingEdit: undefined, changePending: true });
      return;
    }
    case 'idea.withdraw':
    case 'comment.withdraw': {
      const itemId = m.kind === 'idea.withdraw' ? m.ideaId : m.commentId;
      const own = await db.ownPosts.get(itemId);
      if (own) await db.ownPosts.put({ ...own, isWithdrawn: true, status: 'withdrawn' });
      return;
    }
    case 'draft.save': {
      const draft = await db.drafts.get(m.draftId);
      if (!draft) return;
      if (contentId && contentId !== m.draftId) {
        // Another device changed this draft meanwhile: the server kept this text as a separate copy. Keep
        // both here too; the other version arrives with the next pull.
        const isNewerQueued = (await db.outbox.where('itemId').equals(draftSyncKey(m.draftId)).count()) > 0;
        await db.drafts.put({ ...draft, id: contentId, serverVersion: m.id, isConflictCopy: true });
        if (!isNewerQueued) await db.drafts.delete(m.draftId);
        return;
      }
      await db.drafts.put({ ...draft, serverVersion: m.id });
      return;
    }
    case 'vote.set': {
      const current = await db.myVotes.get(m.itemId);
      if (current) await db.myVotes.put({ ...current, serverValue: m.value });
      return;
    }
    case 'draft.delete':
    case 'report.create':
    case 'questionnaire.submit':
    case 'notifications.set':
      return;
  }
}
