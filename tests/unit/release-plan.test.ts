/**
 * The k-anonymity decision of the releaser, as a pure function: a conversation's batch is released
 * when its contributor tags number at least k; a vote counts only when its item's tally changes; a
 * post or vote without a comparable tag counts as nobody; a batch whose release was decided by a run
 * that did not finish is completed whatever k.
 */
import { describe, expect, it } from 'vitest';
import { planRelease, type PlanInput } from '../../sync-server/src/sync/release-plan.js';

const base = (over: Partial<PlanInput>): PlanInput => ({
  posts: [],
  votes: [],
  changedItems: new Set(),
  conversations: new Map(),
  inFlight: new Set(),
  ...over,
});

describe('planRelease', () => {
  it('counts distinct tags, not contributions, against k (3 when the conversation does not set it)', () => {
    const posts = [
      { conversationId: 'c', tag: 'a' },
      { conversationId: 'c', tag: 'a' },
      { conversationId: 'c', tag: 'b' },
    ];
    expect(planRelease(base({ posts })).get('c')).toMatchObject({ contributors: 2, k: 3, isReleased: false });
    const three = [...posts, { conversationId: 'c', tag: 'c' }];
    expect(planRelease(base({ posts: three })).get('c')).toMatchObject({ contributors: 3, isReleased: true });
    const k1 = new Map([['c', { releaseMinContributors: 1 }]]);
    expect(planRelease(base({ posts: posts.slice(0, 1), conversations: k1 })).get('c')?.isReleased).toBe(
      true,
    );
  });

  it('counts a voter only when the item’s tally changes, and never an untagged contribution', () => {
    const votes = [
      { conversationId: 'c', itemId: 'x', tag: 'a' },
      { conversationId: 'c', itemId: 'y', tag: 'b' },
      { conversationId: 'c', itemId: 'x', tag: undefined },
    ];
    const posts = [{ conversationId: 'c', tag: undefined }];
    expect(planRelease(base({ votes, posts })).get('c')?.contributors).toBe(0);
    expect(planRelease(base({ votes, posts, changedItems: new Set(['x']) })).get('c')?.contributors).toBe(1);
    expect(planRelease(base({ votes, changedItems: new Set(['x', 'y']) })).get('c')?.contributors).toBe(2);
  });

  it('decides each conversation on its own, and completes an unfinished release whatever k', () => {
    const posts = [
      { conversationId: 'busy', tag: 'a' },
      { conversationId: 'busy', tag: 'b' },
      { conversationId: 'busy', tag: 'c' },
      { conversationId: 'night', tag: 'a' },
    ];
    const plans = planRelease(base({ posts }));
    expect(plans.get('busy')?.isReleased).toBe(true);
    expect(plans.get('night')?.isReleased).toBe(false);
    expect(planRelease(base({ posts, inFlight: new Set(['night', 'gone']) })).get('night')?.isReleased).toBe(
      true,
    );
    expect(planRelease(base({ inFlight: new Set(['gone']) })).get('gone')?.isReleased).toBe(true);
  });
});
