/** Revoking someone's access: every session ends and any unused code or link stops working. */
import type { AuthDeps } from './accounts.js';
import { findAccountByEmail, revokeAllSessions } from './accounts.js';
import { killLoginChallenge } from './login-codes.js';

/** Number of sessions revoked, or undefined if no account has this address. */
export async function revokeAccessByEmail(deps: AuthDeps, email: string): Promise<number | undefined> {
  const account = await findAccountByEmail(deps, email);
  if (!account) return undefined;
  const revoked = await revokeAllSessions(deps, account.accountId);
  await killLoginChallenge(deps, account.accountId);
  return revoked;
}
