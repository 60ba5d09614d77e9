/**
 * The PWA's sync engine (pwa/src/data) against a REAL Huddle server on loopback, with the
 * real embedded store: only the network layer differs from the browser (node's fetch plus
 * the session cookie). Releases are driven by the test hook, so "own pending" is visible.
 */
import 'fake-indexeddb/auto';
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient, type FetchLike } from '../../pwa/src/data/api-client.js';
import { HuddleDb, getMeta, setMeta } from '../../pwa/src/data/db.js';
import { postComment, postIdea, vote } from '../../pwa/src/data/actions.js';
import { pushOutbox } from '../../pwa/src/data/push.js';
import { pullChanges } from '../../pwa/src/data/pull.js';
import { SyncEngine } from '../../pwa/src/data/sync-engine.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import { seedConversation, type SeededConversation } from '../support/seed.js';
import { fetchEventSource } from '../support/fetch-event-source.js';
import { withDeadline } from '../support/wait.js';
import { PUSH_ANSWER_PAD_BUCKET_BYTES, PUSH_PAD_BUCKET_BYTES } from '../../shared/src/sync/padding.js';
import { MAX_STREAMS_PER_SESSION } from '../../sync-server/src/sync/events.js';

let ts: TestServer;
let seeded: SeededConversation;
let alice: TestAccount;
const dbs: HuddleDb[] = [];

beforeAll(async () => {
  // A long release interval: nothing is released until the test asks (POST /api/test/release).
  ts = await startTestServer({ RELEASE_INTERVAL_SECONDS: '3600' });
  seeded = await seedConversation(ts.server.storage, { ideaTitles: ['Seeded idea one'] });
  alice = await createTestAccount(ts.server.storage, ts.dataDir);
});
afterAll(async () => {
  await ts?.close();
});
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

/** A device: its own Dexie database and an API client carrying the person's session cookie. */
function device(account: TestAccount | null): { db: HuddleDb; api: ApiClient } {
  const db = new HuddleDb(`device-${crypto.randomUUID()}`);
  dbs.push(db);
  const withCookie: FetchLike = (input, init) =>
    fetch(input, {
      ...init,
      headers: {
        ...(init?.headers as Record<string, string>),
        ...(account ? { cookie: account.cookie } : {}),
      },
    });
  return { db, api: createApiClient({ baseUrl: ts.url, fetch: withCookie }) };
}

const release = () => HttpClient.as(ts.url, alice).post('/api/test/release');
const conversationId = () => seeded.conversation.id;
const streamId = () => seeded.streams[0]!.id;

