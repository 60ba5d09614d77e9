/**
 * Keeps the device database usable through what browsers do to it:
 * - iOS drops the IndexedDB connection after the app was in the background: a write that
 *   fails because the connection is gone is retried once on a reopened database (every
 *   action is one transaction, so a failed attempt left nothing behind and nothing is lost);
 * - a full quota is reported to the person (device-state.ts), then rethrown, never swallowed;
 * - another tab opening a newer schema: this tab closes its connection (so the upgrade is
 *   not blocked) and asks the person to reload; a new tab blocked by an old one says so.
 */
import type { Dexie } from 'dexie';
import { getDeviceState, reportDevice } from './device-state.js';

const CONNECTION_LOST = new Set(['DatabaseClosedError', 'InvalidStateError', 'UnknownError']);

function errorName(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'name' in err ? String((err as { name: unknown }).name) : undefined;
}

function innerError(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'inner' in err ? (err as { inner: unknown }).inner : undefined;
}

/** The browser closed or lost the connection (Dexie wraps the DOM error; look inside too). */
export function isConnectionLost(err: unknown): boolean {
  const name = errorName(err);
  if (name && CONNECTION_LOST.has(name)) return true;
  const inner = innerError(err);
  return inner !== undefined && inner !== err && isConnectionLost(inner);
}

export function isQuotaExceeded(err: unknown): boolean {
  const name = errorName(err);
  if (name === 'QuotaExceededError') return true;
  const inner = innerError(err);
  return inner !== undefined && inner !== err && isQuotaExceeded(inner);
}

async function reopen(db: Dexie): Promise<void> {
  if (db.isOpen()) db.close({ disableAutoOpen: false });
  await db.open();
}

/**
 * Runs a device write (one Dexie transaction). A lost connection: reopen and run it once
 * more. A full quota: tell the person, rethrow. A success after a full quota clears the warning.
 */
export async function guardDeviceWrite<T>(db: Dexie, write: () => Promise<T>): Promise<T> {
  try {
    const result = await attempt(db, write);
    reportDevice({ storage: 'ok' });
    return result;
  } catch (err) {
    if (isQuotaExceeded(err)) reportDevice({ storage: 'full' });
    throw err;
  }
}

async function attempt<T>(db: Dexie, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!isConnectionLost(err)) throw err;
    await reopen(db);
    return write();
  }
}

/**
 * Wires the schema-upgrade events. Dexie's own handler closes this connection on
 * `versionchange` (so the other tab's upgrade can go ahead); this tab then runs old code
 * against a newer database, so it must reload: say so.
 */
export function watchDbLifecycle(db: Dexie): () => void {
  const onVersionChange = (event: IDBVersionChangeEvent) => {
    // newVersion null: the database is being deleted (a logout in another tab).
    reportDevice({ database: event.newVersion === null ? 'cleared-in-another-tab' : 'updated-in-another-tab' });
    if (db.isOpen()) db.close({ disableAutoOpen: false });
  };
  const onBlocked = () => {
    reportDevice({ database: 'blocked-by-another-tab' });
    // The open goes ahead as soon as the old tab lets go (it reloads or closes).
    void db
      .open()
      .then(() => {
        if (getDeviceState().database === 'blocked-by-another-tab') reportDevice({ database: 'ok' });
      })
      .catch(() => undefined);
  };
  db.on('versionchange', onVersionChange);
  db.on('blocked', onBlocked);
  watchQuota(db);
  return () => {
    db.on('versionchange').unsubscribe(onVersionChange);
    db.on('blocked').unsubscribe(onBlocked);
  };
}

/**
 * Every read-write transaction the browser aborts for lack of space (at commit time, where
 * IndexedDB reports quota) marks the device as full, whoever started it (sync, autosave).
 * Must be installed before the database opens.
 */
function watchQuota(db: Dexie): void {
  db.use({
    stack: 'dbcore',
    name: 'huddle-quota-watch',
    create: (down) => ({
      ...down,
      transaction(stores, mode, options) {
        const tx = down.transaction(stores, mode, options);
        if (mode === 'readwrite' && tx instanceof EventTarget) {
          tx.addEventListener('abort', () => {
            const error = (tx as unknown as IDBTransaction).error;
            if (isQuotaExceeded(error)) reportDevice({ storage: 'full' });
          });
        }
        return tx;
      },
    }),
  });
}
