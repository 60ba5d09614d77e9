/**
 * Reads the things a mutation points at (conversation, stream, idea, comment) and says
 * why a mutation cannot apply to them. Rejection messages are shown to the author next to
 * their returned draft, so they are plain and never reveal anything about other people.
 */
import {
  commentDocSchema,
  conversationDocSchema,
  ideaDocSchema,
  stagedDocSchema,
  streamDocSchema,
  type CommentDoc,
  type IdeaDoc,
  type ItemKind,
  type StreamDoc,
} from '../../../shared/src/documents.js';
import { docId } from '../../../shared/src/ids.js';
import { REJECTION_CODES, type Rejection } from '../../../shared/src/rejections.js';
import type { Deps } from '../deps.js';
import { ownerTagFor, stagedDocId } from './keys.js';

export type TargetDeps = Pick<Deps, 'storage' | 'secrets'>;

export const rejections = {
  conversationMissing: { code: REJECTION_CODES.notFound, message: 'This conversation does not exist.' },
  conversationClosed: {
    code: REJECTION_CODES.conversationClosed,
    message: 'This conversation is not open: it does not accept posts, votes or changes now.',
  },
  streamMissing: {
    code: REJECTION_CODES.notFound,
    message: 'The topic you posted in is no longer available.',
  },
  ideaMissing: {
    code: REJECTION_CODES.notFound,
    message: 'The idea you commented on is no longer available.',
  },
  itemMissing: { code: REJECTION_CODES.notFound, message: 'The post you voted on is no longer available.' },
} as const satisfies Record<string, Rejection>;

/** null when the conversation accepts contributions. */
export async function checkConversationOpen(
  deps: TargetDeps,
  conversationId: string,
): Promise<Rejection | null> {
  const parsed = conversationDocSchema.safeParse(
    await deps.storage.db('public').get(docId.conversation(conversationId)),
  );
  if (!parsed.success) return rejections.conversationMissing;
  return parsed.data.status === 'live' ? null : rejections.conversationClosed;
}

export async function findStream(deps: TargetDeps, streamId: string): Promise<StreamDoc | undefined> {
  const parsed = streamDocSchema.safeParse(await deps.storage.db('public').get(docId.stream(streamId)));
  return parsed.success ? parsed.data : undefined;
}

/** A released item, or the caller's own item still waiting for the next batch. */
export async function findItem(
  deps: TargetDeps,
  accountId: string,
  kind: ItemKind,
  itemId: string,
): Promise<IdeaDoc | CommentDoc | undefined> {
  const schema = kind === 'idea' ? ideaDocSchema : commentDocSchema;
  const released = schema.safeParse(await deps.storage.db('public').get(docId[kind](itemId)));
  if (released.success) return released.data;
  const staged = stagedDocSchema.safeParse(await deps.storage.db('private').get(stagedDocId(itemId)));
  if (!staged.success || staged.data.ownerTag !== ownerTagFor(deps.secrets, accountId)) return undefined;
  return staged.data.doc.type === kind ? staged.data.doc : undefined;
}

/**
 * Reads shared by the mutations of one push. A push is one moment, so a conversation's status
 * and a stream read once serve the whole batch (a missing stream is not remembered).
 */
export interface BatchLookups {
  conversationProblem(conversationId: string): Promise<Rejection | null>;
  stream(streamId: string): Promise<StreamDoc | undefined>;
}

export function createBatchLookups(deps: TargetDeps): BatchLookups {
  const conversations = new Map<string, Promise<Rejection | null>>();
  const streams = new Map<string, StreamDoc>();
  return {
    conversationProblem(conversationId) {
      let problem = conversations.get(conversationId);
      if (!problem)
        conversations.set(conversationId, (problem = checkConversationOpen(deps, conversationId)));
      return problem;
    },
    async stream(streamId) {
      const known = streams.get(streamId);
      if (known) return known;
      const found = await findStream(deps, streamId);
      if (found) streams.set(streamId, found);
      return found;
    },
  };
}
