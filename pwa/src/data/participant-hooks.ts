/**
 * Live queries for the participant's own screens (drafts, search, "is this the same as …?", quick break,
 * my activity, preferences). Same rules as hooks.ts: undefined = still loading; components never touch tables.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useMemo, useState } from 'react';
import type { ConversationDoc, Questionnaire } from '../../../shared/src/documents.js';
import type { Mutation } from '../../../shared/src/mutations.js';
import { getMeta, type Draft, type OwnPost, type RefusedAction, type StoredNoticeSchedule } from './db.js';
import { getRuntime } from './runtime.js';
import {
  buildSearchIndex,
  findSimilarIdeas,
  searchDevice,
  toSearchDocs,
  type DeviceSearchIndex,
  type SearchHit,
  type SimilarIdea,
} from './search.js';
import { countNewComments, countNewIdeas, markSeen, newAmong, readSeen, type SeenKind, type SeenSnapshot } from './seen.js';

export type { SearchHit, SimilarIdea } from './search.js';
export type { RefusedAction } from './db.js';

const db = () => getRuntime().db;

/** Every draft on this device, most recently changed first. */
export function useDrafts(): Draft[] | undefined {
  return useLiveQuery(async () => (await db().drafts.orderBy('updatedAt').reverse().toArray()) as Draft[]);
}

/** The comment being written on this idea, if any (the most recent unrefused one). */
export function useCommentDraft(ideaId: string): Draft | null | undefined {
  return useLiveQuery(async () => {
    const drafts = await db().drafts.orderBy('updatedAt').reverse().toArray();
    return drafts.find((d) => d.kind === 'comment' && d.ideaId === ideaId && !d.rejection && !d.editOf) ?? null;
  }, [ideaId]);
}

/** Built only when a screen asks for it, rebuilt when the device's content changes. */
export function useSearchIndex(): DeviceSearchIndex | undefined {
  return useLiveQuery(async () => {
    const [ideas, comments, own] = await Promise.all([
      db().ideas.toArray(),
      db().comments.toArray(),
      db().ownPosts.toArray(),
    ]);
    const withdrawn = new Set(own.filter((o) => o.isWithdrawn).map((o) => o.contentId));
    return buildSearchIndex(
      toSearchDocs(
        ideas.filter((i) => !withdrawn.has(i.id)),
        comments.filter((c) => !withdrawn.has(c.id)),
      ),
    );
  });
}

export function useDeviceSearch(query: string): SearchHit[] | undefined {
  const index = useSearchIndex();
  return index ? searchDevice(index, query) : undefined;
}

export function useSimilarIdeas(title: string, body: string): SimilarIdea[] {
  const index = useSearchIndex();
  return index ? findSimilarIdeas(index, { title, body }) : [];
}

export interface QuickBreakIdea {
  id: string;
  title: string;
  body: string;
  conversationId: string;
  streamTitle: string;
}

/** Ideas in open conversations this person has not voted on and did not write: the quick-break stack. */
export function useQuickBreakIdeas(): QuickBreakIdea[] | undefined {
  return useLiveQuery(async () => {
    const d = db();
    const live = new Set((await d.conversations.toArray()).filter((c) => c.status === 'live').map((c) => c.id));
    const streams = new Map((await d.streams.toArray()).map((s) => [s.id, s.title]));
    const voted = new Set((await d.myVotes.toArray()).filter((v) => v.value !== 'none').map((v) => v.itemId));
    const own = new Set((await d.ownPosts.toArray()).map((o) => o.contentId));
    const ideas = (await d.ideas.toArray()).filter(
      (i) =>
        i.status === 'visible' &&
        !i.isAwaitingRelease &&
        live.has(i.conversationId) &&
        !voted.has(i.id) &&
        !own.has(i.id),
    );
    // Newest first, ties by id, so every device offers the same order.
    ideas.sort((a, b) => b.createdHour.localeCompare(a.createdHour) || a.id.localeCompare(b.id));
    return ideas.map((i) => ({
      id: i.id,
      title: i.title,
      body: i.body,
      conversationId: i.conversationId,
      streamTitle: streams.get(i.streamId) ?? '',
    }));
  });
}

export const MY_POST_STATES = [
  'waiting-to-send',
  'awaiting-release',
  'visible',
  'edited-by-moderator',
  'edit-waiting',
  'hidden',
  'removed',
  'merged',
  'withdrawn',
] as const;
export type MyPostState = (typeof MY_POST_STATES)[number];

export interface MyPost {
  key: string;
  kind: 'idea' | 'comment';
  /** The idea to open (the idea itself, or the idea a comment is on); absent while waiting to send. */
  ideaId?: string;
  text: string;
  state: MyPostState;
  reason?: string;
  mergedInto?: string;
  /** An accepted edit or withdrawal that others see after the next batch. */
  isChangePending: boolean;
  /** Own ideas: comments by others since the person last opened it on this device (seen.ts). */
  newComments: number;
}

export interface WaitingChange {
  seq: number;
  label: string;
}

