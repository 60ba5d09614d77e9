/** comment.edit: the author changes the text of their own comment (see own-change.ts). */
import type { EditCommentMutation } from '../../../../shared/src/mutations.js';
import { decideOwnChange, ownChangeRefs, type OwnChangeTarget } from './own-change.js';
import type { ServerEffect } from './types.js';

const target = (m: EditCommentMutation): OwnChangeTarget => ({
  kind: 'comment',
  contentId: m.commentId,
  conversationId: m.conversationId,
});

export const commentEditEffect: ServerEffect<EditCommentMutation> = {
  reads: (m, ctx) => ownChangeRefs(ctx.secrets, target(m)),
  decide: (m, view, ctx) => decideOwnChange(view, ctx, target(m), { kind: 'edit', body: m.body }),
  replayAnswer: (m) => ({ contentId: target(m).contentId }),
};
