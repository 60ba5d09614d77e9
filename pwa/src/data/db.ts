/**
 * The device's copy of Huddle (IndexedDB through Dexie): released public documents,
 * the person's own pending posts, their votes, the outbox of unsent mutations, drafts
 * and sync bookkeeping. The device is the first copy of the user's work, so every user
 * change writes its local effect and its outbox entry in one transaction (see actions.ts).
 *
 * Schema versions move forward only: every shipped version stays declared below.
 */
import { Dexie, type Table } from 'dexie';
import type { ConversationDoc, StreamDoc, TallyDoc } from '../../../shared/src/documents.js';
import type {
  DevicePrefs,
  Draft,
  LocalPost,
  MyVote,
  OwnPost,
  StoredComment,
  StoredIdea,
} from '../../../shared/src/device.js';
import type { EditRelease } from '../../../shared/src/api.js';
import type { Mutation } from '../../../shared/src/mutations.js';
import type { Role } from '../../../shared/src/roles.js';

export type {
  Draft,
  LocalPost,
  MyVote,
  OwnPost,
  RefusedAction,
  Rejection,
  StoredComment,
  StoredIdea,
} from '../../../shared/src/device.js';

export const DEFAULT_DB_NAME = 'huddle';

export const OUTBOX_STATES = ['queued', 'sending'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface OutboxEntry {
  /** Auto-increment: the order the person made their changes, which is the order they are pushed. */
  seq?: number;
  /** The mutation id (UUID): the server applies it at most once. */
  id: string;
  mutation: Mutation;
  state: OutboxState;
  /**
   * How many times it went out without an answer coming back. Once sent, the server may hold it: a newer
   * change of the same thing follows it instead of replacing it (the server answers the old one 'duplicate').
   */
  attempts?: number;
  /** The kind's sync key (the item voted on, the draft, the own post): pending changes of one key keep their order. */
  itemId?: string;
  createdAt: string;
}

export interface Person {
  email: string;
  roles: Role[];
}

export interface MetaValues extends DevicePrefs {
  cursor: string;
  person: Person;
  lastSyncedAt: string;
  /** The server answered 401: keep everything, ask the person to log in again. */
  needsLogin: boolean;
  /** Staff name tokens as a salted hash set, for the offline naming warning (see text-warnings.ts). */
  rosterHashes: { salt: string; hashes: string[]; fetchedAt: string };
  /** When the daily notice goes (GET /api/notices/schedule), so the opt-in can say it offline too. */
  noticeSchedule: StoredNoticeSchedule;
  /** When the person dismissed the rules of engagement (shown once after first login). */
  rulesSeenAt: string;
  /**
   * The browser holds a session of someone else while this device keeps unsent changes of `person`
   * (a shared ward computer): nothing syncs until the person at the screen decides (session.ts).
   */
  otherPersonSession: Person;
}

export type MetaKey = keyof MetaValues;

/**
 * GET /api/notices/schedule's answer as the device keeps it. `editRelease` is missing where a version
 * that did not keep it stored the answer: until the device asks again it does not know when edits go out.
 */
export interface StoredNoticeSchedule {
  time: string;
  timeZone: string;
  editRelease?: EditRelease;
}

/**
 * What the person has seen on this device (seen.ts): 'idea:<id>' / 'stream:<id>' hold the ids that were on
 * screen, 'baseline' what was here at the first sync. Never sent, never synced; cleared at logout.
 */
export interface SeenRow {
  key: string;
  ids: string[];
  at: string;
}
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
  seen!: Table<SeenRow, string>;

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
    // Version 3: sync protocol 2 (the person's own state arrives as changes since the cursor). Cursors of
    // protocol 1 mean nothing to the new server: forget the cursor, so the next pull starts afresh.
    this.version(3)
      .stores({})
      .upgrade((tx) => tx.table('meta').delete('cursor'));
    // Version 4: what the person has seen, for "what is new" (seen.ts). Every other table and the outbox
    // stay as they are. A device that had already synced counts what it holds as seen (the baseline),
    // so the update does not mark a whole conversation new; a fresh device takes it after its first pull.
    this.version(4)
      .stores({ seen: 'key' })
      .upgrade(async (tx) => {
        if (!(await tx.table<MetaRow, MetaKey>('meta').get('lastSyncedAt'))) return;
        const ideas = await tx.table<StoredIdea, string>('ideas').toCollection().primaryKeys();
        const comments = await tx.table<StoredComment, string>('comments').toCollection().primaryKeys();
        await tx
          .table<SeenRow, string>('seen')
          .put({ key: 'baseline', ids: [...ideas, ...comments], at: new Date().toISOString() });
      });
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
