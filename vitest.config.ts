import path from 'node:path';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { COUCH_PROJECTS, couchTarget, type CouchTopology } from './tests/support/couchdb-targets.js';

// One runner for everything. Projects: unit (fast, pure), integration (real server on
// loopback, real embedded store, real SMTP), browser (real Chromium via playwright-core), and
// the server suites again on a real Apache CouchDB: one node, and a 3-node cluster.

/** The suites that run again with the server storing in real CouchDB, on one node and on the cluster. */
const COUCH_SUITES = [
  'tests/contract/couchdb-real.test.ts',
  'tests/integration/sync.test.ts',
  'tests/integration/exactly-once.test.ts',
  'tests/integration/exactly-once-property.test.ts',
  'tests/integration/exactly-once-crash.test.ts',
  'tests/integration/release.test.ts',
  'tests/integration/release-k-anonymity.test.ts',
  'tests/integration/auth.test.ts',
  'tests/integration/anonymity-at-rest.test.ts',
  'tests/integration/multi-tab-property.test.ts',
  'tests/integration/daily-notice.test.ts',
];
/** What only a cluster shows: concurrent writes through two nodes and what they leave, a node lost mid-push. */
const CLUSTER_SUITES = [
  'tests/couchdb/cluster-conflicts.test.ts',
  'tests/couchdb/merged-revisions.test.ts',
  'tests/couchdb/cluster-node-loss.test.ts',
];

/**
 * A real CouchDB project: started from ../shared/couchdb by its globalSetup, or the one given
 * in the environment; with neither, one placeholder file reports the suites as skipped and why.
 */
function couchProject(topology: CouchTopology): TestProjectInlineConfiguration {
  const name = COUCH_PROJECTS[topology];
  const suites = topology === 'cluster' ? [...COUCH_SUITES, ...CLUSTER_SUITES] : COUCH_SUITES;
  const target = couchTarget(topology, process.env, import.meta.dirname);
  const common = {
    name,
    environment: 'node' as const,
    globalSetup: ['tests/support/couchdb-global-setup.ts'],
    fileParallelism: false,
  };
  if (target.kind === 'skip') {
    return {
      test: {
        ...common,
        include: ['tests/couchdb/unavailable.test.ts'],
        env: {
          HUDDLE_TEST_COUCHDB_SKIP_REASON: target.reason,
          HUDDLE_TEST_COUCHDB_SKIPPED_SUITES: suites.map((s) => path.basename(s)).join(','),
        },
      },
    };
  }
  return {
    test: {
      ...common,
      include: suites,
      setupFiles: ['tests/support/couchdb-setup.ts'],
      // Over HTTP to real nodes, on small shared machines: the crash suite alone restarts a
      // server process 19 times.
      testTimeout: 300_000,
      hookTimeout: 180_000,
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // expect.poll's own default (1 s) is a fixed sleep in disguise on a busy 2-core machine.
          expect: { poll: { timeout: 10_000 } },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/contract/**/*.test.ts'],
          // Real CouchDB only in the couchdb-* projects.
          exclude: ['tests/contract/couchdb-real.test.ts'],
          environment: 'node',
          // The crash suite takes ~40 s alone and over 60 s when the machine is shared.
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      couchProject('single'),
      couchProject('cluster'),
      {
        test: {
          name: 'browser',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          expect: { poll: { timeout: 10_000 } },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
