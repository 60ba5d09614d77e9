/**
 * What waits for a batch, as it is stored: sealed, under ids only the linking key makes, and padded so
 * that every document of one kind has the same size.
 *
 * A backup of the private database taken while a batch waits (a nightly copy at 03:00, when the night's
 * few contributions wait for k people) lists these documents in the order the pushes arrived. Lined up
 * with the Trust's proxy log of which device pushed when, clear documents would tie each waiting post
 * (its text) and each waiting vote (item and value) to a device, hence a person. Sealed, same-sized and
 * under opaque ids they say only "this device sent a post" or "a vote", which the release then hides
 * among at least k people of the same kind (release-plan.ts). The releaser opens them with the linking
 * key, publishes them in shuffled order and purges them.
 *
 * Sizes: a staged post is padded to a multiple of STAGED_BUCKET_BYTES, which holds any single post with
 * its pending change at the maximum lengths (padding.test covers it); a pending vote to one
 * PENDING_VOTE_BUCKET_BYTES. The padding is inside the ciphertext (spaces after the JSON), so the
 * stored size says nothing about the words.
 */
import { z } from 'zod';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import {
  itemKindSchema,
  stagedDocSchema,
  voteValueSchema,
  type StagedDoc,
} from '../../../shared/src/documents.js';
import { paddedSize, utf8Bytes } from '../../../shared/src/sync/padding.js';
import type { Secrets } from '../secrets.js';
import type { StoredDoc } from '../storage/port.js';
import { pendingVoteDocId, stagedDocId } from './keys.js';
import { openValue, sealedSchema, sealValue } from './seal.js';

type PendingSecrets = Pick<Secrets, 'link' | 'vaultKey' | 'vaultKeyId'>;

/**
 * An idea at its maximum title and body in a 3-byte script is about 15.5 KB; an edit carries the new
 * text twice (the document and the change to apply at release): about 31 KB with the JSON around it.
 */
export const STAGED_BUCKET_BYTES = 32 * 1024;
export const PENDING_VOTE_BUCKET_BYTES = 512;

const sealedDocSchema = z.object({
  _id: z.string(),
  _rev: z.string().optional(),
  type: z.enum(['staged', 'pending-vote']),
  schemaVersion: z.number(),
  sealed: sealedSchema,
});

function pad(json: string, bucket: number): string {
  const bytes = utf8Bytes(json);
  return json + ' '.repeat(paddedSize(bytes, bucket) - bytes);
}

function seal(
  secrets: PendingSecrets,
  id: string,
  type: 'staged' | 'pending-vote',
  body: unknown,
  bucket: number,
) {
  return {
    _id: id,
    type,
    schemaVersion: SCHEMA_VERSION,
    sealed: sealValue(secrets, id, pad(JSON.stringify(body), bucket)),
  };
}

function open(secrets: PendingSecrets, stored: unknown, type: 'staged' | 'pending-vote'): unknown {
  const parsed = sealedDocSchema.safeParse(stored);
  if (!parsed.success || parsed.data.type !== type) return undefined;
  const text = openValue(secrets, parsed.data._id, parsed.data.sealed);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The stored form of a staged post: `staged` keeps its shape in memory, its id is stagedDocId. */
export function sealStaged(secrets: PendingSecrets, staged: Omit<StagedDoc, '_id' | '_rev'>): StoredDoc {
  const id = stagedDocId(secrets, staged.doc.id);
  const { doc, change } = staged;
  return seal(secrets, id, 'staged', { doc, ...(change ? { change } : {}) }, STAGED_BUCKET_BYTES);
}

/** The staged post in a stored document, or undefined (absent, another key, not a staged post). */
export function openStaged(secrets: PendingSecrets, stored: StoredDoc | undefined): StagedDoc | undefined {
  if (!stored) return undefined;
  const body = open(secrets, stored, 'staged');
  if (body === undefined) return undefined;
  const parsed = stagedDocSchema.safeParse({
    ...(body as object),
    _id: stored._id,
    ...(stored._rev ? { _rev: stored._rev } : {}),
    type: 'staged',
    schemaVersion: SCHEMA_VERSION,
  });
  return parsed.success ? parsed.data : undefined;
}

export const pendingVoteSchema = z.object({
  /** The id the vote will have in the votes database (voteDocId). */
  voteId: z.string(),
  voter: z.string(),
  conversationId: z.string(),
  itemId: z.string(),
  itemKind: itemKindSchema,
  value: voteValueSchema,
});
export type PendingVote = z.infer<typeof pendingVoteSchema>;

export function sealPendingVote(secrets: PendingSecrets, vote: PendingVote): StoredDoc {
  return seal(
    secrets,
    pendingVoteDocId(secrets, vote.voter, vote.itemId),
    'pending-vote',
    vote,
    PENDING_VOTE_BUCKET_BYTES,
  );
}

export function openPendingVote(
  secrets: PendingSecrets,
  stored: StoredDoc | undefined,
): PendingVote | undefined {
  if (!stored) return undefined;
  const parsed = pendingVoteSchema.safeParse(open(secrets, stored, 'pending-vote'));
  // Bound to its id: a document copied under another id does not open (AAD), nor one for another vote.
  return parsed.success && pendingVoteDocId(secrets, parsed.data.voter, parsed.data.itemId) === stored._id
    ? parsed.data
    : undefined;
}
