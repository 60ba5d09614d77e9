/**
 * The typed facade the screens use: live queries over Dexie (undefined = still loading)
 * and the actions a person can take. Components never touch tables, the outbox or the
 * network directly.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useSyncExternalStore } from 'react';
import type {
  CommentDoc,
  ConversationDoc,
  IdeaDoc,
  ItemKind,
  StreamDoc,
  VoteValue,
} from '../../../shared/src/documents.js';
import { rankItems, SORTS, type SortKey } from '../../../shared/src/ranking.js';
import { can } from '../../../shared/src/authorization.js';
import * as actions from './actions.js';
import { getMeta, type Draft, type OwnPost, type Person } from './db.js';
import { getRuntime } from './runtime.js';
import { guardDeviceWrite } from './device-db-lifecycle.js';
import * as session from './session.js';
import * as loginStep from './login-step.js';
import { toSyncStatus, type SyncStatus } from './sync-status.js';

export type { SyncStatus, SyncState } from './sync-status.js';
export type { Draft, Person, StoredNoticeSchedule } from './db.js';
export type { LoginCodeSource, LoginStep } from './login-step.js';
export { InvalidInputError } from './actions.js';
export { ApiError, NetworkError } from './api-client.js';

/** Where one of the person's own posts stands. */
export type PostStatus = 'public' | 'awaiting-release' | 'waiting-to-send';

export const IDEA_SORTS = SORTS;
export type IdeaSort = SortKey;

export interface IdeaListItem {
  /** Public id, or the mutation id while it waits to be sent. */
  id: string;
  title: string;
  body: string;
  likes: number;
  dislikes: number;
  commentCount: number;
  createdAt: string;
  postStatus: PostStatus;
  editedByModerator: boolean;
  /** The person's own post (they may edit or withdraw it). */
  isOwn: boolean;
}

export interface CommentItem {
  id: string;
  body: string;
  likes: number;
  dislikes: number;
  createdAt: string;
  postStatus: PostStatus;
  editedByModerator: boolean;
  isOwn: boolean;
  isReported: boolean;
  /** An edit of one's own comment not yet answered by the server. */
  isEditPending: boolean;
}

export interface IdeaView {
  /** With the person's own unsent edit applied. */
  idea: IdeaDoc;
  likes: number;
  dislikes: number;
  postStatus: PostStatus;
  isOwn: boolean;
  isReported: boolean;
  isEditPending: boolean;
}

export type SessionView =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | {
      status: 'signed-in';
      person: Person;
      needsLogin: boolean;
      canContribute: boolean;
      /** Someone else's session is open in this browser while this person's changes wait to be sent. */
      otherPerson: Person | null;
    };

const db = () => getRuntime().db;

function withPendingEdit<T extends IdeaDoc>(idea: T, own: OwnPost | undefined): T {
  const edit = own?.pendingEdit;
  return edit ? { ...idea, title: edit.title ?? idea.title, body: edit.body } : idea;
}

export function useSession(): SessionView {
  const value = useLiveQuery(async () => {
    const person = await getMeta(db(), 'person');
    const needsLogin = (await getMeta(db(), 'needsLogin')) ?? false;
    const otherPerson = (await getMeta(db(), 'otherPersonSession')) ?? null;
    if (!person) return { status: 'signed-out' } as const;
    return {
      status: 'signed-in',
      person,
      needsLogin,
      canContribute: can(person.roles, 'contribute'),
      otherPerson,
    } as const;
  });
  return value ?? { status: 'loading' };
}

export function useConversations(): ConversationDoc[] | undefined {
  return useLiveQuery(() => db().conversations.toArray());
}

export function useConversation(id: string | undefined): ConversationDoc | null | undefined {
  return useLiveQuery(async () => (id ? ((await db().conversations.get(id)) ?? null) : null), [id]);
}

