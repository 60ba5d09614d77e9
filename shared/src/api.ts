/**
 * Request and response shapes of the HTTP API. The server validates requests with
 * these and builds its OpenAPI description from them; the PWA parses responses with them.
 */
import { z } from 'zod';
import {
  itemKindSchema,
  publicDocSchema,
  voteValueSchema,
  ideaDocSchema,
  commentDocSchema,
} from './documents.js';
import { mutationIdSchema, publicIdSchema } from './ids.js';
import { LIMITS } from './protocol.js';
import { roleSchema } from './roles.js';

export const errorResponseSchema = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

// ---- auth -------------------------------------------------------------------

export const requestCodeBodySchema = z.object({ email: z.email('Enter a valid e-mail address').max(254) });
export const requestCodeResponseSchema = z.object({ message: z.string() });

export const verifyCodeBodySchema = z.object({
  email: z.email('Enter a valid e-mail address').max(254),
  code: z
    .string()
    .transform((s) => s.replace(/\s+/g, ''))
    .pipe(z.string().regex(/^\d{6,8}$/, 'The code is the 6 to 8 digits from the e-mail')),
});

export const linkLoginBodySchema = z.object({ token: z.string().min(20).max(200) });

/** What a signed-in person learns about themselves. No account id, ever. */
export const meResponseSchema = z.object({
  email: z.email(),
  roles: z.array(roleSchema),
  isDemo: z.boolean(),
});
export type MeResponse = z.infer<typeof meResponseSchema>;

// ---- sync -------------------------------------------------------------------

export const pushBodySchema = z.object({
  protocolVersion: z.number().int().positive(),
  /** Raw mutations: each is validated on its own so one bad entry cannot block the rest. */
  mutations: z.array(z.unknown()).min(1).max(LIMITS.mutationsPerPush),
});

export const mutationResultSchema = z.discriminatedUnion('status', [
  z.object({ id: z.string(), status: z.literal('applied'), contentId: publicIdSchema.optional() }),
  z.object({ id: z.string(), status: z.literal('duplicate'), contentId: publicIdSchema.optional() }),
  z.object({
    id: z.string(),
    status: z.literal('rejected'),
    reason: z.object({ code: z.string(), message: z.string() }),
  }),
]);
export type MutationResult = z.infer<typeof mutationResultSchema>;

export const pushResponseSchema = z.object({ results: z.array(mutationResultSchema) });
export type PushResponse = z.infer<typeof pushResponseSchema>;

export const pullQuerySchema = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.pullPageMax).optional(),
});

export const ownVoteSchema = z.object({
  itemId: publicIdSchema,
  itemKind: itemKindSchema,
  value: voteValueSchema,
});
export type OwnVote = z.infer<typeof ownVoteSchema>;

export const pullResponseSchema = z.object({
  cursor: z.string(),
  hasMore: z.boolean(),
  /** Public documents changed since the cursor (released batches only). */
  docs: z.array(publicDocSchema),
  /** Ids of public documents deleted since the cursor. */
  deleted: z.array(z.string()),
  /** The caller's own current votes; never anyone else's. */
  ownVotes: z.array(ownVoteSchema),
  /** The caller's own posts accepted but not yet released to others. */
  ownPending: z.array(z.discriminatedUnion('type', [ideaDocSchema, commentDocSchema])),
});
export type PullResponse = z.infer<typeof pullResponseSchema>;

// ---- admin ------------------------------------------------------------------

export const importInvitesBodySchema = z.object({
  csv: z.string().min(1).max(2_000_000),
  role: roleSchema.default('participant'),
  sendEmails: z.boolean().default(true),
});
export const importInvitesResponseSchema = z.object({
  invited: z.number().int(),
  alreadyInvited: z.number().int(),
  errors: z.array(z.object({ line: z.number().int(), message: z.string() })),
});
export type ImportInvitesResponse = z.infer<typeof importInvitesResponseSchema>;

export const mutationIdParamSchema = z.object({ id: mutationIdSchema });
