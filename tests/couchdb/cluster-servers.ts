/**
 * Several Huddle servers on one CouchDB cluster, each talking to its own node, as instances
 * behind a load balancer would: same HUDDLE_SECRET and HUDDLE_LINKING_KEY, same databases. Plus
 * what the cluster tests need to look at the cluster itself: revision conflicts per database and
 * a wait until every node shows the same documents and conflicts (internal replication done).
 */
import crypto from 'node:crypto';
import type { Env } from '../../sync-server/src/config.js';
import { DB_NAMES, type DbName } from '../../sync-server/src/storage/port.js';
import { couchFetch, waitFor } from '../support/couchdb-local.js';
import { freshPrefix, type CouchUnderTest } from '../support/couchdb-under-test.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import type { TestAccount } from '../support/accounts.js';
import type { MutationResult } from '../../shared/src/api.js';

export interface ClusterServers {
  prefix: string;
  /** The shared secrets, for createTestAccount(…, { env }). */
  env: Record<string, string>;
  servers: TestServer[];
  close(): Promise<void>;
}

/** One server per given node index (0-based into couch.urls), all on one fresh set of databases. */
export async function startClusterServers(
  couch: CouchUnderTest,
  nodeIndexes: number[],
  extraEnv: Partial<Record<keyof Env, string>> = {},
): Promise<ClusterServers> {
  const prefix = freshPrefix(couch);
  const env = {
    HUDDLE_SECRET: crypto.randomBytes(32).toString('base64url'),
    HUDDLE_LINKING_KEY: crypto.randomBytes(32).toString('hex'),
  };
  const servers: TestServer[] = [];
  for (const i of nodeIndexes) {
    const url = couch.urls[i];
    if (!url) throw new Error(`the cluster has no node ${i + 1}`);
    servers.push(
      await startTestServer({
        RELEASE_INTERVAL_SECONDS: '3600',
        // Edits with every batch: the daily edit gate would make the outcome depend on the time of day.
        EDIT_RELEASE: 'every-batch',
        ...extraEnv,
        ...env,
        COUCHDB_URL: url,
        COUCHDB_DB_PREFIX: prefix,
      }),
    );
  }
  return {
    prefix,
    env,
    servers,
    async close() {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

export const clientOf = (server: TestServer, device: Pick<TestAccount, 'sessionToken'>) =>
  HttpClient.as(server.url, device);

interface DocRow {
  id: string;
  doc?: { _rev: string; _conflicts?: string[] } | null;
}

async function allDocs(url: string, db: string): Promise<DocRow[]> {
  const res = await couchFetch(url, 'GET', `/${db}/_all_docs?include_docs=true&conflicts=true`);
  if (res.status !== 200) throw new Error(`${db}/_all_docs answered ${res.status}`);
  return (res.body as { rows: DocRow[] }).rows;
}

/** Ids of the documents that have conflicting revisions, per database, as one node sees them. */
export async function conflictedDocs(url: string, prefix: string): Promise<Record<DbName, string[]>> {
  const out = {} as Record<DbName, string[]>;
  for (const name of DB_NAMES) {
    out[name] = (await allDocs(url, prefix + name))
      .filter((row) => (row.doc?._conflicts?.length ?? 0) > 0)
      .map((row) => row.id);
  }
  return out;
}

/**
 * Waits until every node shows the same revision and the same conflicts for every document of
 * the prefix's databases, three times in a row: the internal replication between the nodes has
 * caught up, so a conflict made by concurrent writes is now visible everywhere.
 */
export async function waitForClusterToSettle(nodeUrls: string[], prefix: string, timeoutMs = 60_000) {
  let previous = '';
  let stableFor = 0;
  await waitFor(
    'the cluster nodes to agree',
    async () => {
      const views: string[] = [];
      for (const url of nodeUrls) {
        const parts: string[] = [];
        for (const name of DB_NAMES) {
          for (const row of await allDocs(url, prefix + name)) {
            parts.push(
              `${name}/${row.id}@${row.doc?._rev}:${[...(row.doc?._conflicts ?? [])].sort().join('+')}`,
            );
          }
        }
        views.push(parts.join('\n'));
      }
      const agreed = views.every((v) => v === views[0]) ? views[0]! : '';
      stableFor = agreed !== '' && agreed === previous ? stableFor + 1 : 0;
      previous = agreed;
      return stableFor >= 2 ? true : undefined;
    },
    timeoutMs,
    400,
  );
}

/** The post or draft a mutation made, from its answer (rejections have none). */
export const contentIdOf = (result: MutationResult | undefined): string | undefined =>
  result && 'contentId' in result ? result.contentId : undefined;
