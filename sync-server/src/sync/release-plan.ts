/**
 * Which parts of which conversations may be released now: k-anonymity of a batch, per kind.
 *
 * A conversation's waiting posts (new posts, edits and withdrawals) go out only once they come from at
 * least k distinct authors, and its waiting votes only once the votes that change a tally come from at
 * least k distinct voters (k = the conversation's releaseMinContributors), so that a lone night-time
 * post or vote cannot be matched to the one device the Trust's proxy log saw. Per kind, because the
 * kind of a contribution is not hidden from everyone: a backup taken while a batch waits shows which
 * pushes left a waiting post and which a waiting vote (sealed, same-sized and under opaque ids, but two
 * kinds of document; pending.ts). With k per kind, each post is one of k posts' authors and each vote
 * one of k voters, whatever else is known. The two kinds are released independently: posts do not
 * wait for voters, nor votes for authors.
 *
 * People are counted by contributor tag = link('contributor', conversation, person, batch epoch), the
 * person being the conversation's voter pseudonym (voterFor: the same for an author, from the vault,
 * and for a voter, from the sealed pending vote). Tags come from the linking key and are never stored.
 *
 * A vote counts only when its item's tally changes in this batch (a vote set back to what was published
 * shows nobody anything). When none of a conversation's waiting votes changes a tally, they are written
 * through at once: publishing them shows nothing.
 *
 * Pure: the releaser reads everything, this decides.
 */
import { releaseMinContributorsOf } from '../../../shared/src/documents.js';

export interface PendingPost {
  conversationId: string;
  /** undefined: the author could not be read (no vault entry, or the key that sealed it is gone). */
  tag: string | undefined;
}

export interface PendingVoteRef {
  conversationId: string;
  itemId: string;
  tag: string | undefined;
}

export type ReleasePart = 'posts' | 'votes';

/** How a decided release is recorded in the checkpoint's `inFlight` (a bare id: both parts; older stores). */
export const inFlightKey = (part: ReleasePart, conversationId: string) => `${part}:${conversationId}`;

export interface PlanInput {
  posts: PendingPost[];
  votes: PendingVoteRef[];
  /** Items whose tally would change if the waiting votes were released. */
  changedItems: ReadonlySet<string>;
  /** releaseMinContributors per conversation (absent: the default). */
  conversations: ReadonlyMap<string, { releaseMinContributors?: number | undefined }>;
  /** Parts whose release was decided by a run that did not finish (inFlightKey): completed regardless. */
  inFlight: ReadonlySet<string>;
}

export interface ConversationPlan {
  conversationId: string;
  /** Distinct authors of the waiting posts (0: none, or none readable). */
  authors: number;
  /** Distinct voters whose waiting vote changes a tally. */
  voters: number;
  hasPosts: boolean;
  hasVotes: boolean;
  k: number;
  isPostsReleased: boolean;
  isVotesReleased: boolean;
}

/** A post whose author cannot be read counts as nobody: never released on the strength of it. */
export function planRelease(input: PlanInput): Map<string, ConversationPlan> {
  const authors = new Map<string, Set<string>>();
  const voters = new Map<string, Set<string>>();
  const hasVotes = new Set<string>();
  const setOf = (map: Map<string, Set<string>>, id: string) => {
    let set = map.get(id);
    if (!set) map.set(id, (set = new Set()));
    return set;
  };
  for (const post of input.posts) {
    const set = setOf(authors, post.conversationId);
    if (post.tag) set.add(post.tag);
  }
  for (const vote of input.votes) {
    hasVotes.add(vote.conversationId);
    const set = setOf(voters, vote.conversationId);
    if (vote.tag && input.changedItems.has(vote.itemId)) set.add(vote.tag);
  }
  const isInFlight = (part: ReleasePart, id: string) =>
    input.inFlight.has(inFlightKey(part, id)) || input.inFlight.has(id);
  const ids = new Set([...authors.keys(), ...voters.keys()]);
  for (const key of input.inFlight) ids.add(key.replace(/^(posts|votes):/, ''));
  const plans = new Map<string, ConversationPlan>();
  for (const conversationId of ids) {
    const k = releaseMinContributorsOf(input.conversations.get(conversationId) ?? {});
    const authorCount = authors.get(conversationId)?.size ?? 0;
    const voterCount = voters.get(conversationId)?.size ?? 0;
    const hasPosts = authors.has(conversationId);
    const votesWait = hasVotes.has(conversationId);
    plans.set(conversationId, {
      conversationId,
      authors: authorCount,
      voters: voterCount,
      hasPosts,
      hasVotes: votesWait,
      k,
      isPostsReleased: (hasPosts && authorCount >= k) || isInFlight('posts', conversationId),
      isVotesReleased:
        (votesWait && (voterCount >= k || voterCount === 0)) || isInFlight('votes', conversationId),
    });
  }
  return plans;
}
