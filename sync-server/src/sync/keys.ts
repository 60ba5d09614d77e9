/**
 * Every document id the sync path writes is derived here. Anything that ties a person to what they
 * did comes from the linking keys (Secrets.link, derived from the linking key): with HUDDLE_SECRET,
 * the data and the backups but not the linking key, none of these ids can be computed from an account
 * (nor a vault entry's from its post), so destroying the linking key at close-out unlinks them for good. Ids derived from a mutation
 * also let a retry after a crash find what an earlier attempt wrote.
 */
import crypto from 'node:crypto';
import type { Secrets } from '../secrets.js';

type KeySecrets = Pick<Secrets, 'link'>;

/** Receipt of one mutation of one account; the id does not reveal the account. */
export const receiptDocId = (secrets: KeySecrets, accountId: string, mutationId: string) =>
  `receipt:${secrets.link('receipt', accountId, mutationId)}`;

/**
 * Public id of the idea or comment a create mutation makes: random-looking, not time-ordered,
 * 22 url-safe characters (132 bits). The account is part of the input so two accounts that send
 * the same mutation id can never claim the same content.
 */
export const contentIdFor = (secrets: KeySecrets, accountId: string, mutationId: string) =>
  secrets.link('public-id', accountId, mutationId).slice(0, 22);

/** The voter of one conversation: never the account id, and not linkable across conversations. */
export const voterFor = (secrets: KeySecrets, conversationId: string, accountId: string) =>
  secrets.link('voter', conversationId, accountId);

/**
 * Votes count per canonical item (a merged idea's votes count on the idea it was merged into). The id
 * does not carry the voter pseudonym: two votes of one person share nothing at rest.
 */
export const voteDocId = (secrets: KeySecrets, voter: string, canonicalItemId: string) =>
  `vote:${secrets.link('vote', voter, canonicalItemId)}`;
/**
 * Where a post (or an author's change to one) waits for the next batch, sealed (pending.ts). Its own
 * linking purpose: a backup taken while the batch waits lists these in the order pushes arrived, and
 * without the linking key none of them can be matched to the public post it becomes.
 */
export const stagedDocId = (secrets: KeySecrets, contentId: string) =>
  `staged:${secrets.link('staged', contentId)}`;
/**
 * A vote waiting for its conversation's next batch (pending.ts): one per (voter, canonical item), sealed,
 * every one the same size. The votes database receives it only at release, in a shuffled bulk write.
 */
export const pendingVoteDocId = (secrets: KeySecrets, voter: string, canonicalItemId: string) =>
  `pending-vote:${secrets.link('pending-vote', voter, canonicalItemId)}`;
/**
 * Where a post's sealed author is kept. Its own linking purpose: without the linking key a vault
 * entry cannot be matched to the public post it belongs to (so the vault's changes feed, which
 * keeps arrival order, says nothing about which post arrived when).
 */
export const vaultDocId = (secrets: KeySecrets, contentId: string) =>
  `vault:${secrets.link('vault-entry', contentId)}`;

/** One report per (person, item): a second report of the same item by the same person lands here again. */
export const reportDocId = (secrets: KeySecrets, accountId: string, itemId: string) =>
  `report:${secrets.link('report', accountId, itemId)}`;

/** One answers document per (person, conversation); re-submitting replaces it. */
export const answersDocId = (secrets: KeySecrets, accountId: string, conversationId: string) =>
  `answers:${secrets.link('answers', accountId, conversationId)}`;

/** One document per (person, draft); found through the person's own change log, never by listing. */
export const draftDocId = (secrets: KeySecrets, accountId: string, draftId: string) =>
  `draft:${secrets.link('draft', accountId, draftId)}`;

/** Notification preferences of one person (opt-in, off when missing). */
export const settingsDocId = (secrets: KeySecrets, accountId: string) =>
  `settings:${secrets.link('settings', accountId)}`;

/** Slot n of a person's own change log (vault database; see own-log.ts). */
export const ownLogSlotId = (secrets: KeySecrets, accountId: string, n: number) =>
  `log:${secrets.link('own-log', accountId, String(n))}`;

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
