/**
 * comment.create: the idea must be visible (released, or the caller's own pending idea); a comment on
 * an idea that was merged meanwhile goes to the idea it was merged into.
 */
import { SCHEMA_VERSION } from '../../../../shared/src/protocol.js';
import { docId, toCoarseHour } from '../../../../shared/src/ids.js';
import type { CommentDoc } from '../../../../shared/src/documents.js';
import type { CreateCommentMutation } from '../../../../shared/src/mutations.js';
import { contentIdFor } from '../keys.js';
import { acceptNewPost, arrivalRefs, hasStarted } from './post-arrival.js';
import {
  conversationProblem,
  conversationRef,
  findItem,
  followMerges,
  itemRefs,
  rejections,
} from './targets.js';
import { rejected, type ServerEffect } from './types.js';

export const commentCreateEffect: ServerEffect<CreateCommentMutation> = {
  reads: (m, ctx) => [
    conversationRef(m.conversationId),
    ...itemRefs(ctx.secrets, 'idea', m.ideaId),
    ...arrivalRefs(ctx.secrets, 'comment', contentIdFor(ctx.secrets, ctx.accountId, m.id)),
  ],
  decide(m, view, ctx) {
    const contentId = contentIdFor(ctx.secrets, ctx.accountId, m.id);
    let ideaId = m.ideaId;
    if (!hasStarted(view, ctx, contentId)) {
      const found = findItem(view, ctx, 'idea', m.ideaId);
      const idea = found && followMerges(view, ctx, found);
      if (idea && 'more' in idea) return idea;
      if (!idea || idea.doc.status !== 'visible' || idea.doc.conversationId !== m.conversationId)
        return rejected(rejections.ideaMissing);
      const closed = conversationProblem(view, m.conversationId);
      if (closed) return rejected(closed);
      ideaId = idea.doc.id;
    }
    const comment: CommentDoc = {
      _id: docId.comment(contentId),
      type: 'comment',
      schemaVersion: SCHEMA_VERSION,
      id: contentId,
      conversationId: m.conversationId,
      ideaId,
      body: m.body,
      createdHour: toCoarseHour(ctx.now),
      status: 'visible',
    };
    return acceptNewPost(view, ctx, comment);
  },
  replayAnswer: (m, ctx) => ({ contentId: contentIdFor(ctx.secrets, ctx.accountId, m.id) }),
};
