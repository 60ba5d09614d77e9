/**
 * Signing in and out on this device. A shared ward computer must not keep one person's
 * data for the next: logging out clears every Huddle table and any API cache, and a
 * different person signing in starts from an empty device once the previous person's unsent
 * changes are dealt with: nobody's queued changes are ever sent under someone else's session.
 */
import type { MeResponse } from '../../../shared/src/api.js';
import { ApiError, NetworkError, type ApiClient } from './api-client.js';
import { getMeta, setMeta, type HuddleDb } from './db.js';
import { clearLoginStep } from './login-step.js';
import { refreshNoticeSchedule } from './notice-schedule.js';
import { refreshRosterHashes } from './roster-hashes.js';
import { forgetPushOnThisDevice } from './web-push.js';

export async function requestCode(api: ApiClient, email: string): Promise<string> {
  return api.requestCode(email.trim());
}

/** Clears every table of the device's Huddle database (keeps the database open). */
export async function clearDeviceData(db: HuddleDb): Promise<void> {
  await db.transaction('rw', db.tables, async () => {
    await Promise.all(db.tables.map((t) => t.clear()));
  });
}

/**
 * Changes on this device that nobody has sent yet and that belong to someone other than
 * `email` (the previous person's session expired before they were sent). Signing in as a
 * different person deletes them, so the login screen asks first: nothing is lost silently.
 */
export async function unsentForOtherPerson(db: HuddleDb, email: string): Promise<number> {
  const previous = await getMeta(db, 'person');
  if (!previous || previous.email.toLowerCase() === email.trim().toLowerCase()) return 0;
  return db.outbox.count();
}

async function adoptPerson(db: HuddleDb, api: ApiClient, me: MeResponse): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    await setMeta(db, 'person', { email: me.email, roles: me.roles });
    await setMeta(db, 'needsLogin', false);
    await db.meta.delete('otherPersonSession');
  });
  // Logged in (by code or by the e-mailed link): a reload must not bring back the code box.
  clearLoginStep();
  // The naming warning's roster hash set, kept for offline use; best effort, never blocks sign-in.
  void refreshRosterHashes(db, api).catch(() => undefined);
  // The daily notice's time, for the opt-in to say; best effort too.
  void refreshNoticeSchedule(db, api).catch(() => undefined);
}

const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Whether this device may sync with the browser's session: it must be the session of the person whose
 * work is on this device. Queued work is only ever sent by its author's session, so when the session is
 * someone else's (a ward computer where the last person did not log out, then another opened their
 * e-mailed link) and unsent changes remain, nothing is sent and the person at the screen is asked
 * (`otherPersonSession`); with nothing unsent, the device is cleared and the new person starts afresh.
 */
export type SessionCheck = 'verified' | 'needs-login' | 'other-person' | 'unreachable';

export async function checkSession(db: HuddleDb, api: ApiClient): Promise<SessionCheck> {
  let me: MeResponse;
  try {
    me = await api.me();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      if (await getMeta(db, 'person')) await setMeta(db, 'needsLogin', true);
      return 'needs-login';
    }
    if (err instanceof NetworkError || err instanceof ApiError) return 'unreachable';
    throw err;
  }
  return settlePerson(db, api, me, false);
}

async function settlePerson(db: HuddleDb, api: ApiClient, me: MeResponse, mayDiscard: boolean): Promise<SessionCheck> {
  const previous = await getMeta(db, 'person');
  if (previous && !sameEmail(previous.email, me.email)) {
    if ((await db.outbox.count()) > 0 && !mayDiscard) {
      await setMeta(db, 'otherPersonSession', { email: me.email, roles: me.roles });
      return 'other-person';
    }
    await clearDeviceData(db);
  }
  await adoptPerson(db, api, me);
  return 'verified';
}

/**
 * Signs in with an e-mailed code. `mayDiscard`: the person already agreed (on the login screen) that
 * signing in as someone else deletes the unsent changes of the previous person; without it, those are
 * kept and the app asks first.
 */
export async function signIn(
  db: HuddleDb,
  api: ApiClient,
  email: string,
  code: string,
  mayDiscard = false,
): Promise<MeResponse> {
  const me = await api.verify(email.trim(), code);
  await settlePerson(db, api, me, mayDiscard);
  return me;
}

/** On a shared device: the person at the screen chose to delete the previous person's unsent changes. */
export async function continueAsOtherPerson(db: HuddleDb, api: ApiClient): Promise<SessionCheck> {
  const other = await getMeta(db, 'otherPersonSession');
  if (!other) return checkSession(db, api);
  return settlePerson(db, api, await api.me(), true);
}

/**
 * On a shared device: keep the previous person's unsent changes for them. The other session ends
 * (its cookie is this browser's only one) and the previous person is asked to log in again to send.
 */
export async function keepForPreviousPerson(db: HuddleDb, api: ApiClient): Promise<void> {
  try {
    await api.logout();
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) throw err;
  }
  await db.transaction('rw', db.meta, async () => {
    await db.meta.delete('otherPersonSession');
    await setMeta(db, 'needsLogin', true);
  });
}

/**
 * On start: who does the server think this is? Covers the e-mail link (the server set the
 * cookie), an expired session (keep everything, ask to log in again) and offline (trust the device).
 */
export async function refreshSession(db: HuddleDb, api: ApiClient): Promise<SessionCheck> {
  if (hasPendingLogout()) {
    // Logged out while offline: end that session before anything else, never adopt it again.
    try {
      await api.logout();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) return 'unreachable';
    }
    setPendingLogout(false);
  }
  return checkSession(db, api);
}

export interface LogoutOutcome {
  /** False when the server could not be reached: the device is cleared, the server session ends when it expires. */
  isServerSessionEnded: boolean;
}

/** Ends the session and deletes everything Huddle keeps on this device. The caller warns about unsent changes first. */
export async function logout(db: HuddleDb, api: ApiClient): Promise<LogoutOutcome> {
  let isServerSessionEnded = true;
  // A shared ward device must not keep showing notices meant for the person who left.
  await forgetPushOnThisDevice();
  try {
    await api.logout();
  } catch (err) {
    isServerSessionEnded = err instanceof ApiError && err.status === 401;
  }
  if (!isServerSessionEnded) setPendingLogout(true);
  await db.delete();
  // Per-person API responses are never cached; this removes any that a future mistake might leave.
  if (typeof caches !== 'undefined') {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => /api/i.test(n)).map((n) => caches.delete(n)));
  }
  return { isServerSessionEnded };
}

// The session cookie is HttpOnly: only the server can end it. If logout could not reach
// the server, remember (without any personal data) to end it at the next start.
const PENDING_LOGOUT_KEY = 'huddle.pendingLogout';

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

export function hasPendingLogout(): boolean {
  return storage()?.getItem(PENDING_LOGOUT_KEY) === '1';
}

function setPendingLogout(isPending: boolean): void {
  if (isPending) storage()?.setItem(PENDING_LOGOUT_KEY, '1');
  else storage()?.removeItem(PENDING_LOGOUT_KEY);
}
