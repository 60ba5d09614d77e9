/**
 * Every change a person makes, written to the device at once: the local effect (a pending
 * post, the pressed vote, the draft cleared) and its outbox entry commit in ONE Dexie
 * transaction, so a crash can never leave one without the other.
 * Input is validated with the same shared schemas the server runs.
 */
import {
  createCommentMutationSchema,
  createIdeaMutationSchema,
  setVoteMutationSchema,
  type Mutation,
} from '../../../shared/src/mutations.js';
import type { ItemKind, VoteValue } from '../../../shared/src/documents.js';
import type { Draft, HuddleDb, LocalPost, OutboxEntry } from './db.js';

/** The input failed the shared validation; `message` is written for the person. */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

const newId = () => crypto.randomUUID();
const nowIso = () => new Date().toISOString();

function parseOrExplain<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ message: string }> } } }, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join('. '));
  return parsed.data;
}

function outboxEntry(mutation: Mutation, itemId?: string): OutboxEntry {
  return { id: mutation.id, mutation, state: 'queued', itemId, createdAt: nowIso() };
}

export interface PostIdeaInput {
  conversationId: string;
  streamId: string;
  title: string;
  body: string;
  /** The draft this came from, removed in the same transaction. */
  draftId?: string;
}

/** Returns the mutation id, which is also the local pending idea's key. */
export async function postIdea(db: HuddleDb, input: PostIdeaInput): Promise<string> {
  const mutation = parseOrExplain(createIdeaMutationSchema, {
    id: newId(),
    kind: 'idea.create',
    conversationId: input.conversationId,
    streamId: input.streamId,
    title: input.title,
    body: input.body,
  });
  const post: LocalPost = {
    mutationId: mutation.id,
    kind: 'idea',
    conversationId: mutation.conversationId,
    streamId: mutation.streamId,
    title: mutation.title,
    body: mutation.body,
    createdAt: nowIso(),
  };
  await db.transaction('rw', db.localPosts, db.outbox, db.drafts, async () => {
    await db.localPosts.add(post);
    await db.outbox.add(outboxEntry(mutation));
    if (input.draftId) await db.drafts.delete(input.draftId);
  });
  return mutation.id;
}

export interface PostCommentInput {
  conversationId: string;
  ideaId: string;
  body: string;
  draftId?: string;
}

export async function postComment(db: HuddleDb, input: PostCommentInput): Promise<string> {
  const mutation = parseOrExplain(createCommentMutationSchema, {
    id: newId(),
    kind: 'comment.create',
    conversationId: input.conversationId,
    ideaId: input.ideaId,
    body: input.body,
  });
  const post: LocalPost = {
    mutationId: mutation.id,
    kind: 'comment',
    conversationId: mutation.conversationId,
    ideaId: mutation.ideaId,
    body: mutation.body,
    createdAt: nowIso(),
  };
  await db.transaction('rw', db.localPosts, db.outbox, db.drafts, async () => {
    await db.localPosts.add(post);
    await db.outbox.add(outboxEntry(mutation));
    if (input.draftId) await db.drafts.delete(input.draftId);
  });
  return mutation.id;
}

export interface VoteInput {
  conversationId: string;
  itemKind: ItemKind;
  itemId: string;
  value: VoteValue;
}

/**
 * Sets the person's vote. Earlier changes to the same item that have not started sending
 * are dropped from the outbox and the new value goes at the end: what reaches the server
 * last is always the last choice made here. A change already in flight stays; the new one
 * follows it.
 */
export async function vote(db: HuddleDb, input: VoteInput): Promise<string> {
  const mutation = parseOrExplain(setVoteMutationSchema, { id: newId(), kind: 'vote.set', ...input });
  await db.transaction('rw', db.myVotes, db.outbox, async () => {
    const earlier = await db.outbox.where('itemId').equals(mutation.itemId).toArray();
    const collapsible = earlier.filter((e) => e.state === 'queued').map((e) => e.seq!);
    await db.outbox.bulkDelete(collapsible);
    const current = await db.myVotes.get(mutation.itemId);
    await db.myVotes.put({
      itemId: mutation.itemId,
      itemKind: mutation.itemKind,
      conversationId: mutation.conversationId,
      value: mutation.value,
      serverValue: current?.serverValue,
    });
    await db.outbox.add(outboxEntry(mutation, mutation.itemId));
  });
  return mutation.id;
}

/** Autosave as typed: a draft is the person's work too. */
export async function saveDraft(db: HuddleDb, draft: Omit<Draft, 'updatedAt'>): Promise<void> {
  await db.drafts.put({ ...draft, updatedAt: nowIso() });
}

export async function discardDraft(db: HuddleDb, id: string): Promise<void> {
  await db.drafts.delete(id);
}
