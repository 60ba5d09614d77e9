/** Pure ranking helpers shared by the PWA (sorting) and the server (reports). */

/**
 * Lower bound of the Wilson score interval for the share of likes, at confidence z
 * (1.96 = 95%). An item with no votes scores 0.
 */
export function wilsonLowerBound(likes: number, dislikes: number, z = 1.96): number {
  const n = likes + dislikes;
  if (n <= 0) return 0;
  const p = likes / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p) + z2 / (4 * n)) / n);
  return Math.max(0, (centre - margin) / (1 + z2 / n));
}

/** High when many people vote both ways; 0 when everyone agrees. */
export function controversy(likes: number, dislikes: number): number {
  if (likes <= 0 || dislikes <= 0) return 0;
  const magnitude = likes + dislikes;
  const balance = likes > dislikes ? dislikes / likes : likes / dislikes;
  return magnitude ** balance;
}

export interface RankableItem {
  id: string;
  likes: number;
  dislikes: number;
  commentCount: number;
  /** ISO time; coarse for public items. */
  createdAt: string;
}

export const SORTS = ['top', 'newest', 'discussed', 'controversial'] as const;
export type SortKey = (typeof SORTS)[number];

const byId = (a: RankableItem, b: RankableItem) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byNewest = (a: RankableItem, b: RankableItem) =>
  a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;

const COMPARATORS: Record<SortKey, (a: RankableItem, b: RankableItem) => number> = {
  top: (a, b) =>
    wilsonLowerBound(b.likes, b.dislikes) - wilsonLowerBound(a.likes, a.dislikes) ||
    b.likes - b.dislikes - (a.likes - a.dislikes) ||
    byNewest(a, b),
  newest: byNewest,
  discussed: (a, b) => b.commentCount - a.commentCount || byNewest(a, b),
  controversial: (a, b) =>
    controversy(b.likes, b.dislikes) - controversy(a.likes, a.dislikes) || byNewest(a, b),
};

/** A stable, total order (ties broken by id) so every device shows the same list. */
export function rankItems<T extends RankableItem>(items: readonly T[], sort: SortKey): T[] {
  const compare = COMPARATORS[sort];
  return [...items].sort((a, b) => compare(a, b) || byId(a, b));
}
