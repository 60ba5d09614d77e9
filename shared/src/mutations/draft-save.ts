/**
 * draft.save: a draft synced between one person's devices as a private document. `version` of a
 * stored draft is the id of the draft.save that wrote it; `baseVersion` is the version this text was
 * derived from (leave it out for a new draft). If it is not the stored version (two devices edited
 * offline), the server keeps both: this text becomes a conflict copy whose draftId derives from this
 * mutation id (returned as contentId). A long typing session queues one save, not one per key.
 */
import { z } from 'zod';
import { mutationIdSchema, publicIdSchema } from '../ids.js';
import { LIMITS } from '../protocol.js';
import type { MutationDefinition } from './definition.js';

export const draftKindSchema = z.enum(['idea', 'comment']);
export type DraftKind = z.infer<typeof draftKindSchema>;

export const draftSyncKey = (draftId: string) => `draft:${draftId}`;

export const saveDraftMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('draft.save'),
  draftId: z.uuid({ message: 'draft id must be a UUID' }),
  draftKind: draftKindSchema,
  conversationId: publicIdSchema,
  streamId: publicIdSchema.optional(),
  ideaId: publicIdSchema.optional(),
  title: z
    .string()
    .max(LIMITS.draftTitleMax, `A draft's title can be at most ${LIMITS.draftTitleMax} characters`)
    .optional(),
  body: z.string().max(LIMITS.draftBodyMax, `A draft can be at most ${LIMITS.draftBodyMax} characters`),
  baseVersion: mutationIdSchema.optional(),
});
export type SaveDraftMutation = z.infer<typeof saveDraftMutationSchema>;

export const draftSave = {
  kind: 'draft.save',
  schema: saveDraftMutationSchema,
  permission: 'contribute',
  syncKey: (m) => draftSyncKey(m.draftId),
  collapses: true,
  async applyLocal(m, store) {
    const local = await store.drafts.get(m.draftId);
    await store.drafts.put({
      ...local,
      id: m.draftId,
      kind: m.draftKind,
      conversationId: m.conversationId,
      streamId: m.streamId,
      ideaId: m.ideaId,
      title: m.title,
      body: m.body,
      updatedAt: local?.updatedAt ?? store.now(),
    });
  },
  async onAccepted(m, answer, store) {
    const draft = await store.drafts.get(m.draftId);
    if (!draft) return;
    if (answer.contentId && answer.contentId !== m.draftId) {
      // Another device changed this draft meanwhile: the server kept this text as a separate copy, and so
      // does this device; the other version arrives with the next pull (a newer pending save of this draft
      // is applied again on top).
      await store.drafts.put({ ...draft, id: answer.contentId, serverVersion: m.id, isConflictCopy: true });
      await store.drafts.delete(m.draftId);
      return;
    }
    await store.drafts.put({ ...draft, serverVersion: m.id });
  },
  // The draft stays on this device with all its text: only its copy on the server is missing.
  onRejected: async () => undefined,
} as const satisfies MutationDefinition<SaveDraftMutation>;
