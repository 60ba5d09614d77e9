/**
 * A public idea or comment is a projection: the author's current text (as they posted, edited or
 * withdrew it) under the moderation state of the released document. The same functions serve the
 * author's own view at once (push) and what others see at the next batch release (releaser.ts).
 */
import type { CommentDoc, IdeaDoc, StagedChange } from '../../../shared/src/documents.js';

/** The post with the author's change applied (no _rev). Withdrawn posts keep an empty tombstone. */
export function withChange<T extends IdeaDoc | CommentDoc>(
  doc: T,
  change: StagedChange,
  editedHour?: string,
): T {
  const { _rev: _ignored, ...rest } = doc;
  if (change.kind === 'withdraw') {
    return { ...rest, status: 'withdrawn', body: '', ...(rest.type === 'idea' ? { title: '' } : {}) } as T;
  }
  return {
    ...rest,
    body: change.body,
    ...(rest.type === 'idea' && change.title !== undefined ? { title: change.title } : {}),
    ...(editedHour ? { editedHour } : {}),
  } as T;
}

/** Whether an author's change still applies to a released post in this moderation state (moderation wins). */
export function isApplicable(status: IdeaDoc['status'], kind: StagedChange['kind']): boolean {
  return kind === 'edit' ? status === 'visible' : status === 'visible' || status === 'hidden';
}

export function sameText(a: IdeaDoc | CommentDoc, b: IdeaDoc | CommentDoc): boolean {
  return (
    a.status === b.status &&
    a.body === b.body &&
    (a.type === 'idea' && b.type === 'idea' ? a.title === b.title : true)
  );
}

/**
 * What the releaser writes for a staged post: the staged text when it was never released; else the
 * change applied to the released document as it is now (keeping its moderation fields), or nothing
 * when the change no longer applies or changes nothing. `editedHour` is the hour of the release.
 */
export function projectRelease(
  staged: { doc: IdeaDoc | CommentDoc; change?: StagedChange },
  released: IdeaDoc | CommentDoc | undefined,
  releaseHour: string,
): IdeaDoc | CommentDoc | undefined {
  if (!released) {
    const { _rev: _ignored, ...doc } = staged.doc;
    return doc;
  }
  if (!staged.change || !isApplicable(released.status, staged.change.kind)) return undefined;
  const next = withChange(released, staged.change, staged.change.kind === 'edit' ? releaseHour : undefined);
  return sameText(released, next) ? undefined : next;
}
