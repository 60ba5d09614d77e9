/**
 * vote.set: one vote document per (voter, canonical item) in the votes database, overwritten with the
 * latest value. A vote on an idea that was merged counts on the idea it was merged into, so one
 * person voting on both halves of a merge counts once. Votes on posts taken down (hidden, removed,
 * withdrawn) are refused. Tallies are never incremented here: the releaser reads them from the
 * `tally/byItem` _sum view, so replays and concurrent writes cannot double count.
 */
import { SCHEMA_VERSION } from '../../../../shared/src/protocol.js';
import { voteDocSchema, type VoteDoc } from '../../../../shared/src/documents.js';
import type { SetVoteMutation } from '../../../../shared/src/mutations.js';
import { voteDocId, voterFor } from '../keys.js';
import {
  conversationProblem,
  conversationRef,
  findItem,
  followMerges,
  itemRefs,
  rejections,
} from './targets.js';
import { applied, rejected, type ServerEffect } from './types.js';
import { sealValue } from '../seal.js';

export const voteSetEffect: ServerEffect<SetVoteMutation> = {
  reads: (m, ctx) => [
    conversationRef(m.conversationId),
    ...itemRefs(ctx.secrets, m.itemKind, m.itemId),
    {
      db: 'votes',
      id: voteDocId(ctx.secrets, voterFor(ctx.secrets, m.conversationId, ctx.accountId), m.itemId),
    },
  ],
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
    let existing: unknown;
    try {
      existing = view.get('votes', id);
    } catch {
      return { more: [{ db: 'votes', id }] };
    }
    const events = [{ t: 'vote' as const, conversationId: m.conversationId, itemId: item.doc.id }];
    const current = voteDocSchema.safeParse(existing);
    // A replay that finds the same value writes nothing.
    if (current.success && current.data.value === m.value) return { outcome: applied(), events };
    const vote: VoteDoc = {
      _id: id,
      type: 'vote',
      schemaVersion: SCHEMA_VERSION,
      voterSeal: sealValue(ctx.secrets, id, voter),
      conversationId: m.conversationId,
      itemId: item.doc.id,
      itemKind: item.doc.type,
      value: m.value,
    };
    return { outcome: applied(), writes: [{ db: 'votes', mode: 'put', doc: vote }], events };
  },
};
