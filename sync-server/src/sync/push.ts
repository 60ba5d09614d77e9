/**
 * Applies a pushed batch, each mutation at most once ever per (account, mutation id), across crashes
 * and instances, with bulk reads and bulk writes per database instead of round trips per mutation:
 *   1. each mutation is parsed and its kind's permission checked against the session's roles
 *      (a refusal is that mutation's answer, never the batch's);
 *   2. one read of the batch's receipts: a mutation already answered is answered the same way again;
 *   3. one read per database of everything the new mutations point at, then each kind decides in
 *      order (effects/), seeing the writes of the mutations before it in the batch;
 *   4. receipts are read again (a stale delivery of a mutation that finished elsewhere must not
 *      overwrite what came after it), then the writes go out: vault first (a vault entry marks a
 *      create whose checks passed), then the votes and private databases;
 *   5. a write that lost a race (another device, another instance) decides its mutations again with
 *      fresh reads; after several lost races the mutation is answered 'busy' and the device retries;
 *   6. what the person's other devices must hear goes into their own log (own-log.ts);
 *   7. receipts last. A crash between any two steps leaves state that the retry completes to exactly
 *      one effect. Receipts carry no account id and no content id.
 */
import type { z } from 'zod';
import type { MutationResult } from '../../../shared/src/api.js';
import { can } from '../../../shared/src/authorization.js';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { receiptDocSchema, type ReceiptDoc } from '../../../shared/src/documents.js';
import { mutationSchema, type Mutation } from '../../../shared/src/mutations.js';
import { REJECTION_CODES } from '../../../shared/src/rejections.js';
import type { Role } from '../../../shared/src/roles.js';
import type { Deps } from '../deps.js';
import { DB_NAMES, type DbName, type StoredDoc } from '../storage/port.js';
import { SERVER_EFFECTS } from './effects/index.js';
import { NotReadError } from './effects/targets.js';
import type { BatchView, Decision, DocRef, EffectContext, ServerEffect, Write } from './effects/types.js';
import { receiptDocId } from './keys.js';
import { appendOwnLog, type OwnEvent } from './own-log.js';
import { openAuthor, sealAuthor } from './vault.js';
import { MUTATIONS } from '../../../shared/src/mutations.js';

/** Rounds of deciding again after lost races before a mutation is answered 'busy'. */
const MAX_ROUNDS = 6;
/** Extra reads one mutation may ask for (a merge chain) before it is refused as not found. */
const MAX_MORE_READS = 6;

export interface PushSession {
  accountId: string;
  roles: readonly Role[];
}

export interface PushOptions {
  /** The first slot of the person's own log this device has already read (from its pull cursor). */
  logHint?: number;
}

const busy = {
  code: REJECTION_CODES.busy,
  message: 'Huddle was busy with other changes to the same thing: this change will be sent again.',
};
const forbidden = {
  code: REJECTION_CODES.forbidden,
  message: 'Your role in this conversation cannot make this change.',
};

interface Pending {
  index: number;
  mutation: Mutation;
  receiptId: string;
}

