/** draft.delete: a draft was posted or discarded; kept if another device saved newer text meanwhile. */
import { z } from 'zod';
import { mutationIdSchema } from '../ids.js';
import type { MutationDefinition } from './definition.js';
import { draftSyncKey } from './draft-save.js';

export const deleteDraftMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('draft.delete'),
  draftId: z.uuid({ message: 'draft id must be a UUID' }),
  /** The version this device last saw; if another device saved a newer text since, the draft is kept. */
  baseVersion: mutationIdSchema.optional(),
});
export type DeleteDraftMutation = z.infer<typeof deleteDraftMutationSchema>;

export const draftDelete = {
  kind: 'draft.delete',
  schema: deleteDraftMutationSchema,
  permission: 'contribute',
  syncKey: (m) => draftSyncKey(m.draftId),
  collapses: true,
  applyLocal: (m, store) => store.drafts.delete(m.draftId),
  onAccepted: async () => undefined,
  // Nothing is lost: the draft was already gone from this device by the person's choice.
  onRejected: async () => undefined,
} as const satisfies MutationDefinition<DeleteDraftMutation>;
