/**
 * The typed facade the screens use: live queries over Dexie (undefined = still loading)
 * and the actions a person can take. Components never touch tables, the outbox or the
 * network directly.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useSyncExternalStore } from 'react';
import type { CommentDoc, ConversationDoc, IdeaDoc, StreamDoc, VoteValue } from '../../../shared/src/documents.js';
import { rankItems } from '../../../shared/src/ranking.js';
import { can } from '../../../shared/src/authorization.js';
import * as actions from './actions.js';
import { getMeta, type Draft, type Person } from './db.js';
import { getRuntime } from './runtime.js';
import * as session from './session.js';
import { toSyncStatus, type SyncStatus } from './sync-status.js';

export type { SyncStatus, SyncState } from './sync-status.js';
export type { Draft, Person } from './db.js';
export { InvalidInputError } from './actions.js';
export { ApiError, NetworkError } from './api-client.js';

/** Where one of the person's own posts stands. */
export type PostStatus = 'public' | 'awaiting-release' | 'waiting-to-send';

export const IDEA_SORTS = ['top', 'newest'] as const;
export type IdeaSort = (typeof IDEA_SORTS)[number];

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
}

export interface CommentItem {
  id: string;
  body: string;
  likes: number;
  dislikes: number;
  createdAt: string;
  postStatus: PostStatus;
  editedByModerator: boolean;
}

export interface IdeaView {
  idea: IdeaDoc;
  likes: number;
  dislikes: number;
  postStatus: PostStatus;
}

export type SessionView =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; person: Person; needsLogin: boolean; canContribute: boolean };

const db = () => getRuntime().db;

export function useSession(): SessionView {
  const value = useLiveQuery(async () => {
    const person = await getMeta(db(), 'person');
    const needsLogin = (await getMeta(db(), 'needsLogin')) ?? false;
    if (!person) return { status: 'signed-out' } as const;
    return { status: 'signed-in', person, needsLogin, canContribute: can(person.roles, 'contribute') } as const;
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
    const ideas = (await d.ideas.where('streamId').equals(streamId).toArray()).filter((i) => i.status === 'visible');
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
    const idea = await db().ideas.get(id);
    if (!idea || idea.status !== 'visible') return null;
    const tally = await db().tallies.get(id);
    return {
      idea,
      likes: tally?.likes ?? 0,
      dislikes: tally?.dislikes ?? 0,
      postStatus: idea.isAwaitingRelease ? 'awaiting-release' : 'public',
    } satisfies IdeaView;
  }, [id]);
}

export function useComments(ideaId: string): CommentItem[] | undefined {
  return useLiveQuery(async () => {
    const d = db();
    const comments: Array<CommentDoc & { isAwaitingRelease?: boolean }> = (
      await d.comments.where('ideaId').equals(ideaId).toArray()
    ).filter((c) => c.status === 'visible');
    const tallies = await d.tallies.bulkGet(comments.map((c) => c.id));
    const items = comments.map(
      (c, i): CommentItem => ({
        id: c.id,
        body: c.body,
        likes: tallies[i]?.likes ?? 0,
        dislikes: tallies[i]?.dislikes ?? 0,
        createdAt: c.createdHour,
        postStatus: c.isAwaitingRelease ? 'awaiting-release' : 'public',
        editedByModerator: Boolean(c.editedByModerator),
      }),
    );
    // Oldest first reads as a conversation; ties broken by id so every device agrees.
    items.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    const local = (await d.localPosts.where('ideaId').equals(ideaId).toArray()).flatMap((p): CommentItem[] =>
      p.kind === 'comment'
        ? [{ id: p.mutationId, body: p.body, likes: 0, dislikes: 0, createdAt: p.createdAt, postStatus: 'waiting-to-send', editedByModerator: false }]
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
    lastSyncedAt: (await getMeta(db(), 'lastSyncedAt')) ?? null,
  }));
  return toSyncStatus(
    {
      isSignedIn: Boolean(stored?.person),
      needsLogin: stored?.needsLogin ?? false,
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

const afterLocalChange = <T>(result: Promise<T>): Promise<T> =>
  result.then((value) => {
    void getRuntime().engine.requestSync();
    return value;
  });

export const huddle = {
  postIdea: (input: actions.PostIdeaInput) => afterLocalChange(actions.postIdea(db(), input)),
  postComment: (input: actions.PostCommentInput) => afterLocalChange(actions.postComment(db(), input)),
  vote: (input: actions.VoteInput) => afterLocalChange(actions.vote(db(), input)),
  saveDraft: (draft: Omit<Draft, 'updatedAt'>) => actions.saveDraft(db(), draft),
  discardDraft: (id: string) => actions.discardDraft(db(), id),
  sendNow: () => getRuntime().engine.sendNow(),
  requestCode: (email: string) => session.requestCode(getRuntime().api, email),
  signIn: async (email: string, code: string) => {
    const me = await session.signIn(db(), getRuntime().api, email, code);
    void getRuntime().engine.sendNow();
    return me;
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
