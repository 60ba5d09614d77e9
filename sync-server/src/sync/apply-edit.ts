/** idea.edit and comment.edit: the author changes the text of their own post (see apply-own-change.ts). */
import type { EditCommentMutation, EditIdeaMutation } from '../../../shared/src/mutations.js';
import type { Deps } from '../deps.js';
import { stageOwnChange } from './apply-own-change.js';
import type { ApplyContext, Outcome } from './outcome.js';

export function applyIdeaEdit(
  deps: Deps,
  accountId: string,
  m: EditIdeaMutation,
  ctx: ApplyContext,
): Promise<Outcome> {
  return stageOwnChange(
    deps,
    accountId,
    { kind: 'idea', contentId: m.ideaId, conversationId: m.conversationId },
    { kind: 'edit', title: m.title, body: m.body },
    ctx,
  );
}

export function applyCommentEdit(
  deps: Deps,
  accountId: string,
  m: EditCommentMutation,
  ctx: ApplyContext,
): Promise<Outcome> {
  return stageOwnChange(
    deps,
    accountId,
    { kind: 'comment', contentId: m.commentId, conversationId: m.conversationId },
    { kind: 'edit', body: m.body },
    ctx,
  );
}
