/**
 * Batch release (timing protection): new posts and tally changes reach other people only
 * here, all at once, in a crypto-shuffled order, so nobody can match a post or a vote to the
 * moment someone's device talked to the server.
 *
 * Steps, each idempotent so that a crash anywhere or several instances releasing at once
 * converge: (1) note which items got votes since the checkpoint (votes-db changes), (2) copy
 * every staged post to the public db (create; 'exists' is fine) in shuffled order, then delete
 * the staged copies; authors' edits and withdrawals are applied after (released-changes.ts), (3) rewrite the tally docs of those items from the `tally/byItem` _sum
 * view (never incremented), (4) save the checkpoint, (5) tell the live channels.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { docId } from '../../../shared/src/ids.js';
import {
  stagedDocSchema,
  tallyDocSchema,
  type StagedDoc,
  voteDocSchema,
  type ItemKind,
  type TallyDoc,
} from '../../../shared/src/documents.js';
import type { Deps } from '../deps.js';
import { ConflictError, type StoredDoc } from '../storage/port.js';
import { upsert } from '../storage/upsert.js';
import { releaseChanges, type ChangedStaged } from './released-changes.js';

const CHECKPOINT_ID = 'release-checkpoint';
const CHANGES_PAGE = 1000;

const checkpointSchema = z.object({ _id: z.string(), _rev: z.string(), votesSeq: z.string() });

type ReleaseDeps = Pick<Deps, 'storage' | 'notifier'> & Partial<Pick<Deps, 'now'>>;

interface ItemRef {
  itemKind: ItemKind;
  conversationId: string;
}

export interface ReleaseSummary {
  released: number;
  tallies: number;
}

export async function releaseBatch(deps: ReleaseDeps): Promise<ReleaseSummary> {
  const privateDb = deps.storage.db('private');
  const checkpoint = checkpointSchema.safeParse(await privateDb.get(CHECKPOINT_ID));
  const { items, votesSeq } = await votedItemsSince(
    deps,
    checkpoint.success ? checkpoint.data.votesSeq : undefined,
  );
  const released = await releaseStaged(deps);
  const tallies = await rewriteTallies(deps, items);
  if (!checkpoint.success || checkpoint.data.votesSeq !== votesSeq) await saveCheckpoint(deps, votesSeq);
  if (released + tallies > 0)
    deps.notifier.publish({ type: 'batch', seq: await deps.storage.db('public').updateSeq() });
  return { released, tallies };
}

async function votedItemsSince(deps: ReleaseDeps, since: string | undefined) {
  const items = new Map<string, ItemRef>();
  let seq = since;
  for (;;) {
    const page = await deps.storage
      .db('votes')
      .changes({ since: seq, limit: CHANGES_PAGE, includeDocs: true });
    for (const row of page.results) {
      const vote = voteDocSchema.safeParse(row.doc);
      if (vote.success)
        items.set(vote.data.itemId, {
          itemKind: vote.data.itemKind,
          conversationId: vote.data.conversationId,
        });
    }
    seq = page.lastSeq;
    if (page.results.length < CHANGES_PAGE) break;
  }
  return { items, votesSeq: seq ?? '' };
}

async function releaseStaged(deps: ReleaseDeps): Promise<number> {
  const privateDb = deps.storage.db('private');
  const staged = [];
  const changes: ChangedStaged[] = [];
  for (const row of await privateDb.list({ prefix: 'staged:', includeDocs: true })) {
    const parsed = stagedDocSchema.safeParse(row.doc);
    if (!parsed.success) continue;
    // Authors' edits and withdrawals (released-changes.ts) go one by one, after the new posts.
    if (parsed.data.change) changes.push({ id: row.id, rev: row.rev, staged: parsed.data });
    else staged.push({ id: row.id, rev: row.rev, doc: parsed.data.doc });
  }
  const created = await releaseNew(deps, staged);
  return created + (await releaseChanges(deps, shuffle(changes)));
}

async function releaseNew(
  deps: ReleaseDeps,
  staged: Array<{ id: string; rev: string; doc: StagedDoc['doc'] }>,
): Promise<number> {
  const privateDb = deps.storage.db('private');
  if (staged.length === 0) return 0;
  const docs = shuffle(staged.map(({ doc: { _rev: _ignored, ...doc } }) => doc as StoredDoc));
  const written = await deps.storage.db('public').bulkPut(docs);
  const failed = written.filter((r) => r.error && r.error !== 'conflict');
  if (failed.length > 0) throw new Error(`release: ${failed.length} public writes failed`);
  // A conflict is a create that an earlier or concurrent release already made: fine.
  await privateDb.bulkPut(staged.map((s) => ({ _id: s.id, _rev: s.rev, _deleted: true })));
  return written.filter((r) => !r.error).length;
}

async function rewriteTallies(deps: ReleaseDeps, items: Map<string, ItemRef>): Promise<number> {
  if (items.size === 0) return 0;
  const publicDb = deps.storage.db('public');
  const keys = [...items.keys()];
  const counts = new Map<string, [number, number]>();
  for (let i = 0; i < keys.length; i += CHANGES_PAGE) {
    const rows = await deps.storage
      .db('votes')
      .query('tally/byItem', { keys: keys.slice(i, i + CHANGES_PAGE), group: true });
    for (const row of rows) counts.set(String(row.key), row.value as [number, number]);
  }
  let written = 0;
  for (const [itemId, ref] of items) {
    const [likes, dislikes] = counts.get(itemId) ?? [0, 0];
    if (await upsertTally(publicDb, { itemId, ...ref, likes, dislikes })) written++;
  }
  return written;
}

async function upsertTally(
  publicDb: ReturnType<ReleaseDeps['storage']['db']>,
  tally: Pick<TallyDoc, 'itemId' | 'itemKind' | 'conversationId' | 'likes' | 'dislikes'>,
): Promise<boolean> {
  const outcome = await upsert(publicDb, docId.tally(tally.itemId), (existing) => {
    const current = tallyDocSchema.safeParse(existing);
    const isSame =
      current.success && current.data.likes === tally.likes && current.data.dislikes === tally.dislikes;
    return isSame ? undefined : { type: 'tally', schemaVersion: SCHEMA_VERSION, ...tally };
  });
  return outcome === 'written';
}

async function saveCheckpoint(deps: ReleaseDeps, votesSeq: string): Promise<void> {
  // Another release may move it meanwhile; tallies are recomputed from the view, so either is right.
  await upsert(deps.storage.db('private'), CHECKPOINT_ID, () => ({
    type: 'release-checkpoint',
    schemaVersion: SCHEMA_VERSION,
    votesSeq,
  })).catch((err: unknown) => {
    if (!(err instanceof ConflictError)) throw err;
  });
}

/** Fisher-Yates with a cryptographic source: the order reveals nothing about arrival. */
export function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = crypto.randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * One release at a time in this process; callers that arrive while one runs share the next
 * run (so a burst of pushes costs two releases, not one per push). Other instances may run
 * theirs at the same time: every step above converges.
 */
export function createSerialReleaser(run: () => Promise<ReleaseSummary>) {
  let running: Promise<ReleaseSummary> | null = null;
  let queued: Promise<ReleaseSummary> | null = null;
  const start = (): Promise<ReleaseSummary> => {
    const p = run().finally(() => {
      if (running === p) running = null;
    });
    running = p;
    return p;
  };
  return {
    release(): Promise<ReleaseSummary> {
      if (queued) return queued;
      if (!running) return start();
      const q = running
        .catch(() => undefined)
        .then(() => {
          queued = null;
          return start();
        });
      queued = q;
      return q;
    },
    /** Resolves when nothing is running or queued (used on shutdown). */
    async idle(): Promise<void> {
      while (running || queued) await (queued ?? running)!.catch(() => undefined);
    },
  };
}
