/**
 * Embedded store: one PouchDB (LevelDB on disk) database per DbName under
 * `${dataDir}/db/<name>`. The default when COUCHDB_URL is unset, so a fresh machine
 * needs nothing else. Single instance only: LevelDB locks its files, so several server
 * processes need CouchDB (COUCHDB_URL). The contract suite is tests/contract/storage-contract.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import PouchDB from 'pouchdb';
import { restrictNewFiles } from '../file-modes.js';
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

type PouchError = { status?: number; name?: string; message?: string };
const isStatus = (err: unknown, status: number) => (err as PouchError | null)?.status === status;

export class PouchDocStore implements DocStore {
  constructor(
    readonly name: DbName,
    readonly pouch: PouchDB.Database,
  ) {}

  async get<T extends StoredDoc = StoredDoc>(id: string): Promise<WithRev<T> | undefined> {
    try {
      return (await this.pouch.get(id)) as unknown as WithRev<T>;
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  async getRevisions(id: string, revs: string[]): Promise<StoredDoc[]> {
    if (revs.length === 0) return [];
    try {
      const leaves = (await this.pouch.get(id, { open_revs: revs })) as unknown as Array<{ ok?: StoredDoc }>;
      return leaves.flatMap((leaf) => (leaf.ok ? [leaf.ok] : []));
    } catch (err) {
      if (isStatus(err, 404)) return [];
      throw err;
    }
  }

  async put(doc: StoredDoc) {
    try {
      const res = await this.pouch.put(doc as PouchDB.Core.PutDocument<object>);
      return { id: res.id, rev: res.rev };
    } catch (err) {
      if (isStatus(err, 409)) throw new ConflictError(doc._id);
      throw err;
    }
  }

  async create(doc: StoredDoc): Promise<'created' | 'exists'> {
    const { _rev: _ignored, ...fresh } = doc;
    try {
      await this.pouch.put(fresh as PouchDB.Core.PutDocument<object>);
      return 'created';
    } catch (err) {
      if (isStatus(err, 409)) return 'exists';
      throw err;
    }
  }

  async bulkPut(docs: StoredDoc[]): Promise<WriteResult[]> {
    if (docs.length === 0) return [];
    const res = await this.pouch.bulkDocs(docs as PouchDB.Core.PutDocument<object>[]);
    return res.map((r, i) => {
      if ('error' in r && r.error) {
        const failure = r as PouchDB.Core.Error;
        return {
          id: docs[i]!._id,
          error: failure.status === 409 ? 'conflict' : String(failure.message ?? failure.name),
        };
      }
      const ok = r as PouchDB.Core.Response;
      return { id: ok.id, rev: ok.rev };
    });
  }

  async remove(id: string, rev: string) {
    try {
      await this.pouch.remove(id, rev);
    } catch (err) {
      if (isStatus(err, 409)) throw new ConflictError(id);
      throw err;
    }
  }

  async list(options: RangeOptions) {
    const includeDocs = options.includeDocs ?? false;
    // With keys, missing and deleted ids are skipped first and the limit applies after, so
    // both adapters answer the same rows (a range never holds deleted docs: limit is exact).
    const conflicts = includeDocs && options.conflicts ? { conflicts: true } : {};
    if (options.keys) {
      const rows = await this.getMany(options.keys, includeDocs, Boolean(includeDocs && options.conflicts));
      return options.limit !== undefined ? rows.slice(0, options.limit) : rows;
    }
    const res = await this.pouch.allDocs({
      include_docs: includeDocs,
      ...conflicts,
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.prefix !== undefined
        ? { startkey: options.prefix, endkey: `${options.prefix}\ufff0` }
        : {}),
    });
    const rows: Array<{ id: string; rev: string; doc?: StoredDoc }> = [];
    for (const row of res.rows as Array<{
      id: string;
      value?: { rev: string; deleted?: boolean };
      doc?: unknown;
      error?: string;
    }>) {
      if (row.error || !row.value || row.value.deleted) continue;
      rows.push({ id: row.id, rev: row.value.rev, ...(row.doc ? { doc: row.doc as StoredDoc } : {}) });
    }
    return rows;
  }

  /**
   * Reads by id with one get per id, all at once. PouchDB answers allDocs({ keys }) with one LevelDB
   * iterator per key, which costs 3-4 times as much as a get (100 keys: ~18 ms against ~5 ms), and
   * the push reads a batch's documents this way (bench/sync-push.ts). Missing and deleted ids are
   * skipped, as allDocs rows with an error or a deleted value are.
   */
  private async getMany(ids: string[], includeDocs: boolean, withConflicts: boolean) {
    const docs = await Promise.all(
      ids.map((id) =>
        this.pouch.get(id, withConflicts ? { conflicts: true } : {}).catch((err: unknown) => {
          if (isStatus(err, 404)) return undefined;
          throw err;
        }),
      ),
    );
    const rows: Array<{ id: string; rev: string; doc?: StoredDoc }> = [];
    for (const doc of docs) {
      if (!doc) continue;
      rows.push({ id: doc._id, rev: doc._rev, ...(includeDocs ? { doc: doc as unknown as StoredDoc } : {}) });
    }
    return rows;
  }

  async changes(options: { since?: string; limit?: number; includeDocs?: boolean }): Promise<ChangesPage> {
    // The cursor is opaque to callers; this adapter made it, from PouchDB's numeric seq.
    // An unreadable cursor restarts from the beginning: a full resync is safe, a gap is not.
    const since = options.since === undefined || options.since === '' ? 0 : Number(options.since);
    const res = await this.pouch.changes({
      since: Number.isFinite(since) && since >= 0 ? since : 0,
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      include_docs: options.includeDocs ?? false,
    });
    return {
      results: res.results.map((r) => ({
        id: r.id,
        seq: String(r.seq),
        deleted: Boolean(r.deleted),
        ...(r.doc ? { doc: r.doc as unknown as StoredDoc } : {}),
      })),
      lastSeq: String(res.last_seq),
    };
  }

  async query(view: string, options: ViewOptions): Promise<ViewRow[]> {
    const res = await this.pouch.query(view, {
      keys: options.keys as string[] | undefined,
      group: options.group,
      reduce: options.reduce,
    });
    return res.rows.map((r) => ({ key: r.key, value: r.value }));
  }

  async updateSeq() {
    const info = await this.pouch.info();
    return String(info.update_seq);
  }

  async purge(id: string) {
    // PouchDB's LevelDB adapter has no purge: delete every live leaf (conflicting revisions
    // included), then compact so that no old revision body stays on disk. A tombstone with
    // no content remains.
    let leaves: Array<{ ok?: { _rev: string; _deleted?: boolean } }>;
    try {
      leaves = (await this.pouch.get(id, { open_revs: 'all' })) as unknown as typeof leaves;
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw err;
    }
    const live = leaves.flatMap((leaf) => (leaf.ok && !leaf.ok._deleted ? [leaf.ok._rev] : []));
    for (const rev of live) await this.remove(id, rev);
    await this.pouch.compact();
  }

  async purgeMany(docs: Array<{ id: string; rev: string }>) {
    if (docs.length === 0) return;
    // No purge in PouchDB's LevelDB adapter: delete at exactly that revision (a document changed
    // since answers a conflict and keeps its newer text), then compact so no old body stays.
    await this.pouch.bulkDocs(docs.map((d) => ({ _id: d.id, _rev: d.rev, _deleted: true })));
    await this.pouch.compact();
  }

  async compact() {
    await this.pouch.compact();
  }
}

