/**
 * vote.set: one vote document per (voter, item) in the votes database, overwritten with the
 * latest value. Tallies are never incremented here: the releaser reads them from the
 * `tally/byItem` _sum view, so replays and concurrent writes cannot double count.
 */
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import type { VoteDoc } from '../../../shared/src/documents.js';
import type { SetVoteMutation } from '../../../shared/src/mutations.js';
import type { Deps } from '../deps.js';
import { ConflictError } from '../storage/port.js';
import { voteDocId, voterFor } from './keys.js';
import { findItem, rejections } from './targets.js';
import type { ApplyContext, Outcome } from './outcome.js';

const MAX_ATTEMPTS = 8;

export async function applyVoteSet(
  deps: Deps,
  accountId: string,
  m: SetVoteMutation,
  ctx: ApplyContext,
): Promise<Outcome> {
  const item = await findItem(deps, accountId, m.itemKind, m.itemId);
  if (!item || item.conversationId !== m.conversationId)
    return { status: 'rejected', reason: rejections.itemMissing };
  const closed = await ctx.lookups.conversationProblem(m.conversationId);
  if (closed) return { status: 'rejected', reason: closed };
  const voter = voterFor(deps.secrets, m.conversationId, accountId);
  await writeVote(deps, ctx.isSettled, {
    _id: voteDocId(voter, m.itemId),
    type: 'vote',
    schemaVersion: SCHEMA_VERSION,
    voter,
    conversationId: m.conversationId,
    itemId: m.itemId,
    itemKind: m.itemKind,
    value: m.value,
  });
  return { status: 'applied' };
}

/**
 * Upsert; a replay that finds the same value writes nothing. Before each write it asks
 * whether another delivery of this mutation already finished: if so, that delivery may have
 * gone on to a later vote of the same device, which this stale copy must not overwrite. If it
 * finishes after the question, it changed the document (its value differs from what we read),
 * so our write conflicts and the question is asked again.
 */
async function writeVote(deps: Deps, isSettled: () => Promise<boolean>, vote: VoteDoc): Promise<void> {
  const votes = deps.storage.db('votes');
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const existing = await votes.get<VoteDoc>(vote._id);
    if (existing?.value === vote.value) return;
    if (await isSettled()) return;
    try {
      await votes.put(existing ? { ...vote, _rev: existing._rev } : vote);
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new Error('vote update kept conflicting');
}
