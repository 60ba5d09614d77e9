/**
 * Every document id the sync path writes is derived here, as a keyed HMAC of the
 * mutation (and its author), so that a retry after a crash finds the same documents and
 * nobody without the server secret can compute or order them.
 */
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