describe('the PWA sync engine against the real server', () => {
  it('a first pull brings the conversation, its topics and released ideas to the device', async () => {
    const { db, api } = device(alice);
    await pullChanges(db, api);
    expect(await db.conversations.get(conversationId())).toMatchObject({ status: 'live' });
    expect((await db.streams.toArray()).map((s) => s.id).sort()).toEqual(
      seeded.streams.map((s) => s.id).sort(),
    );
    expect(await db.ideas.get(seeded.ideas[0]!.id)).toMatchObject({ title: 'Seeded idea one' });
    expect(await getMeta(db, 'cursor')).toBeTruthy();
  });

  it('an idea posted on the device is applied once, shown as awaiting release, then released', async () => {
    const { db, api } = device(alice);
    await pullChanges(db, api);
    await postIdea(db, {
      conversationId: conversationId(),
      streamId: streamId(),
      title: 'Water fountain on ward 7',
      body: 'It is hot.',
    });
    expect(await pushOutbox(db, api)).toEqual({ kind: 'done', sent: 1, rejected: 0 });
    expect(await db.outbox.count()).toBe(0);
    const [mine] = (await db.ideas.toArray()).filter((i) => i.title === 'Water fountain on ward 7');
    expect(mine?.isAwaitingRelease).toBe(true);

    // Another device of the same person sees it as its own pending post before release.
    const other = device(alice);
    await pullChanges(other.db, other.api);
    expect(await other.db.ideas.get(mine!.id)).toMatchObject({ isAwaitingRelease: true });

    expect((await release()).status).toBeLessThan(300);
    await pullChanges(db, api);
    expect(await db.ideas.get(mine!.id)).toMatchObject({ title: 'Water fountain on ward 7' });
    expect((await db.ideas.get(mine!.id))?.isAwaitingRelease).toBeUndefined();
  });

  it('a rejected comment returns to drafts with the reason, and the entries after it are still applied', async () => {
    const { db, api } = device(alice);
    await pullChanges(db, api);
    const missingIdea = 'no-such-idea-0123456789';
    const rejectedId = await postComment(db, {
      conversationId: conversationId(),
      ideaId: missingIdea,
      body: 'Words I want to keep',
    });
    await postComment(db, {
      conversationId: conversationId(),
      ideaId: seeded.ideas[0]!.id,
      body: 'Agree with this',
    });
    const outcome = await pushOutbox(db, api);
    expect(outcome).toEqual({ kind: 'done', sent: 1, rejected: 1 });
    const draft = await db.drafts.get(`rejected:${rejectedId}`);
    expect(draft).toMatchObject({
      kind: 'comment',
      body: 'Words I want to keep',
      rejection: { code: expect.any(String), message: expect.any(String) },
    });
    expect(await db.outbox.count()).toBe(0);
    expect(
      (await db.comments.where('ideaId').equals(seeded.ideas[0]!.id).toArray()).map((c) => c.body),
    ).toContain('Agree with this');
  });

  it('a vote changed three times ends on the server as the last choice, seen by the person on another device', async () => {
    const { db, api } = device(alice);
    await pullChanges(db, api);
    const itemId = seeded.ideas[0]!.id;
    const input = { conversationId: conversationId(), itemKind: 'idea' as const, itemId };
    await vote(db, { ...input, value: 'like' });
    await pushOutbox(db, api);
    await vote(db, { ...input, value: 'dislike' });
    await vote(db, { ...input, value: 'like' });
    await vote(db, { ...input, value: 'dislike' });
    await pushOutbox(db, api);
    await release();
    const other = device(alice);
    await pullChanges(other.db, other.api);
    expect(await other.db.myVotes.get(itemId)).toMatchObject({ value: 'dislike', serverValue: 'dislike' });
    expect(await other.db.tallies.get(itemId)).toMatchObject({ likes: 0, dislikes: 1 });
  });

  it('a 4,800-character idea in Japanese and emoji, a vote and a rejected comment weigh the same on the wire, and so do their answers', async () => {
    // What a proxy without TLS inspection sees: the bytes of each push request and of its answer.
    const wire: Array<{ sent: number; answered: number }> = [];
    const { db } = device(alice);
    const seen: FetchLike = async (input, init) => {
      const res = await fetch(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), cookie: alice.cookie },
      });
      if (String(input).endsWith('/api/sync/push')) {
        const answer = await res.clone().arrayBuffer();
        wire.push({ sent: Buffer.byteLength(String(init?.body)), answered: answer.byteLength });
      }
      return res;
    };
    const api = createApiClient({ baseUrl: ts.url, fetch: seen });
    await pullChanges(db, api);
    await postIdea(db, {
      conversationId: conversationId(),
      streamId: streamId(),
      title: 'Rota swaps: 夜勤の交代をアプリで 🏥',
      body: '夜勤'.repeat(2000) + ' 👩🏽‍⚕️'.repeat(100),
    });
    expect(await pushOutbox(db, api)).toEqual({ kind: 'done', sent: 1, rejected: 0 });
    await vote(db, {
      conversationId: conversationId(),
      itemKind: 'idea',
      itemId: seeded.ideas[0]!.id,
      value: 'like',
    });
    await pushOutbox(db, api);
    await postComment(db, {
      conversationId: conversationId(),
      ideaId: 'no-such-idea-0123456789',
      body: 'Lost',
    });
    expect(await pushOutbox(db, api)).toEqual({ kind: 'done', sent: 0, rejected: 1 });
    expect(wire).toHaveLength(3);
    expect(new Set(wire.map((w) => w.sent))).toEqual(new Set([PUSH_PAD_BUCKET_BYTES]));
    expect(new Set(wire.map((w) => w.answered))).toEqual(new Set([PUSH_ANSWER_PAD_BUCKET_BYTES]));
  });

  it('a replay after a lost response gives the same public id and no second idea', async () => {
    const { db, api } = device(alice);
    await postIdea(db, {
      conversationId: conversationId(),
      streamId: streamId(),
      title: 'Replayed after a lost answer',
      body: '',
    });
    const [entry] = await db.outbox.toArray();
    // The first attempt reaches the server but its answer is lost.
    const lost = await api.push([entry!.mutation]);
    const firstId = lost.results[0]?.status === 'applied' ? lost.results[0].contentId : undefined;
    expect(firstId).toBeTruthy();
    await pushOutbox(db, api);
    const mine = (await db.ideas.toArray()).filter((i) => i.title === 'Replayed after a lost answer');
    expect(mine.map((i) => i.id)).toEqual([firstId]);
    await release();
    const other = device(alice);
    await pullChanges(other.db, other.api);
    expect(
      (await other.db.ideas.toArray()).filter((i) => i.title === 'Replayed after a lost answer'),
    ).toHaveLength(1);
  });

  it('an ended session keeps every queued change and asks to log in again; nothing is lost', async () => {
    const { db, api } = device(null);
    await setMeta(db, 'person', { email: alice.email, roles: ['participant'] });
    await postIdea(db, {
      conversationId: conversationId(),
      streamId: streamId(),
      title: 'Kept while logged out',
      body: '',
    });
    const engine = new SyncEngine({ db, api, isOnline: () => true });
    await engine.requestSync();
    engine.stop();
    expect(await getMeta(db, 'needsLogin')).toBe(true);
    expect(await db.outbox.count()).toBe(1);
    expect(await db.localPosts.count()).toBe(1);
  });

  it('the engine pushes and pulls in one round: "All sent" facts hold afterwards', async () => {
    const { db, api } = device(alice);
    await setMeta(db, 'person', { email: alice.email, roles: ['participant'] });
    await postIdea(db, {
      conversationId: conversationId(),
      streamId: streamId(),
      title: 'Sent by the engine',
      body: '',
    });
    const engine = new SyncEngine({ db, api, isOnline: () => true });
    await engine.requestSync();
    engine.stop();
    expect(engine.getSnapshot()).toMatchObject({ activity: 'idle', problem: null });
    expect(await db.outbox.count()).toBe(0);
    expect(await getMeta(db, 'lastSyncedAt')).toBeTruthy();
    expect(
      (await db.ideas.toArray()).some((i) => i.title === 'Sent by the engine' && i.isAwaitingRelease),
    ).toBe(true);
  });

  it('a live channel refused for too many streams leaves the engine syncing, and it opens one once a place is free', async () => {
    // The session already holds every stream it may (other tabs), on plain sockets.
    const held = await Promise.all(
      Array.from(
        { length: MAX_STREAMS_PER_SESSION },
        () =>
          new Promise<http.ClientRequest>((resolve, reject) => {
            const req = http.get(`${ts.url}/api/sync/events`, {
              agent: false,
              headers: { cookie: alice.cookie },
            });
            req.on('error', reject);
            req.on('response', (res) => {
              expect(res.statusCode).toBe(200);
              res.once('data', () => resolve(req));
            });
          }),
      ),
    );
    const Source = fetchEventSource(alice.cookie);
    const global = globalThis as { EventSource?: unknown };
    const before = global.EventSource;
    global.EventSource = Source;
    const { db, api } = device(alice);
    await setMeta(db, 'person', { email: alice.email, roles: ['participant'] });
    const engine = new SyncEngine({ db, api, isOnline: () => true });
    try {
      await postIdea(db, {
        conversationId: conversationId(),
        streamId: streamId(),
        title: 'Sent without live updates',
        body: '',
      });
      engine.start();
      await withDeadline(
        (async () => {
          while (Source.instances.length === 0 || Source.instances[0]!.readyState !== 2)
            await new Promise((r) => setImmediate(r));
        })(),
        15_000,
        'the refused live channel to close',
      );
      expect(Source.instances[0]!.status).toBe(429);
      // Refused, it did not try again on its own, and the round itself went through.
      await engine.requestSync();
      expect(Source.instances).toHaveLength(2);
      expect(Source.instances[1]!.status ?? 429).toBe(429);
      expect(engine.getSnapshot()).toMatchObject({ activity: 'idle', problem: null });
      expect(await db.outbox.count()).toBe(0);

      // Another tab closes: the next successful round opens the channel.
      held.shift()!.destroy();
      await withDeadline(
        (async () => {
          for (;;) {
            await engine.requestSync();
            const latest = Source.instances.at(-1)!;
            while (latest.readyState === 0) await new Promise((r) => setImmediate(r));
            if (latest.readyState === 1) return;
          }
        })(),
        15_000,
        'the live channel to open once a place was free',
      );
      expect(Source.instances.at(-1)!.status).toBe(200);
    } finally {
      engine.stop();
      global.EventSource = before;
      for (const req of held) req.destroy();
    }
  });
});
