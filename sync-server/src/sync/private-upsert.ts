/**
 * Last-writer-wins upsert of one private document for the mutation kinds that replace a person's
 * state (questionnaire answers, notification settings). Like votes (apply-vote.ts): a replay that
 * finds the same content writes nothing, and a stale delivery whose mutation already finished
 * elsewhere (its receipt exists) does not overwrite a later one.
 */
import type { Deps } from '../deps.js';
import { ConflictError, type StoredDoc } from '../storage/port.js';

const MAX_ATTEMPTS = 8;

export async function upsertPrivate(
  deps: Pick<Deps, 'storage'>,
  isSettled: () => Promise<boolean>,
  doc: StoredDoc,
  isSame: (existing: StoredDoc) => boolean,
): Promise<void> {
  const db = deps.storage.db('private');
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const existing = await db.get(doc._id);
    if (existing && isSame(existing)) return;
    if (await isSettled()) return;
    try {
      await db.put(existing ? { ...doc, _rev: existing._rev } : doc);
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new Error(`update of ${doc._id.split(':')[0]} kept conflicting`);
}
