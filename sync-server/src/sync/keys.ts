/**
 * Every document id the sync path writes is derived here, as a keyed HMAC of the
 * mutation (and its author), so that a retry after a crash finds the same documents and
 * nobody without the server secret can compute or order them.
 */
import crypto from 'node:crypto';
import type { Secrets } from '../secrets.js';

/** Receipt of one mutation of one account; the id does not reveal the account. */
export const receiptDocId = (secrets: Secrets, accountId: string, mutationId: string) =>
  `receipt:${secrets.hmac('receipt', accountId, mutationId)}`;

/**
 * Public id of the idea or comment a create mutation makes: random-looking, not time-ordered,
 * 22 url-safe characters (132 bits). The account is part of the input so two accounts that send
 * the same mutation id can never claim the same content.
 */
export const contentIdFor = (secrets: Secrets, accountId: string, mutationId: string) =>
  secrets.hmac('public-id', accountId, mutationId).slice(0, 22);

/** Lets the author's own devices find their not-yet-released posts. */
export const ownerTagFor = (secrets: Secrets, accountId: string) => secrets.hmac('owner', accountId);

/** The voter of one conversation: never the account id, and not linkable across conversations. */
export const voterFor = (secrets: Secrets, conversationId: string, accountId: string) =>
  secrets.hmac('voter', conversationId, accountId);

export const voteDocId = (voter: string, itemId: string) => `vote:${voter}:${itemId}`;
export const stagedDocId = (contentId: string) => `staged:${contentId}`;
export const vaultDocId = (contentId: string) => `vault:${contentId}`;

// ---- participant features (issue 3): all under the 'owner' key, each with its own label ----

/** One report per (person, item): a second report of the same item by the same person lands here again. */
export const reportDocId = (secrets: Secrets, accountId: string, itemId: string) =>
  `report:${secrets.hmac('owner', 'report', accountId, itemId)}`;

/** One answers document per (person, conversation); re-submitting replaces it. */
export const answersDocId = (secrets: Secrets, accountId: string, conversationId: string) =>
  `answers:${secrets.hmac('owner', 'answers', accountId, conversationId)}`;

/** Drafts are listed per owner by prefix: `draft:<ownerTag>:`. */
export const draftPrefix = (secrets: Secrets, accountId: string) =>
  `draft:${ownerTagFor(secrets, accountId)}:`;
export const draftDocId = (secrets: Secrets, accountId: string, draftId: string) =>
  `${draftPrefix(secrets, accountId)}${draftId}`;

/** Notification preferences of one person (opt-in, off when missing). */
export const settingsDocId = (secrets: Secrets, accountId: string) =>
  `settings:${secrets.hmac('owner', 'settings', accountId)}`;

/**
 * The draftId of the copy kept when a draft.save conflicts: a UUID (version 8, RFC 4122 variant)
 * derived from the mutation id, so a retry of the same mutation finds the same copy.
 */
export function conflictDraftId(mutationId: string): string {
  const bytes = crypto.createHash('sha256').update(`draft-conflict:${mutationId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
