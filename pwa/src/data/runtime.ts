/**
 * The one database, API client and sync engine of the running app (browser only).
 * Tests build their own with createDb/createApiClient/SyncEngine instead.
 */
import { createApiClient, type ApiClient } from './api-client.js';
import { HuddleDb } from './db.js';
import { refreshSession } from './session.js';
import { SyncEngine } from './sync-engine.js';

export interface Runtime {
  db: HuddleDb;
  api: ApiClient;
  engine: SyncEngine;
}

let runtime: Runtime | null = null;

export function getRuntime(): Runtime {
  if (runtime) return runtime;
  const db = new HuddleDb();
  const api = createApiClient({
    baseUrl: '',
    fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin', cache: 'no-store' }),
  });
  const engine = new SyncEngine({ db, api });
  runtime = { db, api, engine };
  return runtime;
}

/** Starts syncing once the device knows (or has re-checked) who is signed in. */
export async function startRuntime(): Promise<void> {
  const { db, api, engine } = getRuntime();
  // Safari may keep the storage only if asked; ignore the answer.
  void navigator.storage?.persist?.().catch(() => undefined);
  engine.start();
  await refreshSession(db, api);
  void engine.requestSync();
}
