/**
 * The storage port: everything the server stores goes through this interface, so
 * the same code runs on the embedded PouchDB store and on a CouchDB cluster (nano).
 * Both adapters pass one contract suite (tests/contract/storage-contract.ts).
 *
 * Update sequences are opaque strings: a number in PouchDB, an opaque token in CouchDB.
 */

/** The four databases. A query on one can never join another. */
export const DB_NAMES = ['public', 'private', 'vault', 'votes'] as const;
export type DbName = (typeof DB_NAMES)[number];

export interface StoredDoc {
  _id: string;
  _rev?: string;
  _deleted?: boolean;
  [key: string]: unknown;
}

export type WithRev<T> = T & { _id: string; _rev: string };

export interface WriteResult {
  id: string;
  rev?: string;
  /** 'conflict' when the document exists with another revision; any other text is a failure. */
  error?: 'conflict' | string;
}

export interface ChangeRow {
  id: string;
  seq: string;
  deleted: boolean;
  doc?: StoredDoc;
}

export interface ChangesPage {
  results: ChangeRow[];
  lastSeq: string;
}

export interface RangeOptions {
  /** Only ids starting with this prefix. */
  prefix?: string;
  /** Only these ids (missing ones are skipped). */
  keys?: string[];
  limit?: number;
  includeDocs?: boolean;
}

export interface ViewRow {
  key: unknown;
  value: unknown;
}

export interface ViewOptions {
  keys?: unknown[];
  group?: boolean;
  reduce?: boolean;
}

export class ConflictError extends Error {
  readonly status = 409;
  constructor(id: string) {
    super(`document update conflict: ${id}`);
    this.name = 'ConflictError';
  }
}

export interface DocStore {
  readonly name: DbName;
  get<T extends StoredDoc = StoredDoc>(id: string): Promise<WithRev<T> | undefined>;
  /** Create or update (with _rev). Throws ConflictError on a stale or missing _rev. */
  put(doc: StoredDoc): Promise<{ id: string; rev: string }>;
  /**
   * Create a document that must exist once. Answers 'exists' if it is already there.
   * In a cluster both concurrent creates may be accepted as conflicting revisions:
   * callers only create documents whose content is a function of their id.
   */
  create(doc: StoredDoc): Promise<'created' | 'exists'>;
  /** Per-document results, never throws for a single document's failure. */
  bulkPut(docs: StoredDoc[]): Promise<WriteResult[]>;
  remove(id: string, rev: string): Promise<void>;
  /** Rows ordered by id. */
  list(options: RangeOptions): Promise<Array<{ id: string; rev: string; doc?: StoredDoc }>>;
  changes(options: { since?: string; limit?: number; includeDocs?: boolean }): Promise<ChangesPage>;
  /** Query a view declared in design-docs.ts, e.g. 'tally/byItem'. */
  query(view: string, options: ViewOptions): Promise<ViewRow[]>;
  updateSeq(): Promise<string>;
  /** Remove every revision of a document for good (names removed by moderators). */
  purge(id: string): Promise<void>;
}

export interface Storage {
  readonly kind: 'pouchdb' | 'couchdb';
  db(name: DbName): DocStore;
  /** Creates databases and design documents; safe to run on every start and on many instances. */
  init(): Promise<void>;
  close(): Promise<void>;
}
