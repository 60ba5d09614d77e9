/**
 * Every change a person makes, written to the device at once: the local effect (a pending
 * post, the pressed vote, the draft cleared) and its outbox entry commit in ONE Dexie
 * transaction, so a crash can never leave one without the other.
 * Input is validated with the same shared schemas the server runs.
 */
import {
  createCommentMutationSchema,
  createIdeaMutationSchema,
  createReportMutationSchema,
  deleteDraftMutationSchema,
  editCommentMutationSchema,
  editIdeaMutationSchema,
  saveDraftMutationSchema,
  setNotificationsMutationSchema,
  setVoteMutationSchema,
  submitQuestionnaireMutationSchema,
  withdrawCommentMutationSchema,
  withdrawIdeaMutationSchema,
  type Mutation,
} from '../../../shared/src/mutations.js';
import type { Guideline, ItemKind, VoteValue } from '../../../shared/src/documents.js';
import { getMeta, setMeta, type Draft, type HuddleDb, type LocalPost, type OutboxEntry } from './db.js';

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
  return queuePost(db, post, mutation, input.draftId);
}

/** The pending post, its outbox entry and the end of its draft: one transaction, all or nothing. */
async function queuePost(db: HuddleDb, post: LocalPost, mutation: Mutation, draftId?: string): Promise<string> {
  await db.transaction('rw', db.localPosts, db.outbox, db.drafts, async () => {
    await db.localPosts.add(post);
    await db.outbox.add(outboxEntry(mutation));
    if (draftId) await removeDraft(db, draftId);
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
  return queuePost(db, post, mutation, input.draftId);
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

export const newDraftId = () => newId();
export const draftSyncKey = (draftId: string) => `draft:${draftId}`;

/**
 * Autosave as typed: a draft is the person's work too. The draft and its draft.save (a private document only
 * the author's sessions can read) commit together; an unsent earlier save of the same draft is replaced, so a
 * long typing session queues one save, not one per key. Rejected posts stay on this device until edited.
 */
export async function saveDraft(db: HuddleDb, draft: Omit<Draft, 'updatedAt'>): Promise<void> {
  await db.transaction('rw', db.drafts, db.outbox, async () => {
    const stored = await db.drafts.get(draft.id);
    const next: Draft = { ...draft, serverVersion: draft.serverVersion ?? stored?.serverVersion, updatedAt: nowIso() };
    await db.drafts.put(next);
    if (!next.rejection) await queueDraftSave(db, next);
  });
}

async function queueDraftSave(db: HuddleDb, draft: Draft): Promise<void> {
  if (!draft.conversationId) return;
  const key = draftSyncKey(draft.id);
  const earlier = await db.outbox.where('itemId').equals(key).sortBy('seq');
  await db.outbox.bulkDelete(earlier.filter((e) => e.state === 'queued').map((e) => e.seq!));
  const inFlight = earlier.filter((e) => e.state === 'sending').at(-1);
  const parsed = saveDraftMutationSchema.safeParse({
    id: newId(),
    kind: 'draft.save',
    draftId: draft.id,
    draftKind: draft.kind,
    conversationId: draft.conversationId,
    streamId: draft.streamId,
    ideaId: draft.ideaId,
    title: draft.kind === 'idea' ? (draft.title ?? '') : undefined,
    body: draft.body,
    // What this text derives from: the save already on its way, else the version the server holds.
    baseVersion: inFlight?.id ?? draft.serverVersion,
  });
  // A draft the server could not store (too long, an id from an old version) still lives on this device.
  if (parsed.success) await db.outbox.add(outboxEntry(parsed.data, key));
}

/** Removes a draft here and, if the server may hold it, there too. Call inside a drafts+outbox transaction. */
async function removeDraft(db: HuddleDb, id: string): Promise<void> {
  const draft = await db.drafts.get(id);
  await db.drafts.delete(id);
  const key = draftSyncKey(id);
  const earlier = await db.outbox.where('itemId').equals(key).toArray();
  await db.outbox.bulkDelete(earlier.filter((e) => e.state === 'queued').map((e) => e.seq!));
  const inFlight = earlier.filter((e) => e.state === 'sending').at(-1);
  const isKnownToServer = Boolean(draft?.serverVersion) || inFlight !== undefined;
  const mutation = deleteDraftMutationSchema.safeParse({
    id: newId(),
    kind: 'draft.delete',
    draftId: id,
    // The server keeps the draft if another device saved newer text than this.
    baseVersion: inFlight?.mutation.kind === 'draft.save' ? inFlight.id : draft?.serverVersion,
  });
  if (isKnownToServer && mutation.success) await db.outbox.add(outboxEntry(mutation.data, key));
}

export async function discardDraft(db: HuddleDb, id: string): Promise<void> {
  await db.transaction('rw', db.drafts, db.outbox, () => removeDraft(db, id));
}

// ---- own posts: edit and withdraw --------------------------------------------------

export interface EditPostInput {
  conversationId: string;
  itemKind: ItemKind;
  itemId: string;
  /** Ideas only. */
  title?: string;
  body: string;
}

/** Queues an edit of one's own post; this device shows the new text at once. */
export async function editPost(db: HuddleDb, input: EditPostInput): Promise<string> {
  const mutation =
    input.itemKind === 'idea'
      ? parseOrExplain(editIdeaMutationSchema, {
          id: newId(),
          kind: 'idea.edit',
          conversationId: input.conversationId,
          ideaId: input.itemId,
          title: input.title ?? '',
          body: input.body,
        })
      : parseOrExplain(editCommentMutationSchema, {
          id: newId(),
          kind: 'comment.edit',
          conversationId: input.conversationId,
          commentId: input.itemId,
          body: input.body,
        });
  await db.transaction('rw', db.ownPosts, db.outbox, async () => {
    const own = await db.ownPosts.get(input.itemId);
    if (!own) throw new InvalidInputError('Only your own posts can be edited.');
    const pendingEdit =
      mutation.kind === 'idea.edit' ? { title: mutation.title, body: mutation.body } : { body: mutation.body };
    await db.ownPosts.put({ ...own, pendingEdit });
    await db.outbox.add(outboxEntry(mutation, `own:${input.itemId}`));
  });
  return mutation.id;
}

export async function withdrawPost(
  db: HuddleDb,
  input: { conversationId: string; itemKind: ItemKind; itemId: string },
): Promise<string> {
  const mutation =
    input.itemKind === 'idea'
      ? parseOrExplain(withdrawIdeaMutationSchema, {
          id: newId(),
          kind: 'idea.withdraw',
          conversationId: input.conversationId,
          ideaId: input.itemId,
        })
      : parseOrExplain(withdrawCommentMutationSchema, {
          id: newId(),
          kind: 'comment.withdraw',
          conversationId: input.conversationId,
          commentId: input.itemId,
        });
  await db.transaction('rw', [db.ownPosts, db.outbox, db.ideas, db.comments], async () => {
    const own = await db.ownPosts.get(input.itemId);
    if (!own) throw new InvalidInputError('Only your own posts can be withdrawn.');
    const withdrawnText =
      input.itemKind === 'idea'
        ? (await db.ideas.get(input.itemId))?.title
        : (await db.comments.get(input.itemId))?.body;
    await db.ownPosts.put({ ...own, isWithdrawn: true, withdrawnText: withdrawnText || own.withdrawnText });
    await db.outbox.add(outboxEntry(mutation, `own:${input.itemId}`));
  });
  return mutation.id;
}

// ---- reports, questionnaire, settings -----------------------------------------------

export interface ReportInput {
  conversationId: string;
  itemKind: ItemKind;
  itemId: string;
  guideline: Guideline;
  note?: string;
}

export async function reportPost(db: HuddleDb, input: ReportInput): Promise<string> {
  const mutation = parseOrExplain(createReportMutationSchema, {
    id: newId(),
    kind: 'report.create',
    ...input,
    note: input.note?.trim() ? input.note : undefined,
  });
  await db.transaction('rw', db.outbox, db.meta, async () => {
    const reported = (await getMeta(db, 'reportedItems')) ?? [];
    if (!reported.includes(input.itemId)) await setMeta(db, 'reportedItems', [...reported, input.itemId]);
    await db.outbox.add(outboxEntry(mutation));
  });
  return mutation.id;
}

export async function submitQuestionnaire(
  db: HuddleDb,
  input: { conversationId: string; answers: Record<string, string> },
): Promise<string> {
  const mutation = parseOrExplain(submitQuestionnaireMutationSchema, {
    id: newId(),
    kind: 'questionnaire.submit',
    ...input,
  });
  await db.transaction('rw', db.outbox, db.meta, async () => {
    const states = (await getMeta(db, 'questionnaire')) ?? {};
    await setMeta(db, 'questionnaire', { ...states, [input.conversationId]: 'answered' });
    await db.outbox.add(outboxEntry(mutation, `questionnaire:${input.conversationId}`));
  });
  return mutation.id;
}

export async function skipQuestionnaire(db: HuddleDb, conversationId: string): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    const states = (await getMeta(db, 'questionnaire')) ?? {};
    if (states[conversationId] !== 'answered') await setMeta(db, 'questionnaire', { ...states, [conversationId]: 'skipped' });
  });
}

export const SETTINGS_SYNC_KEY = 'settings:notifications';

export async function setCommentDigest(db: HuddleDb, commentDigest: boolean): Promise<string> {
  const mutation = parseOrExplain(setNotificationsMutationSchema, {
    id: newId(),
    kind: 'notifications.set',
    commentDigest,
  });
  await db.transaction('rw', db.outbox, db.meta, async () => {
    const earlier = await db.outbox.where('itemId').equals(SETTINGS_SYNC_KEY).toArray();
    await db.outbox.bulkDelete(earlier.filter((e) => e.state === 'queued').map((e) => e.seq!));
    await setMeta(db, 'commentDigest', commentDigest);
    await db.outbox.add(outboxEntry(mutation, SETTINGS_SYNC_KEY));
  });
  return mutation.id;
}

export async function markRulesSeen(db: HuddleDb): Promise<void> {
  await setMeta(db, 'rulesSeenAt', nowIso());
}
