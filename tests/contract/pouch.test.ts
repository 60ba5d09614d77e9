/** The storage contract against the embedded PouchDB (LevelDB) adapter in a temporary directory. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { PouchDocStore, PouchStorage } from '../../sync-server/src/storage/pouch-adapter.js';
import { makeTempDir } from '../support/test-server.js';
import { runStorageContract } from './storage-contract.js';

runStorageContract('embedded PouchDB', async () => {
  const dataDir = makeTempDir('huddle-contract-pouch-');
  const storage = new PouchStorage({ dataDir });
  const siblings: PouchStorage[] = [];
  return {
    storage,
    sibling() {
      // Same directory in the same process: PouchDB shares the open LevelDB handle.
      const other = new PouchStorage({ dataDir });
      siblings.push(other);
      return other;
    },
    async writeConflict(db, id, body) {
      const store = storage.db(db);
      if (!(store instanceof PouchDocStore)) throw new Error('not a PouchDocStore');
      const rev = `1-${crypto.randomBytes(16).toString('hex')}`;
      await store.pouch.bulkDocs([{ ...body, _id: id, _rev: rev }], { new_edits: false });
      return rev;
    },
    async readRevision(db, id, rev) {
      const store = storage.db(db);
      if (!(store instanceof PouchDocStore)) throw new Error('not a PouchDocStore');
      try {
        return await store.pouch.get(id, { rev });
      } catch (err) {
        if ((err as { status?: number }).status === 404) return undefined;
        throw err;
      }
    },
    async cleanup() {
      // Siblings share LevelDB handles with the storage: the second close of a handle fails
      // with "not open", which is expected here.
      await Promise.allSettled([storage, ...siblings].map((s) => s.close()));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
