/** idea.edit: the author changes the text of their own idea (see own-change.ts). */
import type { EditIdeaMutation } from '../../../../shared/src/mutations.js';
import { decideOwnChange, ownChangeRefs, type OwnChangeTarget } from './own-change.js';
import type { ServerEffect } from './types.js';

const target = (m: EditIdeaMutation): OwnChangeTarget => ({
  kind: 'idea',
  contentId: m.ideaId,
  conversationId: m.conversationId,
});

export const ideaEditEffect: ServerEffect<EditIdeaMutation> = {
  reads: (m, ctx) => ownChangeRefs(ctx.secrets, target(m)),
  decide: (m, view, ctx) =>
    decideOwnChange(view, ctx, target(m), { kind: 'edit', title: m.title, body: m.body }),
  replayAnswer: (m) => ({ contentId: target(m).contentId }),
};
