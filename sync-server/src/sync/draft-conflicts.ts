/**
 * A draft saved at the same moment from two devices through two cluster nodes can be accepted by
 * both: CouchDB keeps one text as the winner and the other as a conflicting revision, which nobody
 * would ever read again. Nothing a person wrote may be lost, so when a pull meets such a draft it
 * keeps the losing text as a conflict copy, exactly as draft.save does when it sees the clash itself
 * (draftId derived from the losing save's mutation id, `conflictOf` set), then drops the losing
 * revision. Idempotent: the copy is a create of an id derived from the losing text's version.
 */
import { draftDocSchema, type DraftDoc } from '../../../shared/src/documents.js';
import type { DocStore, StoredDoc } from '../storage/port.js';
import type { Secrets } from '../secrets.js';
import { conflictDraftId, draftDocId } from './keys.js';

export async function keepLosingDraftTexts(
  privateDb: DocStore,
  secrets: Pick<Secrets, 'link'>,
  accountId: string,
  stored: StoredDoc,
): Promise<DraftDoc[]> {
  const conflicts = stored['_conflicts'];
  if (!Array.isArray(conflicts) || conflicts.length === 0) return [];
  const copies: DraftDoc[] = [];
  for (const loser of await privateDb.getRevisions(stored._id, conflicts as string[])) {
    const parsed = draftDocSchema.safeParse(loser);
    if (!parsed.success) continue;
    const { _rev: losingRev, _id: _ignored, ...text } = parsed.data;
    const copyId = conflictDraftId(text.version);
    const copy: DraftDoc = {
      ...text,
      _id: draftDocId(secrets, accountId, copyId),
      draftId: copyId,
      conflictOf: text.draftId,
    };
    await privateDb.create(copy);
    copies.push(copy);
    await privateDb.remove(stored._id, losingRev!).catch(() => undefined); // another pull did it first
  }
  return copies;
}
