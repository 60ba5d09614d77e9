/** idea.withdraw: the author takes back their own idea; it stays as a tombstone (see own-change.ts). */
import type { WithdrawIdeaMutation } from '../../../../shared/src/mutations.js';
import { decideOwnChange, ownChangeRefs, type OwnChangeTarget } from './own-change.js';
import type { ServerEffect } from './types.js';

const target = (m: WithdrawIdeaMutation): OwnChangeTarget => ({
  kind: 'idea',
  contentId: m.ideaId,
  conversationId: m.conversationId,
});

export const ideaWithdrawEffect: ServerEffect<WithdrawIdeaMutation> = {
  reads: (m, ctx) => ownChangeRefs(ctx.secrets, target(m)),
  decide: (m, view, ctx) => decideOwnChange(view, ctx, target(m), { kind: 'withdraw' }),
  replayAnswer: (m) => ({ contentId: target(m).contentId }),
};
