/**
 * Stands in for the suites of a 'couchdb-*' project that has no CouchDB to run against (see
 * tests/support/couchdb-targets.ts): each suite is reported as skipped, with the reason, so the
 * run says what it did not test instead of passing quietly.
 */
import path from 'node:path';
import { describe, it } from 'vitest';

const reason = process.env['HUDDLE_TEST_COUCHDB_SKIP_REASON'] ?? 'no CouchDB';
const suites = (process.env['HUDDLE_TEST_COUCHDB_SKIPPED_SUITES'] ?? '').split(',').filter(Boolean);

describe(`real CouchDB skipped: ${reason}`, () => {
  for (const suite of suites) it.skip(path.basename(suite), () => undefined);
});
