/**
 * At most once, ever: replays, lost responses and concurrent duplicate pushes of the same
 * mutations leave exactly one effect each, and a permanent rejection never blocks the queue.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationResult } from '../../shared/src/api.js';
import { PROTOCOL_VERSION } from '../../shared/src/protocol.js';
import type { TallyDoc } from '../../shared/src/documents.js';
import { pino } from 'pino';
import { loadConfig } from '../../sync-server/src/config.js';
import type { Deps } from '../../sync-server/src/deps.js';
import { loadSecrets } from '../../sync-server/src/secrets.js';
import type { DocStore, Storage } from '../../sync-server/src/storage/port.js';
import { createNotifier } from '../../sync-server/src/sync/notifier.js';
import { applyMutations } from '../../sync-server/src/sync/push.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import {
  commentCreate,
  countEffects,
  ideaCreate,
  push,
  seedConversation,
  seedIdea,
  voteSet,
  type Seeded,
} from './sync-fixtures.js';

let ts: TestServer;
let seeded: Seeded;
let account: TestAccount;
let client: HttpClient;

beforeAll(async () => {
  ts = await startTestServer();
  seeded = await seedConversation(ts.server.storage);
  account = await createTestAccount(ts.server.storage, ts.dataDir);
  client = HttpClient.as(ts.url, account);
});
afterAll(async () => {
  await ts?.close();
});

const delta = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(Object.keys(b).map((k) => [k, b[k]! - a[k]!]));

async function tally(itemId: string) {
  return (await ts.server.storage.db('public').get<TallyDoc>(`tally:${itemId}`)) ?? { likes: 0, dislikes: 0 };
}

/** Sends a push and hangs up after `afterMs` without reading the answer (the server may or may not have finished). */
function pushAndHangUp(mutations: unknown[], afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ protocolVersion: PROTOCOL_VERSION, mutations });
    const req = http.request(`${ts.url}/api/sync/push`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'x-huddle-csrf': '1', cookie: account.cookie },
    });
    req.on('error', () => resolve());
    req.end(body);
    setTimeout(() => {
      req.destroy();
      resolve();
    }, afterMs);
  });
}

