/**
 * Batch release (timing protection): new posts, authors' edits and withdrawals, and tally changes
 * reach other people only here, all at once, in a crypto-shuffled order (posts and tallies alike),
 * so nobody can match a post or a vote to the moment someone's device talked to the server; and a
 * conversation's batch goes out only once it holds contributions from at least k distinct people
 * (release-plan.ts), however long that takes: until then everything of that conversation waits,
 * while other conversations release on their own.
 *
 * A public document is a projection (projection.ts): the author's current text from the staged copy,
 * under the moderation state of the released document. It is written with a revision check (a create,
 * or an update at the revision read), never purge-and-create, so a moderator's write made meanwhile is
 * never overwritten: the copy is projected again onto the new revision, in the same run.
 *
 * Steps, each idempotent so that a crash anywhere or several instances releasing at once converge:
 * (1) read the votes changed since the checkpoint (votes-db changes) and the votes held in waiting
 * batches; (2) read the staged posts, their public documents and their authors (vault); (3) read the
 * tallies of every pending item from the `tally/byItem` _sum view (never incremented) and the
 * published ones; (4) plan: which conversations hold k people; (5) store the votes of the batches
 * that wait as held-vote documents (contributor tags only) and save the checkpoint, naming the
 * conversations being released (`inFlight`: a run that crashes after this is completed by the next,
 * whatever k); (6) project the staged posts of the released conversations onto their public
 * documents, shuffled, in one bulk write; purge the staged copies released (every revision) and
 * compact the public database when existing documents were rewritten (old text must not stay as an
 * old revision); (7) write their tallies, shuffled, in one bulk write, with those of their previous
 * release once more (a cluster's view may lag); (8) purge their held votes; (9) clear `inFlight`;
 * (10) tell the live channels.
 *
 * Exactly what was counted is released: a post staged or changed after step 2 keeps its newer
 * revision for the next batch. A vote that arrives between steps 1 and 3 on an item being released
 * is carried by the view into this batch on top of the k people counted (never instead of them); in
 * the next batch it counts only if its item's tally changes again. A vote whose first revision says
 * 'none' changed nothing and counts nobody.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { docId, toCoarseHour } from '../../../shared/src/ids.js';
import {
  commentDocSchema,
  conversationDocSchema,
  ideaDocSchema,
  itemKindSchema,
  stagedDocSchema,
  tallyDocSchema,
  vaultDocSchema,
  voteDocSchema,
  type CommentDoc,
  type IdeaDoc,
  type ItemKind,
  type StagedDoc,
  type TallyDoc,
} from '../../../shared/src/documents.js';
import type { Deps } from '../deps.js';
import { ConflictError, type StoredDoc } from '../storage/port.js';
import { upsert } from '../storage/upsert.js';
import { vaultDocId, voterFor } from './keys.js';
import { projectRelease } from './projection.js';
import { openValue } from './seal.js';
import { dueNoticeDay, type NoticeSchedule } from '../notify/notice-schedule.js';
import { planRelease, type PendingVote } from './release-plan.js';
import { openAuthor } from './vault.js';

const CHECKPOINT_ID = 'release-checkpoint';
const HELD_PREFIX = 'held-vote:';
const CHANGES_PAGE = 1000;
/** Rounds of projecting again onto a public document a moderator wrote meanwhile. */
const PROJECT_ROUNDS = 4;

