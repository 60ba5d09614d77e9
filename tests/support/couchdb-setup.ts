/**
 * setupFiles of the 'couchdb-single' and 'couchdb-cluster' projects, run before each test file:
 * waits until the project's CouchDB is up (couchdb-global-setup.ts starts it), points the test
 * servers at it with a database prefix of this file's own, and deletes this file's databases
 * after its last test, so files never see each other's data.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, inject } from 'vitest';
import { describeCouch, waitFor } from './couchdb-local.js';
import { couchUnderTest, deleteDatabases } from './couchdb-under-test.js';

const info = inject('huddleCouchDb');
if (!info)
  throw new Error('couchdb-setup.ts runs only in the couchdb-* projects (globalSetup provides the CouchDB)');

let label: string;
if (info.runDir) {
  const runDir = info.runDir;
  label = await waitFor(
    `${info.project}: local CouchDB ready`,
    async () => {
      const failed = path.join(runDir, 'failed');
      if (fs.existsSync(failed)) throw new Error(fs.readFileSync(failed, 'utf8'));
      const ready = path.join(runDir, 'ready');
      return fs.existsSync(ready) ? fs.readFileSync(ready, 'utf8') : undefined;
    },
    180_000,
    100,
  );
} else {
  label = await describeCouch(info.urls[0]!);
}

Object.assign(process.env, {
  HUDDLE_TEST_STORAGE: 'couchdb',
  HUDDLE_TEST_COUCHDB_TOPOLOGY: info.topology,
  HUDDLE_TEST_COUCHDB_NODES: info.urls.join(','),
  HUDDLE_TEST_COUCHDB_PREFIX: `huddle_t${crypto.randomBytes(4).toString('hex')}_`,
  HUDDLE_TEST_COUCHDB_LABEL: label,
  ...(info.runDir ? { HUDDLE_TEST_COUCHDB_RUN_DIR: info.runDir } : {}),
});

afterAll(async () => {
  const couch = couchUnderTest()!;
  await deleteDatabases(couch.url, couch.filePrefix);
}, 120_000);
