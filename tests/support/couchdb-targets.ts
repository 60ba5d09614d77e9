/**
 * Which CouchDB the 'couchdb-single' and 'couchdb-cluster' test projects run against, decided
 * from the environment when vitest loads its config (so a project with nothing to run against
 * is replaced by one skipped placeholder that says why):
 *
 * - HUDDLE_TEST_COUCHDB=skip: neither project runs (both skip, saying so).
 * - HUDDLE_TEST_COUCHDB_URL, else COUCHDB_URL: 'couchdb-single' runs against that CouchDB 3
 *   (a single node, or one node of a cluster), credentials in the URL.
 * - HUDDLE_TEST_COUCHDB_CLUSTER_URLS: 'couchdb-cluster' runs against that cluster, given as the
 *   comma-separated URLs of two or more of its nodes (credentials in each).
 * - Otherwise, when the CouchDB kit is beside the repository (`../shared/couchdb`), the test run
 *   starts a local single node and a local 3-node cluster from it and stops them at the end.
 * - Otherwise the project skips: a fresh machine has no CouchDB.
 */
import { findCouchKit } from './couchdb-local.js';

export type CouchTopology = 'single' | 'cluster';

export type CouchTarget =
  | { kind: 'local'; kit: string; nodes: number }
  | { kind: 'external'; urls: string[] }
  | { kind: 'skip'; reason: string };

export const COUCH_PROJECTS = { single: 'couchdb-single', cluster: 'couchdb-cluster' } as const;

export const CLUSTER_NODES = 3;

type Env = Record<string, string | undefined>;

function parseUrl(raw: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`${variable}: not a URL`);
  }
  return url.toString().replace(/\/$/, '');
}

export function couchTarget(topology: CouchTopology, env: Env, repoRoot: string): CouchTarget {
  if (env['HUDDLE_TEST_COUCHDB'] === 'skip') {
    return { kind: 'skip', reason: 'HUDDLE_TEST_COUCHDB=skip' };
  }
  if (topology === 'single') {
    const variable = env['HUDDLE_TEST_COUCHDB_URL'] ? 'HUDDLE_TEST_COUCHDB_URL' : 'COUCHDB_URL';
    const raw = env[variable];
    if (raw) return { kind: 'external', urls: [parseUrl(raw, variable)] };
  } else {
    const raw = env['HUDDLE_TEST_COUCHDB_CLUSTER_URLS'];
    if (raw) {
      const urls = raw
        .split(',')
        .filter((u) => u.trim() !== '')
        .map((u) => parseUrl(u, 'HUDDLE_TEST_COUCHDB_CLUSTER_URLS'));
      if (urls.length < 2) {
        throw new Error('HUDDLE_TEST_COUCHDB_CLUSTER_URLS: give two or more node URLs of one cluster');
      }
      return { kind: 'external', urls };
    }
  }
  const kit = findCouchKit(repoRoot);
  if (kit) return { kind: 'local', kit, nodes: topology === 'single' ? 1 : CLUSTER_NODES };
  const override =
    topology === 'single'
      ? 'HUDDLE_TEST_COUCHDB_URL (or COUCHDB_URL)'
      : 'HUDDLE_TEST_COUCHDB_CLUSTER_URLS (two or more node URLs)';
  return {
    kind: 'skip',
    reason: `no CouchDB ${topology === 'single' ? 'node' : 'cluster'} to test against: ../shared/couchdb is absent and ${override} is not set`,
  };
}
