/**
 * The releaser's half of authors' edits and withdrawals (apply-own-change.ts stages them): each is
 * applied to the public document as it is at release time, so a moderator's decision taken
 * meanwhile wins (an edit of a post that is no longer visible is dropped; a withdrawal still
 * applies to a hidden post). The old text must not stay readable in the public database, so the
 * document is purged (every revision, old bodies included) and written again as a fresh document
 * with the new text. A crash between the purge and the write leaves the staged change in place:
 * the next release finds no public document and releases the staged copy, which already carries
 * the change. Public times stay coarse: `editedHour` is the hour of the release.
 *
 * Caveat (CouchDB): `_purge` forgets the revisions at once; on the embedded store purge deletes
 * every leaf and compacts. Deleted staged copies keep their old body in the private database until
 * its compaction (CouchDB 3 compacts automatically).
 */
import {
  commentDocSchema,
  ideaDocSchema,
  type CommentDoc,
  type IdeaDoc,
  type StagedDoc,
} from '../../../shared/src/documents.js';
import { toCoarseHour } from '../../../shared/src/ids.js';
import type { Deps } from '../deps.js';
import { ConflictError } from '../storage/port.js';
import { withChange } from './apply-own-change.js';

export interface ChangedStaged {
  id: string;
  rev: string;
  staged: StagedDoc;
}

type ChangeReleaseDeps = Pick<Deps, 'storage'> & Partial<Pick<Deps, 'now'>>;

/** Applies each staged change; answers how many public documents were rewritten. */
export async function releaseChanges(deps: ChangeReleaseDeps, items: ChangedStaged[]): Promise<number> {
  let written = 0;
  for (const item of items) if (await releaseChange(deps, item)) written++;
  return written;
}

async function releaseChange(deps: ChangeReleaseDeps, { id, rev, staged }: ChangedStaged): Promise<boolean> {
  const publicDb = deps.storage.db('public');
  const change = staged.change!;
  const schema = staged.doc.type === 'idea' ? ideaDocSchema : commentDocSchema;
  const current = schema.safeParse(await publicDb.get(staged.doc._id));
  let next: IdeaDoc | CommentDoc | undefined;
  if (!current.success) {
    // Never released (edited while waiting), or lost between purge and write: release it as staged.
    const { _rev: _ignored, ...doc } = staged.doc;
    next = doc;
  } else if (isApplicable(current.data.status, change.kind)) {
    const hour = change.kind === 'edit' ? toCoarseHour((deps.now ?? (() => new Date()))()) : undefined;
    next = withChange(current.data, change, hour);
    if (sameText(current.data, next)) next = undefined;
  }
  let isWritten = false;
  if (next) {
    if (current.success) await publicDb.purge(staged.doc._id);
    // 'exists': a concurrent release wrote the same change first.
    isWritten = (await publicDb.create(next)) === 'created';
  }
  try {
    await deps.storage.db('private').remove(id, rev);
  } catch (err) {
    // The author changed it again meanwhile: the next release applies the newer change.
    if (!(err instanceof ConflictError)) throw err;
  }
  return isWritten;
}

function isApplicable(status: IdeaDoc['status'], kind: 'edit' | 'withdraw'): boolean {
  return kind === 'edit' ? status === 'visible' : status === 'visible' || status === 'hidden';
}

function sameText(a: IdeaDoc | CommentDoc, b: IdeaDoc | CommentDoc): boolean {
  return (
    a.status === b.status &&
    a.body === b.body &&
    (a.type === 'idea' && b.type === 'idea' ? a.title === b.title : true)
  );
}
