/** report.create: a participant reports a post against a guideline; the reporter is never stored in clear. */
import { z } from 'zod';
import { guidelineSchema, itemKindSchema } from '../documents.js';
import { mutationIdSchema, publicIdSchema } from '../ids.js';
import { LIMITS } from '../protocol.js';
import { recordRefusal } from '../device.js';
import { trimmed, type MutationDefinition } from './definition.js';

export const createReportMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('report.create'),
  conversationId: publicIdSchema,
  itemKind: itemKindSchema,
  itemId: publicIdSchema,
  guideline: guidelineSchema,
  note: trimmed(0, LIMITS.reportNoteMax, 'The note').optional(),
});
export type CreateReportMutation = z.infer<typeof createReportMutationSchema>;

export const reportCreate = {
  kind: 'report.create',
  schema: createReportMutationSchema,
  permission: 'contribute',
  async applyLocal(m, store) {
    const reported = (await store.getPref('reportedItems')) ?? [];
    if (!reported.includes(m.itemId)) await store.setPref('reportedItems', [...reported, m.itemId]);
  },
  onAccepted: async () => undefined,
  async onRejected(m, reason, store) {
    const reported = (await store.getPref('reportedItems')) ?? [];
    await store.setPref(
      'reportedItems',
      reported.filter((id) => id !== m.itemId),
    );
    // The note is the person's words: kept with the refusal so it is not lost.
    await recordRefusal(store, m.kind, reason, m.note);
  },
} as const satisfies MutationDefinition<CreateReportMutation>;
