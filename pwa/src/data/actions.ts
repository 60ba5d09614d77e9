/**
 * Every change a person makes, written to the device at once: its outbox entry and its effect here
 * (defined once per kind in shared/src/mutations/) commit in ONE Dexie transaction, so a crash can
 * never leave one without the other. Input is validated with the same shared schemas the server runs.
 */
import {
  definitionOf,
  draftSyncKey,
  mutationSchema,
  type Mutation,
  type MutationInput,
} from '../../../shared/src/mutations.js';
import type { Guideline, ItemKind, VoteValue } from '../../../shared/src/documents.js';
import { getMeta, isUuid, setMeta, type Draft, type HuddleDb, type OutboxEntry } from './db.js';
import { deviceStore, deviceStoreTables } from './device-store.js';

export { draftSyncKey, SETTINGS_SYNC_KEY } from '../../../shared/src/mutations.js';

/** The input failed the shared validation; `message` is written for the person. */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

const newId = () => crypto.randomUUID();
const nowIso = () => new Date().toISOString();

export const queueTables = (db: HuddleDb) => [db.outbox, ...deviceStoreTables(db)];

function parseOrExplain(input: MutationInput): Mutation {
  const parsed = mutationSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join('. '));
  return parsed.data;
}

/**
 * Queues one change inside the caller's transaction (over queueTables): a newer change of a kind that
 * collapses replaces the older ones with the same key that have not started sending, then the entry
 * goes at the end of the outbox and its effect shows on this device.
 */
export async function queueInTransaction(db: HuddleDb, mutation: Mutation): Promise<void> {
  const definition = definitionOf(mutation);
  const key = definition.syncKey?.(mutation);
  if (key !== undefined && definition.collapses) {
    const earlier = await db.outbox.where('itemId').equals(key).toArray();
    await db.outbox.bulkDelete(earlier.filter(isUnsent).map((e) => e.seq!));
  }
  const entry: OutboxEntry = { id: mutation.id, mutation, state: 'queued', createdAt: nowIso() };
  if (key !== undefined) entry.itemId = key;
  await db.outbox.add(entry);
  await definition.applyLocal(mutation, deviceStore(db));
}

/** Never sent: a newer change of the same thing may replace it. One that went out may be on the server already. */
const isUnsent = (e: OutboxEntry) => e.state === 'queued' && !e.attempts;
/** The latest change of a thing that went out (on the wire now, or its answer was lost): what newer text derives from. */
const latestSent = (entries: OutboxEntry[]) =>
  entries
    .filter((e) => !isUnsent(e))
    .sort((a, b) => a.seq! - b.seq!)
    .at(-1);

/** Validates and queues one change in its own transaction; answers the mutation id. */
export async function queue(db: HuddleDb, input: MutationInput): Promise<string> {
  const mutation = parseOrExplain(input);
  await db.transaction('rw', queueTables(db), () => queueInTransaction(db, mutation));
  return mutation.id;
}

// ---- posts -----------------------------------------------------------------------------------

export interface PostIdeaInput {
  conversationId: string;
  streamId: string;
  title: string;
  body: string;
  /** The draft this came from, removed in the same transaction. */
  draftId?: string;
}

export interface PostCommentInput {
  conversationId: string;
  ideaId: string;
  body: string;
  draftId?: string;
}

/**
 * One submit of a draft is one post, whatever the taps: a synced draft's UUID is the post's mutation
 * id (so the server applies it once even if another device posts the same draft), and a draft that is
 * already queued or gone is not posted again. Returns the mutation id, also the pending post's key.
 */
async function submitPost(db: HuddleDb, input: MutationInput, draftId?: string): Promise<string> {
  const mutation = parseOrExplain(input);
  return db.transaction('rw', queueTables(db), async () => {
    // A second tap, or a submit of a draft that is already on its way: the first one stands.
    if (draftId && (await db.outbox.where('id').equals(mutation.id).count()) > 0) return mutation.id;
    await queueInTransaction(db, mutation);
    if (draftId) await removeDraft(db, draftId);
    return mutation.id;
  });
}

/**
 * The mutation id of a draft's post: the draft's own UUID, or for a draft kept on this device only (a
 * refused post, `rejected:<id>`), a UUID derived from its id. Either way a second submit is the same post.
 */
async function submitId(draftId: string | undefined): Promise<string> {
  if (!draftId) return newId();
  if (isUuid(draftId)) return draftId;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`submit:${draftId}`)));
  const bytes = digest.slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export async function postIdea(db: HuddleDb, input: PostIdeaInput): Promise<string> {
  return submitPost(
    db,
    {
      id: await submitId(input.draftId),
      kind: 'idea.create',
      conversationId: input.conversationId,
      streamId: input.streamId,
      title: input.title,
      body: input.body,
    },
    input.draftId,
  );
}

export async function postComment(db: HuddleDb, input: PostCommentInput): Promise<string> {
  return submitPost(
    db,
    {
      id: await submitId(input.draftId),
      kind: 'comment.create',
      conversationId: input.conversationId,
      ideaId: input.ideaId,
      body: input.body,
    },
    input.draftId,
  );
}

// ---- votes -------------------------------------------------------------------------------------

export interface VoteInput {
  conversationId: string;
  itemKind: ItemKind;
  itemId: string;
  value: VoteValue;
}

