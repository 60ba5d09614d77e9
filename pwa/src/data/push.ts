/**
 * Pushes the outbox to the server in order, in batches sized by count and by bytes (under the server's
 * body limit once padded to its size bucket: shared/src/sync/padding.ts), and applies each answer through its kind's definition (shared/src/mutations/):
 * applied/duplicate -> the entry leaves the outbox and its acceptance shows (a pending post becomes the
 * public id the server made); rejected -> the entry leaves and what the person wrote goes back to drafts
 * with the reason; no answer -> everything stays for a retry.
 *
 * No HTTP answer can leave a device stuck: a batch-wide 4xx other than 401/409/429 (a 403, a 413 for a
 * batch too large, a 400) is narrowed down by halving the batch until each mutation has its own answer,
 * and a mutation the server refuses on its own is a rejection like any other. 401 waits for the person
 * to log in again; 409 is a version problem (or a session of someone else) and keeps everything queued.
 * Push and pull run under one lock (lock.ts): they never interleave, in one tab or several.
 */
import type { MutationResult } from '../../../shared/src/api.js';
import { definitionOf } from '../../../shared/src/mutations.js';
import { LIMITS } from '../../../shared/src/protocol.js';
import { PUSH_BATCH_MAX_BYTES } from '../../../shared/src/sync/padding.js';
import { REJECTION_CODES, isPermanent, type RejectionCode } from '../../../shared/src/rejections.js';
import { ApiError, type ApiClient } from './api-client.js';
import { getMeta, setMeta, type HuddleDb, type OutboxEntry, type Rejection } from './db.js';
import { deviceStore } from './device-store.js';
import { queueTables } from './actions.js';
import { rebaseOnServerState } from './rebase.js';
import { syncLockOf, withLock } from './lock.js';

export type PushOutcome =
  | { kind: 'done'; sent: number; rejected: number }
  /** 401: keep everything, the person must log in again. */
  | { kind: 'needs-login' }
  /** 409: this app is too old or too new for the server, or the session is someone else's. */
  | { kind: 'protocol'; message: string }
  | { kind: 'wrong-person'; message: string };

export interface PushOptions {
  batchSize?: number;
  batchBytes?: number;
}

const encoder = new TextEncoder();
const sizeOf = (entry: OutboxEntry) => encoder.encode(JSON.stringify(entry.mutation)).length + 1;

/** pushOutboxLocked under the sync lock (for callers that do not hold it). */
export const pushOutbox = (db: HuddleDb, api: ApiClient, options: PushOptions = {}) =>
  withLock(syncLockOf(db), () => pushOutboxLocked(db, api, options));

/** Throws NetworkError / retryable ApiError (5xx, 429): the caller backs off and tries again. Hold the sync lock. */
export async function pushOutboxLocked(
  db: HuddleDb,
  api: ApiClient,
  options: PushOptions = {},
): Promise<PushOutcome> {
  const maxCount = Math.min(options.batchSize ?? LIMITS.mutationsPerPush, LIMITS.mutationsPerPush);
  // Every push is padded to a whole bucket (api-client.ts): a batch never holds more than what, padded
  // with its envelope, still fits the server's body limit (PUSH_BATCH_MAX_BYTES), so padding never earns a 413.
  const maxBytes = Math.min(options.batchBytes ?? LIMITS.pushBatchBytes, LIMITS.pushBatchBytes, PUSH_BATCH_MAX_BYTES);
  let sent = 0;
  let rejected = 0;
  // After a batch-wide refusal, the next batches are smaller until each mutation gets its own answer.
  let limit = maxCount;
  for (;;) {
    const batch = await takeBatch(db, limit, maxBytes);
    if (batch.length === 0) return { kind: 'done', sent, rejected };
    const person = await getMeta(db, 'person');
    const cursor = await getMeta(db, 'cursor');
    let results: MutationResult[];
    try {
      results = (await api.push(batch.map((e) => e.mutation), { cursor, person: person?.email })).results;
    } catch (err) {
      await requeue(db, batch);
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 401) {
        await setMeta(db, 'needsLogin', true);
        return { kind: 'needs-login' };
      }
      if (err.status === 409 && err.code === 'wrong-person') return { kind: 'wrong-person', message: err.message };
      if (err.status === 409) return { kind: 'protocol', message: err.message };
      if (err.status >= 500 || err.status === 429 || err.status === 408) throw err;
      // Any other refusal of the whole batch (403, 413, 400...): narrow it down, one mutation at last.
      if (batch.length > 1) {
        limit = Math.max(1, Math.floor(batch.length / 2));
        continue;
      }
      results = [{ id: batch[0]!.id, status: 'rejected', reason: batchWideRefusal(err) }];
    }
    const outcome = await applyResults(db, batch, results);
    sent += outcome.sent;
    rejected += outcome.rejected;
    if (outcome.retryLater !== null) return { kind: 'protocol', message: outcome.retryLater };
    // A server that answers none of a batch (or only 'busy') would loop forever: back off and retry.
    if (outcome.sent + outcome.rejected === 0)
      throw new ApiError(502, 'no-results', 'The server did not answer the queued changes.');
    if (limit < maxCount) limit = Math.min(maxCount, limit * 2);
  }
}