export async function applyMutations(
  deps: Pick<Deps, 'storage' | 'secrets' | 'now'>,
  session: PushSession,
  raw: readonly unknown[],
  options: PushOptions = {},
): Promise<MutationResult[]> {
  const results: Array<MutationResult | undefined> = new Array(raw.length);
  const firstIndexOf = new Map<string, number>();
  let pending: Pending[] = [];
  for (const [index, item] of raw.entries()) {
    const parsed = mutationSchema.safeParse(item);
    if (!parsed.success) {
      results[index] = invalid(item, parsed.error);
      continue;
    }
    const m = parsed.data;
    if (!can(session.roles, MUTATIONS[m.kind].permission)) {
      // Deterministic for this session's roles: no receipt, the client returns the text to drafts.
      results[index] = { id: m.id, status: 'rejected', reason: forbidden };
      continue;
    }
    if (firstIndexOf.has(m.id)) continue; // answered below like its first copy
    firstIndexOf.set(m.id, index);
    pending.push({ index, mutation: m, receiptId: receiptDocId(deps.secrets, session.accountId, m.id) });
  }

  const ctx = effectContext(deps, session);
  const receipts = new Map<number, ReceiptDoc>();
  const decided = new Map<number, { pending: Pending; decision: Decision }>();
  const readsOf = (ps: Pending[]) => ps.flatMap((p) => effectOf(p.mutation).reads(p.mutation, ctx));
  // The receipts and the documents the batch reads, at once: a repeated delivery is rare, and its
  // documents read for nothing cost less than one more round trip for every batch.
  let firstBatch: Batch | undefined = new Batch(deps);
  [pending] = await Promise.all([
    answerKnown(deps, ctx, pending, results),
    firstBatch.load(readsOf(pending)),
  ]);

  for (let round = 0; round < MAX_ROUNDS && pending.length > 0; round++) {
    const batch = firstBatch ?? new Batch(deps);
    if (!firstBatch) await batch.load(readsOf(pending));
    firstBatch = undefined;
    const decisions = new Map<number, Decision>();
    for (const p of pending) decisions.set(p.index, await batch.decide(p, ctx));
    // A delivery of one of these that finished meanwhile (a retry after a lost answer) must not
    // be overwritten by this stale copy: answer it from its receipt and decide the rest again.
    if (batch.hasCheckedWrites()) {
      const before = pending.length;
      pending = await answerKnown(deps, ctx, pending, results);
      if (pending.length < before) continue;
    }
    const lost = await batch.write();
    const next: Pending[] = [];
    for (const p of pending) {
      if (lost.has(p.index)) next.push(p);
      else decided.set(p.index, { pending: p, decision: decisions.get(p.index)! });
    }
    pending = next;
  }
  for (const p of pending) results[p.index] = { id: p.mutation.id, status: 'rejected', reason: busy };

  const events: OwnEvent[] = [...decided.values()].flatMap((d) => d.decision.events ?? []);
  await appendOwnLog(deps.storage.db('vault'), deps.secrets, session.accountId, options.logHint ?? 0, events);

  for (const { pending: p, decision } of decided.values()) {
    const outcome = decision.outcome;
    receipts.set(p.index, {
      _id: p.receiptId,
      type: 'receipt',
      schemaVersion: SCHEMA_VERSION,
      status: outcome.status,
      ...(outcome.status === 'rejected' ? { reason: outcome.reason } : {}),
      ...(decision.receiptNote ? { note: decision.receiptNote } : {}),
    });
  }
  await writeReceipts(deps, ctx, decided, receipts, results);

  // A repeated id inside one batch is answered like its first copy.
  for (const [index, item] of raw.entries()) {
    if (results[index]) continue;
    const first = results[firstIndexOf.get((item as { id: string }).id)!]!;
    results[index] = first.status === 'applied' ? { ...first, status: 'duplicate' } : first;
  }
  return results as MutationResult[];
}

const effectOf = (m: Mutation) => SERVER_EFFECTS[m.kind] as unknown as ServerEffect<Mutation>;

function effectContext(deps: Pick<Deps, 'storage' | 'secrets' | 'now'>, session: PushSession): EffectContext {
  return {
    accountId: session.accountId,
    roles: session.roles,
    secrets: deps.secrets,
    now: deps.now(),
    sealAuthor: (author) => sealAuthor(deps, author),
    openAuthor: (doc, contentId) => openAuthor(deps, doc, contentId),
  };
}

/** Answers the mutations that already have a receipt; returns the others. */
async function answerKnown(
  deps: Pick<Deps, 'storage'>,
  ctx: EffectContext,
  pending: Pending[],
  results: Array<MutationResult | undefined>,
): Promise<Pending[]> {
  if (pending.length === 0) return pending;
  const rows = await deps.storage
    .db('private')
    .list({ keys: pending.map((p) => p.receiptId), includeDocs: true });
  const known = new Map<string, ReceiptDoc>();
  for (const row of rows) {
    const receipt = receiptDocSchema.safeParse(row.doc);
    if (receipt.success) known.set(row.id, receipt.data);
  }
  return pending.filter((p) => {
    const receipt = known.get(p.receiptId);
    if (receipt) results[p.index] = fromReceipt(p.mutation, receipt, ctx, true);
    return !receipt;
  });
}

