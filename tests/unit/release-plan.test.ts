/**
 * The k-anonymity decision of the releaser, as a pure function, per kind: a conversation's waiting
 * posts go out when their authors number at least k, its waiting votes when the voters whose votes
 * change a tally number at least k; each kind on its own (a backup shows which pushes left a post and
 * which a vote); a contribution without a tag counts as nobody; votes that change no tally are written
 * through; a release decided by a run that did not finish is completed whatever k.
 */
import { describe, expect, it } from 'vitest';
import { inFlightKey, planRelease, type PlanInput } from '../../sync-server/src/sync/release-plan.js';

const base = (over: Partial<PlanInput>): PlanInput => ({
  posts: [],
  votes: [],
  changedItems: new Set(),
  conversations: new Map(),
  inFlight: new Set(),
  ...over,
});

describe('planRelease', () => {
  it('counts distinct authors, not posts, against k (3 when the conversation does not set it)', () => {
    const posts = [
      { conversationId: 'c', tag: 'a' },
      { conversationId: 'c', tag: 'a' },
      { conversationId: 'c', tag: 'b' },
    ];
    expect(planRelease(base({ posts })).get('c')).toMatchObject({ authors: 2, k: 3, isPostsReleased: false });
    const three = [...posts, { conversationId: 'c', tag: 'c' }];
    expect(planRelease(base({ posts: three })).get('c')).toMatchObject({ authors: 3, isPostsReleased: true });
    const k1 = new Map([['c', { releaseMinContributors: 1 }]]);
    expect(planRelease(base({ posts: posts.slice(0, 1), conversations: k1 })).get('c')?.isPostsReleased).toBe(
      true,
    );
  });

  it('releases each kind with k people of its own: one post among three voters waits, the votes go', () => {
    const votes = [
      { conversationId: 'c', itemId: 'x', tag: 'b' },
      { conversationId: 'c', itemId: 'x', tag: 'c' },
      { conversationId: 'c', itemId: 'x', tag: 'd' },
    ];
    const changedItems = new Set(['x']);
    const onePost = [{ conversationId: 'c', tag: 'a' }];
    expect(planRelease(base({ votes, changedItems, posts: onePost })).get('c')).toMatchObject({
      authors: 1,
      voters: 3,
      isPostsReleased: false,
      isVotesReleased: true,
    });
    // Three authors and one voter: the posts go, the vote waits for two more voters.
    const threeAuthors = [...onePost, { conversationId: 'c', tag: 'b' }, { conversationId: 'c', tag: 'e' }];
    expect(
      planRelease(base({ votes: votes.slice(0, 1), changedItems, posts: threeAuthors })).get('c'),
    ).toMatchObject({ authors: 3, voters: 1, isPostsReleased: true, isVotesReleased: false });
    // A post whose author cannot be read counts as nobody, and holds the posts.
    const unread = [...threeAuthors.slice(0, 2), { conversationId: 'c', tag: undefined }];
    expect(planRelease(base({ posts: unread })).get('c')?.isPostsReleased).toBe(false);
  });

  it('counts a voter only when the item’s tally changes; votes that change no tally are written through', () => {
    const votes = [
      { conversationId: 'c', itemId: 'x', tag: 'a' },
      { conversationId: 'c', itemId: 'y', tag: 'b' },
      { conversationId: 'c', itemId: 'x', tag: undefined },
    ];
    const k1 = new Map([['c', { releaseMinContributors: 2 }]]);
    expect(planRelease(base({ votes, conversations: k1 })).get('c')).toMatchObject({
      voters: 0,
      isVotesReleased: true,
    });
    expect(
      planRelease(base({ votes, conversations: k1, changedItems: new Set(['x']) })).get('c'),
    ).toMatchObject({ voters: 1, isVotesReleased: false });
    expect(
      planRelease(base({ votes, conversations: k1, changedItems: new Set(['x', 'y']) })).get('c'),
    ).toMatchObject({ voters: 2, isVotesReleased: true });
    // Nothing waits: nothing is released.
    expect(planRelease(base({ votes: [] })).get('c')).toBeUndefined();
  });

  it('decides each conversation on its own, and completes an unfinished release whatever k', () => {
    const posts = [
      { conversationId: 'busy', tag: 'a' },
      { conversationId: 'busy', tag: 'b' },
      { conversationId: 'busy', tag: 'c' },
      { conversationId: 'night', tag: 'a' },
    ];
    const votes = [{ conversationId: 'night', itemId: 'x', tag: 'z' }];
    const changedItems = new Set(['x']);
    const plans = planRelease(base({ posts, votes, changedItems }));
    expect(plans.get('busy')?.isPostsReleased).toBe(true);
    expect(plans.get('night')).toMatchObject({ isPostsReleased: false, isVotesReleased: false });
    const postsInFlight = planRelease(
      base({ posts, votes, changedItems, inFlight: new Set([inFlightKey('posts', 'night')]) }),
    ).get('night');
    expect(postsInFlight).toMatchObject({ isPostsReleased: true, isVotesReleased: false });
    // A bare id (a checkpoint written before parts were recorded) completes both parts.
    expect(
      planRelease(base({ posts, votes, changedItems, inFlight: new Set(['night']) })).get('night'),
    ).toMatchObject({ isPostsReleased: true, isVotesReleased: true });
    expect(
      planRelease(base({ inFlight: new Set([inFlightKey('votes', 'gone')]) })).get('gone'),
    ).toMatchObject({
      isPostsReleased: false,
      isVotesReleased: true,
    });
  });
});
