/**
 * Every stored document kind, one zod schema each. Types come from the schemas.
 * Public documents (conversation, stream, idea, comment, tally) are what clients
 * receive; nothing in them identifies a person. Private, vault and vote documents
 * never leave the server (a person's own votes are sent as OwnVote, not as documents).
 */
import { z } from 'zod';
import { coarseTimeSchema, publicIdSchema } from './ids.js';
import { roleSchema } from './roles.js';
import { LIMITS, SCHEMA_VERSION } from './protocol.js';
import { stripBidiControls } from './text/bidi.js';

/** Public text as read: never with bidi override or isolate controls (text/bidi.ts), whenever it was stored. */
const shownText = (max: number) => z.string().max(max).transform(stripBidiControls);

const base = {
  _id: z.string(),
  _rev: z.string().optional(),
  schemaVersion: z.literal(SCHEMA_VERSION),
};

export const conversationStatusSchema = z.enum(['draft', 'live', 'closed']);

/** Ids inside a questionnaire (question and option ids): short slugs chosen by the organisers. */
export const questionnaireIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be a short slug');

/** Optional "about you" questions, configured per conversation; answers only ever leave as grouped counts. */
export const questionnaireSchema = z
  .array(
    z.object({
      id: questionnaireIdSchema,
      label: z.string().min(1).max(200),
      options: z
        .array(z.object({ id: questionnaireIdSchema, label: z.string().min(1).max(200) }))
        .min(2)
        .max(50),
    }),
  )
  .max(10);
export type Questionnaire = z.infer<typeof questionnaireSchema>;

export const conversationDocSchema = z.object({
  ...base,
  type: z.literal('conversation'),
  id: publicIdSchema,
  title: shownText(200).pipe(z.string().min(1)),
  description: shownText(5000),
  status: conversationStatusSchema,
  opensAt: z.iso.datetime().optional(),
  closesAt: z.iso.datetime().optional(),
  questionnaire: questionnaireSchema.optional(),
  /**
   * k of the k-anonymous batch release: this conversation's new posts, edits, withdrawals and tally
   * changes reach other people only once they hold contributions from at least this many distinct
   * people (absent: RELEASE_MIN_CONTRIBUTORS_DEFAULT). See sync-server/src/sync/release-plan.ts.
   */
  releaseMinContributors: z.number().int().min(1).max(100).optional(),
});

/** k when a conversation does not set releaseMinContributors. */
export const RELEASE_MIN_CONTRIBUTORS_DEFAULT = 3;

export const releaseMinContributorsOf = (conversation: { releaseMinContributors?: number | undefined }) =>
  conversation.releaseMinContributors ?? RELEASE_MIN_CONTRIBUTORS_DEFAULT;

export const streamDocSchema = z.object({
  ...base,
  type: z.literal('stream'),
  id: publicIdSchema,
  conversationId: publicIdSchema,
  title: shownText(200).pipe(z.string().min(1)),
  description: shownText(2000),
  order: z.number().int(),
});

/** 'withdrawn': the author took it back; it stays as a tombstone with empty text so references keep working. */
export const contentStatusSchema = z.enum(['visible', 'hidden', 'removed', 'merged', 'withdrawn']);
export type ContentStatus = z.infer<typeof contentStatusSchema>;

/** The guideline a report says a post breaks. */
export const guidelineSchema = z.enum(['names-someone', 'abusive', 'off-topic', 'other']);
export type Guideline = z.infer<typeof guidelineSchema>;

export const ideaDocSchema = z.object({
  ...base,
  type: z.literal('idea'),
  id: publicIdSchema,
  conversationId: publicIdSchema,
  streamId: publicIdSchema,
  /** Empty only for a withdrawn tombstone (mutations enforce the minimum). */
  title: shownText(LIMITS.ideaTitleMax),
  body: shownText(LIMITS.ideaBodyMax),
  createdHour: coarseTimeSchema,
  /** Set when the author edited it; coarse like every public time. */
  editedHour: coarseTimeSchema.optional(),
  status: contentStatusSchema,
  editedByModerator: z.boolean().optional(),
  /** When status is 'merged': the idea it was merged into. */
  mergedInto: publicIdSchema.optional(),
  /** When hidden/removed by moderators: the guideline reason shown to readers and the author. */
  moderationReason: z.string().max(500).optional(),
});

