/**
 * Batch release (timing protection): new posts, authors' edits and withdrawals, and tally changes
 * reach other people only here, all at once, in a crypto-shuffled order, so nobody can match a post
 * or a vote to the moment someone's device talked to the server.
 *
 * A public document is a projection (projection.ts): the author's current text from the staged copy,
 * under the moderation state of the released document. It is written with a revision check (a create,
 * or an update at the revision read), never purge-and-create, so a moderator's write made meanwhile is
 * never overwritten: the losing staged copy simply waits for the next release and is projected again.
 *
 * Steps, each idempotent so that a crash anywhere or several instances releasing at once converge:
 * (1) note which items got votes since the checkpoint (votes-db changes); (2) project every staged
 * post onto its public document, in shuffled order, in one bulk write; (3) purge the staged copies
 * that were released (every revision: nothing of them stays in the private database) and compact the
 * public database when existing documents were rewritten (old text must not stay as an old revision);
 * (4) rewrite the tallies of the voted items from the `tally/byItem` _sum view (never incremented), in
 * shuffled order, and those of the previous release once more (a cluster's view may lag); (5) save the
 * checkpoint; (6) tell the live channels.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { docId, toCoarseHour } from '../../../shared/src/ids.js';
import {
  commentDocSchema,
  ideaDocSchema,
  stagedDocSchema,
  tallyDocSchema,
  voteDocSchema,
  type ItemKind,
  type TallyDoc,
} from '../../../shared/src/documents.js';
import type { Deps } from '../deps.js';
import { ConflictError, type StoredDoc } from '../storage/port.js';
import { upsert } from '../storage/upsert.js';
import { projectRelease } from './projection.js';

const CHECKPOINT_ID = 'release-checkpoint';
const CHANGES_PAGE = 1000;

const itemRefSchema = z.object({
  itemId: z.string(),
  itemKind: z.enum(['idea', 'comment']),
  conversationId: z.string(),
});
const checkpointSchema = z.object({
  _id: z.string(),
  _rev: z.string(),
  votesSeq: z.string(),
  /**
   * The items tallied by the last release, tallied once more by the next: on a cluster, a view can lag
   * a vote that the changes feed already showed, and a tally must not stay stale until the next vote.
   */
  lastItems: z.array(itemRefSchema).default([]),
});

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
  const again = checkpoint.success ? checkpoint.data.lastItems : [];
  const toTally = new Map(items);
  for (const ref of again) if (!toTally.has(ref.itemId)) toTally.set(ref.itemId, ref);
  const tallies = await rewriteTallies(deps, toTally);
  const isMoved = !checkpoint.success || checkpoint.data.votesSeq !== votesSeq;
  if (isMoved || again.length > 0) await saveCheckpoint(deps, votesSeq, items);
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
  const publicDb = deps.storage.db('public');
  const staged = (await privateDb.list({ prefix: 'staged:', includeDocs: true })).flatMap((row) => {
    const parsed = stagedDocSchema.safeParse(row.doc);
    return parsed.success ? [{ id: row.id, rev: row.rev, staged: parsed.data }] : [];
  });
  if (staged.length === 0) return 0;
  const current = new Map(
    (await publicDb.list({ keys: staged.map((s) => s.staged.doc._id), includeDocs: true })).map((r) => [
      r.id,
      r.doc,
    ]),
  );
  const hour = toCoarseHour((deps.now ?? (() => new Date()))());
  const writes: StoredDoc[] = [];
  const writtenFrom: Array<{ id: string; rev: string }> = [];
  const done: Array<{ id: string; rev: string }> = [];
  let updatesExisting = false;
  for (const { id, rev, staged: s } of shuffle(staged)) {
    const schema = s.doc.type === 'idea' ? ideaDocSchema : commentDocSchema;
    const released = schema.safeParse(current.get(s.doc._id));
    const next = projectRelease(s, released.success ? released.data : undefined, hour);
    if (!next) {
      done.push({ id, rev }); // nothing (more) to release: moderation took it down, or a release did it
      continue;
    }
    if (released.success) updatesExisting = true;
    writes.push(released.success ? { ...next, _rev: released.data._rev } : next);
    writtenFrom.push({ id, rev });
  }
  const written = writes.length > 0 ? await publicDb.bulkPut(writes) : [];
  const failed = written.filter((r) => r.error && r.error !== 'conflict');
  if (failed.length > 0) throw new Error(`release: ${failed.length} public writes failed`);
  let count = 0;
  for (const [i, result] of written.entries()) {
    // A conflict: a moderator (or another release) wrote this document meanwhile. The staged copy
    // stays and is projected again, onto the new revision, at the next release.
    if (result.error) continue;
    count++;
    // Exactly the revision that was projected: an author's change staged since stays for the next release.
    done.push(writtenFrom[i]!);
  }
  await privateDb.purgeMany(done);
  if (updatesExisting) await publicDb.compact();
  return count;
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
  // Tallies are shuffled like posts: their order must not replay the order the votes arrived in.
  for (const itemId of shuffle(keys)) {
    const ref = items.get(itemId)!;
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

async function saveCheckpoint(
  deps: ReleaseDeps,
  votesSeq: string,
  items: Map<string, ItemRef>,
): Promise<void> {
  // Another release may move it meanwhile; tallies are recomputed from the view, so either is right.
  await upsert(deps.storage.db('private'), CHECKPOINT_ID, () => ({
    type: 'release-checkpoint',
    schemaVersion: SCHEMA_VERSION,
    votesSeq,
    lastItems: [...items].map(([itemId, ref]) => ({ itemId, ...ref })),
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
