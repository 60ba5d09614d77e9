/**
 * What idea/comment edit and withdraw share: ownership is proven through the vault (never through
 * anything published), then the change is staged so that it reaches other people only at the next
 * batch release, like a new post (timing protection):
 * - a post not yet released: its staged copy is rewritten in place (nobody has seen the old text);
 * - a released post: a staged copy carrying `change` waits for the releaser, which applies the change
 *   to the public document as it is then (moderation wins) and purges the old revision.
 * The staged copy always carries `change`, so an edit that races a release is still applied.
 * Withdrawn posts stay as tombstones (status 'withdrawn', empty text) so comments, votes and
 * tallies that point at them keep working.
 */
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { docId, toCoarseHour } from '../../../shared/src/ids.js';
import {
  commentDocSchema,
  ideaDocSchema,
  stagedDocSchema,
  type CommentDoc,
  type IdeaDoc,
  type ItemKind,
  type StagedChange,
  type StagedDoc,
} from '../../../shared/src/documents.js';
import { REJECTION_CODES, type Rejection } from '../../../shared/src/rejections.js';
import type { Deps } from '../deps.js';
import { ConflictError } from '../storage/port.js';
import { ownerTagFor, stagedDocId } from './keys.js';
import type { ApplyContext, Outcome } from './outcome.js';
import { readAuthor } from './vault.js';
import { flagOnArrival } from '../moderation/flags.js';

const MAX_ATTEMPTS = 8;

export const ownChangeRejections = {
  /** Same words whether the post is someone else's or does not exist: reveals nothing. */
  notYours: { code: REJECTION_CODES.forbidden, message: 'You can only change your own posts.' },
  gone: { code: REJECTION_CODES.notFound, message: 'This post is no longer available.' },
  withdrawn: {
    code: REJECTION_CODES.forbidden,
    message: 'You withdrew this post: it can no longer be edited.',
  },
  moderated: {
    code: REJECTION_CODES.forbidden,
    message: 'The moderators have changed this post, so it can no longer be edited or withdrawn.',
  },
} as const satisfies Record<string, Rejection>;

type ChangeDeps = Pick<Deps, 'storage' | 'secrets' | 'now'>;

/** The post with the change applied (no _rev): what the author sees at once, and what gets released. */
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

export async function stageOwnChange(
  deps: ChangeDeps,
  accountId: string,
  target: { kind: ItemKind; contentId: string; conversationId: string },
  change: StagedChange,
  ctx: ApplyContext,
): Promise<Outcome> {
  const author = await readAuthor(deps, target.contentId);
  if (!author || author.accountId !== accountId || author.kind !== target.kind)
    return { status: 'rejected', reason: ownChangeRejections.notYours };
  const schema = target.kind === 'idea' ? ideaDocSchema : commentDocSchema;
  const privateDb = deps.storage.db('private');
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stagedRead = await privateDb.get(stagedDocId(target.contentId));
    const staged = stagedDocSchema.safeParse(stagedRead);
    const released = schema.safeParse(
      await deps.storage.db('public').get(docId[target.kind](target.contentId)),
    );
    const current = staged.success ? staged.data.doc : released.success ? released.data : undefined;
    if (!current || current.conversationId !== target.conversationId)
      return { status: 'rejected', reason: ownChangeRejections.gone };
    const closed = await ctx.lookups.conversationProblem(current.conversationId);
    if (closed) return { status: 'rejected', reason: closed };
    // Moderation states come from the public copy; the author's own withdrawal may still be staged.
    const status =
      staged.success && staged.data.doc.status === 'withdrawn'
        ? 'withdrawn'
        : released.success
          ? released.data.status
          : current.status;
    if (change.kind === 'withdraw') {
      if (status === 'withdrawn') return { status: 'applied', contentId: target.contentId };
      if (status !== 'visible' && status !== 'hidden')
        return { status: 'rejected', reason: ownChangeRejections.moderated };
    } else if (status === 'withdrawn') {
      return { status: 'rejected', reason: ownChangeRejections.withdrawn };
    } else if (status !== 'visible') {
      return { status: 'rejected', reason: ownChangeRejections.moderated };
    }
    // A released post shows that it was edited (coarse hour, set again at release).
    const editedHour = released.success ? toCoarseHour(deps.now()) : undefined;
    const doc = withChange(current, change, editedHour);
    // A retry of this very change: still staged, or already released by a batch since.
    const isDone = staged.success
      ? sameContent(staged.data.doc, doc) && staged.data.change?.kind === change.kind
      : released.success && sameContent(released.data, doc);
    if (isDone) {
      if (change.kind === 'edit' && staged.success) await flagOnArrival(deps, doc); // idempotent
      return { status: 'applied', contentId: target.contentId };
    }
    const next: StagedDoc = {
      _id: stagedDocId(target.contentId),
      type: 'staged',
      schemaVersion: SCHEMA_VERSION,
      ownerTag: ownerTagFor(deps.secrets, accountId),
      doc,
      change,
    };
    if (await ctx.isSettled()) return { status: 'applied', contentId: target.contentId };
    try {
      if (stagedRead) await privateDb.put({ ...next, _rev: stagedRead._rev });
      else if ((await privateDb.create(next)) === 'exists') continue;
      // Edited text is checked like new text: a flag for the moderation queue, never a block.
      if (change.kind === 'edit') await flagOnArrival(deps, doc);
      return { status: 'applied', contentId: target.contentId };
    } catch (err) {
      // The releaser took the staged copy (or another device changed it) meanwhile: look again.
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new Error('own change kept conflicting');
}

function sameContent(a: IdeaDoc | CommentDoc, b: IdeaDoc | CommentDoc): boolean {
  return (
    a.status === b.status &&
    a.body === b.body &&
    (a.type === 'idea' && b.type === 'idea' ? a.title === b.title : true)
  );
}
