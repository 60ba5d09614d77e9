/**
 * Login codes, one document per account in the accounts database (`login-challenge:<accountId>`).
 * Each e-mail carries an 8-digit code and a 32-byte link token, both stored only as HMACs. Verify
 * still takes 6 to 8 digits (shared/src/api.ts): codes mailed before codes grew from 6 digits
 * keep working for the rest of their lifetime.
 *
 * Nobody can burn or cancel someone else's usable code:
 * - Asking for a code never voids one already sent: every code and link sent works on its own
 *   until it expires or until any of them is used (using one ends the others).
 * - At most MAX_SENDS_PER_WINDOW codes go to one address per code lifetime
 *   (LOGIN_CODE_MINUTES): so whenever someone has spent an address's sends, the last code sent
 *   to it is still live, in its owner's mailbox.
 * - At most MAX_WRONG_CODES_PER_WINDOW wrong codes are checked per address per code lifetime;
 *   past that, codes for the address are refused until the window moves on. Links are never
 *   affected: a link token is 256 random bits, there is nothing to guess, so the e-mailed link
 *   works whatever anyone else sends.
 *
 * Guessing: a guess matches one of at most MAX_SENDS_PER_WINDOW live codes, so over one code
 * lifetime an attacker gets at most 5 guesses, each with a chance of at most 3 in 10^8:
 * at most 1.5 in 10^7 per address per 30 minutes (5 in 10^8 for one given code over its life).
 *
 * Known and unknown addresses take the same work on verify (one account read, one read of a
 * codes document, one HMAC, one write): an unknown address goes through the same steps on one
 * of 256 stand-in codes documents (`login-challenge:decoy-<n>`) instead of an account's. The counters live in documents, so they hold across instances.
 * A link token finds its account through `login-link:<token HMAC>` (the link carries no address).
 */
import crypto from 'node:crypto';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import {
  loginChallengeDocSchema,
  type AccountDoc,
  type LoginChallengeDoc,
  type LoginCodeEntry,
} from '../../../shared/src/documents.js';
import type { Deps } from '../deps.js';
import { ConflictError, type WithRev } from '../storage/port.js';
import { findAccountById } from './accounts.js';
import { DEMO_LOGINS } from './demo-logins.js';

export const MAX_SENDS_PER_WINDOW = 3;
export const MAX_WRONG_CODES_PER_WINDOW = 5;
/** Digits in every code sent now (login-mail.ts checks it: every login mail has the same size). */
export const LOGIN_CODE_DIGITS = 8;
const DECOY_BUCKETS = 256;

type CodeDeps = Pick<Deps, 'config' | 'storage' | 'secrets' | 'now'>;

export const challengeDocId = (accountId: string) => `login-challenge:${accountId}`;
const linkPointerId = (linkTokenHash: string) => `login-link:${linkTokenHash}`;
const hashCode = (deps: CodeDeps, accountId: string, code: string) =>
  deps.secrets.hmac('login-code', 'code', accountId, code);
const hashLinkToken = (deps: CodeDeps, token: string) => deps.secrets.hmac('login-code', 'link', token);
/** The window for both per-address limits: one code lifetime. */
const windowMs = (deps: CodeDeps) => deps.config.loginCodeMinutes * 60_000;
const newCode = () => String(crypto.randomInt(0, 10 ** LOGIN_CODE_DIGITS)).padStart(LOGIN_CODE_DIGITS, '0');

function safeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export interface IssuedChallenge {
  code: string;
  token: string;
  expiresAt: Date;
}

type Challenge = WithRev<LoginChallengeDoc>;

/**
 * The account's codes document, in today's shape. A document written before several codes could
 * be live (one `codeHash` at the top) becomes one live entry, unless it was used or guessed out.
 */
async function readChallenge(deps: CodeDeps, accountId: string): Promise<Challenge | undefined> {
  const raw = await deps.storage
    .db('accounts')
    .get<Record<string, unknown> & LoginChallengeDoc>(challengeDocId(accountId));
  if (!raw || Array.isArray(raw.live)) return raw;
  const old = raw as unknown as {
    codeHash: string;
    linkTokenHash: string;
    expiresAt: string;
    attempts: number;
    usedAt?: string;
    recentSends?: string[];
  };
  const isLive = !old.usedAt && old.attempts < MAX_WRONG_CODES_PER_WINDOW;
  const sentAt = old.recentSends?.at(-1) ?? deps.now().toISOString();
  return {
    _id: raw._id,
    _rev: raw._rev,
    type: 'login-challenge',
    schemaVersion: SCHEMA_VERSION,
    accountId,
    live: isLive
      ? [{ codeHash: old.codeHash, linkTokenHash: old.linkTokenHash, sentAt, expiresAt: old.expiresAt }]
      : [],
    recentSends: old.recentSends ?? [],
    recentWrongCodes: [],
    ...(old.usedAt ? { usedAt: old.usedAt } : {}),
  };
}

