/**
 * What is new, worked out on this device alone. The daily e-mail says nothing (the same mail to everyone
 * who opted in, news or not), so the app has to: "N new comments" on one's own ideas, "N new ideas" per
 * topic, and "New" on the items themselves.
 *
 * What a person has read is nobody's business: the `seen` table is never put in the outbox, never pulled,
 * never sent anywhere, and is cleared with every other table at logout or when someone else signs in on a
 * shared device (session.ts clears or deletes the whole database).
 *
 * A row per thing opened ('idea:<id>': the comments shown on it; 'stream:<id>': the ideas shown in it),
 * holding the ids that were on screen. Ids rather than a count: a comment withdrawn or hidden later must
 * not hide a new one, and comment times are coarse (the hour) and arrive in shuffled batches.
 *
 * First sync: everything already there when this device first synced is treated as seen (the 'baseline'
 * row, taken once after the first complete pull, or by the schema upgrade on a device that already held
 * content). Otherwise a first login would mark a whole conversation "new", which tells nobody anything.
 * Until the baseline exists nothing counts as new. Only what arrives after it, and was never on screen,
 * is new. The person's own posts and posts still awaiting release never count.
 */
import type { HuddleDb, SeenRow, StoredComment, StoredIdea } from './db.js';
import { guardDeviceWrite } from './device-db-lifecycle.js';

export const BASELINE_KEY = 'baseline';
export type SeenKind = 'idea' | 'stream';
export const seenKey = (kind: SeenKind, id: string) => `${kind}:${id}`;

/** What counted as seen for one idea or topic at one moment. */
export interface SeenSnapshot {
  /** False until the first sync completed: nothing is new yet. */
  hasBaseline: boolean;
  seen: ReadonlySet<string>;
}

export function snapshotOf(baseline: SeenRow | undefined, row: SeenRow | undefined): SeenSnapshot {
  return { hasBaseline: Boolean(baseline), seen: new Set([...(baseline?.ids ?? []), ...(row?.ids ?? [])]) };
}

/** The ids among `shown` that are new against `snapshot` (in their order). */
export function newAmong(snapshot: SeenSnapshot, shown: readonly string[]): string[] {
  return snapshot.hasBaseline ? shown.filter((id) => !snapshot.seen.has(id)) : [];
}

/** A released, visible post by someone else: the only kind that can be new. */
export function isCountable(doc: StoredIdea | StoredComment, ownIds: ReadonlySet<string>): boolean {
  return doc.status === 'visible' && !doc.isAwaitingRelease && !ownIds.has(doc.id);
}

export async function readSeen(db: HuddleDb, kind: SeenKind, id: string): Promise<SeenSnapshot> {
  const [baseline, row] = await db.seen.bulkGet([BASELINE_KEY, seenKey(kind, id)]);
  return snapshotOf(baseline, row);
}

/** Adds what was on screen to what was seen (a union: closing one sort order does not unsee another). */
export async function markSeen(db: HuddleDb, kind: SeenKind, id: string, shown: readonly string[]): Promise<void> {
  const key = seenKey(kind, id);
  await guardDeviceWrite(db, () =>
    db.transaction('rw', db.seen, async () => {
      const before = await db.seen.get(key);
      const ids = new Set(before?.ids ?? []);
      const size = ids.size;
      for (const shownId of shown) ids.add(shownId);
      if (before && ids.size === size) return;
      await db.seen.put({ key, ids: [...ids], at: new Date().toISOString() });
    }),
  );
}

/** Everything on the device counts as seen, once: after the first complete pull (pull.ts). */
export async function takeSeenBaseline(db: HuddleDb): Promise<void> {
  await db.transaction('rw', [db.seen, db.ideas, db.comments], async () => {
    if (await db.seen.get(BASELINE_KEY)) return;
    const ids = [...(await db.ideas.toCollection().primaryKeys()), ...(await db.comments.toCollection().primaryKeys())];
    await db.seen.put({ key: BASELINE_KEY, ids, at: new Date().toISOString() });
  });
}

/** New comments on each of these ideas (for the person's own ideas on My activity). */
export async function countNewComments(db: HuddleDb, ideaIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (ideaIds.length === 0) return counts;
  const rows = await db.seen.bulkGet([BASELINE_KEY, ...ideaIds.map((id) => seenKey('idea', id))]);
  const baseline = rows[0];
  if (!baseline) return counts;
  const ownIds = new Set(await db.ownPosts.toCollection().primaryKeys());
  const comments = await db.comments.where('ideaId').anyOf([...ideaIds]).toArray();
  const snapshots = new Map(ideaIds.map((id, i) => [id, snapshotOf(baseline, rows[i + 1])]));
  for (const c of comments) {
    if (!isCountable(c, ownIds) || snapshots.get(c.ideaId)?.seen.has(c.id)) continue;
    counts.set(c.ideaId, (counts.get(c.ideaId) ?? 0) + 1);
  }
  return counts;
}

/** New ideas in each of these topics (for the list of topics). */
export async function countNewIdeas(db: HuddleDb, streamIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (streamIds.length === 0) return counts;
  const rows = await db.seen.bulkGet([BASELINE_KEY, ...streamIds.map((id) => seenKey('stream', id))]);
  const baseline = rows[0];
  if (!baseline) return counts;
  const ownIds = new Set(await db.ownPosts.toCollection().primaryKeys());
  const ideas = await db.ideas.where('streamId').anyOf([...streamIds]).toArray();
  const snapshots = new Map(streamIds.map((id, i) => [id, snapshotOf(baseline, rows[i + 1])]));
  for (const idea of ideas) {
    if (!isCountable(idea, ownIds) || snapshots.get(idea.streamId)?.seen.has(idea.id)) continue;
    counts.set(idea.streamId, (counts.get(idea.streamId) ?? 0) + 1);
  }
  return counts;
}
