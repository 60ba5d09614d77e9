/**
 * k-anonymous batches and shuffled tallies: a conversation's waiting posts (new posts, edits,
 * withdrawals) reach other people only once k distinct people wrote them, and its waiting votes only
 * once k distinct people cast the ones that change a tally (the conversation's releaseMinContributors);
 * other conversations release on their own; the author sees their own post and vote at once; waiting
 * votes are sealed and same-sized; votes and tallies reach their databases in no telling order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELEASE_MIN_CONTRIBUTORS_DEFAULT, type IdeaDoc } from '../../shared/src/documents.js';
import { docId } from '../../shared/src/ids.js';
import type { DbName, DocStore, Storage } from '../../sync-server/src/storage/port.js';
import { voterFor } from '../../sync-server/src/sync/keys.js';
import { createNotifier } from '../../sync-server/src/sync/notifier.js';
import { releaseBatch } from '../../sync-server/src/sync/releaser.js';
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
let reader: HttpClient;
const people: Array<{ account: TestAccount; client: HttpClient }> = [];

beforeAll(async () => {
  ts = await startTestServer({ RELEASE_INTERVAL_SECONDS: '3600' });
  reader = HttpClient.as(ts.url, await createTestAccount(ts.server.storage, ts.dataDir));
  for (let i = 0; i < 4; i++) {
    const account = await createTestAccount(ts.server.storage, ts.dataDir);
    people.push({ account, client: HttpClient.as(ts.url, account) });
  }
});
afterAll(async () => {
  await ts?.close();
});

const release = async () => {
  const res = await reader.post('/api/test/release');
  expect(res.status).toBe(200);
  return res.body as { released: number; tallies: number };
};
const contentIdOf = (r: { results: unknown[] }) => (r.results[0] as { contentId: string }).contentId;
const pendingVotes = () =>
  ts.server.storage.db('private').list({ prefix: 'pending-vote:', includeDocs: true });

describe('k-anonymous batches', () => {
  it('holds a conversation until k distinct people took part; other conversations release meanwhile', async () => {
    const night = await seedConversation(ts.server.storage, 'live', { releaseMinContributors: 3 });
    const busy = await seedConversation(ts.server.storage, 'live', { releaseMinContributors: 1 });
    const itemId = await seedIdea(ts.server.storage, night);
    const start = await pullAll(reader);
    const [a, b, c] = people;

    // A lone night-time post: its author sees it at once, nobody else does, however often we release.
    const first = contentIdOf(await push(a!.client, [ideaCreate(night, 'Lone night idea')]));
    expect((await pullAll(a!.client, start.cursor)).ownPending.map((d) => d.id)).toEqual([first]);
    expect(await release()).toEqual({ released: 0, tallies: 0 });
    // The same person again, and a vote set back to what was published: still one person.
    await push(a!.client, [ideaCreate(night, 'Second idea, same person')]);
    await push(b!.client, [voteSet(night, itemId, 'like')]);
    await push(b!.client, [voteSet(night, itemId, 'none')]);
    expect(await release()).toEqual({ released: 0, tallies: 0 });
    // The test hook forces a release, and k still holds.
    expect(await release()).toEqual({ released: 0, tallies: 0 });

    // Another conversation with k = 1 is released on its own.
    const other = contentIdOf(await push(c!.client, [ideaCreate(busy, 'Busy ward idea')]));
    expect(await release()).toEqual({ released: 1, tallies: 0 });
    let seen = await pullAll(reader, start.cursor);
    expect(seen.docs.map((d) => ('id' in d ? d.id : d._id))).toEqual([other]);

    // A second person (a vote that changes a tally), then a third (a comment): three people, but the
    // posts have two authors and the votes one voter, so nothing goes (a backup tells a waiting post
    // from a waiting vote: each kind needs k people of its own); a comment from the voter makes three
    // authors, and the posts go out together, while the lone vote still waits.
    await push(b!.client, [voteSet(night, itemId, 'dislike')]);
    expect(await release()).toEqual({ released: 0, tallies: 0 });
    await push(c!.client, [commentCreate(night, itemId, 'Agreed, from a third colleague')]);
    expect(await release()).toEqual({ released: 0, tallies: 0 });
    await push(b!.client, [commentCreate(night, itemId, 'And from the voter')]);
    expect(await release()).toEqual({ released: 4, tallies: 0 });
    expect(await pendingVotes()).toHaveLength(1);
    // Two more voters: three people's votes change the tally, and it goes out.
    await push(a!.client, [voteSet(night, itemId, 'like')]);
    expect(await release()).toEqual({ released: 0, tallies: 0 });
    await push(c!.client, [voteSet(night, itemId, 'dislike')]);
    expect(await release()).toEqual({ released: 0, tallies: 1 });
    seen = await pullAll(reader, start.cursor);
    const nightDocs = seen.docs.filter(
      (d) => 'conversationId' in d && d.conversationId === night.conversationId,
    );
    expect(
      nightDocs
        .filter((d) => d.type === 'idea')
        .map((d) => (d as IdeaDoc).title)
        .sort(),
    ).toEqual(['Lone night idea', 'Second idea, same person']);
    expect(nightDocs.find((d) => d.type === 'comment')).toBeTruthy();
    expect(nightDocs.find((d) => d.type === 'tally')).toMatchObject({ itemId, likes: 1, dislikes: 2 });
    expect((await pullAll(a!.client)).ownPending).toEqual([]);
    // Nothing of the batch stays in waiting: no staged copy, no pending vote.
    expect(await pendingVotes()).toEqual([]);
    expect(await ts.server.storage.db('private').list({ prefix: 'staged:' })).toEqual([]);
    expect(await release()).toEqual({ released: 0, tallies: 0 });
  });

  it('keeps waiting votes sealed, same-sized and out of the votes database: the voter sees theirs at once', async () => {
    const conversation = await seedConversation(ts.server.storage, 'live', { releaseMinContributors: 2 });
    const itemId = await seedIdea(ts.server.storage, conversation);
    const [a, b] = people;
    const voter = voterFor(ts.server.secrets, conversation.conversationId, a!.account.accountId);
    const votesDb = ts.server.storage.db('votes');
    const votesBefore = (await votesDb.list({})).length;

    await push(a!.client, [voteSet(conversation, itemId, 'like')]);
    expect(await release()).toEqual({ released: 0, tallies: 0 });
    // The voter's other devices know it at once; the votes database does not have it yet.
    expect((await pullAll(a!.client)).ownVotes).toContainEqual(
      expect.objectContaining({ itemId, value: 'like' }),
    );
    expect((await votesDb.list({})).length).toBe(votesBefore);
    const waiting = await pendingVotes();
    expect(waiting).toHaveLength(1);
    const text = JSON.stringify(waiting);
    for (const secret of [a!.account.accountId, voter, itemId, conversation.conversationId, 'like'])
      expect(text).not.toContain(secret);

    // A dislike and a change back to nothing are the same size as a like: the value does not show.
    await push(a!.client, [voteSet(conversation, itemId, 'dislike')]);
    const [dislike] = await pendingVotes();
    expect(dislike!.id).toBe(waiting[0]!.id);
    await push(b!.client, [voteSet(conversation, await seedIdea(ts.server.storage, conversation), 'none')]);
    const sizes = new Set((await pendingVotes()).map((r) => JSON.stringify(r.doc!.sealed).length));
    expect(sizes.size).toBe(1);
    expect(JSON.stringify(waiting[0]!.doc!.sealed).length).toBe([...sizes][0]);

    // b's 'none' changes nothing and is dropped; b's like makes two voters, and the votes go out.
    await push(b!.client, [voteSet(conversation, itemId, 'like')]);
    expect(await release()).toEqual({ released: 0, tallies: 1 });
    expect(await pendingVotes()).toEqual([]);
    expect(await ts.server.storage.db('public').get(docId.tally(itemId))).toMatchObject({
      likes: 1,
      dislikes: 1,
    });
    expect((await pullAll(a!.client)).ownVotes).toContainEqual(
      expect.objectContaining({ itemId, value: 'dislike' }),
    );
  });

  it('defaults k to 3 for a conversation that does not set it', async () => {
    expect(RELEASE_MIN_CONTRIBUTORS_DEFAULT).toBe(3);
    const seeded: Seeded = await seedConversation(ts.server.storage);
    const stored = await ts.server.storage.db('public').get(docId.conversation(seeded.conversationId));
    const { releaseMinContributors: _fixtureK, ...unset } = stored!;
    await ts.server.storage.db('public').put(unset);
    const [a, b, c] = people;
    await push(a!.client, [ideaCreate(seeded)]);
    await push(b!.client, [ideaCreate(seeded)]);
    expect(await release()).toEqual({ released: 0, tallies: 0 });
    await push(c!.client, [ideaCreate(seeded)]);
    expect(await release()).toEqual({ released: 3, tallies: 0 });
  });
});

describe('the conversation setting', () => {
  it('is set by an admin (1 to 100); lowering it lets a waiting batch out at the next release', async () => {
    const conversation = await seedConversation(ts.server.storage, 'live', { releaseMinContributors: 3 });
    const posted = contentIdOf(
      await push(people[0]!.client, [ideaCreate(conversation, 'Waiting for two more')]),
    );
    expect(await release()).toEqual({ released: 0, tallies: 0 });
    const admin = HttpClient.as(
      ts.url,
      await createTestAccount(ts.server.storage, ts.dataDir, { roles: ['admin'] }),
    );
    const url = (id: string) => `/api/admin/conversations/${id}/release-min-contributors`;
    expect(
      (await people[1]!.client.post(url(conversation.conversationId), { releaseMinContributors: 1 })).status,
    ).toBe(403);
    for (const bad of [0, 101, 2.5, '3']) {
      const res = await admin.post(url(conversation.conversationId), { releaseMinContributors: bad });
      expect(res.status, String(bad)).toBe(400);
      expect(res.body.message).toMatch(/releaseMinContributors/);
    }
    expect((await admin.post(url('AAAAAAAAAAAAAAAAAAAAAA'), { releaseMinContributors: 2 })).status).toBe(404);
    const set = await admin.post(url(conversation.conversationId), { releaseMinContributors: 1 });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ id: conversation.conversationId, releaseMinContributors: 1 });
    expect(await release()).toEqual({ released: 1, tallies: 0 });
    const seen = await pullAll(reader);
    expect(seen.docs.find((d) => d.type === 'idea' && d.id === posted)).toBeTruthy();
  });
});

describe('a release that dies half-way', () => {
  it('is completed by the next run, whatever k then says (the decided batch goes out whole)', async () => {
    const conversation = await seedConversation(ts.server.storage, 'live', { releaseMinContributors: 2 });
    const itemId = await seedIdea(ts.server.storage, conversation);
    const [a, b] = people;
    const posted = contentIdOf(
      await push(a!.client, [
        ideaCreate(conversation, 'Decided, then the power went'),
        voteSet(conversation, itemId, 'like'),
      ]),
    );
    await push(b!.client, [
      voteSet(conversation, itemId, 'like'),
      ideaCreate(conversation, 'A second author'),
    ]);
    // The process dies at its first public write: after the decision and the checkpoint, before anything is out.
    const dying = storageDyingAt(ts.server.storage, 'public', 'bulkPut');
    const deps = { secrets: ts.server.secrets, notifier: createNotifier() };
    await expect(releaseBatch({ ...deps, storage: dying })).rejects.toThrow(/died/);
    const publicDb = ts.server.storage.db('public');
    expect(await publicDb.get(docId.idea(posted))).toBeUndefined();
    // Counted again, the vote is no longer new: the batch must still go out.
    expect(await releaseBatch({ ...deps, storage: ts.server.storage })).toEqual({ released: 2, tallies: 1 });
    expect(await publicDb.get(docId.idea(posted))).toMatchObject({ title: 'Decided, then the power went' });
    expect(await publicDb.get(docId.tally(itemId))).toMatchObject({ likes: 2 });
    expect(await release()).toEqual({ released: 0, tallies: 0 });
  });
});

/** The real storage, except that one method of one database throws as if the process died there. */
function storageDyingAt(storage: Storage, dbName: DbName, method: keyof DocStore): Storage {
  const forward = <T extends object>(target: T, override: (key: PropertyKey) => unknown) =>
    new Proxy(target, {
      get(t, key) {
        const replaced = override(key);
        if (replaced !== undefined) return replaced;
        const value: unknown = Reflect.get(t, key);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
      },
    });
  return forward(storage, (key) =>
    key === 'db'
      ? (name: DbName) =>
          name === dbName
            ? forward(storage.db(name), (k) =>
                k === method
                  ? () => Promise.reject(new Error(`the process died in ${dbName}.${method}`))
                  : undefined,
              )
            : storage.db(name)
      : undefined,
  );
}

