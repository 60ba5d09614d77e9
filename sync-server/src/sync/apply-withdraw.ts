/**
 * idea.withdraw and comment.withdraw: the author takes back their own post. It stays as a tombstone
 * (status 'withdrawn', empty text) so comments and votes that point at it keep working; the old text
 * is purged from the public database at release (see releaser.ts).
 */
import type { WithdrawCommentMutation, WithdrawIdeaMutation } from '../../../shared/src/mutations.js';
import type { Deps } from '../deps.js';
import { stageOwnChange } from './apply-own-change.js';
import type { ApplyContext, Outcome } from './outcome.js';

export function applyIdeaWithdraw(
  deps: Deps,
  accountId: string,
  m: WithdrawIdeaMutation,
  ctx: ApplyContext,
): Promise<Outcome> {
  return stageOwnChange(
    deps,
    accountId,
    { kind: 'idea', contentId: m.ideaId, conversationId: m.conversationId },
    { kind: 'withdraw' },
    ctx,
  );
}

export function applyCommentWithdraw(
  deps: Deps,
  accountId: string,
  m: WithdrawCommentMutation,
  ctx: ApplyContext,
): Promise<Outcome> {
  return stageOwnChange(
    deps,
    accountId,
    { kind: 'comment', contentId: m.commentId, conversationId: m.conversationId },
    { kind: 'withdraw' },
    ctx,
  );
}
