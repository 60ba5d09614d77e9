/** comment.edit: the author changes the text of their own comment (ownership proven through the vault). */
import { z } from 'zod';
import { mutationIdSchema, publicIdSchema } from '../ids.js';
import { LIMITS } from '../protocol.js';
import { trimmed, type MutationDefinition } from './definition.js';
import {
  acceptEdit,
  ownPostKey,
  returnEditToDrafts,
  showPendingEdit,
  type OwnEdit,
} from './own-post-change.js';

export const editCommentMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('comment.edit'),
  conversationId: publicIdSchema,
  commentId: publicIdSchema,
  body: trimmed(1, LIMITS.commentBodyMax, 'The comment'),
});
export type EditCommentMutation = z.infer<typeof editCommentMutationSchema>;

const asEdit = (m: EditCommentMutation): OwnEdit => ({
  id: m.id,
  itemKind: 'comment',
  itemId: m.commentId,
  body: m.body,
});

export const commentEdit = {
  kind: 'comment.edit',
  schema: editCommentMutationSchema,
  permission: 'contribute',
  syncKey: (m) => ownPostKey(m.commentId),
  applyLocal: (m, store) => showPendingEdit(store, asEdit(m)),
  onAccepted: (m, _answer, store) => acceptEdit(store, asEdit(m)),
  onRejected: (m, reason, store) => returnEditToDrafts(store, asEdit(m), reason),
} as const satisfies MutationDefinition<EditCommentMutation>;
