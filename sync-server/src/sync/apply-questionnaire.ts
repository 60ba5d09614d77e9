/**
 * questionnaire.submit: a person's "about you" answers for one conversation, stored in the private
 * database apart from everything else as `answers:<HMAC(person, conversation)>`; re-submitting
 * replaces them. Never on content, votes or the vault; only grouped counts ever leave the server
 * (see questionnaire-stats.ts). Answers are checked against the questions the conversation configures.
 */
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { docId } from '../../../shared/src/ids.js';
import { answersDocSchema, conversationDocSchema, type AnswersDoc } from '../../../shared/src/documents.js';
import type { SubmitQuestionnaireMutation } from '../../../shared/src/mutations.js';
import { REJECTION_CODES, type Rejection } from '../../../shared/src/rejections.js';
import type { Deps } from '../deps.js';
import { answersDocId } from './keys.js';
import { upsertPrivate } from './private-upsert.js';
import { rejections } from './targets.js';
import type { ApplyContext, Outcome } from './outcome.js';

const invalid = (message: string): Rejection => ({ code: REJECTION_CODES.invalid, message });

export async function applyQuestionnaireSubmit(
  deps: Deps,
  accountId: string,
  m: SubmitQuestionnaireMutation,
  ctx: ApplyContext,
): Promise<Outcome> {
  const conversation = conversationDocSchema.safeParse(
    await deps.storage.db('public').get(docId.conversation(m.conversationId)),
  );
  if (!conversation.success) return { status: 'rejected', reason: rejections.conversationMissing };
  const closed = await ctx.lookups.conversationProblem(m.conversationId);
  if (closed) return { status: 'rejected', reason: closed };
  const questions = conversation.data.questionnaire ?? [];
  if (questions.length === 0)
    return { status: 'rejected', reason: invalid('This conversation has no questionnaire.') };
  for (const [questionId, optionId] of Object.entries(m.answers)) {
    const question = questions.find((q) => q.id === questionId);
    if (!question) return { status: 'rejected', reason: invalid('One of the questions no longer exists.') };
    if (!question.options.some((o) => o.id === optionId))
      return {
        status: 'rejected',
        reason: invalid(`That is not one of the answers to “${question.label}”.`),
      };
  }
  const doc: AnswersDoc = {
    _id: answersDocId(deps.secrets, accountId, m.conversationId),
    type: 'answers',
    schemaVersion: SCHEMA_VERSION,
    conversationId: m.conversationId,
    answers: m.answers,
  };
  await upsertPrivate(deps, ctx.isSettled, doc, (existing) => {
    const parsed = answersDocSchema.safeParse(existing);
    return parsed.success && sameAnswers(parsed.data.answers, m.answers);
  });
  return { status: 'applied' };
}

function sameAnswers(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