/** Streams of conversations that are open to participants (live or closed), in their set order. */
export function useStreams(): StreamDoc[] | undefined {
  return useLiveQuery(async () => {
    const conversations = await db().conversations.toArray();
    const shown = new Set(conversations.filter((c) => c.status !== 'draft').map((c) => c.id));
    const streams = await db().streams.toArray();
    return streams
      .filter((s) => shown.has(s.conversationId))
      .sort((a, b) => a.order - b.order || a.title.localeCompare(b.title));
  });
}

export function useStream(id: string): StreamDoc | null | undefined {
  return useLiveQuery(async () => (await db().streams.get(id)) ?? null, [id]);
}

export function useIdeas(streamId: string, sort: IdeaSort): IdeaListItem[] | undefined {
  return useLiveQuery(async () => {
    const d = db();
    const all = (await d.ideas.where('streamId').equals(streamId).toArray()).filter((i) => i.status === 'visible');
    const owns = await d.ownPosts.bulkGet(all.map((i) => i.id));
    const ownById = new Map(owns.flatMap((o) => (o ? [[o.contentId, o] as const] : [])));
    const ideas = all
      .filter((i) => !ownById.get(i.id)?.isWithdrawn)
      .map((i) => withPendingEdit(i, ownById.get(i.id)));
    const ids = ideas.map((i) => i.id);
    const tallies = await d.tallies.bulkGet(ids);
    const comments = await d.comments.where('ideaId').anyOf(ids).toArray();
    const commentCounts = new Map<string, number>();
    for (const c of comments) if (c.status === 'visible') commentCounts.set(c.ideaId, (commentCounts.get(c.ideaId) ?? 0) + 1);
    const ranked = rankItems(
      ideas.map(
        (idea, i): IdeaListItem => ({
          id: idea.id,
          title: idea.title,
          body: idea.body,
          likes: tallies[i]?.likes ?? 0,
          dislikes: tallies[i]?.dislikes ?? 0,
          commentCount: commentCounts.get(idea.id) ?? 0,
          createdAt: idea.createdHour,
          postStatus: idea.isAwaitingRelease ? 'awaiting-release' : 'public',
          editedByModerator: Boolean(idea.editedByModerator),
          isOwn: ownById.has(idea.id),
        }),
      ),
      sort,
    );
    const local = await d.localPosts.where('streamId').equals(streamId).toArray();
    const waiting = local.flatMap((p): IdeaListItem[] =>
      p.kind === 'idea'
        ? [
            {
              id: p.mutationId,
              title: p.title,
              body: p.body,
              likes: 0,
              dislikes: 0,
              commentCount: 0,
              createdAt: p.createdAt,
              postStatus: 'waiting-to-send',
              editedByModerator: false,
              isOwn: true,
            },
          ]
        : [],
    );
    return [...waiting.reverse(), ...ranked];
  }, [streamId, sort]);
}

/** null = not on this device (unknown, removed, or not yet released). */
export function useIdea(id: string): IdeaView | null | undefined {
  return useLiveQuery(async () => {
    const stored = await db().ideas.get(id);
    const own = await db().ownPosts.get(id);
    if (!stored || stored.status !== 'visible' || own?.isWithdrawn) return null;
    const tally = await db().tallies.get(id);
    const reported = (await getMeta(db(), 'reportedItems')) ?? [];
    return {
      idea: withPendingEdit(stored, own),
      likes: tally?.likes ?? 0,
      dislikes: tally?.dislikes ?? 0,
      postStatus: stored.isAwaitingRelease ? 'awaiting-release' : 'public',
      isOwn: Boolean(own),
      isReported: reported.includes(id),
      isEditPending: Boolean(own?.pendingEdit),
    } satisfies IdeaView;
  }, [id]);
}

