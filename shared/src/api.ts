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
  questionnaireIdSchema,
  conversationDocSchema,
} from './documents.js';
import { draftKindSchema } from './mutations.js';
import { mutationIdSchema, publicIdSchema } from './ids.js';
import { LIMITS } from './protocol.js';
import { roleSchema } from './roles.js';
import { padSchema } from './sync/padding.js';

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
    // 8 digits are sent; 6 still pass so that codes mailed before codes grew keep working while they last.
    .pipe(z.string().regex(/^\d{6,8}$/, 'The code is the 8 digits from the e-mail')),
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
  /** The device's pull cursor: where the server starts looking for a free slot in the person's own log. */
  cursor: z.string().max(500).optional(),
  /**
   * The e-mail of the person whose queued changes these are. A session of anyone else is refused with
   * 409 'wrong-person' before anything is applied: queued work is only ever sent by its author.
   */
  person: z.string().max(254).optional(),
  /** Filler that brings every push to a fixed size bucket (sync/padding.ts); read for nothing. */
  pad: padSchema.optional(),
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

export const pushResponseSchema = z.object({
  results: z.array(mutationResultSchema),
  /** Filler that brings every answer to a fixed size bucket (sync/padding.ts). */
  pad: padSchema.optional(),
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

export const pullQuerySchema = z.object({
  cursor: z.string().max(500).optional(),
  /** The app's sync protocol; pulls from apps older than MIN_CLIENT_PROTOCOL answer 409. */
  protocol: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.pullPageMax).optional(),
});

export const ownVoteSchema = z.object({
  itemId: publicIdSchema,
  itemKind: itemKindSchema,
  value: voteValueSchema,
});
export type OwnVote = z.infer<typeof ownVoteSchema>;

/** Where one of my posts stands, for "My activity". Only ever sent to its author. */
export const ownPostStatusSchema = z.enum([
  'visible',
  'hidden',
  'removed',
  'merged',
  'withdrawn',
  'edited-by-moderator',
  'pending-release',
]);
export type OwnPostStatus = z.infer<typeof ownPostStatusSchema>;

export const ownPostSchema = z.object({
  contentId: publicIdSchema,
  kind: itemKindSchema,
  conversationId: publicIdSchema,
  status: ownPostStatusSchema,
  /** For a comment: the idea it belongs to. */
  ideaId: publicIdSchema.optional(),
  /** When merged: the idea it now lives in. */
  mergedInto: publicIdSchema.optional(),
  /** When hidden or removed: the moderators' reason, if they gave one. */
  reason: z.string().optional(),
  /** An edit or withdrawal of a released post waits for the next batch release. */
  changePending: z.boolean().optional(),
});
export type OwnPost = z.infer<typeof ownPostSchema>;

/** A draft as its author's devices see it (private: never published, never released). */
export const ownDraftSchema = z.object({
  draftId: z.uuid(),
  draftKind: draftKindSchema,
  conversationId: publicIdSchema,
  streamId: publicIdSchema.optional(),
  ideaId: publicIdSchema.optional(),
  title: z.string().optional(),
  body: z.string(),
  /** Send this back as baseVersion when saving the draft again. */
  version: z.string(),
  /** Set on a copy the server kept because two devices edited the same draft offline. */
  conflictOf: z.uuid().optional(),
});
export type OwnDraft = z.infer<typeof ownDraftSchema>;

export const ownAnswersSchema = z.object({
  conversationId: publicIdSchema,
  answers: z.record(questionnaireIdSchema, questionnaireIdSchema),
});
export type OwnAnswers = z.infer<typeof ownAnswersSchema>;

export const ownSettingsSchema = z.object({ commentDigest: z.boolean() });
export type OwnSettings = z.infer<typeof ownSettingsSchema>;

/**
 * The caller's own state that changed since their cursor (from any of their devices): never anyone
 * else's. With no cursor it is everything they have (a new device). Only ever sent to its owner.
 */
export const ownChangesSchema = z.object({
  /** Current votes on the items whose vote changed (a merged idea's vote is on the idea it went into). */
  votes: z.array(ownVoteSchema).default([]),
  /** Posts of the caller that are new or changed, with their current status. */
  posts: z.array(ownPostSchema).default([]),
  /** The caller's own posts accepted but not yet released to others, as they will be released. */
  pending: z.array(z.discriminatedUnion('type', [ideaDocSchema, commentDocSchema])).default([]),
  /** Drafts saved on any of the caller's devices. */
  drafts: z.array(ownDraftSchema).default([]),
  /** Drafts posted or discarded on another device. */
  deletedDrafts: z.array(z.string()).default([]),
  /** Questionnaire answers, one entry per conversation answered. */
  answers: z.array(ownAnswersSchema).default([]),
  /** Notification settings, when they changed. */
  settings: ownSettingsSchema.optional(),
  /** Items the caller reported. */
  reported: z.array(publicIdSchema).default([]),
});
export type OwnChanges = z.infer<typeof ownChangesSchema>;

export const pullResponseSchema = z.object({
  cursor: z.string(),
  hasMore: z.boolean(),
  /** Public documents changed since the cursor (released batches only). */
  docs: z.array(publicDocSchema),
  /** Ids of public documents deleted since the cursor. */
  deleted: z.array(z.string()),
  own: ownChangesSchema,
  /** Filler that brings the own part to a fixed size bucket (sync/padding.ts padPullAnswer). */
  pad: padSchema.optional(),
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

export const conversationIdParamSchema = z.object({ id: publicIdSchema });
export const setConversationStatusBodySchema = z.object({ status: z.enum(['live', 'closed']) });
export const setConversationStatusResponseSchema = z.object({
  id: publicIdSchema,
  status: z.enum(['draft', 'live', 'closed']),
});
/** k of the batch release: a conversation's changes reach others once this many people took part. */
export const setReleaseMinContributorsBodySchema = z.object({
  releaseMinContributors: conversationDocSchema.shape.releaseMinContributors.unwrap(),
});
export const setReleaseMinContributorsResponseSchema = z.object({
  id: publicIdSchema,
  releaseMinContributors: z.number().int(),
});

// ---- text warnings -------------------------------------------------------------

/** GET /api/text/roster-hashes: the staff roster as a salted hash set (shared/src/text/roster.ts). */
export const rosterHashesResponseSchema = z.object({
  salt: z.string().min(8).max(100),
  hashes: z.array(z.string().regex(/^[0-9a-f]{8}$/)).max(500_000),
});
export type RosterHashesResponse = z.infer<typeof rosterHashesResponseSchema>;

// ---- web push -------------------------------------------------------------------

/** GET /api/push/public-key: the server's VAPID public key (base64url, uncompressed P-256 point). */
export const pushPublicKeyResponseSchema = z.object({
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{80,100}$/),
});
export type PushPublicKeyResponse = z.infer<typeof pushPublicKeyResponseSchema>;

/** A browser's PushSubscription.toJSON(); the endpoint is the push service's URL for this device. */
export const pushSubscriptionSchema = z.object({
  endpoint: z.url().max(2000),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/, 'p256dh must be a base64url P-256 public key'),
    auth: z.string().regex(/^[A-Za-z0-9_-]{16,32}={0,2}$/, 'auth must be a base64url secret'),
  }),
});
export type PushSubscriptionJson = z.infer<typeof pushSubscriptionSchema>;
export const pushSubscribeBodySchema = z.object({ subscription: pushSubscriptionSchema });
export const pushUnsubscribeBodySchema = z.object({ endpoint: z.url().max(2000) });
export const pushOkResponseSchema = z.object({ ok: z.literal(true) });

// ---- daily notice ---------------------------------------------------------------

/**
 * When an author's edit or withdrawal of a post others can already see reaches them (the server's
 * EDIT_RELEASE): 'daily', at the first release after the notice time, with the day's other changes;
 * 'every-batch', with the conversation's next batch (once a few more colleagues have taken part).
 */
export const editReleaseSchema = z.enum(['daily', 'every-batch']);
export type EditRelease = z.infer<typeof editReleaseSchema>;

/**
 * GET /api/notices/schedule: when the daily notice goes, for the opt-in to say so. One time for
 * everyone ("HH:MM", 24-hour, in the IANA zone given). Also when edits of published posts go out,
 * for the edit and withdraw screens to say so.
 */
export const noticeScheduleResponseSchema = z.object({
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  timeZone: z.string().min(1).max(64),
  editRelease: editReleaseSchema,
});
export type NoticeScheduleResponse = z.infer<typeof noticeScheduleResponseSchema>;
