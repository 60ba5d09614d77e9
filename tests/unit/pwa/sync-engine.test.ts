import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { HuddleDb, getMeta, setMeta } from '../../../pwa/src/data/db.js';
import { postComment, postIdea, vote } from '../../../pwa/src/data/actions.js';
import { createApiClient, NetworkError } from '../../../pwa/src/data/api-client.js';
import { pushOutbox } from '../../../pwa/src/data/push.js';
import { pullChanges } from '../../../pwa/src/data/pull.js';
import { SyncEngine } from '../../../pwa/src/data/sync-engine.js';
import { createFakeSyncServer, publicId, type FakeSyncServer } from './fake-sync-server.js';
import type { IdeaDoc, TallyDoc } from '../../../shared/src/documents.js';
import { waitUntil } from '../../support/wait.js';

const dbs: HuddleDb[] = [];
const engines: SyncEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) e.stop();
  for (const db of dbs.splice(0)) await db.delete();
});

function setup(): { db: HuddleDb; server: FakeSyncServer; api: ReturnType<typeof createApiClient> } {
  const db = new HuddleDb(`sync-${crypto.randomUUID()}`);
  dbs.push(db);
  const server = createFakeSyncServer();
  return { db, server, api: createApiClient({ baseUrl: 'http://fake.invalid', fetch: server.fetch }) };
}

const conversationId = publicId();
const streamId = publicId();

