/**
 * The device's copy of Huddle (IndexedDB through Dexie): released public documents,
 * the person's own pending posts, their votes, the outbox of unsent mutations, drafts
 * and sync bookkeeping. The device is the first copy of the user's work, so every user
 * change writes its local effect and its outbox entry in one transaction (see actions.ts).
 *
 * Schema versions move forward only: every shipped version stays declared below.
 */
import { Dexie, type Table } from 'dexie';
import type { CommentDoc, ConversationDoc, IdeaDoc, ItemKind, StreamDoc, TallyDoc, VoteValue } from '../../../shared/src/documents.js';
import type { Mutation } from '../../../shared/src/mutations.js';
import type { Role } from '../../../shared/src/roles.js';

export const DEFAULT_DB_NAME = 'huddle';

/** A public idea or comment as stored here; `isAwaitingRelease` marks the person's own post the server holds until the next batch. */
export type StoredIdea = IdeaDoc & { isAwaitingRelease?: boolean };
export type StoredComment = CommentDoc & { isAwaitingRelease?: boolean };

/** An own post not yet answered by the server; keyed by its mutation id. */
export type LocalPost =
  | { mutationId: string; kind: 'idea'; conversationId: string; streamId: string; title: string; body: string; createdAt: string }
  | { mutationId: string; kind: 'comment'; conversationId: string; ideaId: string; body: string; createdAt: string };

export interface MyVote {
  itemId: string;
  itemKind: ItemKind;
  conversationId: string;
  /** What this device shows as the person's choice (may be unsent). */
  value: VoteValue;
  /** What the server last confirmed; the local choice reverts to it if the server refuses a change. */
  serverValue?: VoteValue;
}

export const OUTBOX_STATES = ['queued', 'sending'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface OutboxEntry {
  /** Auto-increment: the order the person made their changes, which is the order they are pushed. */
  seq?: number;
  /** The mutation id (UUID): the server applies it at most once. */
  id: string;
  mutation: Mutation;
  state: OutboxState;
  /** For votes: the item voted on, so repeated changes can be collapsed. */
  itemId?: string;
  createdAt: string;
}

export interface Rejection {
  code: string;
  message: string;
}

export interface Draft {
  /** 'idea:new', `comment:${ideaId}` while composing; `rejected:${mutationId}` for refused posts. */
  id: string;
  kind: 'idea' | 'comment';
  conversationId?: string;
  streamId?: string;
  ideaId?: string;
  title?: string;
  body: string;
  updatedAt: string;
  /** Set when the server refused the post: the reason is shown with the text. */
  rejection?: Rejection;
}

export interface Person {
  email: string;
  roles: Role[];
}

export interface MetaValues {
  cursor: string;
  person: Person;
  lastSyncedAt: string;
  /** The server answered 401: keep everything, ask the person to log in again. */
  needsLogin: boolean;
}
export type MetaKey = keyof MetaValues;
export interface MetaRow<K extends MetaKey = MetaKey> {
  key: K;
  value: MetaValues[K];
}

export class HuddleDb extends Dexie {
  conversations!: Table<ConversationDoc, string>;
  streams!: Table<StreamDoc, string>;
  ideas!: Table<StoredIdea, string>;
  comments!: Table<StoredComment, string>;
  tallies!: Table<TallyDoc, string>;
  localPosts!: Table<LocalPost, string>;
  myVotes!: Table<MyVote, string>;
  outbox!: Table<OutboxEntry, number>;
  drafts!: Table<Draft, string>;
  meta!: Table<MetaRow, MetaKey>;

  constructor(name = DEFAULT_DB_NAME) {
    super(name);
    // Version 1 (first release). Add new versions below; never edit or remove a shipped one.
    this.version(1).stores({
      conversations: 'id',
      streams: 'id, conversationId',
      ideas: 'id, streamId, conversationId',
      comments: 'id, ideaId',
      tallies: 'itemId',
      localPosts: 'mutationId, kind, streamId, ideaId',
      myVotes: 'itemId',
      outbox: '++seq, &id, itemId',
      drafts: 'id',
      meta: 'key',
    });
  }
}

export async function getMeta<K extends MetaKey>(db: HuddleDb, key: K): Promise<MetaValues[K] | undefined> {
  const row = (await db.meta.get(key)) as MetaRow<K> | undefined;
  return row?.value;
}

export async function setMeta<K extends MetaKey>(db: HuddleDb, key: K, value: MetaValues[K]): Promise<void> {
  await db.meta.put({ key, value } as MetaRow);
}
