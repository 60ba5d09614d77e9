/**
 * Shared set-up for the sync suites: seed a conversation and stream straight into the public
 * database (admin routes are tested elsewhere), build mutations, push and pull over HTTP.
 */
import crypto from 'node:crypto';
import { SCHEMA_VERSION, PROTOCOL_VERSION } from '../../shared/src/protocol.js';
import type { MutationInput } from '../../shared/src/mutations.js';
import type { CommentDoc, ConversationDoc, IdeaDoc, StreamDoc } from '../../shared/src/documents.js';
import type { PullResponse, PushResponse } from '../../shared/src/api.js';
import { docId, toCoarseHour } from '../../shared/src/ids.js';
import { decodeCursor, encodeCursor } from '../../sync-server/src/sync/pull.js';
import type { Storage } from '../../sync-server/src/storage/port.js';
import type { HttpClient } from '../support/test-server.js';

export const newId = () => crypto.randomBytes(16).toString('base64url');

export interface Seeded {
  conversationId: string;
  streamId: string;
}

/**
 * `releaseMinContributors` (k of the batch release) is 1 unless a test is about k: most tests push
 * one person's post and wait for its release, which with the product's default (3) would wait for
 * two more people.
 */
export async function seedConversation(
  storage: Storage,
  status: ConversationDoc['status'] = 'live',
  options: { releaseMinContributors?: number } = {},
): Promise<Seeded> {
  const conversationId = newId();
  const streamId = newId();
  const conversation: ConversationDoc = {
    _id: docId.conversation(conversationId),
    type: 'conversation',
    schemaVersion: SCHEMA_VERSION,
    id: conversationId,
    title: 'Making the night shift better',
    description: 'Ideas welcome',
    status,
    releaseMinContributors: options.releaseMinContributors ?? 1,
  };
  const stream: StreamDoc = {
    _id: docId.stream(streamId),
    type: 'stream',
    schemaVersion: SCHEMA_VERSION,
    id: streamId,
    conversationId,
    title: 'Breaks',
    description: '',
    order: 1,
  };
  await storage.db('public').put(conversation);
  await storage.db('public').put(stream);
  return { conversationId, streamId };
}

/** A released idea, as if published by an earlier batch. */
export async function seedIdea(
  storage: Storage,
  seeded: Seeded,
  status: IdeaDoc['status'] = 'visible',
): Promise<string> {
  const id = newId();
  const idea: IdeaDoc = {
    _id: docId.idea(id),
    type: 'idea',
    schemaVersion: SCHEMA_VERSION,
    id,
    conversationId: seeded.conversationId,
    streamId: seeded.streamId,
    title: 'Seeded idea',
    body: '',
    createdHour: toCoarseHour(new Date()),
    status,
  };
  await storage.db('public').put(idea);
  return id;
}

export async function seedComment(storage: Storage, seeded: Seeded, ideaId: string): Promise<string> {
  const id = newId();
  const comment: CommentDoc = {
    _id: docId.comment(id),
    type: 'comment',
    schemaVersion: SCHEMA_VERSION,
    id,
    conversationId: seeded.conversationId,
    ideaId,
    body: 'Seeded comment',
    createdHour: toCoarseHour(new Date()),
    status: 'visible',
  };
  await storage.db('public').put(comment);
  return id;
}

export const ideaCreate = (
  s: Seeded,
  title = `Idea ${newId()}`,
  body = 'More tea breaks',
): MutationInput => ({
  id: crypto.randomUUID(),
  kind: 'idea.create',
  conversationId: s.conversationId,
  streamId: s.streamId,
  title,
  body,
});

export const commentCreate = (s: Seeded, ideaId: string, body = 'Agreed'): MutationInput => ({
  id: crypto.randomUUID(),
  kind: 'comment.create',
  conversationId: s.conversationId,
  ideaId,
  body,
});

export const voteSet = (
  s: Seeded,
  itemId: string,
  value: 'like' | 'dislike' | 'none',
  itemKind: 'idea' | 'comment' = 'idea',
): MutationInput => ({
  id: crypto.randomUUID(),
  kind: 'vote.set',
  conversationId: s.conversationId,
  itemKind,
  itemId,
  value,
});

export async function push(client: HttpClient, mutations: unknown[]): Promise<PushResponse> {
  const res = await client.post('/api/sync/push', { protocolVersion: PROTOCOL_VERSION, mutations });
  if (res.status !== 200) throw new Error(`push answered ${res.status}: ${res.text}`);
  return res.body as PushResponse;
}

