/**
 * The only way questionnaire answers leave the server: grouped counts, with every group smaller than
 * K people (K = 10 by default, DESIGN.md) folded into "other". If "other" itself ends up between 1
 * and K-1, the smallest remaining options are folded in too, so that no small group can be worked
 * out by subtraction. With fewer than K respondents in all, nothing but that fact is reported.
 * Answers are read from the private database only; no route exposes this yet (dashboards will).
 */
import { docId } from '../../../shared/src/ids.js';
import { answersDocSchema, conversationDocSchema } from '../../../shared/src/documents.js';
import type { Deps } from '../deps.js';

export const DEFAULT_MIN_GROUP = 10;

export interface QuestionAggregate {
  questionId: string;
  label: string;
  /** Options with at least K answers, largest first. */
  groups: Array<{ optionId: string; label: string; count: number }>;
  /** Everyone who answered an option too small to show: 0, at least K, or null when too few to say. */
  other: number | null;
}

export interface AnswersAggregate {
  conversationId: string;
  minGroup: number;
  /** null when fewer than K people answered: then no question is reported either. */
  respondents: number | null;
  questions: QuestionAggregate[];
}

export async function aggregateAnswers(
  deps: Pick<Deps, 'storage'>,
  conversationId: string,
  k = DEFAULT_MIN_GROUP,
): Promise<AnswersAggregate> {
  const conversation = conversationDocSchema.safeParse(
    await deps.storage.db('public').get(docId.conversation(conversationId)),
  );
  const questions = conversation.success ? (conversation.data.questionnaire ?? []) : [];
  const answerSets: Array<Record<string, string>> = [];
  // Scale: one scan of the answers documents (one per respondent per conversation).
  for (const row of await deps.storage.db('private').list({ prefix: 'answers:', includeDocs: true })) {
    const doc = answersDocSchema.safeParse(row.doc);
    if (doc.success && doc.data.conversationId === conversationId) answerSets.push(doc.data.answers);
  }
  if (answerSets.length < k) return { conversationId, minGroup: k, respondents: null, questions: [] };
  return {
    conversationId,
    minGroup: k,
    respondents: answerSets.length,
    questions: questions.map((question) => {
      const counts = new Map<string, number>();
      for (const answers of answerSets) {
        const optionId = answers[question.id];
        if (optionId !== undefined) counts.set(optionId, (counts.get(optionId) ?? 0) + 1);
      }
      return foldSmallGroups(
        question.id,
        question.label,
        question.options.map((o) => ({ optionId: o.id, label: o.label, count: counts.get(o.id) ?? 0 })),
        k,
      );
    }),
  };
}

export function foldSmallGroups(
  questionId: string,
  label: string,
  options: Array<{ optionId: string; label: string; count: number }>,
  k: number,
): QuestionAggregate {
  const groups = options.filter((o) => o.count >= k).sort((a, b) => b.count - a.count);
  let other = options.filter((o) => o.count < k).reduce((sum, o) => sum + o.count, 0);
  // A small "other" could be recovered from the total: fold in the smallest shown groups until it is not.
  while (other > 0 && other < k && groups.length > 0) other += groups.pop()!.count;
  return { questionId, label, groups, other: other > 0 && other < k ? null : other };
}
