/** idea.edit: the author changes the title and description of their own idea (ownership proven through the vault). */
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

export const editIdeaMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('idea.edit'),
  conversationId: publicIdSchema,
  ideaId: publicIdSchema,
  title: trimmed(LIMITS.ideaTitleMin, LIMITS.ideaTitleMax, 'The title'),
  body: trimmed(0, LIMITS.ideaBodyMax, 'The description'),
});
export type EditIdeaMutation = z.infer<typeof editIdeaMutationSchema>;

const asEdit = (m: EditIdeaMutation): OwnEdit => ({
  id: m.id,
  itemKind: 'idea',
  itemId: m.ideaId,
  title: m.title,
  body: m.body,
});

export const ideaEdit = {
  kind: 'idea.edit',
  schema: editIdeaMutationSchema,
  permission: 'contribute',
  syncKey: (m) => ownPostKey(m.ideaId),
  applyLocal: (m, store) => showPendingEdit(store, asEdit(m)),
  onAccepted: (m, _answer, store) => acceptEdit(store, asEdit(m)),
  onRejected: (m, reason, store) => returnEditToDrafts(store, asEdit(m), reason),
} as const satisfies MutationDefinition<EditIdeaMutation>;