export function useComments(ideaId: string): CommentItem[] | undefined {
  return useLiveQuery(async () => {
    const d = db();
    const visible: Array<CommentDoc & { isAwaitingRelease?: boolean }> = (
      await d.comments.where('ideaId').equals(ideaId).toArray()
    ).filter((c) => c.status === 'visible');
    const owns = await d.ownPosts.bulkGet(visible.map((c) => c.id));
    const ownById = new Map(owns.flatMap((o) => (o ? [[o.contentId, o] as const] : [])));
    const comments = visible.filter((c) => !ownById.get(c.id)?.isWithdrawn);
    const reported = new Set((await getMeta(d, 'reportedItems')) ?? []);
    const tallies = await d.tallies.bulkGet(comments.map((c) => c.id));
    const items = comments.map((c, i): CommentItem => {
      const own = ownById.get(c.id);
      return {
        id: c.id,
        body: own?.pendingEdit?.body ?? c.body,
        likes: tallies[i]?.likes ?? 0,
        dislikes: tallies[i]?.dislikes ?? 0,
        createdAt: c.createdHour,
        postStatus: c.isAwaitingRelease ? 'awaiting-release' : 'public',
        editedByModerator: Boolean(c.editedByModerator),
        isOwn: Boolean(own),
        isReported: reported.has(c.id),
        isEditPending: Boolean(own?.pendingEdit),
      };
    });
    // Oldest first reads as a conversation; ties broken by id so every device agrees.
    items.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    const local = (await d.localPosts.where('ideaId').equals(ideaId).toArray()).flatMap((p): CommentItem[] =>
      p.kind === 'comment'
        ? [
            {
              id: p.mutationId,
              body: p.body,
              likes: 0,
              dislikes: 0,
              createdAt: p.createdAt,
              postStatus: 'waiting-to-send',
              editedByModerator: false,
              isOwn: true,
              isReported: false,
              isEditPending: false,
            },
          ]
        : [],
    );
    return [...items, ...local];
  }, [ideaId]);
}

export function useMyVote(itemId: string): VoteValue | undefined {
  return useLiveQuery(async () => (await db().myVotes.get(itemId))?.value ?? 'none', [itemId]);
}

export function useDraft(id: string): Draft | null | undefined {
  return useLiveQuery(async () => (await db().drafts.get(id)) ?? null, [id]);
}

/** Posts the server refused, with the reason, so nothing the person wrote is lost. */
export function useRejectedDrafts(): Draft[] | undefined {
  return useLiveQuery(async () =>
    (await db().drafts.toArray()).filter((d) => d.rejection).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)),
  );
}

/** True after a logout that could not reach the server: the session ends when the device is next online. */
export const isLogoutPending = () => session.hasPendingLogout();

export function useUnsentCount(): number | undefined {
  return useLiveQuery(() => db().outbox.count());
}

export function useSyncStatus(): SyncStatus {
  const engine = getRuntime().engine;
  const snapshot = useSyncExternalStore(engine.subscribe, engine.getSnapshot, engine.getSnapshot);
  const stored = useLiveQuery(async () => ({
    waitingCount: await db().outbox.count(),
    person: await getMeta(db(), 'person'),
    needsLogin: (await getMeta(db(), 'needsLogin')) ?? false,
    isHeldForOtherPerson: (await getMeta(db(), 'otherPersonSession')) !== undefined,
    lastSyncedAt: (await getMeta(db(), 'lastSyncedAt')) ?? null,
  }));
  return toSyncStatus(
    {
      isSignedIn: Boolean(stored?.person),
      needsLogin: stored?.needsLogin ?? false,
      isHeldForOtherPerson: stored?.isHeldForOtherPerson ?? false,
      isOnline: snapshot.isOnline,
      // Until the outbox has been counted, do not claim anything is sent.
      activity: stored ? snapshot.activity : 'pulling',
      problem: snapshot.problem,
      waitingCount: stored?.waitingCount ?? 0,
    },
    stored?.lastSyncedAt ?? null,
  );
}

// ---- actions ------------------------------------------------------------------

/** A person's write: retried once if the browser dropped the connection (iOS), a full device reported. */
const write = <T>(fn: () => Promise<T>): Promise<T> => guardDeviceWrite(db(), fn);

