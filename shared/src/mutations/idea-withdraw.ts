/** idea.withdraw: the author takes back their own idea; it stays as an empty tombstone so links keep working. */
import { z } from 'zod';
import { mutationIdSchema, publicIdSchema } from '../ids.js';
import type { MutationDefinition } from './definition.js';
import { acceptWithdrawal, ownPostKey, refuseWithdrawal, showWithdrawn } from './own-post-change.js';

export const withdrawIdeaMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('idea.withdraw'),
  conversationId: publicIdSchema,
  ideaId: publicIdSchema,
});
export type WithdrawIdeaMutation = z.infer<typeof withdrawIdeaMutationSchema>;

export const ideaWithdraw = {
  kind: 'idea.withdraw',
  schema: withdrawIdeaMutationSchema,
  permission: 'contribute',
  syncKey: (m) => ownPostKey(m.ideaId),
  applyLocal: (m, store) => showWithdrawn(store, m.ideaId),
  onAccepted: (m, _answer, store) => acceptWithdrawal(store, m.ideaId),
  onRejected: (m, reason, store) => refuseWithdrawal(store, m.kind, m.ideaId, reason),
} as const satisfies MutationDefinition<WithdrawIdeaMutation>;