/**
 * The same public position with the person's own changes read from the start: a cursor carries both,
 * and one taken by another person (or long ago) says nothing about this person's own state.
 */
export function ownFromStart(cursor: string): string {
  return encodeCursor({ ...decodeCursor(cursor), log: 0 });
}

export interface PulledAll {
  cursor: string;
  pages: number;
  docs: PullResponse['docs'];
  deleted: string[];
  /** The caller's own state that changed since `cursor`, pages merged (everything, with no cursor). */
  own: PullResponse['own'];
  ownVotes: PullResponse['own']['votes'];
  ownPending: PullResponse['own']['pending'];
  ownPosts: PullResponse['own']['posts'];
  ownDrafts: PullResponse['own']['drafts'];
  ownAnswers: PullResponse['own']['answers'];
  ownSettings: { commentDigest: boolean };
}

/** Pulls every page from `cursor`; returns all docs in order, the person's own changes merged, and the final cursor. */
export async function pullAll(client: HttpClient, cursor?: string, limit?: number): Promise<PulledAll> {
  const votes = new Map<string, PullResponse['own']['votes'][number]>();
  const pending = new Map<string, PullResponse['own']['pending'][number]>();
  const posts = new Map<string, PullResponse['own']['posts'][number]>();
  const drafts = new Map<string, PullResponse['own']['drafts'][number]>();
  const answers = new Map<string, PullResponse['own']['answers'][number]>();
  const deletedDrafts = new Set<string>();
  const reported = new Set<string>();
  let settings: { commentDigest: boolean } | undefined;
  const all = { cursor: cursor ?? '', docs: [] as PullResponse['docs'], deleted: [] as string[], pages: 0 };
  let next = cursor;
  for (;;) {
    const params = new URLSearchParams({ protocol: String(PROTOCOL_VERSION) });
    if (next !== undefined) params.set('cursor', next);
    if (limit !== undefined) params.set('limit', String(limit));
    const res = await client.get(`/api/sync/pull?${params}`);
    if (res.status !== 200) throw new Error(`pull answered ${res.status}: ${res.text}`);
    const page = res.body as PullResponse;
    all.pages++;
    all.docs.push(...page.docs);
    all.deleted.push(...page.deleted);
    for (const v of page.own.votes) votes.set(v.itemId, v);
    const pendingHere = new Set(page.own.pending.map((d) => d.id));
    for (const p of page.own.posts) {
      posts.set(p.contentId, p);
      if (!pendingHere.has(p.contentId)) pending.delete(p.contentId);
    }
    for (const d of page.own.pending) pending.set(d.id, d);
    for (const d of page.own.drafts) {
      drafts.set(d.draftId, d);
      deletedDrafts.delete(d.draftId);
    }
    for (const id of page.own.deletedDrafts) {
      drafts.delete(id);
      deletedDrafts.add(id);
    }
    for (const a of page.own.answers) answers.set(a.conversationId, a);
    for (const id of page.own.reported) reported.add(id);
    if (page.own.settings) settings = page.own.settings;
    all.cursor = page.cursor;
    next = page.cursor;
    if (!page.hasMore) break;
  }
  const own: PullResponse['own'] = {
    votes: [...votes.values()],
    pending: [...pending.values()],
    posts: [...posts.values()],
    drafts: [...drafts.values()],
    deletedDrafts: [...deletedDrafts],
    answers: [...answers.values()],
    reported: [...reported],
    ...(settings ? { settings } : {}),
  };
  return {
    ...all,
    own,
    ownVotes: own.votes,
    ownPending: own.pending,
    ownPosts: own.posts,
    ownDrafts: own.drafts,
    ownAnswers: own.answers,
    ownSettings: settings ?? { commentDigest: false },
  };
}

/** Every document the sync path can write, counted per kind. */
export async function countEffects(storage: Storage) {
  const count = async (db: 'public' | 'private' | 'vault' | 'votes', prefix: string) =>
    (await storage.db(db).list({ prefix })).length;
  return {
    vault: await count('vault', 'vault:'),
    /** Ideas and comments, released or still staged. */
    posts:
      (await count('public', 'idea:')) +
      (await count('public', 'comment:')) +
      (await count('private', 'staged:')),
    votes: await count('votes', 'vote:'),
    receipts: await count('private', 'receipt:'),
  };
}
