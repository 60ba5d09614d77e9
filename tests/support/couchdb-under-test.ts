/**
 * The CouchDB a test file of the 'couchdb-single' or 'couchdb-cluster' project runs against, as
 * couchdb-setup.ts put it in the environment: node URLs, this file's database prefix (every
 * database a test makes starts with it, and they are all deleted after the file) and, for the
 * local nodes started from ../shared/couchdb, the run directory (to kill and restart nodes).
 * undefined in every other project.
 */
import crypto from 'node:crypto';
import { couchFetch } from './couchdb-local.js';

export interface CouchUnderTest {
  topology: 'single' | 'cluster';
  /** Every node's URL (credentials included); test servers use the first. */
  urls: string[];
  url: string;
  /** Lower-case, starts with a letter, ends with '_': prefix + anything is a valid database name. */
  filePrefix: string;
  /** Local nodes only. */
  runDir?: string;
  /** e.g. "Apache CouchDB 3.4.3, 3 nodes". */
  label: string;
}

export function couchUnderTest(): CouchUnderTest | undefined {
  const env = process.env;
  if (env['HUDDLE_TEST_STORAGE'] !== 'couchdb') return undefined;
  const urls = (env['HUDDLE_TEST_COUCHDB_NODES'] ?? '').split(',').filter(Boolean);
  if (urls.length === 0) throw new Error('HUDDLE_TEST_STORAGE=couchdb without HUDDLE_TEST_COUCHDB_NODES');
  return {
    topology: env['HUDDLE_TEST_COUCHDB_TOPOLOGY'] === 'cluster' ? 'cluster' : 'single',
    urls,
    url: urls[0]!,
    filePrefix: env['HUDDLE_TEST_COUCHDB_PREFIX'] ?? 'huddle_test_',
    ...(env['HUDDLE_TEST_COUCHDB_RUN_DIR'] ? { runDir: env['HUDDLE_TEST_COUCHDB_RUN_DIR'] } : {}),
    label: env['HUDDLE_TEST_COUCHDB_LABEL'] ?? 'CouchDB',
  };
}

/** A fresh database prefix under this file's prefix. */
export function freshPrefix(couch: CouchUnderTest, seed?: string): string {
  const part = seed
    ? crypto.createHash('sha256').update(seed).digest('hex').slice(0, 10)
    : crypto.randomBytes(5).toString('hex');
  return `${couch.filePrefix}${part}_`;
}

/** Deletes every database whose name starts with `prefix`; answers how many. */
export async function deleteDatabases(url: string, prefix: string): Promise<number> {
  const all = await couchFetch(url, 'GET', '/_all_dbs');
  if (all.status !== 200) throw new Error(`_all_dbs answered ${all.status}`);
  const mine = (all.body as string[]).filter((name) => name.startsWith(prefix));
  for (const name of mine) {
    const res = await couchFetch(url, 'DELETE', `/${encodeURIComponent(name)}`);
    if (![200, 202, 404].includes(res.status)) throw new Error(`could not delete ${name}: ${res.status}`);
  }
  return mine.length;
}
