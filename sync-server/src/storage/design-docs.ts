/**
 * Design documents (views) per database, created at start by both adapters.
 * Tallies come from built-in reducers over vote documents, never from counters.
 */
import { ConflictError, type DbName, type DocStore, type StoredDoc } from './port.js';

export const DESIGN_DOCS: Partial<Record<DbName, StoredDoc[]>> = {
  votes: [
    {
      _id: '_design/tally',
      views: {
        byItem: {
          map: "function (doc) { if (doc.type === 'vote') { emit(doc.itemId, [doc.value === 'like' ? 1 : 0, doc.value === 'dislike' ? 1 : 0]); } }",
          reduce: '_sum',
        },
      },
    },
  ],
};

/**
 * Writes a design document if it is missing or its views changed. Shared by both adapters.
 * Safe when several instances start at once: a lost race (409) is retried against the winner,
 * and in a cluster two identical accepted creates are harmless conflicting revisions.
 */
export async function upsertDesignDoc(store: DocStore, doc: StoredDoc): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await store.get(doc._id);
    if (existing && JSON.stringify(existing['views']) === JSON.stringify(doc['views'])) return;
    try {
      await store.put(existing ? { ...doc, _rev: existing._rev } : doc);
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new Error(`could not write design document ${doc._id} after 5 attempts`);
}
