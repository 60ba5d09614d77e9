/** Which CouchDB the couchdb-* projects use, and why they skip when there is none. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { couchTarget } from '../support/couchdb-targets.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A repository root with (or without) a CouchDB kit beside it. */
function repoRoot(withKit: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huddle-targets-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'repo'));
  if (withKit) {
    fs.mkdirSync(path.join(dir, 'shared', 'couchdb'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'shared', 'couchdb', 'couchdb-3.4.3-debian12-x86_64.tar.xz'), '');
  }
  return path.join(dir, 'repo');
}

describe('the CouchDB the couchdb-* projects run against', () => {
  it('starts a node and a 3-node cluster from the kit beside the repository', () => {
    const root = repoRoot(true);
    expect(couchTarget('single', {}, root)).toMatchObject({ kind: 'local', nodes: 1 });
    expect(couchTarget('cluster', {}, root)).toMatchObject({ kind: 'local', nodes: 3 });
  });

  it('skips, saying why, on a fresh machine without the kit or URLs', () => {
    const root = repoRoot(false);
    const single = couchTarget('single', {}, root);
    const cluster = couchTarget('cluster', {}, root);
    expect(single).toMatchObject({ kind: 'skip' });
    expect(cluster).toMatchObject({ kind: 'skip' });
    expect(single.kind === 'skip' && single.reason).toMatch(
      /\.\.\/shared\/couchdb is absent.*HUDDLE_TEST_COUCHDB_URL/,
    );
    expect(cluster.kind === 'skip' && cluster.reason).toMatch(/HUDDLE_TEST_COUCHDB_CLUSTER_URLS/);
  });

  it('uses the URLs given in the environment, before the kit', () => {
    const root = repoRoot(true);
    expect(couchTarget('single', { COUCHDB_URL: 'http://a:b@db.example:5984/' }, root)).toEqual({
      kind: 'external',
      urls: ['http://a:b@db.example:5984'],
    });
    expect(
      couchTarget(
        'single',
        { COUCHDB_URL: 'http://a:b@one:5984', HUDDLE_TEST_COUCHDB_URL: 'http://a:b@two:5984' },
        root,
      ),
    ).toMatchObject({ urls: ['http://a:b@two:5984'] });
    expect(
      couchTarget(
        'cluster',
        { HUDDLE_TEST_COUCHDB_CLUSTER_URLS: 'http://a:b@n1:5984, http://a:b@n2:5984' },
        root,
      ),
    ).toEqual({ kind: 'external', urls: ['http://a:b@n1:5984', 'http://a:b@n2:5984'] });
    expect(() =>
      couchTarget('cluster', { HUDDLE_TEST_COUCHDB_CLUSTER_URLS: 'http://a:b@n1:5984' }, root),
    ).toThrow(/two or more/);
  });

  it('HUDDLE_TEST_COUCHDB=skip skips both, kit or not', () => {
    for (const root of [repoRoot(true), repoRoot(false)]) {
      expect(couchTarget('single', { HUDDLE_TEST_COUCHDB: 'skip' }, root)).toMatchObject({ kind: 'skip' });
      expect(couchTarget('cluster', { HUDDLE_TEST_COUCHDB: 'skip' }, root)).toMatchObject({ kind: 'skip' });
    }
  });
});
