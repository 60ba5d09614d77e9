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
import type { OwnPostStatus } from '../../../shared/src/api.js';
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
  /**
   * A UUID (schema version 2 on): one person keeps several drafts, each synced as a private document.
   * Version 1 used 'idea:new', `comment:${ideaId}` and `rejected:${mutationId}`; the upgrade renames them.
   */
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
  /** The server version this text derives from (the id of the draft.save that stored it there). */
  serverVersion?: string;
  /** Set on a copy the server kept because another device edited the same draft offline. */
  isConflictCopy?: boolean;
  /** For a rejected edit of an own post: the post the text belongs to. */
  editOf?: { itemKind: 'idea' | 'comment'; itemId: string };
}

/**
 * One of the person's own published (or accepted, awaiting release) posts, by public id. Only the device and
 * the author's sessions know this: it is what lets the app offer "edit" and "withdraw" on the right posts.
 */
export interface OwnPost {
  contentId: string;
  kind: 'idea' | 'comment';
  conversationId: string;
  /** For comments: the idea commented on. */
  ideaId?: string;
  /** Withdrawn by the person (locally at once; the server confirms). */
  isWithdrawn?: boolean;
  /** The text when withdrawn, so "My activity" can still name it (the public copy becomes empty). */
  withdrawnText?: string;
  /** The person's own unsent edit, shown on this device until the server has it. */
  pendingEdit?: { title?: string; body: string };
  /** What the server tells the author about their own post (moderation, release). */
  status?: OwnPostStatus;
  reason?: string;
  mergedInto?: string;
  /** An accepted edit or withdrawal that others see after the next batch release. */
  changePending?: boolean;
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
  /** Staff name tokens as a salted hash set, for the offline naming warning (see text-warnings.ts). */
  rosterHashes: { salt: string; hashes: string[]; fetchedAt: string };
  /** When the person dismissed the rules of engagement (shown once after first login). */
  rulesSeenAt: string;
  /** The optional "about you" questionnaire, per conversation: answered or skipped. */
  questionnaire: Record<string, 'answered' | 'skipped'>;
  /** Opt-in: e-mail me when someone comments on my idea. */
  commentDigest: boolean;
  /** Posts this person reported from this device (so the app can say so instead of offering it again). */
  reportedItems: string[];
  /** Changes without text that the server refused (withdraw, report, settings): shown in My activity. */
  refusedActions: RefusedAction[];
}

export interface RefusedAction {
  kind: string;
  message: string;
  at: string;
  /** Any text the person wrote with it (a report's note), kept so it is not lost. */
  text?: string;
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
  ownPosts!: Table<OwnPost, string>;

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
    // Version 2: several drafts per person (UUID ids, synced), and the person's own posts by public id.
    this.version(2)
      .stores({
        drafts: 'id, updatedAt',
        ownPosts: 'contentId, kind, ideaId',
      })
      .upgrade((tx) =>
        tx
          .table<Draft, string>('drafts')
          .toCollection()
          .toArray()
          .then(async (drafts) => {
            const table = tx.table<Draft, string>('drafts');
            for (const draft of drafts) {
              if (isUuid(draft.id)) continue;
              await table.delete(draft.id);
              await table.put({ ...draft, id: crypto.randomUUID() });
            }
          }),
      );
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (id: string) => UUID.test(id);

export async function getMeta<K extends MetaKey>(db: HuddleDb, key: K): Promise<MetaValues[K] | undefined> {
  const row = (await db.meta.get(key)) as MetaRow<K> | undefined;
  return row?.value;
}

export async function setMeta<K extends MetaKey>(db: HuddleDb, key: K, value: MetaValues[K]): Promise<void> {
  await db.meta.put({ key, value } as MetaRow);
}