describe('exactly-once push', () => {
  it('answers a replayed batch with duplicates and the same content ids, with one effect each', async () => {
    const itemId = await seedIdea(ts.server.storage, seeded);
    const before = await countEffects(ts.server.storage);
    const idea = ideaCreate(seeded);
    const batch = [idea, voteSet(seeded, itemId, 'like')];
    const first = await push(client, batch);
    expect(first.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const comment = commentCreate(seeded, (first.results[0] as { contentId: string }).contentId);
    const second = await push(client, [...batch, comment]);
    expect(second.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'applied']);
    expect(second.results[0]).toEqual(first.results[0] && { ...first.results[0], status: 'duplicate' });
    const third = await push(client, [...batch, comment]);
    expect(third.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(delta(before, await countEffects(ts.server.storage))).toEqual({
      vault: 2,
      posts: 2,
      votes: 1,
      receipts: 3,
    });
    expect(await tally(itemId)).toMatchObject({ likes: 1, dislikes: 0 });
  });

  it('keeps one effect when the response is lost after the server committed, and the batch is resent', async () => {
    const itemId = await seedIdea(ts.server.storage, seeded);
    const before = await countEffects(ts.server.storage);
    const batches = [0, 5, 15, 40, 200].map((hangUpAfter) => ({
      hangUpAfter,
      mutations: [ideaCreate(seeded), voteSet(seeded, itemId, hangUpAfter % 2 ? 'like' : 'dislike')],
    }));
    for (const { hangUpAfter, mutations } of batches) {
      await pushAndHangUp(mutations, hangUpAfter);
      const retry = await push(client, mutations);
      for (const r of retry.results) expect(['applied', 'duplicate']).toContain(r.status);
      expect((await push(client, mutations)).results.every((r) => r.status === 'duplicate')).toBe(true);
    }
    expect(delta(before, await countEffects(ts.server.storage))).toMatchObject({
      vault: 5,
      posts: 5,
      votes: 1,
      receipts: 10,
    });
    // The last vote sent (hang up after 200 ms: dislike) is the one that counts.
    expect(await tally(itemId)).toMatchObject({ likes: 0, dislikes: 1 });
  });

  it('converges to one effect when the same batch is pushed concurrently (two tabs)', async () => {
    const itemId = await seedIdea(ts.server.storage, seeded);
    const parent = await seedIdea(ts.server.storage, seeded);
    const before = await countEffects(ts.server.storage);
    const batch = [ideaCreate(seeded), commentCreate(seeded, parent), voteSet(seeded, itemId, 'like')];
    const answers = await Promise.all(Array.from({ length: 6 }, () => push(client, batch)));
    for (let i = 0; i < batch.length; i++) {
      const column = answers.map((a) => a.results[i]!);
      for (const r of column) expect(['applied', 'duplicate']).toContain(r.status);
      const contentIds = new Set(column.map((r) => (r as { contentId?: string }).contentId));
      expect(contentIds.size).toBe(1);
    }
    await client.post('/api/test/release');
    expect(delta(before, await countEffects(ts.server.storage))).toEqual({
      vault: 2,
      posts: 2,
      votes: 1,
      receipts: 3,
    });
    expect(await tally(itemId)).toMatchObject({ likes: 1, dislikes: 0 });
  });

  it('never lets a late concurrent copy of an older vote overwrite a newer vote of the same device', async () => {
    // Copy A of [like] reads the vote, then stalls before writing (a slow instance); copy B of
    // [like, dislike] runs to the end meanwhile. A then resumes: the device's last vote must stay.
    const itemId = await seedIdea(ts.server.storage, seeded);
    const like = voteSet(seeded, itemId, 'like');
    const dislike = voteSet(seeded, itemId, 'dislike');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let stalled!: () => void;
    const hasStalled = new Promise<void>((r) => (stalled = r));
    const slowStorage = stallFirstVoteWrite(ts.server.storage, gate, stalled);
    const deps = directDeps(slowStorage);
    const copyA = applyMutations(deps, { accountId: account.accountId, roles: ['participant'] }, [like]);
    await hasStalled;
    const copyB = await applyMutations(
      directDeps(ts.server.storage),
      { accountId: account.accountId, roles: ['participant'] },
      [like, dislike],
    );
    expect(copyB.map((r) => r.status)).toEqual(['applied', 'applied']);
    release();
    expect((await copyA).map((r) => r.status)).toEqual(['duplicate']);
    await client.post('/api/test/release');
    expect(await tally(itemId)).toMatchObject({ likes: 0, dislikes: 1 });
  });

  it('applies a mutation repeated later in the same batch only once', async () => {
    const itemId = await seedIdea(ts.server.storage, seeded);
    const like = voteSet(seeded, itemId, 'like');
    const idea = ideaCreate(seeded);
    const { results } = await push(client, [like, idea, voteSet(seeded, itemId, 'dislike'), like, idea]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'duplicate', 'duplicate']);
    expect(results[4]).toMatchObject({ contentId: (results[1] as { contentId: string }).contentId });
    expect(await tally(itemId)).toMatchObject({ likes: 0, dislikes: 1 });
  });

  it('does not let a permanent rejection mid-queue block the mutations after it', async () => {
    const itemId = await seedIdea(ts.server.storage, seeded);
    const queue = [
      ideaCreate(seeded),
      commentCreate(seeded, 'RemovedIdeaRemovedIdea'),
      voteSet(seeded, itemId, 'dislike'),
      ideaCreate(seeded),
    ];
    const first = await push(client, queue);
    expect(first.results.map((r) => r.status)).toEqual(['applied', 'rejected', 'applied', 'applied']);
    const replay = await push(client, queue);
    expect(replay.results.map((r) => r.status)).toEqual(['duplicate', 'rejected', 'duplicate', 'duplicate']);
    // A client whose first answer was lost still gets the reason, so the comment goes back to drafts.
    expect((replay.results[1] as Extract<MutationResult, { status: 'rejected' }>).reason).toEqual(
      (first.results[1] as Extract<MutationResult, { status: 'rejected' }>).reason,
    );
    expect(await tally(itemId)).toMatchObject({ likes: 0, dislikes: 1 });
  });

  it('keeps receipts and votes free of account ids', async () => {
    const other = await createTestAccount(ts.server.storage, ts.dataDir);
    const itemId = await seedIdea(ts.server.storage, seeded);
    await push(HttpClient.as(ts.url, other), [voteSet(seeded, itemId, 'like'), ideaCreate(seeded)]);
    for (const db of ['private', 'votes', 'vault', 'public'] as const) {
      for (const prefix of ['receipt:', 'vote:', 'vault:', 'staged:', 'idea:', 'tally:']) {
        const rows = await ts.server.storage.db(db).list({ prefix, includeDocs: true });
        const text = JSON.stringify(rows);
        expect(text).not.toContain(other.accountId);
        expect(text).not.toContain(other.email);
      }
    }
  });
});

function directDeps(storage: Storage): Deps {
  const config = loadConfig({ HUDDLE_DATA_DIR: ts.dataDir });
  return {
    config,
    storage,
    secrets: loadSecrets(config),
    mailer: { send: async () => undefined, close: async () => undefined },
    notifier: createNotifier(),
    log: pino({ level: 'silent' }),
    now: () => new Date(),
  };
}

/**
 * The real store, except that the first vote write (a waiting vote, in the private database) waits at
 * `gate` (announced by `onStall`).
 */
function stallFirstVoteWrite(storage: Storage, gate: Promise<void>, onStall: () => void): Storage {
  let hasStalled = false;
  const privateDb = storage.db('private');
  const slowPrivate: DocStore = Object.create(privateDb) as DocStore;
  // Writes go out in bulk: the first one carrying a vote stalls.
  slowPrivate.bulkPut = async (docs) => {
    if (!hasStalled && docs.some((d) => d._id.startsWith('pending-vote:'))) {
      hasStalled = true;
      onStall();
      await gate;
    }
    return privateDb.bulkPut(docs);
  };
  return {
    kind: storage.kind,
    init: () => storage.init(),
    close: () => storage.close(),
    db: (name) => (name === 'private' ? slowPrivate : storage.db(name)),
  };
}