describe('push sends the outbox in order and applies each answer', () => {
  it('mutations reach the server in the order they were made, across batches', async () => {
    const { db, server, api } = setup();
    const ideaId = publicId();
    server.ideaIds.add(ideaId);
    const ids = [
      await postIdea(db, { conversationId, streamId, title: 'One idea', body: '' }),
      await postComment(db, { conversationId, ideaId, body: 'two' }),
      await vote(db, { conversationId, itemKind: 'idea', itemId: ideaId, value: 'like' }),
      await postComment(db, { conversationId, ideaId, body: 'four' }),
      await postIdea(db, { conversationId, streamId, title: 'Five idea', body: '' }),
    ];
    const outcome = await pushOutbox(db, api, { batchSize: 2 });
    expect(outcome).toEqual({ kind: 'done', sent: 5, rejected: 0 });
    expect(server.pushCount).toBe(3);
    expect(server.received.map((m) => m.id)).toEqual(ids);
    expect(await db.outbox.count()).toBe(0);
  });

  it('an applied idea becomes the public id the server made, marked as awaiting release', async () => {
    const { db, server, api } = setup();
    await postIdea(db, { conversationId, streamId, title: 'Quiet room', body: 'For breaks' });
    await pushOutbox(db, api);
    expect(await db.localPosts.count()).toBe(0);
    const [idea] = await db.ideas.toArray();
    expect(server.ideaIds.has(idea!.id)).toBe(true);
    expect(idea).toMatchObject({
      title: 'Quiet room',
      body: 'For breaks',
      isAwaitingRelease: true,
      streamId,
    });
  });

  it('a rejected comment goes back to drafts with the reason, and later entries are still sent', async () => {
    const { db, server, api } = setup();
    const goneIdea = publicId();
    const liveIdea = publicId();
    server.ideaIds.add(liveIdea);
    const rejectedId = await postComment(db, { conversationId, ideaId: goneIdea, body: 'My careful words' });
    const laterId = await postComment(db, { conversationId, ideaId: liveIdea, body: 'Later comment' });
    const outcome = await pushOutbox(db, api);
    expect(outcome).toEqual({ kind: 'done', sent: 1, rejected: 1 });
    const draft = await db.drafts.get(`rejected:${rejectedId}`);
    expect(draft).toMatchObject({
      kind: 'comment',
      ideaId: goneIdea,
      body: 'My careful words',
      rejection: { code: 'not-found', message: 'The idea you commented on was removed.' },
    });
    expect(server.received.map((m) => m.id)).toEqual([rejectedId, laterId]);
    expect(await db.outbox.count()).toBe(0);
    expect((await db.localPosts.toArray()).length).toBe(0);
    expect(await db.comments.where('ideaId').equals(liveIdea).count()).toBe(1);
  });

  it('a rejected vote reverts the local choice to what the server holds', async () => {
    const { db, api } = setup();
    const goneIdea = publicId();
    await db.myVotes.put({
      itemId: goneIdea,
      itemKind: 'idea',
      conversationId,
      value: 'like',
      serverValue: 'like',
    });
    await vote(db, { conversationId, itemKind: 'idea', itemId: goneIdea, value: 'dislike' });
    await pushOutbox(db, api);
    expect((await db.myVotes.get(goneIdea))?.value).toBe('like');
  });

  it('a vote changed three times ends on the server as the last choice', async () => {
    const { db, server, api } = setup();
    const ideaId = publicId();
    server.ideaIds.add(ideaId);
    for (const value of ['like', 'dislike', 'like'] as const)
      await vote(db, { conversationId, itemKind: 'idea', itemId: ideaId, value });
    await pushOutbox(db, api);
    expect(server.received.filter((m) => m.kind === 'vote.set').at(-1)).toMatchObject({ value: 'like' });
    expect(server.votes.get(ideaId)).toBe('like');
    expect(await db.myVotes.get(ideaId)).toMatchObject({ value: 'like', serverValue: 'like' });
  });

  it('vote changes made while an earlier change is on the wire still end as the last choice', async () => {
    const { db, server, api } = setup();
    const ideaId = publicId();
    server.ideaIds.add(ideaId);
    await vote(db, { conversationId, itemKind: 'idea', itemId: ideaId, value: 'like' });
    const held = server.holdNextPush();
    const pushing = pushOutbox(db, api);
    await held.arrived;
    await vote(db, { conversationId, itemKind: 'idea', itemId: ideaId, value: 'dislike' });
    await vote(db, { conversationId, itemKind: 'idea', itemId: ideaId, value: 'none' });
    held.release();
    await pushing;
    expect(server.votes.get(ideaId)).toBe('none');
    expect(server.received.map((m) => (m.kind === 'vote.set' ? m.value : m.kind))).toEqual(['like', 'none']);
    expect(await db.myVotes.get(ideaId)).toMatchObject({ value: 'none', serverValue: 'none' });
  });

  it('no answer keeps every entry for a retry, and the retry is applied once', async () => {
    const { db, server, api } = setup();
    const id = await postIdea(db, { conversationId, streamId, title: 'Kept idea', body: '' });
    server.faults.push('network');
    await expect(pushOutbox(db, api)).rejects.toThrow(NetworkError);
    expect(await db.outbox.toArray()).toMatchObject([{ id, state: 'queued' }]);
    expect(await db.localPosts.count()).toBe(1);
    server.faults.push(503);
    await expect(pushOutbox(db, api)).rejects.toThrow();
    expect(await db.outbox.count()).toBe(1);
    await pushOutbox(db, api);
    expect(await db.outbox.count()).toBe(0);
    expect(server.ideaIds.size).toBe(1);
  });

  it('a lost response is replayed and answered as a duplicate with the same public id', async () => {
    const { db, server, api } = setup();
    await postIdea(db, { conversationId, streamId, title: 'Replayed idea', body: '' });
    await pushOutbox(db, api);
    const [first] = await db.ideas.toArray();
    // Simulate the device never having heard the answer: queue the same mutation again.
    const [mutation] = server.received;
    await db.ideas.clear();
    await db.outbox.add({
      id: mutation!.id,
      mutation: mutation!,
      state: 'queued',
      createdAt: new Date().toISOString(),
    });
    await db.localPosts.add({
      mutationId: mutation!.id,
      kind: 'idea',
      conversationId,
      streamId,
      title: 'Replayed idea',
      body: '',
      createdAt: '',
    });
    await pushOutbox(db, api);
    expect(server.ideaIds.size).toBe(1);
    expect((await db.ideas.toArray())[0]?.id).toBe(first!.id);
  });

  it('two tabs pushing at once never send the same outbox entry twice', async () => {
    const { db, server, api } = setup();
    // A second connection to the same database, as a second tab has.
    const otherTab = new HuddleDb(db.name);
    dbs.push(otherTab);
    for (let i = 0; i < 5; i++)
      await postIdea(db, { conversationId, streamId, title: `Idea number ${i}`, body: '' });
    await Promise.all([pushOutbox(db, api, { batchSize: 2 }), pushOutbox(otherTab, api, { batchSize: 2 })]);
    const ids = server.received.map((m) => m.id);
    expect(new Set(ids).size).toBe(5);
    expect(ids).toHaveLength(5);
    expect(await db.outbox.count()).toBe(0);
  });

  it("a rejection that is not the content's fault (protocol) keeps the entry queued instead of turning it into a draft", async () => {
    const { db, server, api } = setup();
    const id = await postIdea(db, { conversationId, streamId, title: 'Needs a newer app', body: '' });
    server.rejectNextWith = { code: 'protocol', message: 'Update the app to send this.' };
    expect(await pushOutbox(db, api)).toEqual({ kind: 'protocol', message: 'Update the app to send this.' });
    expect(await db.outbox.toArray()).toMatchObject([{ id, state: 'queued' }]);
    expect(await db.drafts.count()).toBe(0);
    expect(await db.localPosts.count()).toBe(1);
  });

  it('401 keeps everything and asks the person to log in again', async () => {
    const { db, server, api } = setup();
    await postIdea(db, { conversationId, streamId, title: 'Kept idea', body: '' });
    server.faults.push(401);
    expect(await pushOutbox(db, api)).toEqual({ kind: 'needs-login' });
    expect(await db.outbox.count()).toBe(1);
    expect(await db.localPosts.count()).toBe(1);
    expect(await getMeta(db, 'needsLogin')).toBe(true);
  });
});

