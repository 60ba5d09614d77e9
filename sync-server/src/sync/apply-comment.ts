/** comment.create: the idea must be visible (released, or the caller's own pending idea). */
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { docId, toCoarseHour } from '../../../shared/src/ids.js';
import type { CommentDoc } from '../../../shared/src/documents.js';
import type { CreateCommentMutation } from '../../../shared/src/mutations.js';
import type { Deps } from '../deps.js';
import { contentIdFor } from './keys.js';
import { hasStarted } from './staging.js';
import { acceptNewPost } from './accept-post.js';
import { findItem, rejections } from './targets.js';
import type { ApplyContext, Outcome } from './outcome.js';

export async function applyCommentCreate(
  deps: Deps,
  accountId: string,
  m: CreateCommentMutation,
  ctx: ApplyContext,
): Promise<Outcome> {
  const contentId = contentIdFor(deps.secrets, accountId, m.id);
  if (!(await hasStarted(deps, contentId))) {
    const idea = await findItem(deps, accountId, 'idea', m.ideaId);
    if (!idea || idea.status !== 'visible' || idea.conversationId !== m.conversationId) {
      return { status: 'rejected', reason: rejections.ideaMissing };
    }
    const closed = await ctx.lookups.conversationProblem(m.conversationId);
    if (closed) return { status: 'rejected', reason: closed };
  }
  const comment: CommentDoc = {
    _id: docId.comment(contentId),
    type: 'comment',
    schemaVersion: SCHEMA_VERSION,
    id: contentId,
    conversationId: m.conversationId,
    ideaId: m.ideaId,
    body: m.body,
    createdHour: toCoarseHour(deps.now()),
    status: 'visible',
  };
  return acceptNewPost(deps, accountId, comment);
}
