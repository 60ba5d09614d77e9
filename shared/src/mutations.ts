/**
 * Every kind of change a client can queue, one module each in ./mutations/ (its schema, who may
 * send it, its effect on the device and what a refusal gives back). Each carries a client-made UUID;
 * the server applies each id at most once, ever. Mutations carry no client time: timing is identity.
 *
 * Adding a kind: its module in ./mutations/, one line in the union and one in MUTATIONS below, its
 * server effect (sync-server/src/sync/effects/) and its line there. A missing piece fails typecheck.
 */
import { z } from 'zod';
import type { MutationDefinition } from './mutations/definition.js';
import { commentCreate, createCommentMutationSchema } from './mutations/comment-create.js';
import { commentEdit, editCommentMutationSchema } from './mutations/comment-edit.js';
import { commentWithdraw, withdrawCommentMutationSchema } from './mutations/comment-withdraw.js';
import { deleteDraftMutationSchema, draftDelete } from './mutations/draft-delete.js';
import { draftSave, saveDraftMutationSchema } from './mutations/draft-save.js';
import { createIdeaMutationSchema, ideaCreate } from './mutations/idea-create.js';
import { editIdeaMutationSchema, ideaEdit } from './mutations/idea-edit.js';
import { ideaWithdraw, withdrawIdeaMutationSchema } from './mutations/idea-withdraw.js';
import { notificationsSet, setNotificationsMutationSchema } from './mutations/notifications-set.js';
import { questionnaireSubmit, submitQuestionnaireMutationSchema } from './mutations/questionnaire-submit.js';
import { createReportMutationSchema, reportCreate } from './mutations/report-create.js';
import { setVoteMutationSchema, voteSet } from './mutations/vote-set.js';

export * from './mutations/comment-create.js';
export * from './mutations/comment-edit.js';
export * from './mutations/comment-withdraw.js';
export * from './mutations/draft-delete.js';
export * from './mutations/draft-save.js';
export * from './mutations/idea-create.js';
export * from './mutations/idea-edit.js';
export * from './mutations/idea-withdraw.js';
export * from './mutations/notifications-set.js';
export * from './mutations/questionnaire-submit.js';
export * from './mutations/report-create.js';
export * from './mutations/vote-set.js';
export { ownPostKey } from './mutations/own-post-change.js';
export type { MutationDefinition } from './mutations/definition.js';

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

export type Mutation = z.infer<typeof mutationSchema>;
export type MutationInput = z.input<typeof mutationSchema>;
export type MutationKind = Mutation['kind'];
export type MutationOf<K extends MutationKind> = Extract<Mutation, { kind: K }>;

/** One definition per kind: a kind in the union without its definition (or with a piece missing) fails typecheck. */
export const MUTATIONS = {
  'idea.create': ideaCreate,
  'comment.create': commentCreate,
  'vote.set': voteSet,
  'idea.edit': ideaEdit,
  'comment.edit': commentEdit,
  'idea.withdraw': ideaWithdraw,
  'comment.withdraw': commentWithdraw,
  'report.create': reportCreate,
  'questionnaire.submit': questionnaireSubmit,
  'draft.save': draftSave,
  'draft.delete': draftDelete,
  'notifications.set': notificationsSet,
} as const satisfies { [K in MutationKind]: MutationDefinition<MutationOf<K>> };

export const MUTATION_KINDS = Object.keys(MUTATIONS) as MutationKind[];

/** The definition of a mutation's kind, typed for that mutation. */
export function definitionOf<M extends Mutation>(m: M): MutationDefinition<M> {
  return MUTATIONS[m.kind] as unknown as MutationDefinition<M>;
}
