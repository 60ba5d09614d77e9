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
import { setMeta, type HuddleDb, type OutboxEntry } from './db.js';
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
      await db.transaction('rw', [db.outbox, db.localPosts, db.ideas, db.comments, db.drafts, db.myVotes], async () => {
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
  const m = entry.mutation;
  await db.transaction('rw', [db.outbox, db.localPosts, db.ideas, db.comments, db.drafts, db.myVotes], async () => {
    await db.outbox.delete(entry.seq!);
    if (result.status === 'rejected') {
      const rejection = result.reason;
      if (m.kind === 'idea.create') {
        await db.localPosts.delete(m.id);
        await db.drafts.put({
          id: `rejected:${m.id}`,
          kind: 'idea',
          conversationId: m.conversationId,
          streamId: m.streamId,
          title: m.title,
          body: m.body,
          updatedAt: new Date().toISOString(),
          rejection,
        });
      } else if (m.kind === 'comment.create') {
        await db.localPosts.delete(m.id);
        await db.drafts.put({
          id: `rejected:${m.id}`,
          kind: 'comment',
          conversationId: m.conversationId,
          ideaId: m.ideaId,
          body: m.body,
          updatedAt: new Date().toISOString(),
          rejection,
        });
      } else {
        // Only revert if no newer choice for this item is still waiting to be sent.
        const newer = await db.outbox.where('itemId').equals(m.itemId).count();
        const current = await db.myVotes.get(m.itemId);
        if (newer === 0 && current) await db.myVotes.put({ ...current, value: current.serverValue ?? 'none' });
      }
      return;
    }
    // applied or duplicate: the server has it.
    const hour = toCoarseHour(new Date());
    if (m.kind === 'idea.create') {
      await db.localPosts.delete(m.id);
      if (result.contentId && !(await db.ideas.get(result.contentId))) {
        await db.ideas.put({
          _id: `idea:${result.contentId}`,
          schemaVersion: SCHEMA_VERSION,
          type: 'idea',
          id: result.contentId,
          conversationId: m.conversationId,
          streamId: m.streamId,
          title: m.title,
          body: m.body,
          createdHour: hour,
          status: 'visible',
          isAwaitingRelease: true,
        });
      }
    } else if (m.kind === 'comment.create') {
      await db.localPosts.delete(m.id);
      if (result.contentId && !(await db.comments.get(result.contentId))) {
        await db.comments.put({
          _id: `comment:${result.contentId}`,
          schemaVersion: SCHEMA_VERSION,
          type: 'comment',
          id: result.contentId,
          conversationId: m.conversationId,
          ideaId: m.ideaId,
          body: m.body,
          createdHour: hour,
          status: 'visible',
          isAwaitingRelease: true,
        });
      }
    } else {
      const current = await db.myVotes.get(m.itemId);
      if (current) await db.myVotes.put({ ...current, serverValue: m.value });
    }
  });
}