export interface MyActivity {
  posts: MyPost[];
  drafts: Draft[];
  waiting: WaitingChange[];
  refused: RefusedAction[];
}

function describeChange(m: Mutation): string {
  switch (m.kind) {
    case 'idea.create':
      return `New idea: ${m.title}`;
    case 'comment.create':
      return 'New comment';
    case 'vote.set':
      return m.value === 'none' ? `Vote removed on a ${m.itemKind}` : `You ${m.value}d a ${m.itemKind}`;
    case 'idea.edit':
      return `Edit of your idea: ${m.title}`;
    case 'comment.edit':
      return 'Edit of your comment';
    case 'idea.withdraw':
      return 'Withdrawal of your idea';
    case 'comment.withdraw':
      return 'Withdrawal of your comment';
    case 'report.create':
      return `Report of a ${m.itemKind}`;
    case 'questionnaire.submit':
      return 'Your “about you” answers';
    case 'draft.save':
      return 'Draft copy for your other devices';
    case 'draft.delete':
      return 'Removal of a draft from your other devices';
    case 'notifications.set':
      return 'Your notification setting';
  }
}

function stateOf(own: OwnPost, status: string | undefined, isAwaitingRelease: boolean): MyPostState {
  if (own.isWithdrawn) return 'withdrawn';
  if (own.pendingEdit) return 'edit-waiting';
  const server = own.status;
  if (server === 'withdrawn' || server === 'hidden' || server === 'removed' || server === 'merged') return server;
  if (status === 'hidden' || status === 'removed' || status === 'merged' || status === 'withdrawn') return status;
  if (server === 'edited-by-moderator') return server;
  if (server === 'pending-release' || isAwaitingRelease) return 'awaiting-release';
  return 'visible';
}

export function useMyActivity(): MyActivity | undefined {
  return useLiveQuery(async () => {
    const d = db();
    const local = await d.localPosts.orderBy('mutationId').toArray();
    const owns = await d.ownPosts.toArray();
    const ideas = await d.ideas.bulkGet(owns.map((o) => o.contentId));
    const comments = await d.comments.bulkGet(owns.map((o) => o.contentId));
    const waitingPosts: MyPost[] = local
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((p) => ({
        key: p.mutationId,
        kind: p.kind,
        text: p.kind === 'idea' ? p.title : p.body,
        state: 'waiting-to-send',
        isChangePending: false,
        newComments: 0,
      }));
    const newComments = await countNewComments(
      d,
      owns.filter((o) => o.kind === 'idea' && !o.isWithdrawn).map((o) => o.contentId),
    );
    const known: Array<MyPost & { hour: string }> = owns.map((own, i) => {
      const idea = own.kind === 'idea' ? ideas[i] : undefined;
      const comment = own.kind === 'comment' ? comments[i] : undefined;
      const doc = idea ?? comment;
      const text =
        own.pendingEdit?.title ??
        own.pendingEdit?.body ??
        ((idea ? idea.title : comment?.body) || own.withdrawnText || '');
      const isEdited = Boolean(doc?.editedByModerator);
      let state = stateOf(own, doc?.status, Boolean(doc?.isAwaitingRelease));
      if (state === 'visible' && isEdited) state = 'edited-by-moderator';
      return {
        key: own.contentId,
        kind: own.kind,
        ideaId: own.kind === 'idea' ? own.contentId : (own.ideaId ?? comment?.ideaId),
        text: text || (own.kind === 'idea' ? 'Your idea' : 'Your comment'),
        state,
        reason: own.reason ?? doc?.moderationReason,
        mergedInto: own.mergedInto ?? idea?.mergedInto,
        isChangePending: Boolean(own.changePending),
        newComments: own.kind === 'idea' ? (newComments.get(own.contentId) ?? 0) : 0,
        hour: doc?.createdHour ?? '',
      };
    });
    known.sort((a, b) => b.hour.localeCompare(a.hour) || a.key.localeCompare(b.key));
    const drafts = (await d.drafts.orderBy('updatedAt').reverse().toArray()) as Draft[];
    const outbox = await d.outbox.orderBy('seq').toArray();
    const waiting = outbox.map((e) => ({ seq: e.seq!, label: describeChange(e.mutation) }));
    const refused = [...((await getMeta(d, 'refusedActions')) ?? [])].reverse();
    return { posts: [...waitingPosts, ...known.map(({ hour: _hour, ...p }) => p)], drafts, waiting, refused };
  });
}

export interface Preferences {
  hasSeenRules: boolean;
  commentDigest: boolean;
  /** The conversation whose optional questionnaire is still to be offered, if any. */
  questionnaireFor: { conversation: ConversationDoc; questions: Questionnaire } | null;
}

/** When the daily notice goes (and edits), as the server said last time it was asked; undefined until then. */
export function useNoticeSchedule(): StoredNoticeSchedule | undefined {
  return useLiveQuery(() => getMeta(db(), 'noticeSchedule'));
}

