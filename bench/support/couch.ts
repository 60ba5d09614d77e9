/**
 * The CouchDB a benchmark runs against, chosen like the tests' (tests/support/couchdb-targets.ts):
 * HUDDLE_TEST_COUCHDB_URL (or COUCHDB_URL) for a single node, HUDDLE_TEST_COUCHDB_CLUSTER_URLS for a
 * cluster, HUDDLE_TEST_COUCHDB=skip for none; otherwise local nodes started from ../shared/couchdb
 * with unique names and ports (tests/support/couchdb-local.ts), stopped again by `close()` or, at
 * the latest, when the process exits. Every database a bench makes starts with its own prefix and
 * is deleted by `close()`, so an external CouchDB is left as it was.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import {
  describeCouch,
  killLocalCouchNow,
  launchLocalCouch,
  readyLocalCouch,
  stopLocalCouch,
} from '../../tests/support/couchdb-local.js';
import { couchTarget, type CouchTopology } from '../../tests/support/couchdb-targets.js';
import { deleteDatabases } from '../../tests/support/couchdb-under-test.js';

export interface BenchCouch {
  /** Node URLs with credentials; servers and the anchors use the first. */
  urls: string[];
  url: string;
  /** e.g. "Apache CouchDB 3.4.3, 1 node (local, started for this bench)" */
  label: string;
  /** A fresh database prefix (lower case, ends with '_'). */
  prefix(): string;
  close(): Promise<void>;
}

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** A CouchDB to run against, or the reason there is none. */
export async function openCouch(topology: CouchTopology): Promise<BenchCouch | { skip: string }> {
  const target = couchTarget(topology, process.env, REPO_ROOT);
  if (target.kind === 'skip') return { skip: target.reason };
  const run = target.kind === 'local' ? await launchLocalCouch(target.kit, target.nodes) : undefined;
  const onExit = () => run && killLocalCouchNow(run.runDir);
  process.once('exit', onExit);
  try {
    if (run) await readyLocalCouch(run);
  } catch (err) {
    if (run) await stopLocalCouch(run.runDir);
    return { skip: `CouchDB did not start: ${(err as Error).message.split('\n')[0]}` };
  }
  const urls = run ? run.nodes.map((n) => n.url) : target.kind === 'external' ? target.urls : [];
  const tag = `huddle_bench${crypto.randomBytes(3).toString('hex')}_`;
  let count = 0;
  const label = `${await describeCouch(urls[0]!)}${run ? ' (local, started for this bench)' : ' (given in the environment)'}`;
  return {
    urls,
    url: urls[0]!,
    label,
    prefix: () => `${tag}${count++}_`,
    async close() {
      if (run) await stopLocalCouch(run.runDir);
      else await deleteDatabases(urls[0]!, tag);
      process.off('exit', onExit);
    },
  };
}
