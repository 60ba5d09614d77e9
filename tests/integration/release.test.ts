/**
 * Timing protection: with a long release interval, new posts and tally changes reach other
 * people only when a batch is released, in shuffled order; the author sees their own post
 * at once; the live channel announces batches, not single writes.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdeaDoc, TallyDoc } from '../../shared/src/documents.js';
import { createNotifier } from '../../sync-server/src/sync/notifier.js';
import { releaseBatch } from '../../sync-server/src/sync/releaser.js';
import { createTestAccount } from '../support/accounts.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import { withDeadline } from '../support/wait.js';
import {
  ideaCreate,
  pullAll,
  push,
  seedConversation,
  seedIdea,
  voteSet,
  type Seeded,
} from './sync-fixtures.js';

let ts: TestServer;
let seeded: Seeded;
let author: HttpClient;
let reader: HttpClient;
let readerToken: string;

beforeAll(async () => {
  ts = await startTestServer({ RELEASE_INTERVAL_SECONDS: '3600' });
  seeded = await seedConversation(ts.server.storage);
  author = HttpClient.as(ts.url, await createTestAccount(ts.server.storage, ts.dataDir));
  const readerAccount = await createTestAccount(ts.server.storage, ts.dataDir);
  readerToken = readerAccount.sessionToken;
  reader = HttpClient.as(ts.url, readerAccount);
});
afterAll(async () => {
  await ts?.close();
});

const release = async () => {
  const res = await author.post('/api/test/release');
  expect(res.status).toBe(200);
  return res.body as { released: number; tallies: number };
};

describe('batch release', () => {
  it('shows nothing to others until the batch is released, while the author sees their post at once', async () => {
    const itemId = await seedIdea(ts.server.storage, seeded);
    const start = await pullAll(reader);
    const { results } = await push(author, [
      ideaCreate(seeded, 'Pending idea'),
      voteSet(seeded, itemId, 'like'),
    ]);
    const ideaId = (results[0] as { contentId: string }).contentId;

    const beforeRelease = await pullAll(reader, start.cursor);
    expect(beforeRelease.docs).toEqual([]);
    expect(beforeRelease.ownPending).toEqual([]);
    const own = await pullAll(author, start.cursor);
    expect(own.docs).toEqual([]);
    expect(own.ownPending.map((d) => d.id)).toEqual([ideaId]);
    expect(own.ownVotes).toContainEqual({ itemId, itemKind: 'idea', value: 'like' });

    expect(await release()).toEqual({ released: 1, tallies: 1 });
    const afterRelease = await pullAll(reader, start.cursor);
    expect(afterRelease.docs.find((d) => d.type === 'idea')).toMatchObject({
      id: ideaId,
      title: 'Pending idea',
    });
    expect(afterRelease.docs.find((d): d is TallyDoc => d.type === 'tally')).toMatchObject({
      itemId,
      likes: 1,
    });
    expect((await pullAll(author)).ownPending).toEqual([]);
    expect(await release()).toEqual({ released: 0, tallies: 0 });
  });

  it('releases a batch in shuffled order: neither arrival order nor id order', async () => {
    for (let run = 0; run < 3; run++) {
      const start = await pullAll(reader);
      const { results } = await push(
        author,
        Array.from({ length: 10 }, (_, i) => ideaCreate(seeded, `Batch ${run} idea ${i}`)),
      );
      const arrival = results.map((r) => (r as { contentId: string }).contentId);
      await release();
      const released = (await pullAll(reader, start.cursor)).docs
        .filter((d): d is IdeaDoc => d.type === 'idea')
        .map((d) => d.id);
      expect([...released].sort()).toEqual([...arrival].sort());
      expect(released).not.toEqual(arrival);
      expect(released).not.toEqual([...arrival].sort());
    }
  });

  it('converges when several instances release the same batch at once', async () => {
    const itemId = await seedIdea(ts.server.storage, seeded);
    const start = await pullAll(reader);
    const voters = await Promise.all(
      [0, 1, 2].map(async () =>
        HttpClient.as(ts.url, await createTestAccount(ts.server.storage, ts.dataDir)),
      ),
    );
    const pushed = await Promise.all(
      voters.map((v, i) =>
        push(v, [ideaCreate(seeded), voteSet(seeded, itemId, i === 0 ? 'dislike' : 'like')]),
      ),
    );
    // Three uncoordinated releasers (as on three instances), bypassing this instance's queue.
    const deps = { storage: ts.server.storage, secrets: ts.server.secrets, notifier: createNotifier() };
    await Promise.all([releaseBatch(deps), releaseBatch(deps), releaseBatch(deps)]);
    const seen = await pullAll(reader, start.cursor);
    const ideas = seen.docs.filter((d): d is IdeaDoc => d.type === 'idea').map((d) => d.id);
    const created = pushed.map((p) => (p.results[0] as { contentId: string }).contentId);
    expect(ideas.sort()).toEqual(created.sort());
    expect((await ts.server.storage.db('private').list({ prefix: 'staged:' })).length).toBe(0);
    expect(seen.docs.filter((d): d is TallyDoc => d.type === 'tally').at(-1)).toMatchObject({
      itemId,
      likes: 2,
      dislikes: 1,
    });
  });

  it('announces released batches on the live channel, not single writes', async () => {
    const stream = await openEvents(ts.url, readerToken);
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/text\/event-stream/);
      await push(author, [ideaCreate(seeded)]);
      // A write announced on its own would reach the stream about as fast as the push's answer.
      expect(await stream.waitFor(/event: batch/, 400)).toBe(false);
      await release();
      // A generous deadline: the frame usually comes within milliseconds, later on a busy machine.
      expect(await stream.waitFor(/event: batch\ndata: \{"seq":"[A-Za-z0-9_-]+"\}/, 15_000)).toBe(true);
    } finally {
      stream.close();
    }
  });

  it('does not let an open live channel hold up a graceful shutdown', async () => {
    const other = await startTestServer({ RELEASE_INTERVAL_SECONDS: '3600' });
    const account = await createTestAccount(other.server.storage, other.dataDir);
    const stream = await openEvents(other.url, account.sessionToken);
    expect(stream.status).toBe(200);
    // close() has a deadline of its own (tests/support/test-server.ts): an open stream holding it up fails there.
    await other.close();
    expect(await withDeadline(stream.ended, 10_000, 'the live channel to end when the server closed')).toBe(
      true,
    );
  });
});

/** A live-channel client on a plain socket (no connection pool that could outlive the test). */
function openEvents(baseUrl: string, sessionToken: string) {
  return new Promise<{
    status: number;
    contentType: string;
    waitFor(pattern: RegExp, ms: number): Promise<boolean>;
    ended: Promise<boolean>;
    close(): void;
  }>((resolve, reject) => {
    const req = http.get(`${baseUrl}/api/sync/events`, {
      agent: false,
      headers: { cookie: `huddle_session=${sessionToken}` },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let received = '';
      const waiters = new Set<() => void>();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        received += chunk;
        for (const wake of waiters) wake();
      });
      const ended = new Promise<boolean>((r) => res.on('close', () => r(true)));
      resolve({
        status: res.statusCode ?? 0,
        contentType: String(res.headers['content-type']),
        ended,
        waitFor: (pattern, ms) =>
          new Promise<boolean>((done) => {
            const check = () => {
              if (!pattern.test(received)) return;
              clearTimeout(timer);
              waiters.delete(check);
              done(true);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              done(pattern.test(received));
            }, ms);
            waiters.add(check);
            check();
          }),
        close: () => req.destroy(),
      });
    });
  });
}
