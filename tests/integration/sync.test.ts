/**
 * Push and pull over real HTTP against the real embedded store (RELEASE_INTERVAL_SECONDS=0:
 * every push is released before it is answered).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationResult, PullResponse, PushResponse } from '../../shared/src/api.js';
import type { IdeaDoc, TallyDoc } from '../../shared/src/documents.js';
import { PROTOCOL_VERSION } from '../../shared/src/protocol.js';
import { coarseTimeSchema, publicIdSchema } from '../../shared/src/ids.js';
import { loadConfig } from '../../sync-server/src/config.js';
import { loadSecrets } from '../../sync-server/src/secrets.js';
import { vaultDocId } from '../../sync-server/src/sync/keys.js';
import { readAuthor } from '../../sync-server/src/sync/vault.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import {
  commentCreate,
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
let alice: TestAccount;
let bob: TestAccount;
let asAlice: HttpClient;
let asBob: HttpClient;

beforeAll(async () => {
  ts = await startTestServer();
  seeded = await seedConversation(ts.server.storage);
  alice = await createTestAccount(ts.server.storage, ts.dataDir);
  bob = await createTestAccount(ts.server.storage, ts.dataDir);
  asAlice = HttpClient.as(ts.url, alice);
  asBob = HttpClient.as(ts.url, bob);
});
afterAll(async () => {
  await ts?.close();
});

const applied = (r: MutationResult | undefined) => {
  expect(r?.status).toBe('applied');
  return r as Extract<MutationResult, { status: 'applied' }>;
};
const tallyOf = (docs: PullResponse['docs'], itemId: string) =>
  docs.filter((d): d is TallyDoc => d.type === 'tally' && d.itemId === itemId).at(-1);

describe('push and pull', () => {
  it('applies an idea, a comment and a vote, and shows them to another person with coarse hours and no identity', async () => {
    const before = await pullAll(asBob);
    const idea = ideaCreate(seeded, 'Quiet room for breaks', 'Somewhere to sit for ten minutes');
    const [ideaResult] = (await push(asAlice, [idea])).results;
    const ideaId = applied(ideaResult).contentId!;
    const { results } = await push(asAlice, [
      commentCreate(seeded, ideaId, 'Yes please'),
      voteSet(seeded, ideaId, 'like'),
    ]);
    const commentId = applied(results[0]).contentId!;
    applied(results[1]);

    const seen = await pullAll(asBob, before.cursor);
    const releasedIdea = seen.docs.find((d) => d.type === 'idea' && d.id === ideaId) as IdeaDoc | undefined;
    expect(releasedIdea).toMatchObject({
      title: 'Quiet room for breaks',
      status: 'visible',
      streamId: seeded.streamId,
    });
    expect(coarseTimeSchema.safeParse(releasedIdea?.createdHour).success).toBe(true);
    expect(seen.docs.find((d) => d.type === 'comment' && d.id === commentId)).toMatchObject({
      ideaId,
      body: 'Yes please',
    });
    expect(tallyOf(seen.docs, ideaId)).toMatchObject({ likes: 1, dislikes: 0, itemKind: 'idea' });
    const everything = JSON.stringify(seen);
    expect(everything).not.toContain(alice.accountId);
    expect(everything).not.toContain(alice.email);
    expect(everything).not.toContain('voter');
  });

  it('records the author only in the encrypted vault, bound to the post it belongs to', async () => {
    const [result] = (await push(asAlice, [ideaCreate(seeded)])).results;
    const contentId = applied(result).contentId!;
    const deps = {
      storage: ts.server.storage,
      secrets: loadSecrets(loadConfig({ HUDDLE_DATA_DIR: ts.dataDir })),
    };
    expect(await readAuthor(deps, contentId)).toEqual({
      accountId: alice.accountId,
      kind: 'idea',
      contentId,
    });
    // The entry's id is the linking key's, not the post's: only the key relates the two.
    expect(await ts.server.storage.db('vault').get(`vault:${contentId}`)).toBeUndefined();
    const sealed = await ts.server.storage.db('vault').get(vaultDocId(deps.secrets, contentId));
    expect(sealed?._id).toBe(`vault:${deps.secrets.link('vault-entry', contentId)}`);
    expect(JSON.stringify(sealed)).not.toContain(alice.accountId);
    expect(JSON.stringify(sealed)).not.toContain(contentId);
    // The same sealed entry copied onto another post does not open (the content id is the AAD).
    const { _rev: _ignored, ...copy } = sealed!;
    const otherId = 'AnotherPostAnotherPost';
    await ts.server.storage.db('vault').put({ ...copy, _id: vaultDocId(deps.secrets, otherId) });
    expect(await readAuthor(deps, otherId)).toBeUndefined();
  });

  it('gives posts random, non-sequential public ids', async () => {
    const { results } = await push(
      asAlice,
      Array.from({ length: 8 }, (_, i) => ideaCreate(seeded, `Numbered idea ${i}`)),
    );
    const ids = results.map((r) => applied(r).contentId!);
    for (const id of ids) expect(publicIdSchema.safeParse(id).success && id.length >= 22).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).not.toEqual(ids); // 1 in 40,320 for random ids; always equal for time-ordered ones
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) expect(ids[i]!.slice(0, 4)).not.toBe(ids[j]!.slice(0, 4));
    }
  });

  it('sends each person only their own votes', async () => {
    const itemId = await seedIdea(ts.server.storage, seeded);
    await push(asAlice, [voteSet(seeded, itemId, 'like')]);
    await push(asBob, [voteSet(seeded, itemId, 'dislike')]);
    const forAlice = await pullAll(asAlice);
    const forBob = await pullAll(asBob);
    expect(forAlice.ownVotes.filter((v) => v.itemId === itemId)).toEqual([
      { itemId, itemKind: 'idea', value: 'like' },
    ]);
    expect(forBob.ownVotes.filter((v) => v.itemId === itemId)).toEqual([
      { itemId, itemKind: 'idea', value: 'dislike' },
    ]);
    expect(tallyOf(forAlice.docs, itemId)).toMatchObject({ likes: 1, dislikes: 1 });
    expect(forAlice.docs.some((d) => (d as { type: string }).type === 'vote')).toBe(false);
  });

  it('keeps tallies right when a vote goes like -> dislike -> none', async () => {
    const itemId = await seedIdea(ts.server.storage, seeded);
    let cursor = (await pullAll(asBob)).cursor;
    const expectTally = async (likes: number, dislikes: number) => {
      const page = await pullAll(asBob, cursor);
      cursor = page.cursor;
      expect(tallyOf(page.docs, itemId)).toMatchObject({ likes, dislikes });
    };
    await push(asBob, [voteSet(seeded, itemId, 'like')]);
    await push(asAlice, [voteSet(seeded, itemId, 'like')]);
    await expectTally(2, 0);
    await push(asAlice, [voteSet(seeded, itemId, 'dislike')]);
    await expectTally(1, 1);
    await push(asAlice, [voteSet(seeded, itemId, 'none')]);
    await expectTally(1, 0);
    expect((await pullAll(asAlice)).ownVotes.find((v) => v.itemId === itemId)?.value).toBe('none');
  });

  it('rejects a bad mutation with its reason and still applies the rest of the batch', async () => {
    const good = ideaCreate(seeded);
    const tooShort = { ...ideaCreate(seeded), title: 'ab' };
    const unknownKind = { id: crypto.randomUUID(), kind: 'idea.delete' };
    const vote = voteSet(seeded, await seedIdea(ts.server.storage, seeded), 'like');
    const { results } = await push(asAlice, [
      good,
      tooShort,
      'not a mutation',
      unknownKind,
      { title: 'no id' },
      vote,
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'applied',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'applied',
    ]);
    expect(results[1]).toMatchObject({ id: tooShort.id, reason: { code: 'invalid' } });
    expect((results[1] as { reason: { message: string } }).reason.message).toMatch(/title.*at least 3/i);
    expect(results[2]).toMatchObject({ id: '', reason: { code: 'invalid' } });
    expect(results[3]).toMatchObject({ id: unknownKind.id, reason: { code: 'invalid' } });
    expect(results[4]).toMatchObject({ id: '', reason: { code: 'invalid' } });
  });

  it("rejects posts and votes in a closed conversation with 'conversation-closed'", async () => {
    const closed = await seedConversation(ts.server.storage, 'closed');
    const ideaInClosed = await seedIdea(ts.server.storage, closed);
    const { results } = await push(asAlice, [
      ideaCreate(closed),
      commentCreate(closed, ideaInClosed),
      voteSet(closed, ideaInClosed, 'like'),
    ]);
    for (const r of results)
      expect(r).toMatchObject({ status: 'rejected', reason: { code: 'conversation-closed' } });
  });

  it("rejects a comment on a missing or hidden idea with 'not-found'", async () => {
    const hidden = await seedIdea(ts.server.storage, seeded, 'hidden');
    const { results } = await push(asAlice, [
      commentCreate(seeded, 'NoSuchIdeaNoSuchIdea1'),
      commentCreate(seeded, hidden),
      voteSet(seeded, 'NoSuchItemNoSuchItem1', 'like'),
      { ...ideaCreate(seeded), streamId: 'NoSuchStreamNoSuchSt' },
    ]);
    for (const r of results) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'not-found' } });
  });

  it("does not let another person comment on someone's pending idea", async () => {
    const slow = await startTestServer({ RELEASE_INTERVAL_SECONDS: '3600' });
    try {
      const s = await seedConversation(slow.server.storage);
      const author = HttpClient.as(slow.url, await createTestAccount(slow.server.storage, slow.dataDir));
      const other = HttpClient.as(slow.url, await createTestAccount(slow.server.storage, slow.dataDir));
      const ideaId = applied((await push(author, [ideaCreate(s)])).results[0]).contentId!;
      expect((await push(author, [commentCreate(s, ideaId)])).results[0]?.status).toBe('applied');
      expect((await push(other, [commentCreate(s, ideaId)])).results[0]).toMatchObject({
        reason: { code: 'not-found' },
      });
      expect((await push(other, [voteSet(s, ideaId, 'like')])).results[0]).toMatchObject({
        reason: { code: 'not-found' },
      });
    } finally {
      await slow.close();
    }
  });

  it("answers a sponsor's or admin's changes one by one as 'forbidden' (never a batch-wide 403), and sync without a session with 401", async () => {
    const settings = { id: crypto.randomUUID(), kind: 'notifications.set', commentDigest: true };
    const draft = {
      id: crypto.randomUUID(),
      kind: 'draft.save',
      draftId: crypto.randomUUID(),
      draftKind: 'idea',
      conversationId: seeded.conversationId,
      body: 'a sponsor typing',
    };
    for (const role of ['sponsor', 'admin'] as const) {
      const account = await createTestAccount(ts.server.storage, ts.dataDir, { roles: [role] });
      const mutations = [ideaCreate(seeded), settings, draft, voteSet(seeded, 'x'.repeat(22), 'like')];
      const res = await HttpClient.as(ts.url, account).post('/api/sync/push', {
        protocolVersion: PROTOCOL_VERSION,
        mutations,
      });
      expect(res.status).toBe(200);
      expect((res.body as PushResponse).results).toEqual(
        mutations.map((m) => ({
          id: m.id,
          status: 'rejected',
          reason: expect.objectContaining({ code: 'forbidden' }),
        })),
      );
      expect((await HttpClient.as(ts.url, account).get('/api/sync/pull')).status).toBe(200);
    }
    const body = { protocolVersion: PROTOCOL_VERSION, mutations: [ideaCreate(seeded)] };
    const anonymous = new HttpClient(ts.url);
    expect((await anonymous.get('/api/sync/pull')).status).toBe(401);
    expect((await anonymous.post('/api/sync/push', body)).status).toBe(401);
    expect((await anonymous.get('/api/sync/events')).status).toBe(401);
  });

  it('answers 409 with a reason to a client speaking another protocol', async () => {
    const res = await asAlice.post('/api/sync/push', {
      protocolVersion: 99,
      mutations: [ideaCreate(seeded)],
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('server-too-old');
  });

  it('answers 400 to a garbage cursor or an oversized batch', async () => {
    for (const cursor of ['garbage!', 'Z2FyYmFnZQ', Buffer.from('2:1').toString('base64url')]) {
      const res = await asAlice.get(`/api/sync/pull?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, cursor).toBe(400);
    }
    const tooMany = Array.from({ length: 101 }, () => ideaCreate(seeded));
    expect((await asAlice.post('/api/sync/push', { protocolVersion: 1, mutations: tooMany })).status).toBe(
      400,
    );
  });

  it('pulls incrementally: a cursor returns only what changed after it, page by page', async () => {
    const start = await pullAll(asBob);
    expect((await pullAll(asBob, start.cursor)).docs).toEqual([]);
    const { results } = await push(asAlice, [ideaCreate(seeded), ideaCreate(seeded), ideaCreate(seeded)]);
    const ids = results.map((r) => applied(r).contentId);
    const paged = await pullAll(asBob, start.cursor, 1);
    expect(paged.pages).toBeGreaterThanOrEqual(3);
    expect(paged.docs.map((d) => (d as IdeaDoc).id).sort()).toEqual([...ids].sort());
    expect((await pullAll(asBob, paged.cursor)).docs).toEqual([]);
  });

  it("refuses a push of someone else's queued changes with 409 'wrong-person' and applies none of them", async () => {
    const mutation = ideaCreate(seeded, 'Written by Alice on a shared PC');
    const res = await asBob.post('/api/sync/push', {
      protocolVersion: PROTOCOL_VERSION,
      person: alice.email,
      mutations: [mutation],
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'wrong-person' });
    // Alice's own session may send it (the address is compared without case or spaces).
    const own = await asAlice.post('/api/sync/push', {
      protocolVersion: PROTOCOL_VERSION,
      person: ` ${alice.email.toUpperCase()} `,
      mutations: [mutation],
    });
    expect((own.body as PushResponse).results[0]).toMatchObject({ status: 'applied' });
  });

  it('refuses votes on posts taken down (hidden, removed, withdrawn), and counts a vote on a merged idea on the idea it went into', async () => {
    for (const status of ['hidden', 'removed', 'withdrawn'] as const) {
      const itemId = await seedIdea(ts.server.storage, seeded, status);
      const [result] = (await push(asAlice, [voteSet(seeded, itemId, 'like')])).results;
      expect(result, status).toMatchObject({ status: 'rejected', reason: { code: 'not-found' } });
    }
    const into = await seedIdea(ts.server.storage, seeded);
    const merged = await seedIdea(ts.server.storage, seeded);
    const doc = await ts.server.storage.db('public').get<IdeaDoc>(`idea:${merged}`);
    await ts.server.storage.db('public').put({ ...doc!, status: 'merged', mergedInto: into });
    // One person voting on both halves of a merge counts once, on the merged idea.
    const { results } = await push(asAlice, [voteSet(seeded, merged, 'like'), voteSet(seeded, into, 'like')]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
    await asAlice.post('/api/test/release');
    const all = await pullAll(asBob);
    expect(tallyOf(all.docs, into)).toMatchObject({ likes: 1, dislikes: 0 });
    expect(tallyOf(all.docs, merged)).toBeUndefined();
    expect((await pullAll(asAlice)).ownVotes).toContainEqual({
      itemId: into,
      itemKind: 'idea',
      value: 'like',
    });
  });

  it('answers every push under contention on one document (never a 500), and ends with one vote per person', async () => {
    const itemId = await seedIdea(ts.server.storage, seeded);
    // Ten devices of one person changing the same vote at the same moment: writes race on one document.
    const values = ['like', 'dislike'] as const;
    const pushes = Array.from({ length: 10 }, (_, i) =>
      asAlice.post('/api/sync/push', {
        protocolVersion: PROTOCOL_VERSION,
        mutations: [voteSet(seeded, itemId, values[i % 2]!)],
      }),
    );
    const answers = await Promise.all(pushes);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    for (const a of answers)
      expect(['applied', 'rejected']).toContain((a.body as PushResponse).results[0]?.status);
    const refused = answers.flatMap((a) =>
      (a.body as PushResponse).results.filter((r) => r.status === 'rejected'),
    );
    // A lost race is 'busy' (the device sends it again), never a permanent refusal.
    for (const r of refused) expect(r).toMatchObject({ reason: { code: 'busy' } });
    await asAlice.post('/api/test/release');
    const tally = tallyOf((await pullAll(asBob)).docs, itemId);
    expect((tally?.likes ?? 0) + (tally?.dislikes ?? 0)).toBe(1);
  });
});
