/** idea.create: checks the stream and conversation, then stages the idea (see staging.ts). */
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { docId, toCoarseHour } from '../../../shared/src/ids.js';
import type { IdeaDoc } from '../../../shared/src/documents.js';
import type { CreateIdeaMutation } from '../../../shared/src/mutations.js';
import type { Deps } from '../deps.js';
import { contentIdFor } from './keys.js';
import { hasStarted } from './staging.js';
import { acceptNewPost } from './accept-post.js';
import { rejections } from './targets.js';
import type { ApplyContext, Outcome } from './outcome.js';

export async function applyIdeaCreate(
  deps: Deps,
  accountId: string,
  m: CreateIdeaMutation,
  ctx: ApplyContext,
): Promise<Outcome> {
  const contentId = contentIdFor(deps.secrets, accountId, m.id);
  if (!(await hasStarted(deps, contentId))) {
    const stream = await ctx.lookups.stream(m.streamId);
    if (!stream || stream.conversationId !== m.conversationId)
      return { status: 'rejected', reason: rejections.streamMissing };
    const closed = await ctx.lookups.conversationProblem(m.conversationId);
    if (closed) return { status: 'rejected', reason: closed };
  }
  const idea: IdeaDoc = {
    _id: docId.idea(contentId),
    type: 'idea',
    schemaVersion: SCHEMA_VERSION,
    id: contentId,
    conversationId: m.conversationId,
    streamId: m.streamId,
    title: m.title,
    body: m.body,
    createdHour: toCoarseHour(deps.now()),
    status: 'visible',
  };
  return acceptNewPost(deps, accountId, idea);
}