const isUnexpired = (e: LoginCodeEntry, now: Date) => new Date(e.expiresAt) > now;
const within = (times: string[], now: Date, ms: number) =>
  times.filter((t) => now.getTime() - new Date(t).getTime() < ms);

/** The document to write: the given fields over the current one, expired codes dropped. */
function nextChallenge(
  deps: CodeDeps,
  accountId: string,
  existing: Challenge | undefined,
  change: Partial<Pick<LoginChallengeDoc, 'live' | 'recentSends' | 'recentWrongCodes' | 'usedAt'>>,
): LoginChallengeDoc {
  const now = deps.now();
  const ms = windowMs(deps);
  return loginChallengeDocSchema.parse({
    _id: challengeDocId(accountId),
    ...(existing ? { _rev: existing._rev } : {}),
    type: 'login-challenge',
    schemaVersion: SCHEMA_VERSION,
    accountId,
    live: (change.live ?? existing?.live ?? []).filter((e) => isUnexpired(e, now)),
    recentSends: within(change.recentSends ?? existing?.recentSends ?? [], now, ms),
    recentWrongCodes: within(change.recentWrongCodes ?? existing?.recentWrongCodes ?? [], now, ms),
    ...((change.usedAt ?? existing?.usedAt) ? { usedAt: change.usedAt ?? existing?.usedAt } : {}),
  } satisfies LoginChallengeDoc);
}

/**
 * A fresh code and link for the account; every code already sent keeps working. 'limited' if the
 * address already had MAX_SENDS_PER_WINDOW within one code lifetime (its last one is still live).
 */
export async function issueLoginChallenge(
  deps: CodeDeps,
  account: Pick<AccountDoc, 'accountId'>,
  validForMs: number,
): Promise<IssuedChallenge | 'limited'> {
  const db = deps.storage.db('accounts');
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = deps.now();
    const existing = await readChallenge(deps, account.accountId);
    const recentSends = within(existing?.recentSends ?? [], now, windowMs(deps));
    if (recentSends.length >= MAX_SENDS_PER_WINDOW) return 'limited';
    const code = newCode();
    const token = crypto.randomBytes(32).toString('base64url');
    const linkTokenHash = hashLinkToken(deps, token);
    const expiresAt = new Date(now.getTime() + validForMs);
    const entry: LoginCodeEntry = {
      codeHash: hashCode(deps, account.accountId, code),
      linkTokenHash,
      sentAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
    };
    const doc = nextChallenge(deps, account.accountId, existing, {
      live: [...(existing?.live ?? []), entry],
      recentSends: [...recentSends, now.toISOString()],
    });
    // Pointer first: if the codes write then fails, the pointer leads to a hash that is not live.
    await db.create({
      _id: linkPointerId(linkTokenHash),
      type: 'login-link',
      schemaVersion: SCHEMA_VERSION,
      accountId: account.accountId,
    });
    try {
      await db.put(doc);
    } catch (err) {
      await removeQuietly(deps, linkPointerId(linkTokenHash));
      if (err instanceof ConflictError) continue;
      throw err;
    }
    await removePointers(deps, droppedEntries(existing, doc));
    return { code, token, expiresAt };
  }
  throw new Error('login codes kept conflicting');
}

/**
 * The same work as issueLoginChallenge up to its writes, for an address with no account: the
 * request is answered before any of it, so this only keeps the server's load alike.
 */
export async function issueNothing(deps: CodeDeps, email: string): Promise<void> {
  const stand = deps.secrets.hmac('login-code', 'decoy', email);
  await readChallenge(deps, stand);
  hashCode(deps, stand, newCode());
  hashLinkToken(deps, crypto.randomBytes(32).toString('base64url'));
}

const droppedEntries = (before: LoginChallengeDoc | undefined, after: LoginChallengeDoc) =>
  (before?.live ?? []).filter((e) => !after.live.some((l) => l.linkTokenHash === e.linkTokenHash));

/**
 * Checks a code typed for an address and answers whether it is one of the account's live codes
 * (or, in demo mode only, a demo account's fixed code). Every check is counted before its answer,
 * parallel checks too; a right code ends every code and link of the account.
 * `account` is undefined for an unknown address (or one that may not log in): the very same
 * steps then run on a stand-in codes document (one of DECOY_BUCKETS, shaped like an account's,
 * with a live entry no code can match), and nothing can match.
 */