const afterLocalChange = <T>(result: Promise<T>): Promise<T> =>
  result.then((value) => {
    void getRuntime().engine.requestSync();
    return value;
  });

const DRAFT_SYNC_DELAY_MS = 3000;
let draftSyncTimer: ReturnType<typeof setTimeout> | null = null;
function syncSoon(): void {
  if (draftSyncTimer) clearTimeout(draftSyncTimer);
  draftSyncTimer = setTimeout(() => {
    draftSyncTimer = null;
    void getRuntime().engine.requestSync();
  }, DRAFT_SYNC_DELAY_MS);
}

export const huddle = {
  postIdea: (input: actions.PostIdeaInput) => afterLocalChange(write(() => actions.postIdea(db(), input))),
  postComment: (input: actions.PostCommentInput) =>
    afterLocalChange(write(() => actions.postComment(db(), input))),
  vote: (input: actions.VoteInput) => afterLocalChange(write(() => actions.vote(db(), input))),
  /** Saved at once on the device; sent to the person's other devices after a pause in typing. */
  saveDraft: (draft: Omit<Draft, 'updatedAt'>) => write(() => actions.saveDraft(db(), draft)).then(syncSoon),
  discardDraft: (id: string) => afterLocalChange(write(() => actions.discardDraft(db(), id))),
  newDraftId: actions.newDraftId,
  editPost: (input: actions.EditPostInput) => afterLocalChange(write(() => actions.editPost(db(), input))),
  withdrawPost: (input: { conversationId: string; itemKind: ItemKind; itemId: string }) =>
    afterLocalChange(write(() => actions.withdrawPost(db(), input))),
  reportPost: (input: actions.ReportInput) => afterLocalChange(write(() => actions.reportPost(db(), input))),
  submitQuestionnaire: (input: { conversationId: string; answers: Record<string, string> }) =>
    afterLocalChange(write(() => actions.submitQuestionnaire(db(), input))),
  skipQuestionnaire: (conversationId: string) => write(() => actions.skipQuestionnaire(db(), conversationId)),
  setCommentDigest: (value: boolean) => afterLocalChange(write(() => actions.setCommentDigest(db(), value))),
  markRulesSeen: () => write(() => actions.markRulesSeen(db())),
  sendNow: () => getRuntime().engine.sendNow(),
  requestCode: (email: string) => session.requestCode(getRuntime().api, email),
  unsentForOtherPerson: (email: string) => session.unsentForOtherPerson(db(), email),
  /** The code step this tab was at before a reload (kept until sign-in or "use a different address"). */
  savedLoginStep: loginStep.readLoginStep,
  rememberLoginStep: loginStep.saveLoginStep,
  forgetLoginStep: loginStep.clearLoginStep,
  /** `mayDiscard`: the person agreed that another person's unsent changes on this device are deleted. */
  signIn: async (email: string, code: string, mayDiscard = false) => {
    const me = await session.signIn(db(), getRuntime().api, email, code, mayDiscard);
    getRuntime().engine.resetSession();
    void getRuntime().engine.sendNow();
    return me;
  },
  /** Shared device: delete the previous person's unsent changes and carry on as the person now logged in. */
  continueAsOtherPerson: async () => {
    await session.continueAsOtherPerson(db(), getRuntime().api);
    getRuntime().engine.resetSession();
    void getRuntime().engine.sendNow();
  },
  /** Shared device: keep the previous person's unsent changes for them, and end the other session. */
  keepForPreviousPerson: async () => {
    await session.keepForPreviousPerson(db(), getRuntime().api);
    getRuntime().engine.resetSession();
  },
  /** Ends the session, deletes this device's Huddle data, then restarts the app empty. */
  logout: async () => {
    const { engine, api } = getRuntime();
    engine.stop();
    const outcome = await session.logout(db(), api);
    window.location.hash = '/';
    window.location.reload();
    return outcome;
  },
} as const;
