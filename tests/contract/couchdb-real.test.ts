/**
 * The storage contract against a real Apache CouchDB through the nano adapter: in the
 * 'couchdb-single' and 'couchdb-cluster' projects, against the project's CouchDB (a local node
 * or 3-node cluster from ../shared/couchdb, or the one given by HUDDLE_TEST_COUCHDB_URL /
 * COUCHDB_URL / HUDDLE_TEST_COUCHDB_CLUSTER_URLS). Every backend uses a fresh database prefix and
 * its databases are deleted afterwards. In the cluster, `sibling()` talks to another node, as a
 * second server instance behind a load balancer would.
 */
import crypto from 'node:crypto';
import { describe } from 'vitest';
import { NanoStorage } from '../../sync-server/src/storage/nano-adapter.js';
import { couchFetch } from '../support/couchdb-local.js';
import {
  couchUnderTest,
  deleteDatabases,
  freshPrefix,
  type CouchUnderTest,
} from '../support/couchdb-under-test.js';
import { runStorageContract, type ContractBackend } from './storage-contract.js';

const couch = couchUnderTest();

async function realCouchBackend(couch: CouchUnderTest): Promise<ContractBackend> {
  const prefix = freshPrefix(couch);
  const storage = new NanoStorage({ url: couch.url, prefix });
  const otherNode = couch.urls[1] ?? couch.url;
  return {
    storage,
    hasLaggingReads: couch.topology === 'cluster',
    sibling: () => new NanoStorage({ url: otherNode, prefix }),
    async writeConflict(db, id, body) {
      const rev = `1-${crypto.randomBytes(16).toString('hex')}`;
      const res = await couchFetch(couch.url, 'POST', `/${prefix}${db}/_bulk_docs`, {
        docs: [{ ...body, _id: id, _rev: rev }],
        new_edits: false,
      });
      if (res.status !== 201) throw new Error(`unexpected ${res.status}`);
      return rev;
    },
    async readRevision(db, id, rev) {
      const res = await couchFetch(
        couch.url,
        'GET',
        `/${prefix}${db}/${encodeURIComponent(id)}?rev=${encodeURIComponent(rev)}`,
      );
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw new Error(`unexpected ${res.status}`);
      return res.body;
    },
    async cleanup() {
      await storage.close();
      await deleteDatabases(couch.url, prefix);
    },
  };
}

describe.skipIf(!couch)('real CouchDB (the couchdb-single and couchdb-cluster projects)', () => {
  runStorageContract(`nano over ${couch?.label ?? 'CouchDB'}`, () => realCouchBackend(couch!));
});
