import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { controversy, rankItems, wilsonLowerBound, type RankableItem } from '../../../shared/src/ranking.js';

describe('wilsonLowerBound', () => {
  it('is 0 with no votes and for all-dislike items', () => {
    expect(wilsonLowerBound(0, 0)).toBe(0);
    expect(wilsonLowerBound(0, 10)).toBe(0);
  });

  it('matches the textbook value for 8 likes of 10 at 95%', () => {
    // Reference: Evan Miller, "How not to sort by average rating": n=10, p=0.8 -> 0.4902
    expect(wilsonLowerBound(8, 2)).toBeCloseTo(0.4902, 3);
  });

  it('ranks many likes above a single like even at the same share', () => {
    expect(wilsonLowerBound(100, 0)).toBeGreaterThan(wilsonLowerBound(1, 0));
    expect(wilsonLowerBound(90, 10)).toBeGreaterThan(wilsonLowerBound(9, 1));
  });

  it('stays within [0, observed share] and grows with more likes', () => {
    fc.assert(
      fc.property(fc.nat(500), fc.nat(500), (likes, dislikes) => {
        const score = wilsonLowerBound(likes, dislikes);
        expect(score).toBeGreaterThanOrEqual(0);
        if (likes + dislikes > 0) expect(score).toBeLessThanOrEqual(likes / (likes + dislikes) + 1e-12);
        expect(wilsonLowerBound(likes + 1, dislikes)).toBeGreaterThanOrEqual(score);
      }),
      { numRuns: 200 },
    );
  });
});

describe('controversy', () => {
  it('is 0 when everyone agrees and highest for large even splits', () => {
    expect(controversy(10, 0)).toBe(0);
    expect(controversy(0, 10)).toBe(0);
    expect(controversy(50, 50)).toBeGreaterThan(controversy(90, 10));
    expect(controversy(50, 50)).toBeGreaterThan(controversy(5, 5));
  });
});

const item = (
  id: string,
  likes: number,
  dislikes: number,
  commentCount: number,
  createdAt: string,
): RankableItem => ({
  id,
  likes,
  dislikes,
  commentCount,
  createdAt,
});

describe('rankItems', () => {
  const items = [
    item('a', 1, 0, 5, '2026-11-20T10:00:00.000Z'),
    item('b', 40, 5, 1, '2026-11-21T10:00:00.000Z'),
    item('c', 20, 20, 9, '2026-11-22T10:00:00.000Z'),
    item('d', 0, 0, 0, '2026-11-23T10:00:00.000Z'),
  ];

  it('top sorts by the Wilson lower bound', () => {
    expect(rankItems(items, 'top').map((i) => i.id)).toEqual(['b', 'c', 'a', 'd']);
  });

  it('newest sorts by creation time, most recent first', () => {
    expect(rankItems(items, 'newest').map((i) => i.id)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('discussed sorts by comment count', () => {
    expect(rankItems(items, 'discussed').map((i) => i.id)).toEqual(['c', 'a', 'b', 'd']);
  });

  it('controversial puts the even split first', () => {
    expect(rankItems(items, 'controversial')[0]!.id).toBe('c');
  });

  it('is a total order: the same set in any input order gives the same ranking', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ likes: fc.nat(5), dislikes: fc.nat(5), commentCount: fc.nat(3), hour: fc.nat(3) }),
          {
            maxLength: 12,
          },
        ),
        fc.constantFrom('top', 'newest', 'discussed', 'controversial' as const),
        (raw, sort) => {
          const list = raw.map((r, i) =>
            item(`id${i}`, r.likes, r.dislikes, r.commentCount, `2026-11-2${r.hour}T00:00:00.000Z`),
          );
          const forward = rankItems(list, sort).map((i) => i.id);
          const backward = rankItems([...list].reverse(), sort).map((i) => i.id);
          expect(backward).toEqual(forward);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('does not mutate its input', () => {
    const copy = [...items];
    rankItems(items, 'top');
    expect(items).toEqual(copy);
  });
});
