/**
 * Batch release (timing protection): new posts, authors' edits and withdrawals, and votes reach other
 * people only here, all at once, in a crypto-shuffled order (posts, flags, vault entries, votes and
 * tallies alike), so nobody can match a post or a vote to the moment someone's device talked to the
 * server. Until then they wait sealed, same-sized, under opaque ids (pending.ts), so a backup taken
 * meanwhile ties nothing readable to a push. A conversation's posts go out only once at least k
 * distinct people wrote them, its votes once at least k distinct people cast the ones that change a
 * tally (release-plan.ts), however long that takes; other conversations release on their own.
 *
 * A public document is a projection (projection.ts): the author's current text from the staged copy,
 * under the moderation state of the released document. It is written with a revision check (a create,
 * or an update at the revision read), never purge-and-create, so a moderator's write made meanwhile is
 * never overwritten: the copy is projected again onto the new revision, in the same run.
 *
 * Steps, each idempotent so that a crash anywhere or several instances releasing at once converge:
 * (1) open the waiting votes and read what the votes database holds for them (a vote set back to that
 * changes nothing and is purged; a vote on a post not yet public waits for it); (2) open the staged
 * posts and read their public documents and their authors (vault); (3) read the released tallies of
 * every waiting item from the `tally/byItem` _sum view (never incremented) and add the waiting votes'
 * differences; (4) plan: whose posts and whose votes come from k people; (5) save the checkpoint,
 * naming the parts being released (`inFlight`: a run that crashes after this is completed by the
 * next, whatever k); (6) write the released posts' moderation flags, project the staged posts onto
 * their public documents, shuffled, in one bulk write, purge the staged copies released (every
 * revision), compact the public database when existing documents were rewritten (old text must not
 * stay as an old revision), and rewrite their vault entries; (7) write the released votes, shuffled,
 * in one bulk write, then their tallies from the view, shuffled, with those of the previous release
 * once more (a cluster's view may lag); (8) purge the released pending votes; (9) clear `inFlight`;
 * (10) tell the live channels.
 *
 * Exactly what was read is released: a post staged or changed, or a vote changed, after it was read
 * keeps its newer revision for the next batch (purges name the revision read).
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
  tallyDocSchema,
  vaultDocSchema,
  voteDocSchema,
  type CommentDoc,
  type IdeaDoc,
  type ItemKind,
  type StagedDoc,
  type TallyDoc,
  type VoteDoc,
} from '../../../shared/src/documents.js';
import type { Deps } from '../deps.js';
import { ConflictError, type StoredDoc } from '../storage/port.js';
import { upsert } from '../storage/upsert.js';
import { vaultDocId, voterFor } from './keys.js';
import { projectRelease } from './projection.js';
import { sealValue } from './seal.js';
import { dueNoticeDay, type NoticeSchedule } from '../notify/notice-schedule.js';
import { rosterLookup } from '../moderation/roster.js';
import { openPendingVote, openStaged, type PendingVote } from './pending.js';
import { inFlightKey, planRelease } from './release-plan.js';
import { writeFlags } from './release-flags.js';
import { openAuthor } from './vault.js';

const CHECKPOINT_ID = 'release-checkpoint';
/** Votes of a waiting batch as stores before the sealed pending votes kept them (read, then purged). */
const HELD_PREFIX = 'held-vote:';
const STAGED_PREFIX = 'staged:';
const PENDING_VOTE_PREFIX = 'pending-vote:';
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
   * cannot be related (they are never stored; a counter, not a secret).
   */
  epochs: z.record(z.string(), z.number().int().nonnegative()).default({}),
  /** Parts (release-plan.ts inFlightKey) whose release was decided and may not have finished (step 5). */
  inFlight: z.array(z.string()).default([]),
  /** Per conversation, the local day whose edit gate it last went through (see EditPolicy). */
  editDays: z.record(z.string(), z.string()).default({}),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