export const commentDocSchema = z.object({
  ...base,
  type: z.literal('comment'),
  id: publicIdSchema,
  conversationId: publicIdSchema,
  ideaId: publicIdSchema,
  /** Empty only for a withdrawn tombstone (mutations enforce the minimum). */
  body: shownText(LIMITS.commentBodyMax),
  createdHour: coarseTimeSchema,
  editedHour: coarseTimeSchema.optional(),
  status: contentStatusSchema,
  editedByModerator: z.boolean().optional(),
  moderationReason: z.string().max(500).optional(),
});

export const itemKindSchema = z.enum(['idea', 'comment']);
export type ItemKind = z.infer<typeof itemKindSchema>;

/** Released vote counts for one idea or comment; rewritten at each batch release. */
export const tallyDocSchema = z.object({
  ...base,
  type: z.literal('tally'),
  itemId: publicIdSchema,
  itemKind: itemKindSchema,
  conversationId: publicIdSchema,
  likes: z.number().int().nonnegative(),
  dislikes: z.number().int().nonnegative(),
});

export const publicDocSchema = z.discriminatedUnion('type', [
  conversationDocSchema,
  streamDocSchema,
  ideaDocSchema,
  commentDocSchema,
  tallyDocSchema,
]);

export type ConversationDoc = z.infer<typeof conversationDocSchema>;
export type StreamDoc = z.infer<typeof streamDocSchema>;
export type IdeaDoc = z.infer<typeof ideaDocSchema>;
export type CommentDoc = z.infer<typeof commentDocSchema>;
export type TallyDoc = z.infer<typeof tallyDocSchema>;
export type PublicDoc = z.infer<typeof publicDocSchema>;

// ---- private database -------------------------------------------------------

export const accountDocSchema = z.object({
  ...base,
  type: z.literal('account'),
  /** Random, never derived from the e-mail. Never sent to any client. */
  accountId: z.string().min(16),
  email: z.email(),
  /** Used only to detect posts that name staff; never shown. */
  name: z.string().max(200).optional(),
  roles: z.array(roleSchema).min(1),
  status: z.enum(['invited', 'active', 'disabled']),
  invitedAt: z.iso.datetime(),
  isDemo: z.boolean().optional(),
});

/** One code and link sent by e-mail: each works on its own until it expires or any of them is used. */
export const loginCodeEntrySchema = z.object({
  codeHash: z.string(),
  linkTokenHash: z.string(),
  sentAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});

/**
 * An account's login codes (auth/login-codes.ts). Asking for a code never voids one already sent:
 * `live` holds every code and link sent and not yet expired or used; using any one ends them all.
 */
export const loginChallengeDocSchema = z.object({
  ...base,
  type: z.literal('login-challenge'),
  accountId: z.string(),
  live: z.array(loginCodeEntrySchema),
  /** Send times within the current window, for the per-address send limit. */
  recentSends: z.array(z.iso.datetime()),
  /** Wrong codes tried within the current window, for the per-address bound on guessing. */
  recentWrongCodes: z.array(z.iso.datetime()),
  /** When a code or link of this account was last used. */
  usedAt: z.iso.datetime().optional(),
});

export const sessionDocSchema = z.object({
  ...base,
  type: z.literal('session'),
  accountId: z.string(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().optional(),
});

/**
 * Content accepted but not yet released to other people (timing protection). Nothing in it names
 * its author: the author's devices find it through their own change log (vault database).
 */
export const stagedDocSchema = z.object({
  ...base,
  type: z.literal('staged'),
  doc: z.discriminatedUnion('type', [ideaDocSchema, commentDocSchema]),
  /**
   * Set when the author edited or withdrew the post: the releaser applies this change to the
   * released document (or, if the post was never released, releases `doc` as it stands).
   */
  change: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('edit'), title: z.string().optional(), body: z.string() }),
      z.object({ kind: z.literal('withdraw') }),
    ])
    .optional(),
});

