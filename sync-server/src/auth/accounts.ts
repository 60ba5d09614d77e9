/**
 * Accounts in the private database. An account document is keyed by an HMAC of the
 * lower-cased e-mail (so it can be found from a login form without an index) and
 * carries a random accountId, never derived from the address. A pointer document
 * `account-id:<accountId>` leads from a session back to the account.
 * tests/support/accounts.ts writes the same two documents.
 */
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { accountDocSchema, type AccountDoc, type SessionDoc } from '../../../shared/src/documents.js';
import type { Role } from '../../../shared/src/roles.js';
import type { Deps } from '../deps.js';
import { randomId } from '../secrets.js';
import { ConflictError, type WithRev } from '../storage/port.js';
import { accountDocId } from './sessions.js';

/** What the auth, admin, CLI and demo code need: no HTTP, no notifier. */
export type AuthDeps = Pick<Deps, 'config' | 'storage' | 'secrets' | 'mailer' | 'log' | 'now'>;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();
export const accountPointerId = (accountId: string) => `account-id:${accountId}`;

export async function findAccountByEmail(deps: Pick<Deps, 'storage' | 'secrets'>, email: string) {
  return deps.storage.db('accounts').get<AccountDoc>(accountDocId(deps, normalizeEmail(email)));
}

export async function findAccountById(deps: Pick<Deps, 'storage'>, accountId: string) {
  const db = deps.storage.db('accounts');
  const pointer = await db.get<{ _id: string; accountDocId: string }>(accountPointerId(accountId));
  return pointer ? db.get<AccountDoc>(pointer.accountDocId) : undefined;
}

/** The pointer's content is a function of the account, so creating it twice is harmless. */
export async function ensureAccountPointer(deps: Pick<Deps, 'storage'>, account: AccountDoc): Promise<void> {
  await deps.storage.db('accounts').create({
    _id: accountPointerId(account.accountId),
    type: 'account-pointer',
    schemaVersion: SCHEMA_VERSION,
    accountDocId: account._id,
  });
}

export interface NewAccount {
  email: string;
  name?: string;
  roles: Role[];
  status?: AccountDoc['status'];
  isDemo?: boolean;
}

/**
 * Creates the account if the address has none. An existing account keeps its id and
 * status and gains any missing role (inviting a participant as moderator promotes them).
 */
export async function upsertAccount(
  deps: Pick<Deps, 'storage' | 'secrets' | 'now'>,
  input: NewAccount,
): Promise<{ account: WithRev<AccountDoc> | AccountDoc; isNew: boolean }> {
  const db = deps.storage.db('accounts');
  const email = normalizeEmail(input.email);
  const id = accountDocId(deps, email);
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await db.get<AccountDoc>(id);
    if (existing) {
      const missing = input.roles.filter((r) => !existing.roles.includes(r));
      const needsName = input.name && !existing.name;
      if (missing.length === 0 && !needsName) return { account: existing, isNew: false };
      const updated = accountDocSchema.parse({
        ...existing,
        roles: [...existing.roles, ...missing],
        ...(needsName ? { name: input.name } : {}),
      });
      try {
        await db.put(updated);
        return { account: updated, isNew: false };
      } catch (err) {
        if (err instanceof ConflictError) continue;
        throw err;
      }
    }
    const account = accountDocSchema.parse({
      _id: id,
      type: 'account',
      schemaVersion: SCHEMA_VERSION,
      accountId: randomId(),
      email,
      ...(input.name ? { name: input.name } : {}),
      roles: input.roles,
      status: input.status ?? 'invited',
      invitedAt: deps.now().toISOString(),
      ...(input.isDemo ? { isDemo: true } : {}),
    } satisfies AccountDoc);
    if ((await db.create(account)) === 'exists') continue; // someone else just made it: take theirs
    await ensureAccountPointer(deps, account);
    return { account, isNew: true };
  }
  throw new Error('account update kept conflicting');
}

/** An invited account becomes active at its first login. */
export async function markActive(deps: Pick<Deps, 'storage'>, account: AccountDoc): Promise<void> {
  const db = deps.storage.db('accounts');
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await db.get<AccountDoc>(account._id);
    if (!current || current.status !== 'invited') return;
    try {
      await db.put({ ...current, status: 'active' });
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
}

/**
 * Revokes every live session of an account (sessions are keyed by token HMAC, so this
 * scans them: an admin action, rare). Also kills an unused login code or link.
 */
export async function revokeAllSessions(
  deps: Pick<Deps, 'storage' | 'now'>,
  accountId: string,
): Promise<number> {
  const db = deps.storage.db('accounts');
  const now = deps.now().toISOString();
  const rows = await db.list({ prefix: 'session:', includeDocs: true });
  const live = rows
    .map((r) => r.doc as SessionDoc | undefined)
    .filter((s): s is SessionDoc => Boolean(s && s.accountId === accountId && !s.revokedAt));
  let revoked = 0;
  for (const session of live) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = attempt === 0 ? session : await db.get<SessionDoc>(session._id);
      if (!current || current.revokedAt) break;
      try {
        await db.put({ ...current, revokedAt: now });
        revoked++;
        break;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
  }
  return revoked;
}