describe('shuffled tallies', () => {
  it('writes the tallies of one batch in an order that follows neither the votes nor the item ids', async () => {
    const seeded = await seedConversation(ts.server.storage, 'live', { releaseMinContributors: 1 });
    const items: string[] = [];
    for (let i = 0; i < 60; i++) items.push(await seedIdea(ts.server.storage, seeded));
    const publicDb = ts.server.storage.db('public');
    const since = await publicDb.updateSeq();
    // One person likes all 60 in this order.
    await push(
      people[0]!.client,
      items.map((itemId) => voteSet(seeded, itemId, 'like')),
    );
    const votesSince = await ts.server.storage.db('votes').updateSeq();
    expect(await release()).toEqual({ released: 0, tallies: 60 });
    // The votes reached their database at release, in one shuffled write, not in the order they came.
    const votesWritten = (
      await ts.server.storage.db('votes').changes({ since: votesSince, includeDocs: true })
    ).results.map((r) => String(r.doc?.['itemId']));
    expect([...votesWritten].sort()).toEqual([...items].sort());
    expect(Math.abs(spearman(votesWritten, items))).toBeLessThan(0.6);
    const written = (await publicDb.changes({ since })).results
      .map((r) => r.id)
      .filter((id) => id.startsWith('tally:'))
      .map((id) => id.slice('tally:'.length));
    expect([...written].sort()).toEqual([...items].sort());
    // Rank correlation with arrival order and with id order. A shuffle of 60 gives |rho| < 0.6 except
    // with a chance far below one in a billion (rho ~ N(0, 1/59)); arrival order gives exactly 1.
    expect(Math.abs(spearman(written, items))).toBeLessThan(0.6);
    // CouchDB applies one bulk write in id order whatever order it is sent in; the ids are random, so
    // that order says nothing about arrival. The embedded store keeps the order it was sent in.
    if (ts.server.storage.kind === 'pouchdb')
      expect(Math.abs(spearman(written, [...items].sort()))).toBeLessThan(0.6);
  });
});

/** Spearman's rank correlation between two orders of the same ids. */
function spearman(a: string[], b: string[]): number {
  const rank = new Map(b.map((id, i) => [id, i]));
  const n = a.length;
  const d2 = a.reduce((sum, id, i) => sum + (i - rank.get(id)!) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}
