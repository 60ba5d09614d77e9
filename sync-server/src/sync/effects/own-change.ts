/**
 * What idea/comment edit and withdraw share: ownership is proven through the vault (never through
 * anything published), then the change is staged so that it reaches other people only at the next
 * batch release, like a new post (timing protection):
 * - a post not yet released: its staged copy is rewritten in place (nobody has seen the old text);
 * - a released post: a staged copy carrying `change` waits for the releaser, which applies it to the
 *   public document as it is then (moderation wins; see projection.ts).
 * Edited text is checked like new text when the releaser publishes it: the moderation flag is refreshed
 * there (never a block), not here, where its write would mark this push in the private changes feed.
 */
import { SCHEMA_VERSION } from '../../../../shared/src/protocol.js';
import { docId, toCoarseHour } from '../../../../shared/src/ids.js';
import {
  commentDocSchema,
  ideaDocSchema,
  type ItemKind,
  type StagedChange,
} from '../../../../shared/src/documents.js';
import { REJECTION_CODES, type Rejection } from '../../../../shared/src/rejections.js';
import { stagedDocId, vaultDocId } from '../keys.js';
import { openStaged, sealStaged } from '../pending.js';
import { sameText, withChange } from '../projection.js';
import { conversationProblem, conversationRef } from './targets.js';
import {
  applied,
  rejected,
  type BatchView,
  type Decision,
  type DocRef,
  type EffectContext,
} from './types.js';

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

export interface OwnChangeTarget {
  kind: ItemKind;
  contentId: string;
  conversationId: string;
}

export const ownChangeRefs = (secrets: EffectContext['secrets'], t: OwnChangeTarget): DocRef[] => [
  conversationRef(t.conversationId),
  { db: 'vault', id: vaultDocId(secrets, t.contentId) },
  { db: 'private', id: stagedDocId(secrets, t.contentId) },
  { db: 'public', id: docId[t.kind](t.contentId) },
];

export function decideOwnChange(
  view: BatchView,
  ctx: EffectContext,
  target: OwnChangeTarget,
  change: StagedChange,
): Decision {
  const author = ctx.openAuthor(
    view.get('vault', vaultDocId(ctx.secrets, target.contentId)),
    target.contentId,
  );
  if (!author || author.accountId !== ctx.accountId || author.kind !== target.kind)
    return rejected(ownChangeRejections.notYours);
  const schema = target.kind === 'idea' ? ideaDocSchema : commentDocSchema;
  const opened = openStaged(ctx.secrets, view.get('private', stagedDocId(ctx.secrets, target.contentId)));
  const staged = opened ? { success: true as const, data: opened } : { success: false as const };
  const released = schema.safeParse(view.get('public', docId[target.kind](target.contentId)));
  const current = staged.success ? staged.data.doc : released.success ? released.data : undefined;
  if (!current || current.conversationId !== target.conversationId) return rejected(ownChangeRejections.gone);
  const closed = conversationProblem(view, current.conversationId);
  if (closed) return rejected(closed);
  // Moderation states come from the public copy; the author's own withdrawal may still be staged.
  const status =
    staged.success && staged.data.doc.status === 'withdrawn'
      ? 'withdrawn'
      : released.success
        ? released.data.status
        : current.status;
  const events = [
    {
      t: 'post' as const,
      contentId: target.contentId,
      kind: target.kind,
      conversationId: current.conversationId,
    },
  ];
  if (change.kind === 'withdraw') {
    if (status === 'withdrawn') return { outcome: applied(target.contentId), events };
    if (status !== 'visible' && status !== 'hidden') return rejected(ownChangeRejections.moderated);
  } else if (status === 'withdrawn') {
    return rejected(ownChangeRejections.withdrawn);
  } else if (status !== 'visible') {
    return rejected(ownChangeRejections.moderated);
  }
  // A released post shows that it was edited (coarse hour, set again at release).
  const editedHour = released.success ? toCoarseHour(ctx.now) : undefined;
  const doc = withChange(current, change, editedHour);
  // A retry of this very change: still staged, or already released by a batch since.
  const isDone = staged.success
    ? sameText(staged.data.doc, doc) && staged.data.change?.kind === change.kind
    : released.success && sameText(released.data, doc);
  if (isDone) return { outcome: applied(target.contentId), events };
  const next = sealStaged(ctx.secrets, { type: 'staged', schemaVersion: SCHEMA_VERSION, doc, change });
  return {
    outcome: applied(target.contentId),
    writes: [{ db: 'private', mode: 'put', doc: next }],
    events,
  };
}
