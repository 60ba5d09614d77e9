/**
 * What a device keeps about the person's own work, and the small store interface through which
 * every kind of change (shared/src/mutations/) states its effect on the device. The PWA implements
 * the interface over IndexedDB (pwa/src/data/device-store.ts); tests implement it in memory. Nothing
 * here touches a runtime: these are shapes and promises.
 */
import type { CommentDoc, IdeaDoc, ItemKind, VoteValue } from './documents.js';
import type { OwnPostStatus } from './api.js';

export interface Rejection {
  code: string;
  message: string;
}

/** A public idea or comment as a device stores it; `isAwaitingRelease` marks the person's own post held until the next batch. */
export type StoredIdea = IdeaDoc & { isAwaitingRelease?: boolean };
export type StoredComment = CommentDoc & { isAwaitingRelease?: boolean };

/** An own post not yet answered by the server; keyed by its mutation id. */
export type LocalPost =
  | {
      mutationId: string;
      kind: 'idea';
      conversationId: string;
      streamId: string;
      title: string;
      body: string;
      createdAt: string;
    }
  | {
      mutationId: string;
      kind: 'comment';
      conversationId: string;
      ideaId: string;
      body: string;
      createdAt: string;
    };

export interface MyVote {
  itemId: string;
  itemKind: ItemKind;
  conversationId: string;
  /** What this device shows as the person's choice (may be unsent). */
  value: VoteValue;
  /** What the server last confirmed; the shown choice returns to it when no change of this device is pending. */
  serverValue?: VoteValue;
}

export interface Draft {
  /** A UUID when synced; `rejected:<mutation id>` for text the server refused (kept on this device until taken up). */
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

export interface RefusedAction {
  kind: string;
  message: string;
  at: string;
  /** Any text the person wrote with it (a report's note), kept so it is not lost. */
  text?: string;
}

/** The person's own settings and marks a device keeps beside their content. */
export interface DevicePrefs {
  /** Posts this person reported (so the app says so instead of offering it again). */
  reportedItems: string[];
  /** The optional "about you" questionnaire, per conversation: answered or skipped. */
  questionnaire: Record<string, 'answered' | 'skipped'>;
  /** Opt-in: e-mail me the daily notice (the field's first name is kept; see notifications-set.ts). */
  commentDigest: boolean;
  /** Changes without text that the server refused (withdraw, report, settings): shown in My activity. */
  refusedActions: RefusedAction[];
}

interface Table<T> {
  get(key: string): Promise<T | undefined>;
  put(value: T): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * The device's tables as the kinds of change see them. Every call happens inside one transaction
 * opened by the device (the change, its outbox entry and its effect commit together).
 */
export interface DeviceStore {
  localPosts: Table<LocalPost>;
  votes: Table<MyVote>;
  drafts: Table<Draft>;
  ownPosts: Table<OwnPost>;
  ideas: Table<StoredIdea>;
  comments: Table<StoredComment>;
  getPref<K extends keyof DevicePrefs>(key: K): Promise<DevicePrefs[K] | undefined>;
  setPref<K extends keyof DevicePrefs>(key: K, value: DevicePrefs[K]): Promise<void>;
  /** ISO time now (injectable for tests). */
  now(): string;
}

/** Remembers a refused change that had no text to return to drafts (the last 50 are kept). */
export async function recordRefusal(
  store: DeviceStore,
  kind: string,
  rejection: Rejection,
  text?: string,
): Promise<void> {
  const refused = (await store.getPref('refusedActions')) ?? [];
  const entry: RefusedAction = {
    kind,
    message: rejection.message,
    at: store.now(),
    ...(text ? { text } : {}),
  };
  await store.setPref('refusedActions', [...refused, entry].slice(-50));
}
