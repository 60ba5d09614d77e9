/** comment.withdraw: the author takes back their own comment; it stays as an empty tombstone. */
import { z } from 'zod';
import { mutationIdSchema, publicIdSchema } from '../ids.js';
import type { MutationDefinition } from './definition.js';
import { acceptWithdrawal, ownPostKey, refuseWithdrawal, showWithdrawn } from './own-post-change.js';

export const withdrawCommentMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('comment.withdraw'),
  conversationId: publicIdSchema,
  commentId: publicIdSchema,
});
export type WithdrawCommentMutation = z.infer<typeof withdrawCommentMutationSchema>;

export const commentWithdraw = {
  kind: 'comment.withdraw',
  schema: withdrawCommentMutationSchema,
  permission: 'contribute',
  syncKey: (m) => ownPostKey(m.commentId),
  applyLocal: (m, store) => showWithdrawn(store, m.commentId),
  onAccepted: (m, _answer, store) => acceptWithdrawal(store, m.commentId),
  onRejected: (m, reason, store) => refuseWithdrawal(store, m.kind, m.commentId, reason),
} as const satisfies MutationDefinition<WithdrawCommentMutation>;
