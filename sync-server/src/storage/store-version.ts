/**
 * Refuses to start on a store written before sync protocol 2. That version kept accounts and sessions
 * in the private database and derived voter pseudonyms, draft and receipt ids from HUDDLE_SECRET; the
 * new server would not find those accounts and would count a person's earlier votes beside their new
 * ones. Huddle had no production deployment then, so there is no migration: start on fresh databases
 * (a new HUDDLE_DATA_DIR, or a new COUCHDB_DB_PREFIX) instead of silently miscounting.
 */
import type { Storage } from './port.js';

export class OldStoreError extends Error {
  constructor() {
    super(
      'These databases were written by a Huddle from before sync protocol 2 (accounts in the private ' +
        'database). They cannot be carried over: start with a fresh HUDDLE_DATA_DIR (embedded store) or a new ' +
        'COUCHDB_DB_PREFIX (CouchDB). For the demo, delete ./data and run `npm run demo` again.',
    );
    this.name = 'OldStoreError';
  }
}

export async function assertCurrentStore(storage: Storage): Promise<void> {
  const db = storage.db('private');
  for (const prefix of ['account:', 'session:']) {
    if ((await db.list({ prefix, limit: 1 })).length > 0) throw new OldStoreError();
  }
}
