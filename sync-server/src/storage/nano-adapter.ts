/**
 * CouchDB store through nano: one CouchDB database per DbName, named `${prefix}${name}`
 * (huddle_public, huddle_private, huddle_vault, huddle_votes by default). Used when COUCHDB_URL
 * is set; production points it at a CouchDB 3 cluster, and several server instances may share
 * it. Credentials go in the URL (basic auth: nano's cookie auth fails on express-pouchdb).
 *
 * Update sequences are opaque strings in CouchDB (numbers in express-pouchdb): they are passed
 * back exactly as received, never parsed. Errors are rethrown as CouchError, whose message names
 * the database but never a document id (ids in the private database can name an account) and
 * which carries no `statusCode`, so the HTTP layer answers 500 rather than echoing CouchDB's 4xx.
 */
import nano from 'nano';
import { DESIGN_DOCS, upsertDesignDoc } from './design-docs.js';
import {
  ConflictError,
  DB_NAMES,
  type ChangesPage,
  type DbName,
  type DocStore,
  type RangeOptions,
  type Storage,
  type StoredDoc,
  type ViewOptions,
  type ViewRow,
  type WithRev,
  type WriteResult,
} from './port.js';

/** A failed CouchDB request. `couchStatus` is 0 when the server could not be reached. */
export class CouchError extends Error {
  constructor(
    readonly couchStatus: number,
    readonly couchError: string,
    readonly couchReason: string,
    message: string,
  ) {
    super(message);
    this.name = 'CouchError';
  }
}

type Query = Record<string, string | number | boolean | undefined>;

interface CallOptions {
  method?: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path below the database, already encoded (see docPath). */
  path?: string;
  qs?: Query;
  body?: unknown;
}

type NanoFailure = { statusCode?: number; error?: string; reason?: string; message?: string };

/** Document ids go in the URL encoded, except the `_design/` and `_local/` namespaces. */
function docPath(id: string): string {
  const special = /^(_design|_local)\/(.*)$/.exec(id);
  return special ? `${special[1]}/${encodeURIComponent(special[2]!)}` : encodeURIComponent(id);
}

/** CouchDB 2+ answers string seqs, express-pouchdb numbers: either way an opaque string. */
function seqToString(seq: unknown): string {
  return typeof seq === 'string' ? seq : JSON.stringify(seq);
}

function withoutUndefined(qs: Query | undefined): Record<string, string | number | boolean> | undefined {
  if (!qs) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(qs)) if (value !== undefined) out[key] = value;
  return out;
}

class CouchDb {
  constructor(
    private readonly server: nano.ServerScope,
    readonly dbName: string,
  ) {}

  async call<T>(options: CallOptions = {}): Promise<T> {
    const method = options.method ?? 'GET';
    try {
      return (await this.server.request({
        db: this.dbName,
        method,
        ...(options.path !== undefined ? { path: options.path } : {}),
        ...(options.qs ? { qs: withoutUndefined(options.qs) } : {}),
        ...(options.body !== undefined ? { body: options.body } : {}),
      })) as T;
    } catch (err) {
      const failure = (err ?? {}) as NanoFailure;
      const status = failure.statusCode ?? 0;
      const what =
        status === 0
          ? (failure.message ?? 'unreachable')
          : `${status} ${failure.error ?? ''}: ${failure.reason ?? ''}`;
      throw new CouchError(
        status,
        failure.error ?? '',
        failure.reason ?? '',
        `CouchDB ${method} ${this.dbName}: ${what}`,
      );
    }
  }
}

const isStatus = (err: unknown, status: number) => err instanceof CouchError && err.couchStatus === status;

interface BulkRow {
  id?: string;
  rev?: string;
  ok?: boolean;
  error?: string;
  reason?: string;
}

interface AllDocsRow {
  id?: string;
  key: string;
  value?: { rev: string; deleted?: boolean };
  doc?: StoredDoc | null;
  error?: string;
}

interface BulkGetResponse {
  results: Array<{
    id: string;
    docs: Array<{ ok?: StoredDoc; error?: { error?: string; reason?: string } }>;
  }>;
}

/**
 * CouchDB's winning revision first: a live leaf before a deleted one, then the longer history, then
 * the greater revision id (couch_doc / couch_key_tree). Ties cannot happen between distinct leaves.
 */
function byWinningRevision(a: StoredDoc, b: StoredDoc): number {
  if (Boolean(a._deleted) !== Boolean(b._deleted)) return a._deleted ? 1 : -1;
  const [posA, idA] = splitRev(a._rev!);
  const [posB, idB] = splitRev(b._rev!);
  if (posA !== posB) return posB - posA;
  return idA < idB ? 1 : idA > idB ? -1 : 0;
}

