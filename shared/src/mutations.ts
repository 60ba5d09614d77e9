/**
 * Every mutation a client can queue. Each carries a client-made UUID; the server
 * applies each id at most once, ever. Mutations carry no client time: timing is identity.
 */
import { z } from 'zod';
import { guidelineSchema, itemKindSchema, questionnaireIdSchema, voteValueSchema } from './documents.js';
import { mutationIdSchema, publicIdSchema } from './ids.js';
import { LIMITS } from './protocol.js';

const trimmed = (min: number, max: number, what: string) =>
  z
    .string()
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .min(min, `${what} needs at least ${min} character${min === 1 ? '' : 's'}`)
        .max(max, `${what} can be at most ${max} characters`),
    );

export const createIdeaMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('idea.create'),
  conversationId: publicIdSchema,
  streamId: publicIdSchema,
  title: trimmed(LIMITS.ideaTitleMin, LIMITS.ideaTitleMax, 'The title'),
  body: trimmed(0, LIMITS.ideaBodyMax, 'The description'),
});

export const createCommentMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('comment.create'),
  conversationId: publicIdSchema,
  ideaId: publicIdSchema,
  body: trimmed(1, LIMITS.commentBodyMax, 'The comment'),
});

export const setVoteMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('vote.set'),
  conversationId: publicIdSchema,
  itemKind: itemKindSchema,
  itemId: publicIdSchema,
  value: voteValueSchema,
});

// ---- own posts: edit and withdraw (ownership proven through the vault on the server) ----

export const editIdeaMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('idea.edit'),
  conversationId: publicIdSchema,
  ideaId: publicIdSchema,
  title: trimmed(LIMITS.ideaTitleMin, LIMITS.ideaTitleMax, 'The title'),
  body: trimmed(0, LIMITS.ideaBodyMax, 'The description'),
});

export const editCommentMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('comment.edit'),
  conversationId: publicIdSchema,
  commentId: publicIdSchema,
  body: trimmed(1, LIMITS.commentBodyMax, 'The comment'),
});

export const withdrawIdeaMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('idea.withdraw'),
  conversationId: publicIdSchema,
  ideaId: publicIdSchema,
});

export const withdrawCommentMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('comment.withdraw'),
  conversationId: publicIdSchema,
  commentId: publicIdSchema,
});

// ---- reports, questionnaire, drafts, notification settings ----

export const createReportMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('report.create'),
  conversationId: publicIdSchema,
  itemKind: itemKindSchema,
  itemId: publicIdSchema,
  guideline: guidelineSchema,
  note: trimmed(0, LIMITS.reportNoteMax, 'The note').optional(),
});

export const submitQuestionnaireMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('questionnaire.submit'),
  conversationId: publicIdSchema,
  /** questionId -> optionId; questions left out are "prefer not to say". Re-submitting replaces. */
  answers: z.record(questionnaireIdSchema, questionnaireIdSchema),
});

export const draftKindSchema = z.enum(['idea', 'comment']);
export type DraftKind = z.infer<typeof draftKindSchema>;

/**
 * Saves a draft as a private document only its author's sessions can read. `version` of a stored draft is the
 * id of the draft.save that wrote it; send as `baseVersion` the version this text was derived from (from
 * `ownDrafts`, or the id of the previous draft.save this device queued for the same draft; leave it out for a
 * new draft). If it is not the stored version (two devices edited offline), the server keeps both: the text
 * is stored as a new conflict copy whose draftId is derived from this mutation id (returned as contentId).
 */
export const saveDraftMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('draft.save'),
  draftId: z.uuid({ message: 'draft id must be a UUID' }),
  draftKind: draftKindSchema,
  conversationId: publicIdSchema,
  streamId: publicIdSchema.optional(),
  ideaId: publicIdSchema.optional(),
  title: z.string().max(LIMITS.ideaTitleMax, 'The title can be at most 140 characters').optional(),
  body: z.string().max(LIMITS.ideaBodyMax, `The text can be at most ${LIMITS.ideaBodyMax} characters`),
  baseVersion: mutationIdSchema.optional(),
});

export const deleteDraftMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('draft.delete'),
  draftId: z.uuid({ message: 'draft id must be a UUID' }),
  /** The version this device last saw; if another device saved a newer text since, the draft is kept. */
  baseVersion: mutationIdSchema.optional(),
});

export const setNotificationsMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('notifications.set'),
  /** Opt in to an e-mail digest when someone comments on an idea I posted (never quotes content). */
  commentDigest: z.boolean(),
});

export const mutationSchema = z.discriminatedUnion('kind', [
  createIdeaMutationSchema,
  createCommentMutationSchema,
  setVoteMutationSchema,
  editIdeaMutationSchema,
  editCommentMutationSchema,
  withdrawIdeaMutationSchema,
  withdrawCommentMutationSchema,
  createReportMutationSchema,
  submitQuestionnaireMutationSchema,
  saveDraftMutationSchema,
  deleteDraftMutationSchema,
  setNotificationsMutationSchema,
]);

export type CreateIdeaMutation = z.infer<typeof createIdeaMutationSchema>;
export type CreateCommentMutation = z.infer<typeof createCommentMutationSchema>;
export type SetVoteMutation = z.infer<typeof setVoteMutationSchema>;
export type EditIdeaMutation = z.infer<typeof editIdeaMutationSchema>;
export type EditCommentMutation = z.infer<typeof editCommentMutationSchema>;
export type WithdrawIdeaMutation = z.infer<typeof withdrawIdeaMutationSchema>;
export type WithdrawCommentMutation = z.infer<typeof withdrawCommentMutationSchema>;
export type CreateReportMutation = z.infer<typeof createReportMutationSchema>;
export type SubmitQuestionnaireMutation = z.infer<typeof submitQuestionnaireMutationSchema>;
export type SaveDraftMutation = z.infer<typeof saveDraftMutationSchema>;
export type DeleteDraftMutation = z.infer<typeof deleteDraftMutationSchema>;
export type SetNotificationsMutation = z.infer<typeof setNotificationsMutationSchema>;
export type Mutation = z.infer<typeof mutationSchema>;
export type MutationInput = z.input<typeof mutationSchema>;
export type MutationKind = Mutation['kind'];
export const MUTATION_KINDS = [
  'idea.create',
  'comment.create',
  'vote.set',
  'idea.edit',
  'comment.edit',
  'idea.withdraw',
  'comment.withdraw',
  'report.create',
  'questionnaire.submit',
  'draft.save',
  'draft.delete',
  'notifications.set',
] as const satisfies readonly MutationKind[];
