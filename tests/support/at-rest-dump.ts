/**
 * What someone holding a copy of Huddle's databases reads with no server running: every document,
 * every stored revision (winning leaves, conflicts, tombstones, and the older revisions whose bodies
 * are still stored), and each database's changes feed in its stored order. Two sources: the embedded
 * store's PouchDB (LevelDB) directories under `<dataDir>/db/`, opened directly (view indexes
 * included), or a CouchDB (or CouchDB-compatible server) over HTTP with `_changes?style=all_docs`,
 * `GET /db/id?open_revs=all&revs=true` and `?rev=` for each older revision.
 */
import fs from 'node:fs';
import path from 'node:path';
import PouchDB from 'pouchdb';
import { DB_NAMES } from '../../sync-server/src/storage/port.js';
import { couchRequest } from './couch-server.js';

export type Body = Record<string, unknown>;

export interface StoredRevision {
  /** 'public', …, or a view index of the embedded store ('votes-mrview-…'). */
  db: string;
  id: string;
  rev: string;
  isLeaf: boolean;
  isDeleted: boolean;
  /** undefined when only the revision id is left (compacted or purged). */
  body: Body | undefined;
}

export interface FeedRow {
  seq: string;
  id: string;
  /** Leaf revisions (style=all_docs). */
  revs: string[];
  isDeleted: boolean;
  doc: Body | undefined;
}

export interface DatabaseDump {
  db: string;
  /** In stored order. */
  feed: FeedRow[];
  revisions: StoredRevision[];
}

interface RevisionSource {
  /** The leaves, each with `_revisions`. */
  openRevs(id: string): Promise<Array<{ ok?: Body }>>;
  /** One revision's body, undefined when it is no longer stored. */
  at(id: string, rev: string): Promise<Body | undefined>;
}

async function revisionsOf(db: string, id: string, source: RevisionSource): Promise<StoredRevision[]> {
  const found = new Map<string, StoredRevision>();
  for (const leaf of await source.openRevs(id)) {
    if (!leaf.ok) continue;
    const { _revisions: history, ...body } = leaf.ok as Body & {
      _revisions?: { start: number; ids: string[] };
    };
    const rev = String(body['_rev']);
    found.set(rev, { db, id, rev, isLeaf: true, isDeleted: body['_deleted'] === true, body });
    if (!history) continue;
    for (const [i, hash] of history.ids.entries()) {
      const older = `${history.start - i}-${hash}`;
      if (i === 0 || found.has(older)) continue;
      const olderBody = await source.at(id, older);
      found.set(older, {
        db,
        id,
        rev: older,
        isLeaf: false,
        isDeleted: olderBody?.['_deleted'] === true,
        body: olderBody,
      });
    }
  }
  return [...found.values()];
}

const isMissing = (err: unknown) => (err as { status?: number } | null)?.status === 404;

/** The embedded store's directories: each database and each view index PouchDB keeps beside it. */
export function pouchDirectories(dataDir: string): Array<{ db: string; dir: string }> {
  const root = path.join(dataDir, 'db');
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({ db: e.name, dir: path.join(root, e.name) }));
}

/** Opens one PouchDB directory directly (the server must be stopped: LevelDB locks it). */
export async function dumpPouchDirectory(db: string, dir: string): Promise<DatabaseDump> {
  const pouch = new PouchDB(dir);
  try {
    const changes = await pouch.changes({ since: 0, style: 'all_docs', include_docs: true });
    const feed: FeedRow[] = changes.results.map((r) => ({
      seq: String(r.seq),
      id: r.id,
      revs: r.changes.map((c) => c.rev),
      isDeleted: Boolean(r.deleted),
      doc: r.doc as Body | undefined,
    }));
    const source: RevisionSource = {
      openRevs: async (id) =>
        (await pouch.get(id, { open_revs: 'all', revs: true })) as unknown as Array<{ ok?: Body }>,
      at: async (id, rev) => {
        try {
          return (await pouch.get(id, { rev })) as unknown as Body;
        } catch (err) {
          if (isMissing(err)) return undefined;
          throw err;
        }
      },
    };
    const revisions: StoredRevision[] = [];
    for (const row of feed) revisions.push(...(await revisionsOf(db, row.id, source)));
    return { db, feed, revisions };
  } finally {
    await pouch.close();
  }
}

export async function dumpEmbeddedStore(dataDir: string): Promise<DatabaseDump[]> {
  const dumps: DatabaseDump[] = [];
  for (const { db, dir } of pouchDirectories(dataDir)) dumps.push(await dumpPouchDirectory(db, dir));
  return dumps;
}

/** `_design/x` and `_local/x` keep their slash; everything else is one encoded path segment. */
function docPath(id: string): string {
  const special = /^(_design|_local)\/(.*)$/.exec(id);
  return special ? `${special[1]}/${encodeURIComponent(special[2]!)}` : encodeURIComponent(id);
}

async function couchGet(url: string, pathname: string): Promise<unknown> {
  const res = await couchRequest(url, 'GET', pathname);
  if (res.status !== 200) throw new Error(`GET ${pathname.split('?')[0]} answered ${res.status}`);
  return res.body;
}

/** One CouchDB database over HTTP (`name` is the full database name, prefix included). */
export async function dumpCouchDatabase(url: string, name: string, db: string): Promise<DatabaseDump> {
  const changes = (await couchGet(url, `/${name}/_changes?style=all_docs&include_docs=true`)) as {
    results: Array<{
      seq: unknown;
      id: string;
      changes: Array<{ rev: string }>;
      deleted?: boolean;
      doc?: Body;
    }>;
  };
  const feed: FeedRow[] = changes.results.map((r) => ({
    seq: typeof r.seq === 'string' ? r.seq : JSON.stringify(r.seq),
    id: r.id,
    revs: r.changes.map((c) => c.rev),
    isDeleted: Boolean(r.deleted),
    doc: r.doc,
  }));
  const source: RevisionSource = {
    openRevs: async (id) =>
      (await couchGet(url, `/${name}/${docPath(id)}?open_revs=all&revs=true`)) as Array<{ ok?: Body }>,
    at: async (id, rev) => {
      const res = await couchRequest(url, 'GET', `/${name}/${docPath(id)}?rev=${encodeURIComponent(rev)}`);
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw new Error(`GET an old revision answered ${res.status}`);
      return res.body as Body;
    },
  };
  const revisions: StoredRevision[] = [];
  for (const row of feed) revisions.push(...(await revisionsOf(db, row.id, source)));
  // Local documents (CouchDB 2+) never appear in _changes; a server without _local_docs has none to show.
  const local = await couchRequest(url, 'GET', `/${name}/_local_docs?include_docs=true`);
  if (local.status === 200) {
    for (const row of (local.body as { rows: Array<{ id: string; doc?: Body }> }).rows) {
      revisions.push({
        db,
        id: row.id,
        rev: String(row.doc?.['_rev'] ?? ''),
        isLeaf: true,
        isDeleted: false,
        body: row.doc,
      });
    }
  }
  return { db, feed, revisions };
}

export async function dumpCouchStore(url: string, prefix: string): Promise<DatabaseDump[]> {
  const dumps: DatabaseDump[] = [];
  for (const db of DB_NAMES) dumps.push(await dumpCouchDatabase(url, `${prefix}${db}`, db));
  return dumps;
}

/** Every file under `dir`, with its path relative to `dir`. */
export function filesUnder(dir: string): Array<{ rel: string; file: string }> {
  const out: Array<{ rel: string; file: string }> = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push({ rel: path.relative(dir, p), file: p });
    }
  };
  walk(dir);
  return out;
}
