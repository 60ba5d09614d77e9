/**
 * The storage contract against a real CouchDB through the nano adapter. Runs only when
 * COUCHDB_URL is set (credentials in the URL, e.g. http://admin:secret@127.0.0.1:5984); every
 * backend uses a random database prefix and its databases are deleted afterwards.
 */
import crypto from 'node:crypto';
import { describe } from 'vitest';
import { NanoStorage } from '../../sync-server/src/storage/nano-adapter.js';
import { DB_NAMES } from '../../sync-server/src/storage/port.js';
import { couchRequest } from '../support/couch-server.js';
import { runStorageContract, type ContractBackend } from './storage-contract.js';

const url = process.env['COUCHDB_URL'];

async function realCouchBackend(couchUrl: string): Promise<ContractBackend> {
  const prefix = `huddle_contract_${crypto.randomBytes(4).toString('hex')}_`;
  const storage = new NanoStorage({ url: couchUrl, prefix });
  return {
    storage,
    sibling: () => new NanoStorage({ url: couchUrl, prefix }),
    async readRevision(db, id, rev) {
      const res = await couchRequest(
        couchUrl,
        'GET',
        `/${prefix}${db}/${encodeURIComponent(id)}?rev=${encodeURIComponent(rev)}`,
      );
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw new Error(`unexpected ${res.status}`);
      return res.body;
    },
    async cleanup() {
      await storage.close();
      for (const name of DB_NAMES) {
        const res = await couchRequest(couchUrl, 'DELETE', `/${prefix}${name}`);
        if (res.status !== 200 && res.status !== 202 && res.status !== 404) {
          throw new Error(`could not delete ${prefix}${name}: ${res.status}`);
        }
      }
    },
  };
}

describe.skipIf(!url)('real CouchDB (COUCHDB_URL)', () => {
  runStorageContract('nano over a real CouchDB', () => realCouchBackend(url!));
});
