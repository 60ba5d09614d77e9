/**
 * The device half of the sync core's guarantees, each named after the defect it closes (issue 6):
 * one submit is one post; no HTTP answer leaves a device stuck; a stale pull never undoes a change;
 * queued work is only ever sent by a session of the person who made it.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { HuddleDb, getMeta, setMeta } from '../../../pwa/src/data/db.js';
import {
  discardDraft,
  postComment,
  postIdea,
  saveDraft,
  setCommentDigest,
  vote,
} from '../../../pwa/src/data/actions.js';
import { createApiClient } from '../../../pwa/src/data/api-client.js';
import { pushOutbox } from '../../../pwa/src/data/push.js';
import { pullChanges } from '../../../pwa/src/data/pull.js';
import { SyncEngine } from '../../../pwa/src/data/sync-engine.js';
import { createFakeSyncServer, publicId, type FakeSyncServer } from './fake-sync-server.js';
import { PUSH_PAD_BUCKET_BYTES } from '../../../shared/src/sync/padding.js';

const dbs: HuddleDb[] = [];
const engines: SyncEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) e.stop();
  for (const db of dbs.splice(0)) await db.delete();
});

function setup(name = `core-${crypto.randomUUID()}`) {
  const db = new HuddleDb(name);
  dbs.push(db);
  const server = createFakeSyncServer();
  return { db, server, api: createApiClient({ baseUrl: 'http://fake.invalid', fetch: server.fetch }) };
}

/** A second tab: another connection to the same database, with its own API client to the same server. */
function otherTab(db: HuddleDb, server: FakeSyncServer) {
  const tab = new HuddleDb(db.name);
  dbs.push(tab);
  return { db: tab, api: createApiClient({ baseUrl: 'http://fake.invalid', fetch: server.fetch }) };
}

const conversationId = publicId();
const streamId = publicId();

describe('one submit of a draft is one post, whatever the taps (defect 4)', () => {
  it('posting the same draft twice queues one mutation, and the server sees one id even after the first was sent', async () => {
    const { db, server, api } = setup();
    const draftId = crypto.randomUUID();
    await saveDraft(db, {
      id: draftId,
      kind: 'idea',
      conversationId,
      streamId,
      title: 'Night parking',
      body: 'x',
    });
    const input = { conversationId, streamId, title: 'Night parking', body: 'x', draftId };
    const [first, second] = await Promise.all([postIdea(db, input), postIdea(db, input)]);
    expect(second).toBe(first);
    expect(await db.outbox.where('id').equals(first).count()).toBe(1);
    expect(await db.localPosts.count()).toBe(1);
    await pushOutbox(db, api);
    // A third tap after the answer: the same mutation id again, which the server applies at most once.
    await postIdea(db, input);
    await pushOutbox(db, api);
    expect(server.received.filter((m) => m.kind === 'idea.create').map((m) => m.id)).toEqual([first, first]);
    expect(server.ideaIds.size).toBe(1);
    expect(await db.localPosts.count()).toBe(0);
    expect((await db.ideas.toArray()).length).toBe(1);
  });

  it('a comment posted twice from its draft is one comment', async () => {
    const { db, server, api } = setup();
    const ideaId = publicId();
    server.ideaIds.add(ideaId);
    const draftId = crypto.randomUUID();
    const input = { conversationId, ideaId, body: 'Same here', draftId };
    await Promise.all([postComment(db, input), postComment(db, input)]);
    await pushOutbox(db, api);
    expect(server.received.filter((m) => m.kind === 'comment.create')).toHaveLength(1);
  });
});

