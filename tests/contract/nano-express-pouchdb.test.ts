/**
 * The storage contract against the nano (CouchDB) adapter, talking HTTP to express-pouchdb on
 * loopback, plus what only the HTTP adapter has: credentials in the URL, errors that carry no
 * document id and no HTTP status the API layer could echo.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CouchError, NanoStorage } from '../../sync-server/src/storage/nano-adapter.js';
import { DB_NAMES } from '../../sync-server/src/storage/port.js';
import { couchRequest, startCouchServer, type CouchServer } from '../support/couch-server.js';
import { runStorageContract, type ContractBackend } from './storage-contract.js';

let couch: CouchServer;
let authedUrl: string;

beforeAll(async () => {
  // An admin, as on a real CouchDB 3: the adapter authenticates with basic auth from the URL.
  couch = await startCouchServer({ admin: { name: 'huddle', password: 'correct horse' } });
  authedUrl = couch.url;
});
afterAll(async () => {
  await couch.close();
});

const randomPrefix = () => `huddle_test_${crypto.randomBytes(4).toString('hex')}_`;

async function nanoBackend(url: string): Promise<ContractBackend> {
  const prefix = randomPrefix();
  const storage = new NanoStorage({ url, prefix });
  return {
    storage,
    sibling: () => new NanoStorage({ url, prefix }),
    async writeConflict(db, id, body) {
      const rev = `1-${crypto.randomBytes(16).toString('hex')}`;
      const res = await couchRequest(url, 'POST', `/${prefix}${db}/_bulk_docs`, {
        docs: [{ ...body, _id: id, _rev: rev }],
        new_edits: false,
      });
      if (res.status !== 201) throw new Error(`unexpected ${res.status}`);
      return rev;
    },
    async readRevision(db, id, rev) {
      const res = await couchRequest(
        url,
        'GET',
        `/${prefix}${db}/${encodeURIComponent(id)}?rev=${encodeURIComponent(rev)}`,
      );
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw new Error(`unexpected ${res.status}`);
      return res.body;
    },
    async cleanup() {
      await storage.close();
      for (const name of DB_NAMES) await couchRequest(url, 'DELETE', `/${prefix}${name}`);
    },
  };
}

runStorageContract('nano over express-pouchdb (basic auth in the URL)', () => nanoBackend(authedUrl));

describe('nano adapter over HTTP', () => {
  it('sends the basic auth credentials from the URL: wrong ones are refused', async () => {
    const wrong = new URL(authedUrl);
    wrong.password = 'wrong';
    const storage = new NanoStorage({ url: wrong.toString(), prefix: randomPrefix() });
    const failure = await storage.init().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(CouchError);
    expect((failure as CouchError).couchStatus).toBe(401);
    await storage.close();
  });

  it('creates one database per DbName, named prefix + name', async () => {
    const backend = await nanoBackend(authedUrl);
    try {
      await backend.storage.init();
      const all = (await couchRequest(authedUrl, 'GET', '/_all_dbs')).body as string[];
      const prefix = (backend.storage as NanoStorage).db('public').dbName.replace(/public$/, '');
      expect(all.filter((name) => name.startsWith(prefix)).sort()).toEqual(
        DB_NAMES.map((n) => prefix + n).sort(),
      );
    } finally {
      await backend.cleanup();
    }
  });

  it('errors name the database but never the document id, and carry no HTTP statusCode', async () => {
    const backend = await nanoBackend(authedUrl);
    try {
      await backend.storage.init();
      const failure = await backend.storage
        .db('private')
        .put({ _id: 'account:4f9c-secret-account-id', _bogus: 1 })
        .catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(CouchError);
      const err = failure as CouchError;
      expect(err.couchStatus).toBeGreaterThanOrEqual(400);
      expect(err.message).toContain('private');
      expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain(
        'secret-account-id',
      );
      expect('statusCode' in err).toBe(false);
    } finally {
      await backend.cleanup();
    }
  });

  it('an unreachable server is a CouchError with status 0', async () => {
    const storage = new NanoStorage({ url: 'http://127.0.0.1:9', prefix: randomPrefix() });
    const failure = await storage
      .db('public')
      .get('idea:a')
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(CouchError);
    expect((failure as CouchError).couchStatus).toBe(0);
  });
});