const itemRefSchema = z.object({
  itemId: z.string(),
  itemKind: itemKindSchema,
  conversationId: z.string(),
});
const checkpointSchema = z.object({
  _id: z.string(),
  _rev: z.string(),
  votesSeq: z.string(),
  /**
   * The items tallied by each conversation's last release, tallied once more by its next: on a
   * cluster, a view can lag a vote that the changes feed already showed.
   */
  lastItems: z.array(itemRefSchema).default([]),
  /**
   * Per conversation, the number of its batch: part of the contributor tags, so the tags of two batches
   * cannot be related. Every instance reading this checkpoint derives the same tags for the same batch.
   */
  epochs: z.record(z.string(), z.number().int().nonnegative()).default({}),
  /** Conversations whose release was decided and may not have finished (see step 5). */
  inFlight: z.array(z.string()).default([]),
  /** Per conversation, the local day whose edit gate it last went through (see EditPolicy). */
  editDays: z.record(z.string(), z.string()).default({}),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

/**
 * A vote waiting in a held batch: who (a tag of this batch only) and which item, nothing else. One
 * held under an earlier epoch (an instance that read the checkpoint before another released the batch)
 * still goes out with the next batch but counts as nobody: its tag cannot be compared with this batch's.
 */
const heldVoteSchema = z.object({
  _id: z.string(),
  _rev: z.string().optional(),
  type: z.literal('held-vote'),
  conversationId: z.string(),
  itemId: z.string(),
  itemKind: itemKindSchema,
  epoch: z.number(),
  tag: z.string(),
});

type ReleaseDeps = Pick<Deps, 'storage' | 'notifier' | 'secrets'> &
  Partial<Pick<Deps, 'now'>> & {
    /** Absent: edits and withdrawals go with every batch (EDIT_RELEASE=every-batch, direct calls). */
    editPolicy?: EditPolicy | undefined;
  };

/**
 * Edits and withdrawals of posts already published reach other people once a day: at the first release
 * of a conversation after the day's notice time (NOTICE_TIME, NOTICE_TIME_ZONE), with that batch's k
 * authors. A post that changes in two batches is otherwise named by intersecting who pushed before each
 * (the proxy log sees pushes, and the first batch showed the post): with a daily gate the second set is
 * everyone who pushed since the last gate. New posts are not held by it. The author's own devices show
 * the change at once.
 */
export interface EditPolicy {
  schedule: NoticeSchedule;
}
type PublicDb = ReturnType<ReleaseDeps['storage']['db']>;

interface ItemRef {
  itemKind: ItemKind;
  conversationId: string;
}

interface StagedRow {
  id: string;
  rev: string;
  staged: StagedDoc;
}

export interface ReleaseSummary {
  released: number;
  tallies: number;
}

export async function releaseBatch(deps: ReleaseDeps): Promise<ReleaseSummary> {
  const privateDb = deps.storage.db('private');
  const publicDb = deps.storage.db('public');
  const read = checkpointSchema.safeParse(await privateDb.get(CHECKPOINT_ID));
  const checkpoint = read.success ? read.data : undefined;
  const epochs = { ...(checkpoint?.epochs ?? {}) };
  const epochOf = (conversationId: string) => epochs[conversationId] ?? 0;
  const editDays = { ...(checkpoint?.editDays ?? {}) };
  const gateDay = deps.editPolicy
    ? dueNoticeDay((deps.now ?? (() => new Date()))(), deps.editPolicy.schedule)
    : undefined;
  /** Whether a conversation's edits and withdrawals may go with its batch now. */
  const isEditGateOpen = (conversationId: string) =>
    !deps.editPolicy || (gateDay !== undefined && editDays[conversationId] !== gateDay);
  const tagOf = (conversationId: string, person: string) =>
    deps.secrets.link('contributor', conversationId, person, String(epochOf(conversationId)));

  // (1) votes: changed since the checkpoint, and held in batches that wait
  const { votes: changed, votesSeq } = await votesSince(deps, checkpoint?.votesSeq);
  const held = (await privateDb.list({ prefix: HELD_PREFIX, includeDocs: true })).flatMap((row) => {
    const parsed = heldVoteSchema.safeParse(row.doc);
    return parsed.success ? [{ ...parsed.data, _rev: row.rev }] : [];
  });
  // A first revision saying 'none' is a vote set to nothing where there was none: it changed nothing.
  let fresh = changed
    .filter((v) => !(v.value === 'none' && v._rev?.startsWith('1-')))
    .map((v) => ({
      conversationId: v.conversationId,
      itemId: v.itemId,
      itemKind: v.itemKind,
      epoch: epochOf(v.conversationId),
      // A voter sealed under another key cannot be compared: it counts as nobody.
      tag: ((voter) => (voter === undefined ? undefined : tagOf(v.conversationId, voter)))(
        openValue(deps.secrets, v._id, v.voterSeal),
      ),
    }));

  // (2) staged posts, what they would publish, and who wrote them
  const staged = await readStaged(deps);
  const current = await readPublic(
    publicDb,
    staged.map((s) => s.staged.doc._id),
  );
  const hour = toCoarseHour((deps.now ?? (() => new Date()))());
  const vault = new Map(
    (
      await deps.storage
        .db('vault')
        .list({ keys: staged.map((s) => vaultDocId(deps.secrets, s.staged.doc.id)), includeDocs: true })
    ).map((r) => [r.id, r.doc]),
  );
  // An edit or withdrawal of a published post waits for its conversation's daily gate (EditPolicy).
  const isHeldChange = (s: StagedRow) =>
    releasedDocOf(s, current) !== undefined && !isEditGateOpen(s.staged.doc.conversationId);
  const heldChanges = new Set(staged.filter(isHeldChange).map((s) => s.id));
  const toPublish = staged.filter(
    (s) => !heldChanges.has(s.id) && projectionOf(s, current, hour) !== undefined,
  );
  const posts = toPublish.map((s) => {
    const author = openAuthor(deps, vault.get(vaultDocId(deps.secrets, s.staged.doc.id)), s.staged.doc.id);
    const conversationId = s.staged.doc.conversationId;
    return {
      conversationId,
      tag: author
        ? tagOf(conversationId, voterFor(deps.secrets, conversationId, author.accountId))
        : undefined,
    };
  });

  // (3) the tallies every pending item would get, and the published ones
  const items = new Map<string, ItemRef>();
  for (const v of [...held, ...fresh])
    items.set(v.itemId, { itemKind: v.itemKind, conversationId: v.conversationId });
  for (const ref of checkpoint?.lastItems ?? []) if (!items.has(ref.itemId)) items.set(ref.itemId, ref);
  const counts = await tallyCounts(deps, [...items.keys()]);
  const published = await readPublic(publicDb, [...items.keys()].map(docId.tally));
  const changedItems = new Set(
    [...items.keys()].filter((itemId) => {
      const tally = tallyDocSchema.safeParse(published.get(docId.tally(itemId)));
      const [likes, dislikes] = counts.get(itemId) ?? [0, 0];
      const [wasLikes, wasDislikes] = tally.success ? [tally.data.likes, tally.data.dislikes] : [0, 0];
      return wasLikes !== likes || wasDislikes !== dislikes;
    }),
  );

  // (4) which conversations hold k people. Before the first release (no checkpoint: a fresh or seeded
  // store) a published tally that matches the votes is taken as released: its votes wait for nobody.
  if (!checkpoint) fresh = fresh.filter((v) => changedItems.has(v.itemId));
  const votes: PendingVote[] = [...held, ...fresh].map((v) =>
    v.epoch === epochOf(v.conversationId) ? v : { ...v, tag: undefined },
  );
  const conversationIds = new Set([...votes, ...posts].map((c) => c.conversationId));
  const conversations = await readConversations(publicDb, [...conversationIds]);
  const plans = planRelease({
    posts,
    votes,
    changedItems,
    conversations,
    inFlight: new Set(checkpoint?.inFlight ?? []),
  });
  const isReleased = (conversationId: string) => plans.get(conversationId)?.isReleased ?? false;
  const releasedIds = [...plans.values()].filter((p) => p.isReleased).map((p) => p.conversationId);

  // (5) the votes of waiting batches are kept (tags only); the checkpoint names what is being released
  // A vote whose voter cannot be opened (another key) is not held: it counts as nobody anyway.
  const toHold = fresh.filter(
    (v): v is typeof v & { tag: string } => !isReleased(v.conversationId) && v.tag !== undefined,
  );
  if (toHold.length > 0) {
    const written = await privateDb.bulkPut(
      toHold.map((v) => ({ _id: heldVoteId(v), type: 'held-vote', ...v })),
    );
    const failed = written.filter((r) => r.error && r.error !== 'conflict'); // conflict: already held
    if (failed.length > 0) throw new Error(`release: ${failed.length} held votes not written`);
  }
  for (const conversationId of releasedIds) {
    epochs[conversationId] = epochOf(conversationId) + 1;
    if (deps.editPolicy && gateDay !== undefined && isEditGateOpen(conversationId))
      editDays[conversationId] = gateDay;
  }
  const releasedItems = [...items.entries()].filter(([, ref]) => isReleased(ref.conversationId));
  const lastItems = [
    ...(checkpoint?.lastItems ?? []).filter((ref) => !isReleased(ref.conversationId)),
    ...releasedItems.map(([itemId, ref]) => ({ itemId, ...ref })),
  ];
  const isMoved = !checkpoint || checkpoint.votesSeq !== votesSeq;
  if (isMoved || releasedIds.length > 0 || (checkpoint?.inFlight.length ?? 0) > 0)
    await saveCheckpoint(deps, { votesSeq, lastItems, epochs, inFlight: releasedIds, editDays });
  if (releasedIds.length === 0) return { released: 0, tallies: 0 };

  // (6)-(8) publish the released conversations' batches
  const released = await publishStaged(
    deps,
    staged.filter((s) => isReleased(s.staged.doc.conversationId) && !heldChanges.has(s.id)),
    current,
    hour,
  );
  await moveVaultEntries(
    deps,
    staged.filter((s) => isReleased(s.staged.doc.conversationId) && !heldChanges.has(s.id)),
    vault,
  );
  const tallies = await writeTallies(
    publicDb,
    releasedItems.map(([itemId, ref]) => ({ itemId, ...ref, counts: counts.get(itemId) ?? [0, 0] })),
    published,
  );
  await privateDb.purgeMany(
    held.filter((h) => isReleased(h.conversationId)).map((h) => ({ id: h._id, rev: h._rev })),
  );

  // (9) done: nothing left for the next run to complete
  await saveCheckpoint(deps, { votesSeq, lastItems, epochs, inFlight: [], editDays });
  if (released + tallies > 0) deps.notifier.publish({ type: 'batch', seq: await publicDb.updateSeq() });
  return { released, tallies };
}

const heldVoteId = (v: { conversationId: string; tag: string; itemId: string }) =>
  `${HELD_PREFIX}${v.conversationId}:${v.tag}:${v.itemId}`;

async function votesSince(deps: ReleaseDeps, since: string | undefined) {
  const votes = new Map<string, z.infer<typeof voteDocSchema>>();
  let seq = since;
  for (;;) {
    const page = await deps.storage
      .db('votes')
      .changes({ since: seq, limit: CHANGES_PAGE, includeDocs: true });
    for (const row of page.results) {
      const vote = voteDocSchema.safeParse(row.doc);
      if (vote.success) votes.set(vote.data._id, vote.data);
    }
    seq = page.lastSeq;
    if (page.results.length < CHANGES_PAGE) break;
  }
  return { votes: [...votes.values()], votesSeq: seq ?? '' };
}

async function readStaged(deps: ReleaseDeps): Promise<StagedRow[]> {
  const rows = await deps.storage.db('private').list({ prefix: 'staged:', includeDocs: true });
  return rows.flatMap((row) => {
    const parsed = stagedDocSchema.safeParse(row.doc);
    return parsed.success ? [{ id: row.id, rev: row.rev, staged: parsed.data }] : [];
  });
}

async function readPublic(publicDb: PublicDb, ids: string[]): Promise<Map<string, StoredDoc | undefined>> {
  if (ids.length === 0) return new Map();
  return new Map((await publicDb.list({ keys: ids, includeDocs: true })).map((r) => [r.id, r.doc]));
}

async function readConversations(publicDb: PublicDb, ids: string[]) {
  const docs = await readPublic(publicDb, ids.map(docId.conversation));
  const out = new Map<string, { releaseMinContributors?: number | undefined }>();
  for (const doc of docs.values()) {
    const parsed = conversationDocSchema.safeParse(doc);
    if (parsed.success) out.set(parsed.data.id, parsed.data);
  }
  return out;
}

function releasedDocOf(s: StagedRow, current: Map<string, StoredDoc | undefined>) {
  const schema = s.staged.doc.type === 'idea' ? ideaDocSchema : commentDocSchema;
  const released = schema.safeParse(current.get(s.staged.doc._id));
  return released.success ? (released.data as IdeaDoc | CommentDoc) : undefined;
}

/** What releasing this staged copy would write now; undefined when nothing (more) is to be released. */
function projectionOf(s: StagedRow, current: Map<string, StoredDoc | undefined>, hour: string) {
  return projectRelease(s.staged, releasedDocOf(s, current), hour);
}

async function publishStaged(
  deps: ReleaseDeps,
  staged: StagedRow[],
  first: Map<string, StoredDoc | undefined>,
  hour: string,
): Promise<number> {
  const privateDb = deps.storage.db('private');
  const publicDb = deps.storage.db('public');
  const done: Array<{ id: string; rev: string }> = [];
  let current = first;
  let pending = staged;
  let count = 0;
  let updatesExisting = false;
  // A conflict: a moderator (or another release) wrote this document meanwhile. It is projected
  // again at once onto the new revision, so the batch goes out whole.
  for (let round = 0; round < PROJECT_ROUNDS && pending.length > 0; round++) {
    if (round > 0)
      current = await readPublic(
        publicDb,
        pending.map((s) => s.staged.doc._id),
      );
    const writes: StoredDoc[] = [];
    const writtenFrom: StagedRow[] = [];
    for (const s of shuffle(pending)) {
      const released = releasedDocOf(s, current);
      const next = projectRelease(s.staged, released, hour);
      if (!next) {
        done.push({ id: s.id, rev: s.rev }); // nothing (more) to release: moderation took it down, or a release did it
        continue;
      }
      if (released) updatesExisting = true;
      writes.push(released ? { ...next, _rev: released._rev } : next);
      writtenFrom.push(s);
    }
    const written = writes.length > 0 ? await publicDb.bulkPut(writes) : [];
    const failed = written.filter((r) => r.error && r.error !== 'conflict');
    if (failed.length > 0) throw new Error(`release: ${failed.length} public writes failed`);
    pending = [];
    for (const [i, result] of written.entries()) {
      const s = writtenFrom[i]!;
      if (result.error) {
        pending.push(s);
        continue;
      }
      count++;
      // Exactly the revision that was projected: an author's change staged since stays for the next release.
      done.push({ id: s.id, rev: s.rev });
    }
  }
  await privateDb.purgeMany(done);
  if (updatesExisting) await publicDb.compact();
  return count;
}

/**
 * The vault entries of the posts just released, rewritten in one shuffled bulk write, then the vault
 * compacted. A push writes its vault entries just before its own-log slot, so the vault's changes feed
 * (and any backup of it) would otherwise list them in push order: lined up with a proxy log of which
 * device pushed when, that says which pushes created posts. A changes feed lists each document once,
 * at its latest write, so after this the entries sit with their batch, whose contents are public anyway;
 * compaction drops the earlier revisions and their place in the feed. A crash before this step leaves
 * those entries where they were until an edit of the post is released (the next rewrite).
 */
async function moveVaultEntries(deps: ReleaseDeps, released: StagedRow[], vault: Map<string, unknown>) {
  const entries = released
    .map((s) => vault.get(vaultDocId(deps.secrets, s.staged.doc.id)))
    .filter((doc): doc is StoredDoc => vaultDocSchema.safeParse(doc).success);
  if (entries.length === 0) return;
  const vaultDb = deps.storage.db('vault');
  const written = await vaultDb.bulkPut(shuffle(entries).map((doc) => ({ ...doc })));
  // A conflict: the entry changed meanwhile (a split or a move), which is itself a later write.
  const failed = written.filter((r) => r.error && r.error !== 'conflict');
  if (failed.length > 0) throw new Error(`release: ${failed.length} vault entries not rewritten`);
  await vaultDb.compact();
}

async function tallyCounts(deps: ReleaseDeps, keys: string[]): Promise<Map<string, [number, number]>> {
  const counts = new Map<string, [number, number]>();
  for (let i = 0; i < keys.length; i += CHANGES_PAGE) {
    const rows = await deps.storage
      .db('votes')
      .query('tally/byItem', { keys: keys.slice(i, i + CHANGES_PAGE), group: true });
    for (const row of rows) counts.set(String(row.key), row.value as [number, number]);
  }
  return counts;
}

type TallyBody = Pick<TallyDoc, 'itemId' | 'itemKind' | 'conversationId' | 'likes' | 'dislikes'>;

/**
 * Tallies are shuffled like posts, in one bulk write: the order they reach the public database (and
 * its changes feed) must not replay the order the votes arrived in. A tally another release wrote
 * meanwhile is written again through the conflict-retrying upsert.
 */
async function writeTallies(
  publicDb: PublicDb,
  items: Array<ItemRef & { itemId: string; counts: [number, number] }>,
  published: Map<string, StoredDoc | undefined>,
): Promise<number> {
  const writes: Array<TallyBody & StoredDoc> = [];
  for (const item of shuffle(items)) {
    const [likes, dislikes] = item.counts;
    const body: TallyBody = {
      itemId: item.itemId,
      itemKind: item.itemKind,
      conversationId: item.conversationId,
      likes,
      dislikes,
    };
    const existing = tallyDocSchema.safeParse(published.get(docId.tally(item.itemId)));
    const [wasLikes, wasDislikes] = existing.success ? [existing.data.likes, existing.data.dislikes] : [0, 0];
    if (wasLikes === likes && wasDislikes === dislikes) continue; // no tally is a tally of 0 and 0
    writes.push({
      _id: docId.tally(item.itemId),
      ...(existing.success && existing.data._rev ? { _rev: existing.data._rev } : {}),
      type: 'tally',
      schemaVersion: SCHEMA_VERSION,
      ...body,
    });
  }
  if (writes.length === 0) return 0;
  const written = await publicDb.bulkPut(writes);
  let count = 0;
  for (const [i, result] of written.entries()) {
    if (!result.error) count++;
    else if (result.error === 'conflict') {
      if (await upsertTally(publicDb, writes[i]!)) count++;
    } else throw new Error(`release: tally write failed (${result.error})`);
  }
  return count;
}

async function upsertTally(publicDb: PublicDb, tally: TallyBody): Promise<boolean> {
  const outcome = await upsert(publicDb, docId.tally(tally.itemId), (existing) => {
    const current = tallyDocSchema.safeParse(existing);
    const isSame =
      current.success && current.data.likes === tally.likes && current.data.dislikes === tally.dislikes;
    return isSame
      ? undefined
      : {
          type: 'tally',
          schemaVersion: SCHEMA_VERSION,
          itemId: tally.itemId,
          itemKind: tally.itemKind,
          conversationId: tally.conversationId,
          likes: tally.likes,
          dislikes: tally.dislikes,
        };
  });
  return outcome === 'written';
}

async function saveCheckpoint(
  deps: ReleaseDeps,
  state: Pick<Checkpoint, 'votesSeq' | 'lastItems' | 'epochs' | 'inFlight' | 'editDays'>,
): Promise<void> {
  // Another release may move it meanwhile: every step converges whichever wins (a vote seen twice
  // is not counted twice: its tally no longer changes once published).
  await upsert(deps.storage.db('private'), CHECKPOINT_ID, () => ({
    type: 'release-checkpoint',
    schemaVersion: SCHEMA_VERSION,
    ...state,
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