describe('no HTTP answer leaves a device stuck (defect 5)', () => {
  it('sixty 5,000-character ideas go out in batches under the server body limit: never a 413', async () => {
    const { db, server } = setup();
    const statuses: number[] = [];
    const fetch = server.fetch;
    server.fetch = async (input, init) => {
      const res = await fetch(input, init);
      statuses.push(res.status);
      return res;
    };
    const sized = createApiClient({ baseUrl: 'http://fake.invalid', fetch: server.fetch });
    for (let i = 0; i < 60; i++)
      await postIdea(db, { conversationId, streamId, title: `Long idea ${i}`, body: 'é'.repeat(5000) });
    expect(await pushOutbox(db, sized)).toEqual({ kind: 'done', sent: 60, rejected: 0 });
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(server.ideaIds.size).toBe(60);
    expect(server.pushCount).toBeGreaterThan(1);
  });

  it('a batch-wide 403 is narrowed down to the refused change, which comes back as a refusal; the rest is sent and pull runs', async () => {
    const { db, server, api } = setup();
    await setMeta(db, 'person', { email: 'a@trust.example', roles: ['participant'] });
    // What the server before sync core v2 did for a sponsor's settings change: refuse the whole batch.
    server.refuseBatch = (ms) =>
      ms.some((m) => m.kind === 'notifications.set')
        ? { status: 403, message: 'You are not allowed to do that.' }
        : null;
    await postIdea(db, { conversationId, streamId, title: 'First idea', body: '' });
    await setCommentDigest(db, true);
    await postIdea(db, { conversationId, streamId, title: 'Second idea', body: '' });
    server.feed.push({ doc: { ...idea(publicId()), title: 'From the server' } });
    const engine = new SyncEngine({ db, api, isOnline: () => true, baseRetryMs: 5 });
    engines.push(engine);
    await engine.requestSync();
    expect(await db.outbox.count()).toBe(0);
    expect(server.ideaIds.size).toBe(2);
    expect(await getMeta(db, 'commentDigest')).toBe(false);
    expect(await getMeta(db, 'refusedActions')).toMatchObject([
      { kind: 'notifications.set', message: 'You are not allowed to do that.' },
    ]);
    expect(engine.getSnapshot().problem).toBeNull();
    expect((await db.ideas.toArray()).some((i) => i.title === 'From the server')).toBe(true);
  });

  it('a 413 for a single change returns its text to drafts with the reason, and a 400 likewise', async () => {
    const { db, server, api } = setup();
    // A server that takes one padded bucket per push. Every post of real text fits one bucket
    // (shared/src/sync/padding.ts); text that JSON escapes at 6 bytes a character (control characters)
    // is the one way a single post outgrows it.
    server.bodyLimit = PUSH_PAD_BUCKET_BYTES;
    const tooBig = 'y'.repeat(1000) + '\u0001'.repeat(3500);
    await postIdea(db, { conversationId, streamId, title: 'Too big for this server', body: tooBig });
    await postIdea(db, { conversationId, streamId, title: 'Small one', body: '' });
    expect(await pushOutbox(db, api)).toEqual({ kind: 'done', sent: 1, rejected: 1 });
    const [draft] = await db.drafts.toArray();
    expect(draft).toMatchObject({ title: 'Too big for this server', body: tooBig });
    expect(draft?.rejection?.code).toBe('too-large');
    server.refuseBatch = () => ({ status: 400, message: 'mutations.0: something the server cannot read' });
    await vote(db, { conversationId, itemKind: 'idea', itemId: publicId(), value: 'like' });
    expect(await pushOutbox(db, api)).toEqual({ kind: 'done', sent: 0, rejected: 1 });
    expect(await db.outbox.count()).toBe(0);
  });
});

