/** comment.withdraw: the author takes back their own comment; it stays as a tombstone (see own-change.ts). */
import type { WithdrawCommentMutation } from '../../../../shared/src/mutations.js';
import { decideOwnChange, ownChangeRefs, type OwnChangeTarget } from './own-change.js';
import type { ServerEffect } from './types.js';

const target = (m: WithdrawCommentMutation): OwnChangeTarget => ({
  kind: 'comment',
  contentId: m.commentId,
  conversationId: m.conversationId,
});

export const commentWithdrawEffect: ServerEffect<WithdrawCommentMutation> = {
  reads: (m, ctx) => ownChangeRefs(ctx.secrets, target(m)),
  decide: (m, view, ctx) => decideOwnChange(view, ctx, target(m), { kind: 'withdraw' }),
  replayAnswer: (m) => ({ contentId: target(m).contentId }),
};