export function usePreferences(): Preferences | undefined {
  return useLiveQuery(async () => {
    const d = db();
    const states = (await getMeta(d, 'questionnaire')) ?? {};
    const conversations = await d.conversations.toArray();
    const pending = conversations.find(
      (c) => c.status === 'live' && (c.questionnaire?.length ?? 0) > 0 && !states[c.id],
    );
    return {
      hasSeenRules: Boolean(await getMeta(d, 'rulesSeenAt')),
      commentDigest: (await getMeta(d, 'commentDigest')) ?? false,
      questionnaireFor: pending ? { conversation: pending, questions: pending.questionnaire ?? [] } : null,
    };
  });
}

/** The first conversation that is open to participants, with its questionnaire, for the "about you" screen. */
export function useQuestionnaire(): { conversation: ConversationDoc; answered: boolean } | null | undefined {
  return useLiveQuery(async () => {
    const d = db();
    const states = (await getMeta(d, 'questionnaire')) ?? {};
    const conversation = (await d.conversations.toArray()).find(
      (c) => c.status !== 'draft' && (c.questionnaire?.length ?? 0) > 0,
    );
    return conversation ? { conversation, answered: states[conversation.id] === 'answered' } : null;
  });
}

/** One of the person's own comments (null: not theirs, or not on this device). */
export function useOwnComment(id: string): { conversationId: string; ideaId: string } | null | undefined {
  return useLiveQuery(async () => {
    const own = await db().ownPosts.get(id);
    if (!own || own.kind !== 'comment' || own.isWithdrawn) return null;
    const ideaId = own.ideaId ?? (await db().comments.get(id))?.ideaId;
    return ideaId ? { conversationId: own.conversationId, ideaId } : null;
  }, [id]);
}

/** The post a report is about, for the report screen's heading. */
export function useReportTarget(
  kind: 'idea' | 'comment',
  id: string,
): { conversationId: string; ideaId: string; text: string; isOwn: boolean } | null | undefined {
  return useLiveQuery(async () => {
    const own = Boolean(await db().ownPosts.get(id));
    if (kind === 'idea') {
      const idea = await db().ideas.get(id);
      return idea && idea.status === 'visible'
        ? { conversationId: idea.conversationId, ideaId: idea.id, text: idea.title, isOwn: own }
        : null;
    }
    const comment = await db().comments.get(id);
    return comment && comment.status === 'visible'
      ? { conversationId: comment.conversationId, ideaId: comment.ideaId, text: comment.body, isOwn: own }
      : null;
  }, [kind, id]);
}

/** What became of an idea this device no longer shows (merged: where it went; hidden: the reason). */
export function useIdeaFate(
  id: string,
): { status: string; mergedInto?: string; reason?: string } | null | undefined {
  return useLiveQuery(async () => {
    const idea = await db().ideas.get(id);
    if (!idea || idea.status === 'visible') return null;
    return { status: idea.status, mergedInto: idea.mergedInto, reason: idea.moderationReason };
  }, [id]);
}

/** New ideas per topic since the person last opened it on this device (none before the first sync). */
export function useNewIdeaCounts(streamIds: readonly string[] | undefined): Map<string, number> | undefined {
  const key = streamIds?.join(',');
  return useLiveQuery(async () => (streamIds ? countNewIdeas(db(), streamIds) : undefined), [key]);
}

/**
 * For a screen showing an idea's comments or a topic's ideas: which of `shown` (released posts by others)
 * are new, measured against what was seen when the screen opened, so the "New" marks stay while it is
 * open; everything shown is then remembered as seen (on this device only). undefined while loading.
 */
export function useWhatIsNew(
  kind: SeenKind,
  id: string,
  shown: readonly string[] | undefined,
): ReadonlySet<string> | undefined {
  const [opened, setOpened] = useState<{ kind: SeenKind; id: string; snapshot: SeenSnapshot }>();
  useEffect(() => {
    let isCurrent = true;
    void readSeen(db(), kind, id).then((snapshot) => {
      if (isCurrent) setOpened({ kind, id, snapshot });
    });
    return () => {
      isCurrent = false;
    };
  }, [kind, id]);
  const snapshot = opened?.kind === kind && opened.id === id ? opened.snapshot : undefined;
  const shownKey = shown?.join(',');
  useEffect(() => {
    if (!snapshot || !shown) return;
    // Best effort: if the device cannot write, the marks simply show again next time.
    void markSeen(db(), kind, id, shown).catch(() => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `shown` changes identity every render; its ids are the key
  }, [snapshot, kind, id, shownKey]);
  return useMemo(
    () => (snapshot && shown ? new Set(newAmong(snapshot, shown)) : undefined),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- as above
    [snapshot, shownKey],
  );
}

/** Remembers that these were on screen without marking anything (an idea opened from search or My activity is no longer new in its topic). */
export function useMarkSeen(kind: SeenKind, id: string | undefined, shown: readonly string[] | undefined): void {
  const shownKey = shown?.join(',');
  useEffect(() => {
    if (!id || !shown || shown.length === 0) return;
    void markSeen(db(), kind, id, shown).catch(() => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `shown` changes identity every render; its ids are the key
  }, [kind, id, shownKey]);
}