/**
 * A replayed rejection is answered as a rejection again, not as 'duplicate': a client whose first
 * answer was lost must still get its content back into drafts with the reason.
 */
function fromReceipt(
  m: Mutation,
  receipt: ReceiptDoc,
  ctx: EffectContext,
  isReplay: boolean,
): MutationResult {
  if (receipt.status === 'rejected') {
    return {
      id: m.id,
      status: 'rejected',
      reason: receipt.reason ?? { code: REJECTION_CODES.invalid, message: 'Rejected.' },
    };
  }
  const answer = effectOf(m).replayAnswer?.(m, ctx, receipt.note) ?? {};
  return { id: m.id, status: isReplay ? 'duplicate' : 'applied', ...answer };
}

async function writeReceipts(
  deps: Pick<Deps, 'storage'>,
  ctx: EffectContext,
  decided: Map<number, { pending: Pending; decision: Decision }>,
  receipts: Map<number, ReceiptDoc>,
  results: Array<MutationResult | undefined>,
): Promise<void> {
  const entries = [...receipts.entries()];
  if (entries.length === 0) return;
  const written = await deps.storage.db('private').bulkPut(entries.map(([, r]) => r));
  failOnErrors(written, 'receipts');
  const lostRace: Pending[] = [];
  for (const [i, [index, receipt]] of entries.entries()) {
    const p = decided.get(index)!.pending;
    if (written[i]!.error === 'conflict') lostRace.push(p);
    else {
      const outcome = decided.get(index)!.decision.outcome;
      results[index] =
        outcome.status === 'applied'
          ? {
              id: p.mutation.id,
              status: 'applied',
              ...(outcome.contentId ? { contentId: outcome.contentId } : {}),
            }
          : fromReceipt(p.mutation, receipt, ctx, false);
    }
  }
  // A concurrent delivery of the same mutation finished first: answer what it decided.
  if (lostRace.length > 0) await answerKnown(deps, ctx, lostRace, results);
}

function failOnErrors(written: Array<{ error?: string }>, what: string): void {
  const failed = written.filter((w) => w.error && w.error !== 'conflict');
  if (failed.length > 0) throw new Error(`push: ${failed.length} ${what} writes failed`);
}

/** Deterministic: the same bytes are rejected the same way on every retry, so no receipt. */
function invalid(raw: unknown, error: z.ZodError): MutationResult {
  const first = error.issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  return {
    id: usableId(raw),
    status: 'rejected',
    reason: { code: REJECTION_CODES.invalid, message: `${where}${first?.message ?? 'invalid mutation'}` },
  };
}

function usableId(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return '';
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= 100 ? id : '';
}

// ---- one round: bulk reads, decisions over an overlay, bulk writes ---------------------------

const keyOf = (db: DbName, id: string) => `${db}\u0000${id}`;

interface Slot {
  db: DbName;
  id: string;
  /** The document as read (undefined: absent). */
  base: StoredDoc | undefined;
  /** After this batch's writes so far (null: deleted). */
  current: StoredDoc | null | undefined;
  isWritten: boolean;
  /** Only idempotent creates so far: losing a race means it is already there. */
  isEnsureOnly: boolean;
  writers: Set<number>;
  readers: Set<number>;
}

