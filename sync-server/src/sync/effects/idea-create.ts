/** idea.create: checks the stream and conversation, then accepts the idea (post-arrival.ts). */
import { SCHEMA_VERSION } from '../../../../shared/src/protocol.js';
import { docId, toCoarseHour } from '../../../../shared/src/ids.js';
import type { IdeaDoc } from '../../../../shared/src/documents.js';
import type { CreateIdeaMutation } from '../../../../shared/src/mutations.js';
import { contentIdFor } from '../keys.js';
import { acceptNewPost, arrivalRefs, hasStarted } from './post-arrival.js';
import { conversationProblem, conversationRef, findStream, rejections } from './targets.js';
import { rejected, type ServerEffect } from './types.js';

export const ideaCreateEffect: ServerEffect<CreateIdeaMutation> = {
  reads: (m, ctx) => [
    conversationRef(m.conversationId),
    { db: 'public', id: docId.stream(m.streamId) },
    ...arrivalRefs(ctx.secrets, 'idea', contentIdFor(ctx.secrets, ctx.accountId, m.id)),
  ],
  decide(m, view, ctx) {
    const contentId = contentIdFor(ctx.secrets, ctx.accountId, m.id);
    if (!hasStarted(view, ctx, contentId)) {
      const stream = findStream(view, m.streamId);
      if (!stream || stream.conversationId !== m.conversationId) return rejected(rejections.streamMissing);
      const closed = conversationProblem(view, m.conversationId);
      if (closed) return rejected(closed);
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
      createdHour: toCoarseHour(ctx.now),
      status: 'visible',
    };
    return acceptNewPost(view, ctx, idea);
  },
  replayAnswer: (m, ctx) => ({ contentId: contentIdFor(ctx.secrets, ctx.accountId, m.id) }),
};
