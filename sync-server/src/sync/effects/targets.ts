/**
 * Reading what a mutation points at (conversation, stream, idea, comment) from the batch's view, and
 * the reasons a mutation cannot apply to it. Rejection messages are shown to the author next to their
 * returned text, so they are plain and never reveal anything about other people.
 */
import {
  commentDocSchema,
  conversationDocSchema,
  ideaDocSchema,
  streamDocSchema,
  type CommentDoc,
  type IdeaDoc,
  type ItemKind,
  type StreamDoc,
} from '../../../../shared/src/documents.js';
import { docId } from '../../../../shared/src/ids.js';
import { REJECTION_CODES, type Rejection } from '../../../../shared/src/rejections.js';
import type { DbName } from '../../storage/port.js';
import { stagedDocId, vaultDocId } from '../keys.js';
import { openStaged } from '../pending.js';
import type { BatchView, DocRef, EffectContext } from './types.js';

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
  notVotable: {
    code: REJECTION_CODES.notFound,
    message: 'The post you voted on has been taken down, so it no longer takes votes.',
  },
} as const satisfies Record<string, Rejection>;

export const conversationRef = (conversationId: string): DocRef => ({
  db: 'public',
  id: docId.conversation(conversationId),
});

/** null when the conversation accepts contributions. */
export function conversationProblem(view: BatchView, conversationId: string): Rejection | null {
  const parsed = conversationDocSchema.safeParse(view.get('public', docId.conversation(conversationId)));
  if (!parsed.success) return rejections.conversationMissing;
  return parsed.data.status === 'live' ? null : rejections.conversationClosed;
}

export function findStream(view: BatchView, streamId: string): StreamDoc | undefined {
  const parsed = streamDocSchema.safeParse(view.get('public', docId.stream(streamId)));
  return parsed.success ? parsed.data : undefined;
}

/** What must be read to find an item: its public copy, and for the author's own pending post, the staged copy and the vault entry. */
export const itemRefs = (secrets: EffectContext['secrets'], kind: ItemKind, id: string): DocRef[] => [
  { db: 'public', id: docId[kind](id) },
  { db: 'private', id: stagedDocId(secrets, id) },
  { db: 'vault', id: vaultDocId(secrets, id) },
];

export type FoundItem = { doc: IdeaDoc | CommentDoc; isReleased: boolean };

/** A released item, or the caller's own item still waiting for the next batch. */
export function findItem(
  view: BatchView,
  ctx: EffectContext,
  kind: ItemKind,
  id: string,
): FoundItem | undefined {
  const schema = kind === 'idea' ? ideaDocSchema : commentDocSchema;
  const released = schema.safeParse(view.get('public', docId[kind](id)));
  if (released.success) return { doc: released.data, isReleased: true };
  const staged = openStaged(ctx.secrets, view.get('private', stagedDocId(ctx.secrets, id)));
  if (!staged || staged.doc.type !== kind) return undefined;
  // Only its author may see (and so act on) a post that is not released yet.
  const author = ctx.openAuthor(view.get('vault', vaultDocId(ctx.secrets, id)), id);
  return author?.accountId === ctx.accountId ? { doc: staged.doc, isReleased: false } : undefined;
}

/**
 * Moderation wins over stale offline actions: a comment or vote on an idea that was merged follows it
 * to the idea it was merged into. Answers the idea at the end of the chain, or the ids still to read.
 */
export function followMerges(
  view: BatchView,
  ctx: EffectContext,
  found: FoundItem,
): FoundItem | { more: DocRef[] } | undefined {
  let current = found;
  const seen = new Set<string>();
  while (current.doc.type === 'idea' && current.doc.status === 'merged' && current.doc.mergedInto) {
    const next = current.doc.mergedInto;
    if (seen.has(next)) return undefined;
    seen.add(next);
    let nextItem: FoundItem | undefined;
    try {
      nextItem = findItem(view, ctx, 'idea', next);
    } catch (err) {
      if (err instanceof NotReadError) return { more: itemRefs(ctx.secrets, 'idea', next) };
      throw err;
    }
    if (!nextItem) return undefined;
    current = nextItem;
  }
  return current;
}

/** Thrown by a view asked for a document nobody read: a kind that needs more reads says so with `more`. */
export class NotReadError extends Error {
  constructor(
    readonly db: DbName,
    readonly id: string,
  ) {
    super(`document not read: ${db}/${id.split(':')[0]}`);
    this.name = 'NotReadError';
  }
}
