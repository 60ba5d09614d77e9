/**
 * vote.set: like, dislike or no vote on an idea or comment. Only the last choice made on a device
 * matters, so a newer choice replaces an older one still waiting to be sent.
 */
import { z } from 'zod';
import { itemKindSchema, voteValueSchema } from '../documents.js';
import { mutationIdSchema, publicIdSchema } from '../ids.js';
import type { MutationDefinition } from './definition.js';

export const setVoteMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('vote.set'),
  conversationId: publicIdSchema,
  itemKind: itemKindSchema,
  itemId: publicIdSchema,
  value: voteValueSchema,
});
export type SetVoteMutation = z.infer<typeof setVoteMutationSchema>;

export const voteSet = {
  kind: 'vote.set',
  schema: setVoteMutationSchema,
  permission: 'contribute',
  syncKey: (m) => m.itemId,
  collapses: true,
  async applyLocal(m, store) {
    const current = await store.votes.get(m.itemId);
    await store.votes.put({
      itemId: m.itemId,
      itemKind: m.itemKind,
      conversationId: m.conversationId,
      value: m.value,
      ...(current?.serverValue ? { serverValue: current.serverValue } : {}),
    });
  },
  async onAccepted(m, _answer, store) {
    const current = await store.votes.get(m.itemId);
    if (current) await store.votes.put({ ...current, serverValue: m.value });
  },
  async onRejected(m, _reason, store) {
    // Back to what the server holds; a newer pending choice is applied again on top afterwards.
    const current = await store.votes.get(m.itemId);
    if (current) await store.votes.put({ ...current, value: current.serverValue ?? 'none' });
  },
} as const satisfies MutationDefinition<SetVoteMutation>;