function splitRev(rev: string): [number, string] {
  const dash = rev.indexOf('-');
  return [Number(rev.slice(0, dash)), rev.slice(dash + 1)];
}

interface ChangesResponse {
  results: Array<{ id: string; seq: unknown; deleted?: boolean; doc?: StoredDoc }>;
  last_seq: unknown;
}

type OpenRevs = Array<{ ok?: { _rev: string; _deleted?: boolean }; missing?: string }>;

export class NanoDocStore implements DocStore {
  constructor(
    readonly name: DbName,
    private readonly couch: CouchDb,
  ) {}

  get dbName(): string {
    return this.couch.dbName;
  }

  /**
   * Creates the database if missing: 201 created, 202 created without quorum, 412 already there
   * (another instance won the race). An existing database is left alone, so an account that is
   * admin of the four databases but not a server admin can run the server.
   */
  async ensureDatabase(): Promise<void> {
    try {
      await this.couch.call({ method: 'GET' });
      return;
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
    try {
      await this.couch.call({ method: 'PUT' });
    } catch (err) {
      if (!isStatus(err, 412)) throw err;
    }
  }

  async get<T extends StoredDoc = StoredDoc>(id: string): Promise<WithRev<T> | undefined> {
    try {
      return await this.couch.call<WithRev<T>>({ path: docPath(id) });
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  async getRevisions(id: string, revs: string[]): Promise<StoredDoc[]> {
    if (revs.length === 0) return [];
    try {
      const leaves = await this.couch.call<Array<{ ok?: StoredDoc }>>({
        path: docPath(id),
        qs: { open_revs: JSON.stringify(revs) },
      });
      return leaves.flatMap((leaf) => (leaf.ok ? [leaf.ok] : []));
    } catch (err) {
      if (isStatus(err, 404)) return [];
      throw err;
    }
  }

  async put(doc: StoredDoc) {
    try {
      const res = await this.couch.call<{ id: string; rev: string }>({
        method: 'PUT',
        path: docPath(doc._id),
        body: doc,
      });
      return { id: res.id, rev: res.rev };
    } catch (err) {
      if (isStatus(err, 409)) throw new ConflictError(doc._id);
      throw err;
    }
  }

  async create(doc: StoredDoc): Promise<'created' | 'exists'> {
    const { _rev: _ignored, ...fresh } = doc;
    try {
      await this.couch.call({ method: 'PUT', path: docPath(doc._id), body: fresh });
      return 'created';
    } catch (err) {
      if (isStatus(err, 409)) return 'exists';
      throw err;
    }
  }

  async bulkPut(docs: StoredDoc[]): Promise<WriteResult[]> {
    if (docs.length === 0) return [];
    // _bulk_docs answers 201 even when single documents failed: every row is checked.
    const rows = await this.couch.call<BulkRow[]>({ method: 'POST', path: '_bulk_docs', body: { docs } });
    // CouchDB answers in request order, but express-pouchdb's validation layer sometimes
    // reorders failures: rows are matched to documents by id (in order, for repeated ids).
    const byId = new Map<string, BulkRow[]>();
    for (const row of rows) {
      if (row.id === undefined) continue;
      const queue = byId.get(row.id);
      if (queue) queue.push(row);
      else byId.set(row.id, [row]);
    }
    return docs.map((doc, i) => {
      const row = byId.get(doc._id)?.shift() ?? rows[i];
      if (!row) return { id: doc._id, error: 'no result from CouchDB' };
      if (row.error)
        return {
          id: doc._id,
          error: row.error === 'conflict' ? 'conflict' : `${row.error}: ${row.reason ?? ''}`,
        };
      return { id: row.id ?? doc._id, rev: row.rev };
    });
  }

  async remove(id: string, rev: string) {
    try {
      await this.couch.call({ method: 'DELETE', path: docPath(id), qs: { rev } });
    } catch (err) {
      if (isStatus(err, 409)) throw new ConflictError(id);
      throw err;
    }
  }

  async list(options: RangeOptions) {
    const includeDocs = options.includeDocs ?? false;
    // With keys, missing and deleted ids are skipped first and the limit applies after (as in
    // the Pouch adapter). A range never holds deleted docs, so its limit is exact.
    const conflicts = includeDocs && options.conflicts ? true : undefined;
    if (options.keys && !conflicts) {
      const rows = await this.getMany(options.keys, includeDocs);
      return options.limit !== undefined ? rows.slice(0, options.limit) : rows;
    }
    // With conflicts (a pull's own drafts and log slots), _all_docs: PouchDB behind express-pouchdb
    // answers _bulk_get with the winner only, so its other leaves would go unseen.
    const res = options.keys
      ? await this.couch.call<{ rows: AllDocsRow[] }>({
          method: 'POST',
          path: '_all_docs',
          qs: { include_docs: includeDocs, conflicts },
          body: { keys: options.keys },
        })
      : await this.couch.call<{ rows: AllDocsRow[] }>({
          path: '_all_docs',
          qs: {
            include_docs: includeDocs,
            conflicts,
            limit: options.limit,
            // nano JSON-encodes startkey/endkey.
            ...(options.prefix !== undefined
              ? { startkey: options.prefix, endkey: `${options.prefix}\ufff0` }
              : {}),
          },
        });
    const rows: Array<{ id: string; rev: string; doc?: StoredDoc }> = [];
    for (const row of res.rows) {
      if (row.error || !row.value || row.value.deleted || row.id === undefined) continue;
      rows.push({ id: row.id, rev: row.value.rev, ...(row.doc ? { doc: row.doc } : {}) });
    }
    return options.keys && options.limit !== undefined ? rows.slice(0, options.limit) : rows;
  }

  /**
   * Reads by id in one `_bulk_get`: CouchDB 3.4 answers it 3-4 times as fast as `_all_docs` with keys
   * (100 ids: ~15-40 ms against ~60 ms on one node; `_all_docs` opens the keys ten at a time), and the
   * push reads a batch's documents this way (bench/sync-push-couchdb.ts). Without a revision,
   * CouchDB answers every leaf revision of a document (conflicts and deleted leaves too; PouchDB
   * behind express-pouchdb answers only the winner): the winner is picked here by CouchDB's own rule.
   * Missing and deleted documents are skipped.
   */
  private async getMany(ids: string[], includeDocs: boolean) {
    if (ids.length === 0) return []; // PouchDB behind express-pouchdb never answers an empty _bulk_get
    const res = await this.couch.call<BulkGetResponse>({
      method: 'POST',
      path: '_bulk_get',
      body: { docs: ids.map((id) => ({ id })) },
    });
    const rows: Array<{ id: string; rev: string; doc?: StoredDoc }> = [];
    for (const result of res.results) {
      // Only "not_found" means missing: any other error (a node down in a cluster, a timeout) is a
      // failed read, never a missing document (that would reject a comment on an idea that exists).
      const failure = result.docs.find((d) => d.error && d.error.error !== 'not_found')?.error;
      if (failure)
        throw new CouchError(
          503,
          failure.error ?? 'bulk_get',
          failure.reason ?? '',
          `_bulk_get ${result.id}: ${failure.error ?? '?'} ${failure.reason ?? ''}`,
        );
      const leaves = result.docs.flatMap((d) => (d.ok ? [d.ok] : [])).sort(byWinningRevision);
      const winner = leaves[0];
      if (!winner || winner._deleted) continue;
      rows.push({ id: winner._id, rev: winner._rev!, ...(includeDocs ? { doc: winner } : {}) });
    }
    return rows;
  }

  async changes(options: { since?: string; limit?: number; includeDocs?: boolean }): Promise<ChangesPage> {
    const res = await this.couch.call<ChangesResponse>({
      path: '_changes',
      qs: {
        since: options.since === undefined || options.since === '' ? '0' : options.since,
        limit: options.limit,
        include_docs: options.includeDocs ?? false,
      },
    });
    return {
      results: res.results.map((r) => ({
        id: r.id,
        seq: seqToString(r.seq),
        deleted: Boolean(r.deleted),
        ...(r.doc ? { doc: r.doc } : {}),
      })),
      lastSeq: seqToString(res.last_seq),
    };
  }

  async query(view: string, options: ViewOptions): Promise<ViewRow[]> {
    const [ddoc, name, ...rest] = view.split('/');
    if (!ddoc || !name || rest.length > 0) throw new Error(`view must be 'ddoc/view', got '${view}'`);
    const path = `_design/${encodeURIComponent(ddoc)}/_view/${encodeURIComponent(name)}`;
    const qs: Query = { group: options.group, reduce: options.reduce };
    const res = options.keys
      ? await this.couch.call<{ rows: ViewRow[] }>({ method: 'POST', path, qs, body: { keys: options.keys } })
      : await this.couch.call<{ rows: ViewRow[] }>({ path, qs });
    return res.rows.map((r) => ({ key: r.key, value: r.value }));
  }

  async updateSeq() {
    const info = await this.couch.call<{ update_seq: unknown }>();
    return seqToString(info.update_seq);
  }

  async purge(id: string) {
    let leaves: OpenRevs;
    try {
      leaves = await this.couch.call<OpenRevs>({ path: docPath(id), qs: { open_revs: 'all' } });
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw err;
    }
    const revs = leaves.flatMap((leaf) => (leaf.ok ? [leaf.ok._rev] : []));
    if (revs.length === 0) return;
    try {
      // Every leaf (the winner, conflicts and tombstones) goes: CouchDB then forgets the whole
      // revision tree, old bodies included, and drops the document from its views.
      const res = await this.couch.call<{ purged?: Record<string, string[]> }>({
        method: 'POST',
        path: '_purge',
        body: { [id]: revs },
      });
      if (res.purged) return;
    } catch (err) {
      // Unsupported, not a bad request: express-pouchdb routes POST /db/_purge to attachments.
      const isUnsupported =
        err instanceof CouchError &&
        ([404, 405, 501].includes(err.couchStatus) ||
          (err.couchStatus === 400 && err.couchReason === 'only_multipart_accepted'));
      if (!isUnsupported) throw err;
    }
    // No _purge on this server (express-pouchdb answers 400 'only_multipart_accepted'): delete
    // every live leaf, then compact so that no old revision body stays. A tombstone without
    // content remains. express-pouchdb compacts before answering; CouchDB would do it in the
    // background, but CouchDB has _purge and never gets here.
    for (const leaf of leaves) {
      if (leaf.ok && !leaf.ok._deleted) await this.remove(id, leaf.ok._rev);
    }
    await this.couch.call({ method: 'POST', path: '_compact', body: {} });
  }

  async purgeMany(docs: Array<{ id: string; rev: string }>) {
    if (docs.length === 0) return;
    const revs: Record<string, string[]> = {};
    for (const d of docs) (revs[d.id] ??= []).push(d.rev);
    try {
      // A revision that is no longer a leaf (the document changed since) is left alone by CouchDB.
      await this.couch.call({ method: 'POST', path: '_purge', body: revs });
      return;
    } catch (err) {
      const isUnsupported =
        err instanceof CouchError &&
        ([404, 405, 501].includes(err.couchStatus) ||
          (err.couchStatus === 400 && err.couchReason === 'only_multipart_accepted'));
      if (!isUnsupported) throw err;
    }
    // No _purge on this server (express-pouchdb): delete at exactly those revisions, then compact.
    await this.bulkPut(docs.map((d) => ({ _id: d.id, _rev: d.rev, _deleted: true })));
    await this.couch.call({ method: 'POST', path: '_compact', body: {} });
  }

  async compact() {
    try {
      await this.couch.call({ method: 'POST', path: '_compact', body: {} });
    } catch (err) {
      // A compaction already running answers an error on some versions: it will do the job.
      if (!(err instanceof CouchError) || err.couchStatus >= 500 || err.couchStatus === 0) throw err;
    }
  }
}

export interface NanoStorageOptions {
  /** CouchDB base URL, credentials included (http://user:password@host:5984). */
  url: string;
  /** Database name prefix: `${prefix}public` etc. */
  prefix: string;
}

export class NanoStorage implements Storage {
  readonly kind = 'couchdb' as const;
  private readonly stores: Map<DbName, NanoDocStore>;

  constructor(options: NanoStorageOptions) {
    // parseUrl: false, or nano would take the last path segment of the URL as a database
    // (a CouchDB behind a proxy at https://host/couchdb).
    const config: nano.Configuration & { parseUrl: boolean } = { url: options.url, parseUrl: false };
    const server = nano(config);
    this.stores = new Map(
      DB_NAMES.map((name) => [name, new NanoDocStore(name, new CouchDb(server, `${options.prefix}${name}`))]),
    );
  }

  db(name: DbName): NanoDocStore {
    const store = this.stores.get(name);
    if (!store) throw new Error(`unknown database ${name}`);
    return store;
  }

  /** Creates the four databases and the design documents. Safe on every start and on many instances. */
  async init() {
    for (const name of DB_NAMES) {
      await this.db(name).ensureDatabase();
    }
    for (const [name, docs] of Object.entries(DESIGN_DOCS) as Array<[DbName, StoredDoc[]]>) {
      for (const doc of docs) await upsertDesignDoc(this.db(name), doc);
    }
  }

  /** nano keeps no pool or timer of its own (idle sockets of Node's fetch are unref'd). */
  async close() {}
}
