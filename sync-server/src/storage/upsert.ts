/**
 * Read-modify-write of one document that other requests or instances may write too:
 * re-read and retry on a revision conflict. `next` sees the current document (or
 * undefined) and answers the new body, or undefined when nothing needs writing.
 */
import { ConflictError, type DocStore, type StoredDoc, type WithRev } from './port.js';

export async function upsert<T extends StoredDoc>(
  store: DocStore,
  id: string,
  next: (existing: WithRev<T> | undefined) => Omit<T, '_id' | '_rev'> | undefined,
  attempts = 5,
): Promise<'written' | 'unchanged'> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const existing = await store.get<T>(id);
    const body = next(existing);
    if (body === undefined) return 'unchanged';
    try {
      await store.put({ ...body, _id: id, ...(existing ? { _rev: existing._rev } : {}) });
      return 'written';
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new ConflictError(id);
}
