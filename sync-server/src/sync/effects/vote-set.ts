/**
 * vote.set: the person's vote on one canonical item waits, sealed, in a pending-vote document (one per
 * voter and item, overwritten with the latest value; ../pending.ts) until its conversation's votes are
 * released: only then does the releaser write it to the votes database (one document per voter and
 * item), in a shuffled bulk write with the batch's other votes. Written here, the vote would sit in the
 * votes database's changes feed at the position of this push, item and value in clear, for any backup
 * taken while the batch waits. A vote on an idea that was merged counts on the idea it was merged into,
 * so one person voting on both halves of a merge counts once. Votes on posts taken down (hidden,
 * removed, withdrawn) are refused. Tallies are never incremented: the releaser reads them from the
 * `tally/byItem` _sum view, so replays and concurrent writes cannot double count.
 */
import { voteDocSchema } from '../../../../shared/src/documents.js';
import type { SetVoteMutation } from '../../../../shared/src/mutations.js';
import { pendingVoteDocId, voteDocId, voterFor } from '../keys.js';
import { openPendingVote, sealPendingVote } from '../pending.js';
import {
  conversationProblem,
  conversationRef,
  findItem,
  followMerges,
  itemRefs,
  rejections,
} from './targets.js';
import { applied, rejected, type ServerEffect } from './types.js';

export const voteSetEffect: ServerEffect<SetVoteMutation> = {
  reads: (m, ctx) => {
    const voter = voterFor(ctx.secrets, m.conversationId, ctx.accountId);
    return [
      conversationRef(m.conversationId),
      ...itemRefs(ctx.secrets, m.itemKind, m.itemId),
      { db: 'votes', id: voteDocId(ctx.secrets, voter, m.itemId) },
      { db: 'private', id: pendingVoteDocId(ctx.secrets, voter, m.itemId) },
    ];
  },
  decide(m, view, ctx) {
    const found = findItem(view, ctx, m.itemKind, m.itemId);
    const item = found && followMerges(view, ctx, found);
    if (item && 'more' in item) return item;
    if (!item || item.doc.conversationId !== m.conversationId) return rejected(rejections.itemMissing);
    if (item.doc.status !== 'visible') return rejected(rejections.notVotable);
    const closed = conversationProblem(view, m.conversationId);
    if (closed) return rejected(closed);
    const voter = voterFor(ctx.secrets, m.conversationId, ctx.accountId);
    const id = voteDocId(ctx.secrets, voter, item.doc.id);
    const pendingId = pendingVoteDocId(ctx.secrets, voter, item.doc.id);
    let released: unknown;
    let pending: ReturnType<typeof openPendingVote>;
    try {
      released = view.get('votes', id);
      pending = openPendingVote(ctx.secrets, view.get('private', pendingId));
    } catch {
      // followed a merge: the canonical item's documents were not read yet
      return {
        more: [
          { db: 'votes', id },
          { db: 'private', id: pendingId },
        ],
      };
    }
    const events = [
      { t: 'vote' as const, conversationId: m.conversationId, itemId: item.doc.id, itemKind: item.doc.type },
    ];
    const releasedVote = voteDocSchema.safeParse(released);
    const current = pending?.value ?? (releasedVote.success ? releasedVote.data.value : 'none');
    // A replay that finds the same value writes nothing.
    if (current === m.value) return { outcome: applied(), events };
    const vote = sealPendingVote(ctx.secrets, {
      voteId: id,
      voter,
      conversationId: m.conversationId,
      itemId: item.doc.id,
      itemKind: item.doc.type,
      value: m.value,
    });
    return { outcome: applied(), writes: [{ db: 'private', mode: 'put', doc: vote }], events };
  },
};
