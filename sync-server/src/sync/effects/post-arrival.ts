/**
 * What every new idea or comment writes once it has passed its checks: the vault entry (who wrote
 * it; first, so that a retry after a crash knows the checks were passed and finishes the job instead
 * of judging again), the staged copy that waits for the next batch release (timing protection; sealed
 * and padded, see ../pending.ts; it carries nothing about the author), and a "post" event in the
 * author's own log. All are creates of ids derived from the mutation, so a retry or a concurrent
 * duplicate converges on one effect. The moderation flag (if the text seems to identify someone) is
 * written by the releaser when the post goes out: written here, `flag:<public id>` would sit in the
 * private database's changes feed at the position of this push.
 */
import { SCHEMA_VERSION } from '../../../../shared/src/protocol.js';
import type { CommentDoc, IdeaDoc } from '../../../../shared/src/documents.js';
import { stagedDocId, vaultDocId } from '../keys.js';
import { sealStaged } from '../pending.js';
import { applied, type BatchView, type Decision, type DocRef, type EffectContext } from './types.js';

export const arrivalRefs = (
  secrets: EffectContext['secrets'],
  kind: 'idea' | 'comment',
  contentId: string,
): DocRef[] => [
  { db: 'vault', id: vaultDocId(secrets, contentId) },
  { db: 'public', id: `${kind}:${contentId}` },
  { db: 'private', id: stagedDocId(secrets, contentId) },
];

/** True when an earlier attempt of this mutation already passed its checks (its vault entry exists). */
export const hasStarted = (view: BatchView, ctx: EffectContext, contentId: string) =>
  view.get('vault', vaultDocId(ctx.secrets, contentId)) !== undefined;

export function acceptNewPost(view: BatchView, ctx: EffectContext, doc: IdeaDoc | CommentDoc): Decision {
  const staged = sealStaged(ctx.secrets, { type: 'staged', schemaVersion: SCHEMA_VERSION, doc });
  const isReleased = view.get('public', doc._id) !== undefined;
  return {
    outcome: applied(doc.id),
    writes: [
      {
        db: 'vault',
        mode: 'ensure',
        doc: ctx.sealAuthor({ accountId: ctx.accountId, kind: doc.type, contentId: doc.id }),
      },
      // Already released by an earlier attempt: staging it again would only show it as pending.
      ...(isReleased ? [] : [{ db: 'private' as const, mode: 'ensure' as const, doc: staged }]),
    ],
    events: [{ t: 'post', contentId: doc.id, kind: doc.type, conversationId: doc.conversationId }],
  };
}
