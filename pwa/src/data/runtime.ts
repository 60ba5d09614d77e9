/**
 * The one database, API client and sync engine of the running app (browser only).
 * Tests build their own with createDb/createApiClient/SyncEngine instead.
 */
import { createApiClient, type ApiClient } from './api-client.js';
import { HuddleDb } from './db.js';
import { refreshSession } from './session.js';
import { SyncEngine } from './sync-engine.js';
import { isQuotaExceeded, watchDbLifecycle } from './device-db-lifecycle.js';
import { noteContribution } from './device-install.js';
import { requestPersistenceOnce } from './device-persistence.js';
import { reportDevice } from './device-state.js';

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
  watchDbLifecycle(db);
  // A first idea, comment or vote is the moment to ask to keep storage and to offer
  // installing. After the write succeeded, outside its transaction.
  db.outbox.hook('creating', function (_key, entry) {
    if (CONTRIBUTION_KINDS.has(entry.mutation.kind)) this.onsuccess = () => setTimeout(onContribution, 0);
  });
  runtime = { db, api, engine };
  return runtime;
}

/** What counts as taking part (a draft being autosaved does not: nobody is interrupted mid-sentence). */
const CONTRIBUTION_KINDS: ReadonlySet<string> = new Set(['idea.create', 'comment.create', 'vote.set']);

function onContribution(): void {
  noteContribution();
  void requestPersistenceOnce();
}

/**
 * Starts syncing. Screens render from Dexie at once; the session is re-checked with the
 * server in the background, so a cached first screen never waits on the network.
 */
export async function startRuntime(): Promise<void> {
  const { db, api, engine } = getRuntime();
  // Writes fired and forgotten (autosave, votes) report a full device here instead of vanishing.
  window.addEventListener('unhandledrejection', (event) => {
    if (isQuotaExceeded(event.reason)) reportDevice({ storage: 'full' });
  });
  // Whose session this is comes first: the engine sends nothing until it knows (session.ts).
  await refreshSession(db, api);
  engine.start();
}
