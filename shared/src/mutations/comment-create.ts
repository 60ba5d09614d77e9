/** comment.create: a comment on a visible idea. */
import { z } from 'zod';
import { mutationIdSchema, publicIdSchema } from '../ids.js';
import { LIMITS } from '../protocol.js';
import type { LocalPost } from '../device.js';
import { trimmed, type MutationDefinition } from './definition.js';
import { acceptLocalPost, returnPostToDrafts } from './post-create.js';

export const createCommentMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('comment.create'),
  conversationId: publicIdSchema,
  ideaId: publicIdSchema,
  body: trimmed(1, LIMITS.commentBodyMax, 'The comment'),
});
export type CreateCommentMutation = z.infer<typeof createCommentMutationSchema>;

const asLocalPost = (m: CreateCommentMutation, createdAt: string): LocalPost => ({
  mutationId: m.id,
  kind: 'comment',
  conversationId: m.conversationId,
  ideaId: m.ideaId,
  body: m.body,
  createdAt,
});

export const commentCreate = {
  kind: 'comment.create',
  schema: createCommentMutationSchema,
  permission: 'contribute',
  async applyLocal(m, store) {
    const existing = await store.localPosts.get(m.id);
    await store.localPosts.put(asLocalPost(m, existing?.createdAt ?? store.now()));
  },
  onAccepted: (m, answer, store) => acceptLocalPost(store, asLocalPost(m, store.now()), answer.contentId),
  onRejected: (m, reason, store) => returnPostToDrafts(store, asLocalPost(m, store.now()), reason),
} as const satisfies MutationDefinition<CreateCommentMutation>;