/** A held vote of an older store (see legacyVoteItems): its item is tallied again, then it is purged. */
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
  /** Revisions that lost to `rev` (an author's two devices through two cluster nodes): purged with it. */
  conflicts: string[];
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
  const now = (deps.now ?? (() => new Date()))();
  const gateDay = deps.editPolicy ? dueNoticeDay(now, deps.editPolicy.schedule) : undefined;
  /** Whether a conversation's edits and withdrawals may go with its batch now. */
  const isEditGateOpen = (conversationId: string) =>
    !deps.editPolicy || (gateDay !== undefined && editDays[conversationId] !== gateDay);
  const tagOf = (conversationId: string, person: string) =>
    deps.secrets.link('contributor', conversationId, person, String(epochOf(conversationId)));

  // (1) the waiting votes, what the votes database holds for them, and what older stores left behind
  const waiting = await readPendingVotes(deps);
  const releasedVotes = await readDocs(
    deps.storage.db('votes'),
    waiting.map((v) => v.voteId),
  );
  const releasedValue = (v: WaitingVote) => {
    const vote = voteDocSchema.safeParse(releasedVotes.get(v.voteId));
    return vote.success ? vote.data : undefined;
  };
  // Set back to what the votes database already holds: changes nothing, purged at once.
  const noops = waiting.filter((v) => (releasedValue(v)?.value ?? 'none') === v.value);
  const noopIds = new Set(noops.map((v) => v.id));
  const changing = waiting.filter((v) => !noopIds.has(v.id));
  // A vote on a post not yet public waits for it: its tally must not come out before the post.
  const itemDocs = await readDocs(
    publicDb,
    changing.map((v) => docId[v.itemKind](v.itemId)),
  );
  const votesNow = changing.filter((v) => itemDocs.get(docId[v.itemKind](v.itemId)) !== undefined);
  const legacy = await legacyVoteItems(deps, checkpoint?.votesSeq);

  // (2) staged posts, what they would publish, and who wrote them
  const staged = await readStaged(deps);
  const current = await readDocs(
    publicDb,
    staged.map((s) => s.staged.doc._id),
  );
  const hour = toCoarseHour(now);
  const vault = await readDocs(
    deps.storage.db('vault'),
    staged.map((s) => vaultDocId(deps.secrets, s.staged.doc.id)),
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

  // (3) the tallies every waiting item would get (released votes from the view, plus the waiting
  // votes' differences), and the published ones
  const items = new Map<string, ItemRef>();
  for (const v of [...votesNow, ...legacy.items])
    items.set(v.itemId, { itemKind: v.itemKind, conversationId: v.conversationId });
  for (const ref of checkpoint?.lastItems ?? []) if (!items.has(ref.itemId)) items.set(ref.itemId, ref);
  const counts = await tallyCounts(deps, [...items.keys()]);
  for (const v of votesNow) {
    const [likes, dislikes] = counts.get(v.itemId) ?? [0, 0];
    const was = releasedValue(v)?.value ?? 'none';
    counts.set(v.itemId, [
      likes + (v.value === 'like' ? 1 : 0) - (was === 'like' ? 1 : 0),
      dislikes + (v.value === 'dislike' ? 1 : 0) - (was === 'dislike' ? 1 : 0),
    ]);
  }
  const published = await readDocs(publicDb, [...items.keys()].map(docId.tally));
  const changedItems = new Set(
    [...items.keys()].filter((itemId) => {
      const tally = tallyDocSchema.safeParse(published.get(docId.tally(itemId)));
      const [likes, dislikes] = counts.get(itemId) ?? [0, 0];
      const [wasLikes, wasDislikes] = tally.success ? [tally.data.likes, tally.data.dislikes] : [0, 0];
      return wasLikes !== likes || wasDislikes !== dislikes;
    }),
  );

  // (4) which conversations' posts, and whose votes, come from k people
  const conversationIds = new Set([...votesNow, ...posts, ...legacy.items].map((c) => c.conversationId));
  const conversations = await readConversations(publicDb, [...conversationIds]);
  const plans = planRelease({
    posts,
    votes: votesNow.map((v) => ({
      conversationId: v.conversationId,
      itemId: v.itemId,
      tag: tagOf(v.conversationId, v.voter),
    })),
    changedItems,
    conversations,
    inFlight: new Set(checkpoint?.inFlight ?? []),
  });
  const isPostsReleased = (conversationId: string) => plans.get(conversationId)?.isPostsReleased ?? false;
  const isVotesReleased = (conversationId: string) => plans.get(conversationId)?.isVotesReleased ?? false;
  const inFlight = [...plans.values()].flatMap((p) => [
    ...(p.isPostsReleased ? [inFlightKey('posts', p.conversationId)] : []),
    ...(p.isVotesReleased ? [inFlightKey('votes', p.conversationId)] : []),
  ]);

  // (5) the checkpoint names what is being released
  for (const plan of plans.values()) {
    if (!plan.isPostsReleased && !plan.isVotesReleased) continue;
    epochs[plan.conversationId] = epochOf(plan.conversationId) + 1;
    if (
      plan.isPostsReleased &&
      deps.editPolicy &&
      gateDay !== undefined &&
      isEditGateOpen(plan.conversationId)
    )
      editDays[plan.conversationId] = gateDay;
  }
  const releasedItems = [...items.entries()].filter(([, ref]) => isVotesReleased(ref.conversationId));
  const lastItems = [
    ...(checkpoint?.lastItems ?? []).filter((ref) => !isVotesReleased(ref.conversationId)),
    ...releasedItems.map(([itemId, ref]) => ({ itemId, ...ref })),
  ];
  const votesSeq = legacy.votesSeq;
  const isMoved = !checkpoint || checkpoint.votesSeq !== votesSeq;
  if (isMoved || inFlight.length > 0 || (checkpoint?.inFlight.length ?? 0) > 0)
    await saveCheckpoint(deps, { votesSeq, lastItems, epochs, inFlight, editDays });
  await privateDb.purgeMany(noops.flatMap(purgesOf));
  if (inFlight.length === 0) return { released: 0, tallies: 0 };

  // (6) the released posts: their flags, then the posts, then their vault entries
  const postsOut = staged.filter(
    (s) => isPostsReleased(s.staged.doc.conversationId) && !heldChanges.has(s.id),
  );
  await writeFlags(
    privateDb,
    postsOut.length > 0 ? await rosterLookup({ ...deps, now: () => now }) : undefined,
    shuffle(postsOut)
      .filter((s) => s.staged.change?.kind !== 'withdraw')
      .flatMap((s) => projectionOf(s, current, hour) ?? []),
  );
  const released = await publishStaged(deps, postsOut, current, hour);
  await moveVaultEntries(deps, postsOut, vault);

  // (7)-(8) the released votes, then their tallies from the view
  const votesOut = votesNow.filter((v) => isVotesReleased(v.conversationId));
  // The tallies are the counts worked out in (3), not the view read again: on a cluster the view may
  // not show the votes just written yet. A vote another release wrote meanwhile (a conflict) may
  // already be in the view's count: those items are read from the view (and, as every released item,
  // tallied again with the next release).
  const raced = await writeVotes(deps, votesOut, releasedVotes);
  for (const [itemId, count] of await tallyCounts(deps, [...raced])) counts.set(itemId, count);
  const tallies = await writeTallies(
    publicDb,
    releasedItems.map(([itemId, ref]) => ({ itemId, ...ref })),
    counts,
    published,
  );
  await privateDb.purgeMany([
    ...votesOut.flatMap(purgesOf),
    ...legacy.held.filter((h) => isVotesReleased(h.conversationId)).map((h) => ({ id: h.id, rev: h.rev })),
  ]);

  // (9) done: nothing left for the next run to complete
  await saveCheckpoint(deps, { votesSeq, lastItems, epochs, inFlight: [], editDays });
  if (released + tallies > 0) deps.notifier.publish({ type: 'batch', seq: await publicDb.updateSeq() });
  return { released, tallies };
}

