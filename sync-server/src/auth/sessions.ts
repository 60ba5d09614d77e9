/**
 * Long-lived, revocable sessions (a phone offline for days can still sync its queue).
 * The cookie holds a random token; the private database holds only its HMAC.
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../../shared/src/roles.js';
import type { AccountDoc, SessionDoc } from '../../../shared/src/documents.js';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import type { Deps } from '../deps.js';
import { unauthenticated } from '../http/errors.js';
import { upsert } from '../storage/upsert.js';

export const SESSION_COOKIE = 'huddle_session';

export interface SessionInfo {
  accountId: string;
  roles: Role[];
  email: string;
  isDemo: boolean;
  sessionDocId: string;
}

const sessionDocId = (deps: Deps, token: string) => `session:${deps.secrets.hmac('session', token)}`;
export const accountDocId = (deps: Pick<Deps, 'secrets'>, email: string) =>
  `account:${deps.secrets.hmac('owner', 'email', email.trim().toLowerCase())}`;

export async function createSession(deps: Deps, reply: FastifyReply, accountId: string): Promise<void> {
  const token = crypto.randomBytes(32).toString('base64url');
  const now = deps.now();
  const doc: SessionDoc = {
    _id: sessionDocId(deps, token),
    type: 'session',
    schemaVersion: SCHEMA_VERSION,
    accountId,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + deps.config.sessionDays * 86_400_000).toISOString(),
  };
  await deps.storage.db('accounts').put(doc);
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: deps.config.publicUrl.startsWith('https:'),
    path: '/',
    maxAge: deps.config.sessionDays * 86_400,
  });
}

async function findAccount(deps: Deps, accountId: string): Promise<AccountDoc | undefined> {
  // Accounts are keyed by e-mail HMAC; the session points at the account id, so keep a pointer doc.
  const pointer = await deps.storage
    .db('accounts')
    .get<{ _id: string; accountDocId: string }>(`account-id:${accountId}`);
  if (!pointer) return undefined;
  return deps.storage.db('accounts').get<AccountDoc>(pointer.accountDocId);
}

/** The caller's session, or a 401. Every non-public route starts here. */
export async function requireSession(deps: Deps, request: FastifyRequest): Promise<SessionInfo> {
  const token = request.cookies[SESSION_COOKIE];
  if (!token || token.length > 100) throw unauthenticated();
  const id = sessionDocId(deps, token);
  const session = await deps.storage.db('accounts').get<SessionDoc>(id);
  const now = deps.now();
  if (!session || session.revokedAt || new Date(session.expiresAt) <= now) throw unauthenticated();
  const account = await findAccount(deps, session.accountId);
  if (!account || account.status === 'disabled') throw unauthenticated();
  // Demo accounts exist only in demo mode: outside it they cannot use a session.
  if (account.isDemo && !deps.config.isDemo) throw unauthenticated();
  // Refresh lastSeenAt at most daily: fewer writes, and no fine-grained activity trail.
  if (now.getTime() - new Date(session.lastSeenAt).getTime() > 86_400_000) {
    await deps.storage
      .db('accounts')
      .put({ ...session, lastSeenAt: now.toISOString() })
      .catch(() => undefined);
  }
  return {
    accountId: account.accountId,
    roles: account.roles,
    email: account.email,
    isDemo: Boolean(account.isDemo),
    sessionDocId: id,
  };
}

export async function revokeSession(deps: Deps, sessionDocIdToRevoke: string): Promise<void> {
  // Retries revision conflicts (a concurrent lastSeenAt refresh); any other failure is thrown,
  // so a logout never reports success for a session that still works.
  await upsert<SessionDoc>(deps.storage.db('accounts'), sessionDocIdToRevoke, (session) => {
    if (!session || session.revokedAt) return undefined;
    const { _id: _ignoredId, _rev: _ignoredRev, ...rest } = session;
    return { ...rest, revokedAt: deps.now().toISOString() };
  });
}