const idea = (id: string, title = 'An idea'): IdeaDoc => ({
  _id: `idea:${id}`,
  schemaVersion: 1,
  type: 'idea',
  id,
  conversationId,
  streamId,
  title,
  body: '',
  createdHour: '2026-11-24T08:00:00.000Z',
  status: 'visible',
});
const tally = (itemId: string, likes: number): TallyDoc => ({
  _id: `tally:${itemId}`,
  schemaVersion: 1,
  type: 'tally',
  itemId,
  itemKind: 'idea',
  conversationId,
  likes,
  dislikes: 0,
});

describe('pull brings the device up to date from its cursor', () => {
  it('pages until there is no more, applies deletions, and resumes from the stored cursor', async () => {
    const { db, server, api } = setup();
    const [a, b, c] = [publicId(), publicId(), publicId()];
    server.feed.push({ doc: idea(a) }, { doc: idea(b) }, { doc: tally(a, 3) });
    const first = await pullChanges(db, api, 2);
    expect(first.pages).toBe(2);
    expect((await db.ideas.toArray()).map((i) => i.id).sort()).toEqual([a, b].sort());
    expect(await db.tallies.get(a)).toMatchObject({ likes: 3 });
    expect(await getMeta(db, 'cursor')).toBe('3');
    expect(await getMeta(db, 'lastSyncedAt')).toBeDefined();
    server.feed.push({ deleted: `idea:${b}` }, { doc: idea(c) });
    const second = await pullChanges(db, api, 2);
    expect(second.docs).toBe(1);
    expect((await db.ideas.toArray()).map((i) => i.id).sort()).toEqual([a, c].sort());
  });

  it('the server copy of a vote never overwrites a local choice still waiting to be sent', async () => {
    const { db, server, api } = setup();
    const [waiting, settled] = [publicId(), publicId()];
    await vote(db, { conversationId, itemKind: 'idea', itemId: waiting, value: 'dislike' });
    server.ownVotes.push(
      { itemId: waiting, itemKind: 'idea', value: 'like' },
      { itemId: settled, itemKind: 'idea', value: 'like' },
    );
    await pullChanges(db, api);
    expect(await db.myVotes.get(waiting)).toMatchObject({ value: 'dislike', serverValue: 'like' });
    expect(await db.myVotes.get(settled)).toMatchObject({ value: 'like', serverValue: 'like' });
  });

  it('a released idea replaces the own "awaiting release" copy', async () => {
    const { db, server, api } = setup();
    await postIdea(db, { conversationId, streamId, title: 'Mine', body: '' });
    await pushOutbox(db, api);
    const [pending] = await db.ideas.toArray();
    server.feed.push({ doc: idea(pending!.id, 'Mine') });
    await pullChanges(db, api);
    expect((await db.ideas.get(pending!.id))?.isAwaitingRelease).toBeUndefined();
  });
});

describe('the sync engine', () => {
  it('retries after a failure with backoff and sends everything once the server answers', async () => {
    const { db, server, api } = setup();
    await setMeta(db, 'person', { email: 'a@trust.example', roles: ['participant'] });
    await postIdea(db, { conversationId, streamId, title: 'Retried idea', body: '' });
    server.faults.push('network', 503);
    const engine = new SyncEngine({ db, api, isOnline: () => true, baseRetryMs: 5, random: () => 0.5 });
    engines.push(engine);
    await engine.requestSync();
    expect(engine.getSnapshot().problem).toBe('network');
    // It retries by itself (a few ms of backoff here): the outbox drains without being asked again.
    await waitUntil(async () => (await db.outbox.count()) === 0, 'the engine to retry and send the outbox', {
      timeoutMs: 10_000,
    });
    await engine.requestSync();
    expect(await db.outbox.count()).toBe(0);
    expect(engine.getSnapshot().problem).toBeNull();
    expect(server.ideaIds.size).toBe(1);
  });

  it('retry jitter keeps the first delay between half and the full base delay', () => {
    const { db, api } = setup();
    const low = new SyncEngine({ db, api, baseRetryMs: 1000, maxRetryMs: 60_000, random: () => 0 });
    const high = new SyncEngine({ db, api, baseRetryMs: 1000, maxRetryMs: 60_000, random: () => 0.999999 });
    expect(low.nextRetryDelay()).toBe(500);
    expect(high.nextRetryDelay()).toBe(1000);
  });

  it('does nothing while offline or signed out, and keeps the outbox', async () => {
    const { db, server, api } = setup();
    await postIdea(db, { conversationId, streamId, title: 'Offline idea', body: '' });
    const offline = new SyncEngine({ db, api, isOnline: () => false });
    await offline.requestSync();
    expect(offline.getSnapshot().isOnline).toBe(false);
    const signedOut = new SyncEngine({ db, api, isOnline: () => true });
    await signedOut.requestSync();
    expect(server.pushCount).toBe(0);
    expect(await db.outbox.count()).toBe(1);
  });
});