class Batch {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly deps: Pick<Deps, 'storage'>) {}

  /** One request per database for every document not read yet. */
  async load(refs: DocRef[]): Promise<void> {
    const wanted = new Map<DbName, Set<string>>();
    for (const ref of refs) {
      if (this.slots.has(keyOf(ref.db, ref.id))) continue;
      let ids = wanted.get(ref.db);
      if (!ids) wanted.set(ref.db, (ids = new Set()));
      ids.add(ref.id);
    }
    await Promise.all(
      [...wanted.entries()].map(async ([db, ids]) => {
        const rows = await this.deps.storage.db(db).list({ keys: [...ids], includeDocs: true });
        const found = new Map(rows.map((r) => [r.id, r.doc]));
        for (const id of ids) {
          const doc = found.get(id);
          this.slots.set(keyOf(db, id), {
            db,
            id,
            base: doc,
            current: doc,
            isWritten: false,
            isEnsureOnly: true,
            writers: new Set(),
            readers: new Set(),
          });
        }
      }),
    );
  }

  async decide(p: Pending, ctx: EffectContext): Promise<Decision> {
    const effect = effectOf(p.mutation);
    for (let attempt = 0; attempt <= MAX_MORE_READS; attempt++) {
      const view: BatchView = {
        get: (db, id) => {
          const slot = this.slots.get(keyOf(db, id));
          if (!slot) throw new NotReadError(db, id);
          slot.readers.add(p.index);
          return slot.current ?? undefined;
        },
      };
      let decision: Decision | { more: DocRef[] };
      try {
        decision = effect.decide(p.mutation, view, ctx);
      } catch (err) {
        if (!(err instanceof NotReadError)) throw err;
        decision = { more: [{ db: err.db, id: err.id }] };
      }
      if ('more' in decision) {
        await this.load(decision.more);
        continue;
      }
      for (const write of decision.writes ?? []) this.apply(p.index, write);
      return decision;
    }
    return {
      outcome: { status: 'rejected', reason: { code: REJECTION_CODES.notFound, message: 'Not found.' } },
    };
  }

  private apply(index: number, write: Write): void {
    const id = write.mode === 'delete' ? write.id : write.doc._id;
    const slot = this.slots.get(keyOf(write.db, id));
    if (!slot) throw new Error(`write to a document that was not read: ${write.db}/${id.split(':')[0]}`);
    if (write.mode === 'ensure') {
      if (slot.current) return; // already there
      slot.current = write.doc;
    } else {
      slot.current = write.mode === 'delete' ? null : write.doc;
      slot.isEnsureOnly = false;
    }
    slot.isWritten = true;
    slot.writers.add(index);
  }

  hasCheckedWrites(): boolean {
    return [...this.slots.values()].some((s) => s.isWritten && !s.isEnsureOnly);
  }

  /** Writes everything; answers the mutations that lost a race and must be decided again. */
  async write(): Promise<Set<number>> {
    const lost = new Set<number>();
    const byDb = new Map<DbName, Slot[]>();
    for (const slot of this.slots.values()) {
      if (!slot.isWritten) continue;
      if (slot.current === null && !slot.base) continue; // created and deleted within the batch
      const list = byDb.get(slot.db) ?? [];
      list.push(slot);
      byDb.set(slot.db, list);
    }
    const writeDb = async (db: DbName) => {
      const slots = byDb.get(db) ?? [];
      if (slots.length === 0) return;
      const docs = slots.map((s) => {
        const rev = s.base?._rev;
        if (s.current === null) return { _id: s.id, _rev: rev!, _deleted: true };
        const { _rev: _ignored, ...doc } = s.current!;
        return rev && !s.isEnsureOnly ? { ...doc, _rev: rev } : doc;
      });
      const written = await this.deps.storage.db(db).bulkPut(docs);
      failOnErrors(written, db);
      for (const [i, result] of written.entries()) {
        const slot = slots[i]!;
        if (result.error !== 'conflict' || slot.isEnsureOnly) continue;
        for (const m of [...slot.writers, ...slot.readers]) lost.add(m);
      }
    };
    // The vault entry of a new post goes first: it marks a create whose checks have passed.
    await writeDb('vault');
    await Promise.all(DB_NAMES.filter((db) => db !== 'vault').map(writeDb));
    return lost;
  }
}
