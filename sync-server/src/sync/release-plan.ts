/**
 * Which conversations' batches may be released now: k-anonymity of a batch. A conversation's pending
 * contributions (staged posts, edits and withdrawals; votes that change a tally) reach other people
 * only once they come from at least k distinct people (k = the conversation's releaseMinContributors),
 * so that a lone night-time post cannot be matched to the one device the Trust's proxy log saw.
 *
 * People are counted by contributor tag = link('contributor', conversation, person, batch epoch), the
 * person being the conversation's voter pseudonym (voterFor: the same for an author, from the vault,
 * and for a voter, from the vote). The epoch moves on each time the conversation's batch is
 * released, so tags of two batches cannot be related, and they come from the linking key, never
 * from HUDDLE_SECRET. Authors' tags are computed at each release and never stored; only the tags of
 * votes waiting in a held batch are stored (held-vote documents), and purged when it is released.
 *
 * Pure: the releaser reads everything, this decides.
 */
import { releaseMinContributorsOf } from '../../../shared/src/documents.js';

export interface PendingPost {
  conversationId: string;
  /** undefined: the author could not be read (no vault entry, or the key that sealed it is gone). */
  tag: string | undefined;
}

export interface PendingVote {
  conversationId: string;
  itemId: string;
  /** undefined: held under an earlier batch's tags, so it cannot be compared; it counts as nobody. */
  tag: string | undefined;
}

export interface PlanInput {
  posts: PendingPost[];
  votes: PendingVote[];
  /** Items whose tally (as read from the view now) differs from the published one. */
  changedItems: ReadonlySet<string>;
  /** releaseMinContributors per conversation (absent: the default). */
  conversations: ReadonlyMap<string, { releaseMinContributors?: number | undefined }>;
  /** Conversations whose release was decided by a run that did not finish: completed regardless. */
  inFlight: ReadonlySet<string>;
}

export interface ConversationPlan {
  conversationId: string;
  contributors: number;
  k: number;
  isReleased: boolean;
}

/**
 * A vote counts only when the tally of its item changes in this batch (a vote set back to what was
 * published shows nobody anything). A post whose author cannot be read counts as nobody: a batch is
 * never released on the strength of a contribution we cannot attribute.
 */
export function planRelease(input: PlanInput): Map<string, ConversationPlan> {
  const tags = new Map<string, Set<string>>();
  const touch = (conversationId: string) => {
    let set = tags.get(conversationId);
    if (!set) tags.set(conversationId, (set = new Set()));
    return set;
  };
  for (const post of input.posts) {
    const set = touch(post.conversationId);
    if (post.tag) set.add(post.tag);
  }
  for (const vote of input.votes) {
    const set = touch(vote.conversationId);
    if (vote.tag && input.changedItems.has(vote.itemId)) set.add(vote.tag);
  }
  for (const conversationId of input.inFlight) touch(conversationId);
  const plans = new Map<string, ConversationPlan>();
  for (const [conversationId, set] of tags) {
    const k = releaseMinContributorsOf(input.conversations.get(conversationId) ?? {});
    plans.set(conversationId, {
      conversationId,
      contributors: set.size,
      k,
      isReleased: set.size >= k || input.inFlight.has(conversationId),
    });
  }
  return plans;
}
