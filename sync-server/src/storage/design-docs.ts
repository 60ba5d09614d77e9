/**
 * Design documents (views) per database, created at start by both adapters.
 * Tallies come from built-in reducers over vote documents, never from counters.
 */
import type { DbName, StoredDoc } from './port.js';

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
