/**
 * The effects of a create mutation: the vault entry (who wrote it), then the staged copy in
 * the private database that waits for the next batch release (timing protection). Both are
 * creates of ids derived from the mutation, so a retry or a concurrent duplicate finds them.
 */
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import type { CommentDoc, IdeaDoc, StagedDoc } from '../../../shared/src/documents.js';
import { hasVaultEntry, writeVaultEntry } from './vault.js';
import { ownerTagFor, stagedDocId } from './keys.js';
import type { TargetDeps } from './targets.js';

/**
 * True when an earlier attempt of this mutation already passed validation and started
 * writing (the vault entry is its first write): a retry then finishes the job instead of
 * re-judging it against a world that may have changed since.
 */
export const hasStarted = (deps: TargetDeps, contentId: string) => hasVaultEntry(deps, contentId);

export async function stageContent(
  deps: TargetDeps,
  accountId: string,
  doc: IdeaDoc | CommentDoc,
): Promise<void> {
  await writeVaultEntry(deps, accountId, doc.type, doc.id);
  // Already released by an earlier attempt: staging it again would only show it as pending.
  if (await deps.storage.db('public').get(doc._id)) return;
  const staged: StagedDoc = {
    _id: stagedDocId(doc.id),
    type: 'staged',
    schemaVersion: SCHEMA_VERSION,
    ownerTag: ownerTagFor(deps.secrets, accountId),
    doc,
  };
  await deps.storage.db('private').create(staged);
}
