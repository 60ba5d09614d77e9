/**
 * The storage port: everything the server stores goes through this interface, so
 * the same code runs on the embedded PouchDB store and on a CouchDB cluster (nano).
 * Both adapters pass one contract suite (tests/contract/storage-contract.ts).
 *
 * Update sequences are opaque strings: a number in PouchDB, an opaque token in CouchDB.
 */

/**
 * The databases. A query on one can never join another. `accounts` (people, login codes, sessions)
 * is apart from `private` (drafts, receipts, reports, staged posts) so that no changes feed or
 * backup of one database shows a person's session next to the writes of their words.
 */
export const DB_NAMES = ['public', 'private', 'vault', 'votes', 'accounts'] as const;
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
  /**
   * With includeDocs: each doc carries `_conflicts` (the other leaf revisions) when it has any. Only a
   * cluster makes them (two nodes each accepting one write of the same document); callers that must
   * not lose the losing side read it with getRevisions().
   */
  conflicts?: boolean;
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
  /** These revisions of one document (leaves named in `_conflicts`); missing ones are skipped. */
  getRevisions(id: string, revs: string[]): Promise<StoredDoc[]>;
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
  /**
   * Forgets these revisions for good, in one request where the store can (released staged posts).
   * Only the given revision goes: a document changed since keeps its newer revision.
   */
  purgeMany(docs: Array<{ id: string; rev: string }>): Promise<void>;
  /**
   * Drop the bodies of old (non-leaf) revisions, e.g. the text before an edit. CouchDB compacts in
   * the background (the call returns at once); the embedded store compacts before answering.
   */
  compact(): Promise<void>;
}

export interface Storage {
  readonly kind: 'pouchdb' | 'couchdb';
  db(name: DbName): DocStore;
  /** Creates databases and design documents; safe to run on every start and on many instances. */
  init(): Promise<void>;
  close(): Promise<void>;
}
