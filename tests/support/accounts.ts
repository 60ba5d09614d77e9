/**
 * Test-only shortcut: create an account and a logged-in session directly in storage,
 * so sync tests do not depend on the e-mail login flow (which has its own tests).
 * Writes the same documents the auth module writes.
 */
import crypto from 'node:crypto';
import type { Role } from '../../shared/src/roles.js';
import { SCHEMA_VERSION } from '../../shared/src/protocol.js';
import type { AccountDoc, SessionDoc } from '../../shared/src/documents.js';
import type { Storage } from '../../sync-server/src/storage/port.js';
import { loadSecrets } from '../../sync-server/src/secrets.js';
import { loadConfig } from '../../sync-server/src/config.js';
import { SESSION_COOKIE } from '../../sync-server/src/auth/sessions.js';

export interface TestAccount {
  accountId: string;
  email: string;
  roles: Role[];
  /** Value for the session cookie. */
  sessionToken: string;
  cookie: string;
}

export async function createTestAccount(
  storage: Storage,
  dataDir: string,
  options: { email?: string; roles?: Role[]; env?: Record<string, string> } = {},
): Promise<TestAccount> {
  const secrets = loadSecrets(loadConfig({ HUDDLE_DATA_DIR: dataDir, ...options.env }));
  const email = (
    options.email ?? `staff-${crypto.randomBytes(4).toString('hex')}@trust.example`
  ).toLowerCase();
  const roles = options.roles ?? ['participant'];
  const accountId = crypto.randomBytes(16).toString('base64url');
  const accountDocId = `account:${secrets.hmac('owner', 'email', email)}`;
  const now = new Date();
  const account: AccountDoc = {
    _id: accountDocId,
    type: 'account',
    schemaVersion: SCHEMA_VERSION,
    accountId,
    email,
    roles,
    status: 'active',
    invitedAt: now.toISOString(),
  };
  const db = storage.db('accounts');
  await db.put(account);
  await db.put({
    _id: `account-id:${accountId}`,
    type: 'account-pointer',
    schemaVersion: SCHEMA_VERSION,
    accountDocId,
  });
  const token = crypto.randomBytes(32).toString('base64url');
  const session: SessionDoc = {
    _id: `session:${secrets.hmac('session', token)}`,
    type: 'session',
    schemaVersion: SCHEMA_VERSION,
    accountId,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
  };
  await db.put(session);
  return { accountId, email, roles, sessionToken: token, cookie: `${SESSION_COOKIE}=${token}` };
}

/** Another logged-in device of an existing account: a second session, its own cookie. */
export async function createTestSession(
  storage: Storage,
  dataDir: string,
  account: Pick<TestAccount, 'accountId'>,
  options: { env?: Record<string, string> } = {},
): Promise<Pick<TestAccount, 'sessionToken' | 'cookie'>> {
  const secrets = loadSecrets(loadConfig({ HUDDLE_DATA_DIR: dataDir, ...options.env }));
  const token = crypto.randomBytes(32).toString('base64url');
  const now = new Date();
  const session: SessionDoc = {
    _id: `session:${secrets.hmac('session', token)}`,
    type: 'session',
    schemaVersion: SCHEMA_VERSION,
    accountId: account.accountId,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
  };
  await storage.db('accounts').put(session);
  return { sessionToken: token, cookie: `${SESSION_COOKIE}=${token}` };
}