interface WaitingVote extends PendingVote {
  /** The pending-vote document's id and revision (purged at exactly this revision). */
  id: string;
  rev: string;
  /**
   * Revisions that lost to `rev` (two devices of one person voting through two cluster nodes at once):
   * purged with it, so the loser never comes back as the person's vote. The winner decides, as for any
   * document.
   */
  conflicts: string[];
}

/** The revisions that lost to a document's winning one (read with `conflicts: true`). */
const conflictsOf = (doc: StoredDoc | undefined): string[] => {
  const conflicts = doc?.['_conflicts'];
  return Array.isArray(conflicts) ? conflicts.map(String) : [];
};

const purgesOf = (v: WaitingVote) => [v.rev, ...v.conflicts].map((rev) => ({ id: v.id, rev }));

async function readPendingVotes(deps: ReleaseDeps): Promise<WaitingVote[]> {
  const rows = await deps.storage
    .db('private')
    .list({ prefix: PENDING_VOTE_PREFIX, includeDocs: true, conflicts: true });
  return rows.flatMap((row) => {
    // One sealed under another key cannot be read: it stays (the store refuses to start with another key).
    const vote = openPendingVote(deps.secrets, row.doc);
    return vote
      ? [
          {
            ...vote,
            id: row.id,
            rev: row.rev,
            conflicts: conflictsOf(row.doc),
          },
        ]
      : [];
  });
}

