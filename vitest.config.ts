import { defineConfig } from 'vitest/config';

// One runner for everything. Projects: unit (fast, pure), integration (real server on
// loopback, real embedded store, real SMTP), browser (real Chromium via playwright-core).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/contract/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        // The same sync and auth suites again, with the server storing through the CouchDB
        // adapter (nano) against a CouchDB-compatible server (express-pouchdb, test-only).
        test: {
          name: 'integration-couch',
          include: [
            'tests/integration/sync.test.ts',
            'tests/integration/exactly-once.test.ts',
            'tests/integration/exactly-once-property.test.ts',
            'tests/integration/release.test.ts',
            'tests/integration/auth.test.ts',
          ],
          environment: 'node',
          env: { HUDDLE_TEST_STORAGE: 'couch' },
          setupFiles: ['tests/support/couch-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
