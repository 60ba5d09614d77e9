/** questionnaire.submit: optional "about you" answers, only ever used in aggregate. Re-submitting replaces. */
import { z } from 'zod';
import { questionnaireIdSchema } from '../documents.js';
import { mutationIdSchema, publicIdSchema } from '../ids.js';
import { recordRefusal } from '../device.js';
import type { MutationDefinition } from './definition.js';

export const submitQuestionnaireMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('questionnaire.submit'),
  conversationId: publicIdSchema,
  /** questionId -> optionId; questions left out are "prefer not to say". Re-submitting replaces. */
  answers: z.record(questionnaireIdSchema, questionnaireIdSchema),
});
export type SubmitQuestionnaireMutation = z.infer<typeof submitQuestionnaireMutationSchema>;

export const questionnaireSubmit = {
  kind: 'questionnaire.submit',
  schema: submitQuestionnaireMutationSchema,
  permission: 'contribute',
  syncKey: (m) => `questionnaire:${m.conversationId}`,
  collapses: true,
  async applyLocal(m, store) {
    const states = (await store.getPref('questionnaire')) ?? {};
    if (states[m.conversationId] !== 'answered')
      await store.setPref('questionnaire', { ...states, [m.conversationId]: 'answered' });
  },
  onAccepted: async () => undefined,
  async onRejected(m, reason, store) {
    const { [m.conversationId]: _dropped, ...rest } = (await store.getPref('questionnaire')) ?? {};
    await store.setPref('questionnaire', rest);
    await recordRefusal(store, m.kind, reason);
  },
} as const satisfies MutationDefinition<SubmitQuestionnaireMutation>;