describe('push and pull never interleave: no stale pull undoes a change (defect 6)', () => {
  it("a pull fetched before another tab's draft.save was answered does not delete that draft when it lands", async () => {
    const tabA = setup();
    const tabB = otherTab(tabA.db, tabA.server);
    const draftId = crypto.randomUUID();
    // Tab B's draft is already known to the server, then B deletes nothing and A pulls a full state.
    const held = tabA.server.holdNextPull();
    const pulling = pullChanges(tabA.db, tabA.api);
    await held.arrived; // A's answer is computed now, before B's draft reaches the server
    await saveDraft(tabB.db, {
      id: draftId,
      kind: 'idea',
      conversationId,
      streamId,
      title: 'Tab B',
      body: 'kept',
    });
    const pushing = pushOutbox(tabB.db, tabB.api);
    held.release();
    await Promise.all([pulling, pushing]);
    expect(await tabA.db.drafts.get(draftId)).toMatchObject({ body: 'kept' });
    // And the next pull agrees with the server, which has it.
    await pullChanges(tabA.db, tabA.api);
    expect(await tabA.db.drafts.get(draftId)).toMatchObject({ body: 'kept' });
  });

  it('a pull carrying the old vote never flips a pending vote back, and a discarded draft does not come back', async () => {
    const { db, server, api } = setup();
    const itemId = publicId();
    server.ideaIds.add(itemId);
    server.ownVotes = [{ itemId, itemKind: 'idea', value: 'like' }];
    await pullChanges(db, api);
    expect((await db.myVotes.get(itemId))?.value).toBe('like');
    await vote(db, { conversationId, itemKind: 'idea', itemId, value: 'dislike' });
    await pullChanges(db, api); // the server still says 'like'
    expect((await db.myVotes.get(itemId))?.value).toBe('dislike');
    await pushOutbox(db, api);
    server.ownVotes = [{ itemId, itemKind: 'idea', value: 'dislike' }];
    await pullChanges(db, api);
    expect(await db.myVotes.get(itemId)).toMatchObject({ value: 'dislike', serverValue: 'dislike' });

    const draftId = crypto.randomUUID();
    await saveDraft(db, { id: draftId, kind: 'idea', conversationId, streamId, title: 'Gone', body: 'soon' });
    await pushOutbox(db, api);
    await discardDraft(db, draftId);
    await pullChanges(db, api); // the server still has the draft: the pending delete wins on this device
    expect(await db.drafts.get(draftId)).toBeUndefined();
  });
});

describe("queued work is only ever sent by its author's session (defect 1)", () => {
  it("with another person's session in the browser, nothing is sent and the device asks; keeping them ends that session", async () => {
    const { db, server, api } = setup();
    await setMeta(db, 'person', { email: 'night.nurse@trust.example', roles: ['participant'] });
    await postIdea(db, { conversationId, streamId, title: 'Written by the night nurse', body: '' });
    server.me = { email: 'day.porter@trust.example', roles: ['participant'], isDemo: false };
    const engine = new SyncEngine({ db, api, isOnline: () => true });
    engines.push(engine);
    await engine.requestSync();
    await engine.requestSync();
    expect(server.pushCount).toBe(0);
    expect(await getMeta(db, 'otherPersonSession')).toMatchObject({ email: 'day.porter@trust.example' });
    expect(await db.outbox.count()).toBe(1);
    expect((await getMeta(db, 'person'))?.email).toBe('night.nurse@trust.example');
  });

  it('with nothing unsent, the new person starts from an empty device and syncs', async () => {
    const { db, server, api } = setup();
    await setMeta(db, 'person', { email: 'night.nurse@trust.example', roles: ['participant'] });
    await db.drafts.put({ id: 'rejected:x', kind: 'idea', body: 'old', updatedAt: new Date().toISOString() });
    server.me = { email: 'day.porter@trust.example', roles: ['participant'], isDemo: false };
    const engine = new SyncEngine({ db, api, isOnline: () => true });
    engines.push(engine);
    await engine.requestSync();
    expect((await getMeta(db, 'person'))?.email).toBe('day.porter@trust.example');
    expect(await db.drafts.count()).toBe(0);
  });
});

function idea(id: string) {
  return {
    _id: `idea:${id}`,
    type: 'idea' as const,
    schemaVersion: 1 as const,
    id,
    conversationId,
    streamId,
    title: 'An idea',
    body: '',
    createdHour: '2026-01-01T10:00:00.000Z',
    status: 'visible' as const,
  };
}