/**
 * Mutation outcome by link(account, mutation id): no account id and no content id is stored (a
 * replay computes the content id again from the mutation; see sync-server/src/sync/effects/).
 */
export const receiptDocSchema = z.object({
  ...base,
  type: z.literal('receipt'),
  status: z.enum(['applied', 'rejected']),
  reason: z.object({ code: z.string(), message: z.string() }).optional(),
  note: z.literal('conflict-copy').optional(),
});

export type AccountDoc = z.infer<typeof accountDocSchema>;
export type LoginChallengeDoc = z.infer<typeof loginChallengeDocSchema>;
export type LoginCodeEntry = z.infer<typeof loginCodeEntrySchema>;
export type SessionDoc = z.infer<typeof sessionDocSchema>;
export type StagedDoc = z.infer<typeof stagedDocSchema>;
export type ReceiptDoc = z.infer<typeof receiptDocSchema>;
export type StagedChange = NonNullable<StagedDoc['change']>;

/** A participant's report of a post; the reporter is only in the id (HMAC of person and item). */
export const reportDocSchema = z.object({
  ...base,
  type: z.literal('report'),
  conversationId: publicIdSchema,
  itemKind: itemKindSchema,
  itemId: publicIdSchema,
  guideline: guidelineSchema,
  note: z.string().max(LIMITS.reportNoteMax).optional(),
  reportedHour: coarseTimeSchema,
  status: z.enum(['open', 'resolved']),
});
export type ReportDoc = z.infer<typeof reportDocSchema>;

/** One person's questionnaire answers for one conversation; only ever read back in aggregate. */
export const answersDocSchema = z.object({
  ...base,
  type: z.literal('answers'),
  conversationId: publicIdSchema,
  answers: z.record(questionnaireIdSchema, questionnaireIdSchema),
});
export type AnswersDoc = z.infer<typeof answersDocSchema>;

/** A synced draft, readable only by its author's sessions (its id derives from the linking key). */
export const draftDocSchema = z.object({
  ...base,
  type: z.literal('draft'),
  draftId: z.uuid(),
  draftKind: itemKindSchema,
  conversationId: publicIdSchema,
  streamId: publicIdSchema.optional(),
  ideaId: publicIdSchema.optional(),
  title: z.string().optional(),
  body: z.string(),
  /** Id of the draft.save that wrote this text. */
  version: z.string(),
  conflictOf: z.uuid().optional(),
});
export type DraftDoc = z.infer<typeof draftDocSchema>;

/** Notification preferences; missing means everything off. `commentDigest`: the daily notice e-mail. */
export const settingsDocSchema = z.object({
  ...base,
  type: z.literal('settings'),
  commentDigest: z.boolean(),
});
export type SettingsDoc = z.infer<typeof settingsDocSchema>;

// ---- vault and votes ---------------------------------------------------------

/** contribution -> author, AES-256-GCM with a key that is never stored in CouchDB. */
export const vaultDocSchema = z.object({
  ...base,
  type: z.literal('vault'),
  keyId: z.string(),
  iv: z.string(),
  tag: z.string(),
  ciphertext: z.string(),
});
export type VaultDoc = z.infer<typeof vaultDocSchema>;

export const voteValueSchema = z.enum(['like', 'dislike', 'none']);
export type VoteValue = z.infer<typeof voteValueSchema>;

/**
 * One per (voter, item), at `vote:<link('vote', voter, item)>` (voter = link(conversation, account) under
 * the linking key). The voter pseudonym itself is only stored sealed, with a fresh IV per document, so
 * nothing at rest groups one person's votes (the releaser opens it to count people). No group attributes.
 */
export const voteDocSchema = z.object({
  ...base,
  type: z.literal('vote'),
  voterSeal: z.object({ keyId: z.string(), iv: z.string(), tag: z.string(), ciphertext: z.string() }),
  conversationId: publicIdSchema,
  itemId: publicIdSchema,
  itemKind: itemKindSchema,
  value: voteValueSchema,
});
export type VoteDoc = z.infer<typeof voteDocSchema>;