/** The oldest entries, up to `count` and `bytes`; marked 'sending' so a newer change never collapses into one on the wire. */
function takeBatch(db: HuddleDb, count: number, bytes: number): Promise<OutboxEntry[]> {
  return db.transaction('rw', db.outbox, async () => {
    const entries = await db.outbox.orderBy('seq').limit(count).toArray();
    const batch: OutboxEntry[] = [];
    let total = 0;
    for (const entry of entries) {
      const size = sizeOf(entry);
      if (batch.length > 0 && total + size > bytes) break;
      batch.push(entry);
      total += size;
    }
    await db.outbox.bulkPut(batch.map((e) => ({ ...e, state: 'sending' as const, attempts: (e.attempts ?? 0) + 1 })));
    return batch;
  });
}

function batchWideRefusal(err: ApiError): Rejection {
  if (err.status === 413)
    return { code: REJECTION_CODES.tooLarge, message: 'This change is too large for the server to accept.' };
  if (err.status === 403) return { code: REJECTION_CODES.forbidden, message: err.message };
  return { code: REJECTION_CODES.invalid, message: err.message };
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

/**
 * One transaction: every answered entry leaves the outbox with its acceptance or rejection applied,
 * then every change still pending is applied again on top, so an answer never hides a newer change.
 */
async function applyResults(
  db: HuddleDb,
  batch: OutboxEntry[],
  results: MutationResult[],
): Promise<{ sent: number; rejected: number; retryLater: string | null }> {
  const byId = new Map(results.map((r) => [r.id, r]));
  let sent = 0;
  let rejected = 0;
  let retryLater: string | null = null;
  await db.transaction('rw', queueTables(db), async () => {
    const store = deviceStore(db);
    const keep: OutboxEntry[] = [];
    for (const entry of batch) {
      const result = byId.get(entry.id);
      if (!result) {
        keep.push(entry);
        continue;
      }
      if (result.status === 'rejected' && isRetryableRejection(result.reason.code)) {
        // Not the content's fault (this app version, a busy server): keep it queued, never turn it into a draft.
        keep.push(entry);
        if (result.reason.code === REJECTION_CODES.protocol) retryLater = result.reason.message;
        continue;
      }
      await db.outbox.delete(entry.seq!);
      const definition = definitionOf(entry.mutation);
      if (result.status === 'rejected') {
        rejected++;
        await definition.onRejected(entry.mutation, result.reason, store);
      } else {
        sent++;
        await definition.onAccepted(entry.mutation, { contentId: result.contentId }, store);
      }
    }
    for (const e of keep) await db.outbox.update(e.seq!, { state: 'queued' });
    await rebaseOnServerState(db);
  });
  return { sent, rejected, retryLater };
}
