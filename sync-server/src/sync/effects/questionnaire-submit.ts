/**
 * questionnaire.submit: a person's "about you" answers for one conversation, stored in the private
 * database apart from everything else as `answers:<link(person, conversation)>`; re-submitting
 * replaces them. Never on content, votes or the vault; only grouped counts ever leave the server
 * (questionnaire-stats.ts). Answers are checked against the questions the conversation configures.
 */
import { SCHEMA_VERSION } from '../../../../shared/src/protocol.js';
import { docId } from '../../../../shared/src/ids.js';
import {
  answersDocSchema,
  conversationDocSchema,
  type AnswersDoc,
} from '../../../../shared/src/documents.js';
import type { SubmitQuestionnaireMutation } from '../../../../shared/src/mutations.js';
import { REJECTION_CODES, type Rejection } from '../../../../shared/src/rejections.js';
import { answersDocId } from '../keys.js';
import { conversationProblem, conversationRef, rejections } from './targets.js';
import { applied, rejected, type ServerEffect } from './types.js';

const invalid = (message: string): Rejection => ({ code: REJECTION_CODES.invalid, message });

export const questionnaireSubmitEffect: ServerEffect<SubmitQuestionnaireMutation> = {
  reads: (m, ctx) => [
    conversationRef(m.conversationId),
    { db: 'private', id: answersDocId(ctx.secrets, ctx.accountId, m.conversationId) },
  ],
  decide(m, view, ctx) {
    const conversation = conversationDocSchema.safeParse(
      view.get('public', docId.conversation(m.conversationId)),
    );
    if (!conversation.success) return rejected(rejections.conversationMissing);
    const closed = conversationProblem(view, m.conversationId);
    if (closed) return rejected(closed);
    const questions = conversation.data.questionnaire ?? [];
    if (questions.length === 0) return rejected(invalid('This conversation has no questionnaire.'));
    for (const [questionId, optionId] of Object.entries(m.answers)) {
      const question = questions.find((q) => q.id === questionId);
      if (!question) return rejected(invalid('One of the questions no longer exists.'));
      if (!question.options.some((o) => o.id === optionId))
        return rejected(invalid(`That is not one of the answers to “${question.label}”.`));
    }
    const id = answersDocId(ctx.secrets, ctx.accountId, m.conversationId);
    const events = [{ t: 'answers' as const, conversationId: m.conversationId }];
    const existing = answersDocSchema.safeParse(view.get('private', id));
    if (existing.success && sameAnswers(existing.data.answers, m.answers))
      return { outcome: applied(), events };
    const doc: AnswersDoc = {
      _id: id,
      type: 'answers',
      schemaVersion: SCHEMA_VERSION,
      conversationId: m.conversationId,
      answers: m.answers,
    };
    return { outcome: applied(), writes: [{ db: 'private', mode: 'put', doc }], events };
  },
};

function sameAnswers(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