export async function checkLoginCode(
  deps: CodeDeps,
  email: string,
  account: AccountDoc | undefined,
  code: string,
): Promise<boolean> {
  if (account && deps.config.isDemo && account.isDemo) {
    const demo = DEMO_LOGINS.find((l) => l.email === account.email);
    if (demo && safeEqual(demo.code, code)) return true;
  }
  const standIn = deps.secrets.hmac('login-code', 'decoy', email);
  const accountId =
    account?.accountId ?? `decoy-${((standIn.charCodeAt(0) << 8) | standIn.charCodeAt(1)) % DECOY_BUCKETS}`;
  const db = deps.storage.db('accounts');
  for (let attempt = 0; attempt < 10; attempt++) {
    const now = deps.now();
    const existing = await readChallenge(deps, accountId);
    const typed = hashCode(deps, accountId, code);
    const wrong = within(existing?.recentWrongCodes ?? [], now, windowMs(deps));
    const isGuessedOut = wrong.length >= MAX_WRONG_CODES_PER_WINDOW;
    // Compared with every live code, always, so the time does not say how many there are or which matched.
    let isMatch = false;
    for (const e of existing?.live ?? [])
      if (safeEqual(e.codeHash, typed) && isUnexpired(e, now)) isMatch = true;
    const isRight = isMatch && !isGuessedOut && account !== undefined;
    const doc = isRight
      ? nextChallenge(deps, accountId, existing, { live: [], usedAt: now.toISOString() })
      : nextChallenge(deps, accountId, existing, {
          // Past the bound the list stops growing, but the write still happens (same work).
          recentWrongCodes: isGuessedOut ? wrong : [...wrong, now.toISOString()],
          ...(account ? {} : { live: standInEntries(existing, now, windowMs(deps)) }),
        });
    try {
      await db.put(doc);
    } catch (err) {
      if (err instanceof ConflictError) continue;
      throw err;
    }
    if (isRight) await removePointers(deps, existing?.live ?? []);
    return isRight;
  }
  return false;
}

/** A stand-in's live entry: random hashes (no code hashes to them, no link points at them), kept fresh. */
function standInEntries(existing: Challenge | undefined, now: Date, lifetimeMs: number): LoginCodeEntry[] {
  const live = (existing?.live ?? []).filter((e) => isUnexpired(e, now));
  if (live.length > 0) return live;
  const random = () => crypto.randomBytes(32).toString('base64url');
  return [
    {
      codeHash: random(),
      linkTokenHash: random(),
      sentAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + lifetimeMs).toISOString(),
    },
  ];
}

async function liveChallengeForLink(deps: CodeDeps, token: string) {
  if (!/^[A-Za-z0-9_-]{20,200}$/.test(token)) return undefined;
  const hash = hashLinkToken(deps, token);
  const db = deps.storage.db('accounts');
  const pointer = await db.get<{ _id: string; accountId: string }>(linkPointerId(hash));
  if (!pointer) return undefined;
  const challenge = await readChallenge(deps, pointer.accountId);
  const now = deps.now();
  const isLive = challenge?.live.some((e) => safeEqual(e.linkTokenHash, hash) && isUnexpired(e, now));
  return challenge && isLive ? { challenge, hash } : undefined;
}

/** Read-only: would this link still log someone in? (GET never uses a link up: mail scanners open links.) */
export async function isLoginLinkUsable(deps: CodeDeps, token: string): Promise<boolean> {
  return Boolean(await liveChallengeForLink(deps, token));
}

/** Uses the link up (ending every code of its account) and answers its account, or undefined. */
export async function consumeLoginLink(deps: CodeDeps, token: string): Promise<AccountDoc | undefined> {
  const found = await liveChallengeForLink(deps, token);
  if (!found) return undefined;
  const account = await findAccountById(deps, found.challenge.accountId);
  if (!account) return undefined;
  const isUsed = await endAll(deps, found.challenge.accountId, (c) =>
    c.live.some((e) => safeEqual(e.linkTokenHash, found.hash) && isUnexpired(e, deps.now())),
  );
  return isUsed ? account : undefined;
}

/** Any unused code or link of the account stops working (revoked access). */
export async function killLoginChallenge(deps: CodeDeps, accountId: string): Promise<void> {
  await endAll(deps, accountId, (c) => c.live.length > 0);
}

/** Ends every code of the account, once, if `isStillUsable` holds; false if another request got there first. */
async function endAll(
  deps: CodeDeps,
  accountId: string,
  isStillUsable: (c: Challenge) => boolean,
): Promise<boolean> {
  const db = deps.storage.db('accounts');
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await readChallenge(deps, accountId);
    if (!current || !isStillUsable(current)) return false;
    try {
      await db.put(nextChallenge(deps, accountId, current, { live: [], usedAt: deps.now().toISOString() }));
    } catch (err) {
      if (err instanceof ConflictError) continue;
      throw err;
    }
    await removePointers(deps, current.live);
    return true;
  }
  return false;
}

async function removePointers(deps: CodeDeps, entries: LoginCodeEntry[]): Promise<void> {
  for (const e of entries) await removeQuietly(deps, linkPointerId(e.linkTokenHash));
}

async function removeQuietly(deps: CodeDeps, id: string): Promise<void> {
  const db = deps.storage.db('accounts');
  const doc = await db.get(id);
  if (doc) await db.remove(id, doc._rev).catch(() => undefined);
}
