/**
 * Every mutation a client can queue. Each carries a client-made UUID; the server
 * applies each id at most once, ever. Mutations carry no client time: timing is identity.
 */
import { z } from 'zod';
import { itemKindSchema, voteValueSchema } from './documents.js';
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

export const mutationSchema = z.discriminatedUnion('kind', [
  createIdeaMutationSchema,
  createCommentMutationSchema,
  setVoteMutationSchema,
]);

export type CreateIdeaMutation = z.infer<typeof createIdeaMutationSchema>;
export type CreateCommentMutation = z.infer<typeof createCommentMutationSchema>;
export type SetVoteMutation = z.infer<typeof setVoteMutationSchema>;
export type Mutation = z.infer<typeof mutationSchema>;
export type MutationInput = z.input<typeof mutationSchema>;
export type MutationKind = Mutation['kind'];
export const MUTATION_KINDS = [
  'idea.create',
  'comment.create',
  'vote.set',
] as const satisfies readonly MutationKind[];