export interface PouchStorageOptions {
  dataDir: string;
}

/**
 * LevelDB's table blocks uncompressed: snappy hides nothing from someone holding the files (it is
 * not encryption), but it does hide text from a byte scan, and the anonymity-at-rest test scans the
 * data directory's files byte by byte as the attacker's tools would after decompressing. The cost is
 * disk space only (about 2x on text), on the single-machine store.
 */
const LEVELDB_OPTIONS = { compression: false } as PouchDB.Configuration.DatabaseConfiguration;

export class PouchStorage implements Storage {
  readonly kind = 'pouchdb' as const;
  private readonly stores: Map<DbName, PouchDocStore>;

  constructor(options: PouchStorageOptions) {
    // LevelDB creates its files with the process umask: 0600/0700 whoever opens the store.
    restrictNewFiles();
    const dir = path.resolve(options.dataDir, 'db');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.stores = new Map(
      DB_NAMES.map((name) => [
        name,
        new PouchDocStore(name, new PouchDB(path.join(dir, name), LEVELDB_OPTIONS)),
      ]),
    );
  }

  db(name: DbName): DocStore {
    const store = this.stores.get(name);
    if (!store) throw new Error(`unknown database ${name}`);
    return store;
  }

  async init() {
    for (const [name, docs] of Object.entries(DESIGN_DOCS) as Array<[DbName, StoredDoc[]]>) {
      for (const doc of docs) await upsertDesignDoc(this.db(name), doc);
    }
  }

  async close() {
    await Promise.all([...this.stores.values()].map((s) => s.pouch.close()));
  }
}
