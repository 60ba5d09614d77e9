/**
 * One login challenge per account in the private database (`login-challenge:<accountId>`):
 * a 6-digit code and a 32-byte link token, both stored only as HMACs, single use,
 * expiring, with at most MAX_CODE_ATTEMPTS guesses and MAX_SENDS_PER_HOUR sends per
 * address. The counters live in the document, so they hold across instances.
 * A link token finds its account through `login-link:<token HMAC>` (the link carries no address).
 */
import crypto from 'node:crypto';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import {
  loginChallengeDocSchema,
  type AccountDoc,
  type LoginChallengeDoc,
} from '../../../shared/src/documents.js';
import type { Deps } from '../deps.js';
import { ConflictError, type WithRev } from '../storage/port.js';
import { findAccountById } from './accounts.js';
import { DEMO_LOGINS } from './demo-logins.js';

export const MAX_CODE_ATTEMPTS = 5;
export const MAX_SENDS_PER_HOUR = 5;
const HOUR_MS = 3_600_000;

type CodeDeps = Pick<Deps, 'config' | 'storage' | 'secrets' | 'now'>;

export const challengeDocId = (accountId: string) => `login-challenge:${accountId}`;
const linkPointerId = (linkTokenHash: string) => `login-link:${linkTokenHash}`;
const hashCode = (deps: CodeDeps, accountId: string, code: string) =>
  deps.secrets.hmac('login-code', 'code', accountId, code);
const hashLinkToken = (deps: CodeDeps, token: string) => deps.secrets.hmac('login-code', 'link', token);

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

/**
 * A fresh code and link for the account (the previous ones stop working), unless the
 * address already had MAX_SENDS_PER_HOUR in the last hour: then 'limited'.
 */
export async function issueLoginChallenge(
  deps: CodeDeps,
  account: Pick<AccountDoc, 'accountId'>,
  validForMs: number,
): Promise<IssuedChallenge | 'limited'> {
  const db = deps.storage.db('accounts');
  const id = challengeDocId(account.accountId);
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = deps.now();
    const existing = await db.get<LoginChallengeDoc>(id);
    const recentSends = (existing?.recentSends ?? []).filter(
      (t) => now.getTime() - new Date(t).getTime() < HOUR_MS,
    );
    if (recentSends.length >= MAX_SENDS_PER_HOUR) return 'limited';
    const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
    const token = crypto.randomBytes(32).toString('base64url');
    const linkTokenHash = hashLinkToken(deps, token);
    const expiresAt = new Date(now.getTime() + validForMs);
    const doc = loginChallengeDocSchema.parse({
      _id: id,
      ...(existing ? { _rev: existing._rev } : {}),
      type: 'login-challenge',
      schemaVersion: SCHEMA_VERSION,
      accountId: account.accountId,
      codeHash: hashCode(deps, account.accountId, code),
      linkTokenHash,
      expiresAt: expiresAt.toISOString(),
      attempts: 0,
      recentSends: [...recentSends, now.toISOString()],
    } satisfies LoginChallengeDoc);
    // Pointer first: if the challenge write then fails, the pointer leads to a hash that no longer matches.
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
    if (existing) await removeQuietly(deps, linkPointerId(existing.linkTokenHash));
    return { code, token, expiresAt };
  }
  throw new Error('login challenge kept conflicting');
}

const isLive = (c: LoginChallengeDoc, now: Date) => !c.usedAt && new Date(c.expiresAt) > now;

/**
 * The account if `code` is its current code (or, in demo mode only, a demo account's
 * fixed code). Each guess is counted before it is checked, so parallel guesses cannot
 * exceed MAX_CODE_ATTEMPTS; success marks the challenge used.
 */
export async function verifyLoginCode(deps: CodeDeps, account: AccountDoc, code: string): Promise<boolean> {
  if (deps.config.isDemo && account.isDemo) {
    const demo = DEMO_LOGINS.find((l) => l.email === account.email);
    if (demo && safeEqual(demo.code, code)) return true;
  }
  const db = deps.storage.db('accounts');
  const id = challengeDocId(account.accountId);
  for (let attempt = 0; attempt < 10; attempt++) {
    const challenge = await db.get<LoginChallengeDoc>(id);
    if (!challenge || !isLive(challenge, deps.now()) || challenge.attempts >= MAX_CODE_ATTEMPTS) return false;
    let reserved: { rev: string };
    try {
      reserved = await db.put({ ...challenge, attempts: challenge.attempts + 1 });
    } catch (err) {
      if (err instanceof ConflictError) continue;
      throw err;
    }
    if (!safeEqual(challenge.codeHash, hashCode(deps, account.accountId, code))) return false;
    return markUsed(deps, { ...challenge, _rev: reserved.rev, attempts: challenge.attempts + 1 }, (c) =>
      safeEqual(c.codeHash, challenge.codeHash),
    );
  }
  return false;
}

/** Marks the challenge used, once; false if another request used it (or replaced it) first. */
async function markUsed(
  deps: CodeDeps,
  first: WithRev<LoginChallengeDoc>,
  stillSame: (c: LoginChallengeDoc) => boolean,
): Promise<boolean> {
  const db = deps.storage.db('accounts');
  let current: WithRev<LoginChallengeDoc> | undefined = first;
  for (let attempt = 0; attempt < 5 && current; attempt++) {
    if (!isLive(current, deps.now()) || !stillSame(current)) return false;
    try {
      await db.put({ ...current, usedAt: deps.now().toISOString() });
      return true;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      current = await db.get<LoginChallengeDoc>(current._id);
    }
  }
  return false;
}

async function liveChallengeForLink(deps: CodeDeps, token: string) {
  if (!/^[A-Za-z0-9_-]{20,200}$/.test(token)) return undefined;
  const hash = hashLinkToken(deps, token);
  const db = deps.storage.db('accounts');
  const pointer = await db.get<{ _id: string; accountId: string }>(linkPointerId(hash));
  if (!pointer) return undefined;
  const challenge = await db.get<LoginChallengeDoc>(challengeDocId(pointer.accountId));
  if (!challenge || !safeEqual(challenge.linkTokenHash, hash) || !isLive(challenge, deps.now()))
    return undefined;
  return { challenge, hash };
}

/** Read-only: would this link still log someone in? (GET never uses a link up: mail scanners open links.) */
export async function isLoginLinkUsable(deps: CodeDeps, token: string): Promise<boolean> {
  return Boolean(await liveChallengeForLink(deps, token));
}

/** Uses the link up and answers its account, or undefined if it is unknown, expired or used. */
export async function consumeLoginLink(deps: CodeDeps, token: string): Promise<AccountDoc | undefined> {
  const found = await liveChallengeForLink(deps, token);
  if (!found) return undefined;
  const account = await findAccountById(deps, found.challenge.accountId);
  if (!account) return undefined;
  const isUsed = await markUsed(deps, found.challenge, (c) => safeEqual(c.linkTokenHash, found.hash));
  if (!isUsed) return undefined;
  await removeQuietly(deps, linkPointerId(found.hash));
  return account;
}

/** Any unused code or link of the account stops working (revoked access). */
export async function killLoginChallenge(deps: CodeDeps, accountId: string): Promise<void> {
  const challenge = await deps.storage.db('accounts').get<LoginChallengeDoc>(challengeDocId(accountId));
  if (challenge && isLive(challenge, deps.now())) await markUsed(deps, challenge, () => true);
}

async function removeQuietly(deps: CodeDeps, id: string): Promise<void> {
  const db = deps.storage.db('accounts');
  const doc = await db.get(id);
  if (doc) await db.remove(id, doc._rev).catch(() => undefined);
}
