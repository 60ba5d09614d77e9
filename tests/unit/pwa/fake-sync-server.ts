/**
 * An in-memory fake of the sync API, served through a fetch implementation (a fake, not a
 * mock: it keeps the server's rules — each mutation id applied at most once, comments on
 * unknown ideas rejected — so the engine's behaviour is checked against a model). The
 * real server over loopback is exercised by tests/integration/pwa-sync-engine.test.ts.
 */
import crypto from 'node:crypto';
import type { MutationResult, OwnDraft, OwnPost, PullResponse } from '../../../shared/src/api.js';
import type { PublicDoc, VoteValue } from '../../../shared/src/documents.js';
import { mutationSchema, type Mutation } from '../../../shared/src/mutations.js';
import type { FetchLike } from '../../../pwa/src/data/api-client.js';

export type Fault = 'network' | 503 | 401 | 409;

export interface FakeSyncServer {
  fetch: FetchLike;
  /** Every mutation received, in arrival order (including duplicates). */
  received: Mutation[];
  /** Number of push requests answered. */
  pushCount: number;
  /** The server's current vote per item. */
  votes: Map<string, VoteValue>;
  /** Ideas the server knows (comments on others are rejected). */
  ideaIds: Set<string>;
  /** Faults for the next requests, used one per request. */
  faults: Fault[];
  /** Public docs served by pull, in "sequence" order. */
  feed: Array<{ doc?: PublicDoc; deleted?: string }>;
  ownVotes: Array<{ itemId: string; itemKind: 'idea' | 'comment'; value: VoteValue }>;
  /** The person's drafts as the server stores them (draft.save keeps both versions on a conflict). */
  drafts: Map<string, OwnDraft>;
  /** What pull tells the author about their own posts. */
  ownPosts: OwnPost[];
  /** Rejects the next mutation with this reason, whatever it is. */
  rejectNextWith: { code: string; message: string } | null;
  /** Whose session the fake holds (GET /api/me). */
  me: { email: string; roles: Array<'participant' | 'moderator' | 'sponsor' | 'admin'>; isDemo: boolean };
  /** Resolves the next push only when released (to observe state while a push is in flight). */
  holdNextPush(): { release: () => void; arrived: Promise<void> };
  /** The next pull is computed when it arrives but answered only when released (a slow pull). */
  holdNextPull(): { release: () => void; arrived: Promise<void> };
  /** Largest push body accepted, in bytes (like the real server's limit): larger answers 413. */
  bodyLimit: number;
  /** A batch-wide refusal (status and message) for a push, as an older or stricter server might answer. */
  refuseBatch: ((mutations: Mutation[]) => { status: number; message: string } | null) | null;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export function createFakeSyncServer(): FakeSyncServer {
  const outcomes = new Map<string, MutationResult>();
  const deletedDrafts = new Set<string>();
  let hold: { release: Promise<void>; arrived: () => void } | null = null;
  let pullHold: { release: Promise<void>; arrived: () => void } | null = null;
  const makeHold = () => {
    let release!: () => void;
    let arrived!: () => void;
    const releasePromise = new Promise<void>((r) => (release = r));
    const arrivedPromise = new Promise<void>((r) => (arrived = r));
    return { handle: { release, arrived: arrivedPromise }, inner: { release: releasePromise, arrived } };
  };
  const server: FakeSyncServer = {
    received: [],
    pushCount: 0,
    votes: new Map(),
    ideaIds: new Set(),
    faults: [],
    feed: [],
    ownVotes: [],
    drafts: new Map(),
    ownPosts: [],
    rejectNextWith: null,
    me: { email: 'a@trust.example', roles: ['participant'], isDemo: false },
    bodyLimit: 256 * 1024,
    refuseBatch: null,
    holdNextPull() {
      const { handle, inner } = makeHold();
      pullHold = inner;
      return handle;
    },
    holdNextPush() {
      let release!: () => void;
      let arrived!: () => void;
      const releasePromise = new Promise<void>((r) => (release = r));
      const arrivedPromise = new Promise<void>((r) => (arrived = r));
      hold = { release: releasePromise, arrived };
      return { release, arrived: arrivedPromise };
    },
    async fetch(input, init) {
      const url = new URL(input, 'http://fake.invalid');
      const fault = server.faults.shift();
      if (fault === 'network') throw new TypeError('fetch failed');
      if (typeof fault === 'number') return json(fault, { error: `e${fault}`, message: `fault ${fault}` });
      if (url.pathname === '/api/sync/push' && init?.method === 'POST') {
        if ((init.headers as Record<string, string>)['x-huddle-csrf'] !== '1')
          return json(403, { error: 'csrf', message: 'no csrf' });
        if (new TextEncoder().encode(String(init.body)).length > server.bodyLimit)
          return json(413, { error: 'too-large', message: 'Request body is too large' });
        const body = JSON.parse(String(init.body)) as { mutations: unknown[] };
        const refusal = server.refuseBatch?.(body.mutations.map((m) => m as Mutation));
        if (refusal) return json(refusal.status, { error: `e${refusal.status}`, message: refusal.message });
        if (hold) {
          const h = hold;
          hold = null;
          h.arrived();
          await h.release;
        }
        server.pushCount++;
        const results = body.mutations.map((raw) => apply(raw));
        return json(200, { results });
      }
      if (url.pathname === '/api/me') return json(200, server.me);
      if (url.pathname === '/api/sync/pull') {
        const from = Number(url.searchParams.get('cursor') ?? '0');
        const limit = Number(url.searchParams.get('limit') ?? '1000');
        const slice = server.feed.slice(from, from + limit);
        const heldBy = pullHold;
        pullHold = null;
        const page: PullResponse = {
          cursor: String(from + slice.length),
          hasMore: from + slice.length < server.feed.length,
          docs: slice.flatMap((e) => (e.doc ? [e.doc] : [])),
          deleted: slice.flatMap((e) => (e.deleted ? [e.deleted] : [])),
          // The fake answers the person's whole state every time: more than 'changed since', never less.
          own: {
            votes: server.ownVotes,
            pending: [],
            posts: server.ownPosts,
            drafts: [...server.drafts.values()],
            deletedDrafts: [...deletedDrafts].filter((id) => !server.drafts.has(id)),
            answers: [],
            reported: [],
          },
        };
        if (heldBy) {
          // Computed now, answered later: what a slow network does to a pull.
          const frozen = JSON.stringify(page);
          heldBy.arrived();
          await heldBy.release;
          return new Response(frozen, { status: 200, headers: { 'content-type': 'application/json' } });
        }
        return json(200, page);
      }
      return json(404, { error: 'not-found', message: 'Not found.' });
    },
  };

  function apply(raw: unknown): MutationResult {
    const id = (raw as { id?: string }).id ?? '';
    const parsed = mutationSchema.safeParse(raw);
    if (!parsed.success) return { id, status: 'rejected', reason: { code: 'invalid', message: 'invalid' } };
    const m = parsed.data;
    server.received.push(m);
    if (server.rejectNextWith) {
      const reason = server.rejectNextWith;
      server.rejectNextWith = null;
      return { id: m.id, status: 'rejected', reason };
    }
    const earlier = outcomes.get(m.id);
    if (earlier) return earlier.status === 'applied' ? { ...earlier, status: 'duplicate' } : earlier;
    let result: MutationResult;
    if (m.kind === 'idea.create') {
      const contentId = crypto.randomBytes(16).toString('base64url');
      server.ideaIds.add(contentId);
      result = { id: m.id, status: 'applied', contentId };
    } else if (m.kind === 'comment.create') {
      result = server.ideaIds.has(m.ideaId)
        ? { id: m.id, status: 'applied', contentId: crypto.randomBytes(16).toString('base64url') }
        : {
            id: m.id,
            status: 'rejected',
            reason: { code: 'not-found', message: 'The idea you commented on was removed.' },
          };
    } else if (m.kind === 'draft.save') {
      const stored = server.drafts.get(m.draftId);
      const isConflict = stored !== undefined && stored.version !== m.baseVersion;
      const draftId = isConflict ? crypto.randomUUID() : m.draftId;
      server.drafts.set(draftId, {
        draftId,
        draftKind: m.draftKind,
        conversationId: m.conversationId,
        streamId: m.streamId,
        ideaId: m.ideaId,
        title: m.title,
        body: m.body,
        version: m.id,
        ...(isConflict ? { conflictOf: m.draftId } : {}),
      });
      result = { id: m.id, status: 'applied', ...(isConflict ? { contentId: draftId } : {}) };
    } else if (m.kind === 'draft.delete') {
      server.drafts.delete(m.draftId);
      deletedDrafts.add(m.draftId);
      result = { id: m.id, status: 'applied' };
    } else if (m.kind !== 'vote.set') {
      result = { id: m.id, status: 'applied' };
    } else if (!server.ideaIds.has(m.itemId)) {
      result = {
        id: m.id,
        status: 'rejected',
        reason: { code: 'not-found', message: 'That idea was removed.' },
      };
    } else {
      server.votes.set(m.itemId, m.value);
      result = { id: m.id, status: 'applied' };
    }
    outcomes.set(m.id, result);
    return result;
  }

  return server;
}

export const publicId = () => crypto.randomBytes(16).toString('base64url');
