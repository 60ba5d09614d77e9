/** idea.create: a new idea in a stream. */
import { z } from 'zod';
import { mutationIdSchema, publicIdSchema } from '../ids.js';
import { LIMITS } from '../protocol.js';
import type { LocalPost } from '../device.js';
import { trimmed, type MutationDefinition } from './definition.js';
import { acceptLocalPost, returnPostToDrafts } from './post-create.js';

export const createIdeaMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('idea.create'),
  conversationId: publicIdSchema,
  streamId: publicIdSchema,
  title: trimmed(LIMITS.ideaTitleMin, LIMITS.ideaTitleMax, 'The title'),
  body: trimmed(0, LIMITS.ideaBodyMax, 'The description'),
});
export type CreateIdeaMutation = z.infer<typeof createIdeaMutationSchema>;

const asLocalPost = (m: CreateIdeaMutation, createdAt: string): LocalPost => ({
  mutationId: m.id,
  kind: 'idea',
  conversationId: m.conversationId,
  streamId: m.streamId,
  title: m.title,
  body: m.body,
  createdAt,
});

export const ideaCreate = {
  kind: 'idea.create',
  schema: createIdeaMutationSchema,
  permission: 'contribute',
  async applyLocal(m, store) {
    const existing = await store.localPosts.get(m.id);
    await store.localPosts.put(asLocalPost(m, existing?.createdAt ?? store.now()));
  },
  onAccepted: (m, answer, store) => acceptLocalPost(store, asLocalPost(m, store.now()), answer.contentId),
  onRejected: (m, reason, store) => returnPostToDrafts(store, asLocalPost(m, store.now()), reason),
} as const satisfies MutationDefinition<CreateIdeaMutation>;