/**
 * Stores written before votes waited sealed: votes went to the votes database at push time and the
 * votes of a waiting batch were kept as held-vote documents (tags only). Their items are tallied again
 * with their conversation's next released votes, and the held-vote documents then purged. On a current
 * store the votes database changes only at release, so what its feed shows since the checkpoint is
 * the releases' own writes, tallied again at no cost.
 */
async function legacyVoteItems(deps: ReleaseDeps, since: string | undefined) {
  const { votes, votesSeq } = await votesSince(deps, since);
  const held = (await deps.storage.db('private').list({ prefix: HELD_PREFIX, includeDocs: true })).flatMap(
    (row) => {
      const parsed = heldVoteSchema.safeParse(row.doc);
      return parsed.success ? [{ ...parsed.data, id: row.id, rev: row.rev }] : [];
    },
  );
  const items = [...votes, ...held].map((v) => ({
    itemId: v.itemId,
    itemKind: v.itemKind,
    conversationId: v.conversationId,
  }));
  return { items, held, votesSeq };
}

/**
 * The released votes, shuffled, in one bulk write: the votes database's changes feed then lists a
 * batch's votes together, in an order that says nothing about when each was cast. A conflict is
 * another release writing the same vote: it is read again and written only if it still differs.
 * Answers the items of such votes.
 */
async function writeVotes(
  deps: ReleaseDeps,
  votes: WaitingVote[],
  stored: Map<string, StoredDoc | undefined>,
): Promise<Set<string>> {
  const raced = new Set<string>();
  if (votes.length === 0) return raced;
  const docOf = (v: WaitingVote): VoteDoc => ({
    _id: v.voteId,
    type: 'vote',
    schemaVersion: SCHEMA_VERSION,
    voterSeal: sealValue(deps.secrets, v.voteId, v.voter),
    conversationId: v.conversationId,
    itemId: v.itemId,
    itemKind: v.itemKind,
    value: v.value,
  });
  const votesDb = deps.storage.db('votes');
  const ordered = shuffle(votes);
  const written = await votesDb.bulkPut(
    ordered.map((v) => {
      const rev = stored.get(v.voteId)?._rev;
      return { ...docOf(v), ...(rev ? { _rev: rev } : {}) };
    }),
  );
  for (const [i, result] of written.entries()) {
    if (!result.error) continue;
    if (result.error !== 'conflict') throw new Error(`release: vote write failed (${result.error})`);
    const v = ordered[i]!;
    raced.add(v.itemId);
    await upsert(votesDb, v.voteId, (existing) => {
      const vote = voteDocSchema.safeParse(existing);
      if (vote.success && vote.data.value === v.value) return undefined;
      const { _id: _ignored, ...body } = docOf(v);
      return body;
    });
  }
  return raced;
}

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
  const rows = await deps.storage
    .db('private')
    .list({ prefix: STAGED_PREFIX, includeDocs: true, conflicts: true });
  return rows.flatMap((row) => {
    const staged = openStaged(deps.secrets, row.doc);
    return staged
      ? [
          {
            id: row.id,
            rev: row.rev,
            conflicts: conflictsOf(row.doc),
            staged,
          },
        ]
      : [];
  });
}

async function readDocs(db: PublicDb, ids: string[]): Promise<Map<string, StoredDoc | undefined>> {
  if (ids.length === 0) return new Map();
  return new Map((await db.list({ keys: [...new Set(ids)], includeDocs: true })).map((r) => [r.id, r.doc]));
}

async function readConversations(publicDb: PublicDb, ids: string[]) {
  const docs = await readDocs(publicDb, ids.map(docId.conversation));
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
      current = await readDocs(
        publicDb,
        pending.map((s) => s.staged.doc._id),
      );
    const writes: StoredDoc[] = [];
    const writtenFrom: StagedRow[] = [];
    for (const s of shuffle(pending)) {
      const released = releasedDocOf(s, current);
      const next = projectRelease(s.staged, released, hour);
      if (!next) {
        done.push(...[s.rev, ...s.conflicts].map((rev) => ({ id: s.id, rev }))); // nothing (more) to release: moderation took it down, or a release did it
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
      done.push(...[s.rev, ...s.conflicts].map((rev) => ({ id: s.id, rev })));
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
  items: Array<ItemRef & { itemId: string }>,
  counts: Map<string, [number, number]>,
  published: Map<string, StoredDoc | undefined>,
): Promise<number> {
  const writes: Array<TallyBody & StoredDoc> = [];
  for (const item of shuffle(items)) {
    const [likes, dislikes] = counts.get(item.itemId) ?? [0, 0];
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