/**
 * Sets the person's vote. Earlier changes to the same item that have not started sending are dropped
 * and the new value goes at the end: what reaches the server last is always the last choice made here.
 */
export const vote = (db: HuddleDb, input: VoteInput) => queue(db, { id: newId(), kind: 'vote.set', ...input });

// ---- drafts ------------------------------------------------------------------------------------

export const newDraftId = () => newId();

/**
 * Autosave as typed: a draft is the person's work too. The draft and its draft.save (a private document only
 * the author's sessions can read) commit together; an unsent earlier save of the same draft is replaced, so a
 * long typing session queues one save, not one per key. Rejected posts stay on this device until edited.
 */
export async function saveDraft(db: HuddleDb, draft: Omit<Draft, 'updatedAt'>): Promise<void> {
  await db.transaction('rw', queueTables(db), async () => {
    const stored = await db.drafts.get(draft.id);
    const next: Draft = { ...draft, serverVersion: draft.serverVersion ?? stored?.serverVersion, updatedAt: nowIso() };
    await db.drafts.put(next);
    if (!next.rejection) await queueDraftSave(db, next);
  });
}

async function queueDraftSave(db: HuddleDb, draft: Draft): Promise<void> {
  if (!draft.conversationId) return;
  const inFlight = latestSent(await db.outbox.where('itemId').equals(draftSyncKey(draft.id)).toArray());
  const parsed = mutationSchema.safeParse({
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
  if (parsed.success) await queueInTransaction(db, parsed.data);
}

/** Removes a draft here and, if the server may hold it, there too. Call inside a queueTables transaction. */
async function removeDraft(db: HuddleDb, id: string): Promise<void> {
  const draft = await db.drafts.get(id);
  await db.drafts.delete(id);
  const key = draftSyncKey(id);
  const earlier = await db.outbox.where('itemId').equals(key).toArray();
  await db.outbox.bulkDelete(earlier.filter(isUnsent).map((e) => e.seq!));
  const inFlight = latestSent(earlier);
  const isKnownToServer = Boolean(draft?.serverVersion) || inFlight !== undefined;
  const mutation = mutationSchema.safeParse({
    id: newId(),
    kind: 'draft.delete',
    draftId: id,
    // The server keeps the draft if another device saved newer text than this.
    baseVersion: inFlight?.mutation.kind === 'draft.save' ? inFlight.id : draft?.serverVersion,
  });
  if (isKnownToServer && mutation.success) await queueInTransaction(db, mutation.data);
}

export async function discardDraft(db: HuddleDb, id: string): Promise<void> {
  await db.transaction('rw', queueTables(db), () => removeDraft(db, id));
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
  const mutation = parseOrExplain(
    input.itemKind === 'idea'
      ? {
          id: newId(),
          kind: 'idea.edit',
          conversationId: input.conversationId,
          ideaId: input.itemId,
          title: input.title ?? '',
          body: input.body,
        }
      : {
          id: newId(),
          kind: 'comment.edit',
          conversationId: input.conversationId,
          commentId: input.itemId,
          body: input.body,
        },
  );
  await db.transaction('rw', queueTables(db), async () => {
    if (!(await db.ownPosts.get(input.itemId))) throw new InvalidInputError('Only your own posts can be edited.');
    await queueInTransaction(db, mutation);
  });
  return mutation.id;
}

export async function withdrawPost(
  db: HuddleDb,
  input: { conversationId: string; itemKind: ItemKind; itemId: string },
): Promise<string> {
  const mutation = parseOrExplain(
    input.itemKind === 'idea'
      ? { id: newId(), kind: 'idea.withdraw', conversationId: input.conversationId, ideaId: input.itemId }
      : { id: newId(), kind: 'comment.withdraw', conversationId: input.conversationId, commentId: input.itemId },
  );
  await db.transaction('rw', queueTables(db), async () => {
    const own = await db.ownPosts.get(input.itemId);
    if (!own) throw new InvalidInputError('Only your own posts can be withdrawn.');
    // Kept so that "My activity" can still name it once the public copy is empty.
    const withdrawnText =
      input.itemKind === 'idea'
        ? (await db.ideas.get(input.itemId))?.title
        : (await db.comments.get(input.itemId))?.body;
    await db.ownPosts.put({ ...own, withdrawnText: withdrawnText || own.withdrawnText });
    await queueInTransaction(db, mutation);
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

export const reportPost = (db: HuddleDb, input: ReportInput) =>
  queue(db, { id: newId(), kind: 'report.create', ...input, note: input.note?.trim() ? input.note : undefined });

export const submitQuestionnaire = (db: HuddleDb, input: { conversationId: string; answers: Record<string, string> }) =>
  queue(db, { id: newId(), kind: 'questionnaire.submit', ...input });

export async function skipQuestionnaire(db: HuddleDb, conversationId: string): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    const states = (await getMeta(db, 'questionnaire')) ?? {};
    if (states[conversationId] !== 'answered') await setMeta(db, 'questionnaire', { ...states, [conversationId]: 'skipped' });
  });
}

export const setCommentDigest = (db: HuddleDb, commentDigest: boolean) =>
  queue(db, { id: newId(), kind: 'notifications.set', commentDigest });

export async function markRulesSeen(db: HuddleDb): Promise<void> {
  await setMeta(db, 'rulesSeenAt', nowIso());
}
