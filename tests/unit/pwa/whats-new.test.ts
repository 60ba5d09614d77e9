/**
 * "What is new", counted on the device (pwa/src/data/seen.ts): nothing is new before or at the first sync;
 * what arrives afterwards from others is new until the person opens the idea or topic; their own posts and
 * posts awaiting release never count; nothing of it is queued for the server; logout clears it.
 */
import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommentDoc, IdeaDoc } from '../../../shared/src/documents.js';
import { HuddleDb, setMeta } from '../../../pwa/src/data/db.js';
import { createApiClient } from '../../../pwa/src/data/api-client.js';
import { pullChanges } from '../../../pwa/src/data/pull.js';
import { countNewComments, countNewIdeas, markSeen, newAmong, readSeen } from '../../../pwa/src/data/seen.js';
import { checkSession } from '../../../pwa/src/data/session.js';
import { createFakeSyncServer, publicId } from './fake-sync-server.js';

const dbs: HuddleDb[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

const conversationId = publicId();
const streamId = publicId();
const otherStreamId = publicId();

const idea = (id: string, stream = streamId, extra: Partial<IdeaDoc> = {}): IdeaDoc => ({
  _id: `idea:${id}`,
  schemaVersion: 1,
  type: 'idea',
  id,
  conversationId,
  streamId: stream,
  title: 'An idea',
  body: '',
  createdHour: '2026-11-24T08:00:00.000Z',
  status: 'visible',
  ...extra,
});
const comment = (id: string, ideaId: string, extra: Partial<CommentDoc> = {}): CommentDoc => ({
  _id: `comment:${id}`,
  schemaVersion: 1,
  type: 'comment',
  id,
  conversationId,
  ideaId,
  body: 'A comment',
  createdHour: '2026-11-24T09:00:00.000Z',
  status: 'visible',
  ...extra,
});

function device() {
  const server = createFakeSyncServer();
  const db = new HuddleDb(`whats-new-${crypto.randomUUID()}`);
  dbs.push(db);
  const api = createApiClient({ baseUrl: 'http://fake.invalid', fetch: server.fetch });
  return { db, server, api, pull: () => pullChanges(db, api) };
}

/** A device whose person posted `mine` (an idea of theirs, released) and that has synced once. */
async function syncedWithOwnIdea() {
  const d = device();
  const mine = publicId();
  const old = publicId();
  d.server.ownPosts.push({ contentId: mine, kind: 'idea', conversationId, status: 'visible' });
  d.server.feed.push({ doc: idea(mine) }, { doc: idea(old) }, { doc: comment(publicId(), mine) });
  await d.pull();
  return { ...d, mine, old };
}

describe('what is new, counted on the device', () => {
  it('counts nothing as new before the first sync, nor what the first sync brought', async () => {
    const { db, mine, old } = await syncedWithOwnIdea();
    // The comment that was already there at first sync is not "new".
    expect(await countNewComments(db, [mine])).toEqual(new Map());
    expect(await countNewIdeas(db, [streamId])).toEqual(new Map());
    expect(newAmong(await readSeen(db, 'stream', streamId), [mine, old])).toEqual([]);

    const unsynced = device();
    await unsynced.db.ideas.put(idea(publicId()));
    expect(await countNewIdeas(unsynced.db, [streamId])).toEqual(new Map());
  });

  it('counts comments by others that arrive later, until the person opens the idea', async () => {
    const { db, server, pull, mine } = await syncedWithOwnIdea();
    const [c1, c2, ownComment, awaiting, hidden] = [
      publicId(),
      publicId(),
      publicId(),
      publicId(),
      publicId(),
    ];
    server.ownPosts.push({
      contentId: ownComment,
      kind: 'comment',
      conversationId,
      ideaId: mine,
      status: 'visible',
    });
    server.feed.push(
      { doc: comment(c1, mine) },
      { doc: comment(c2, mine) },
      { doc: comment(ownComment, mine) },
      { doc: comment(hidden, mine, { status: 'hidden' }) },
    );
    await pull();
    // The person's own comment awaiting release on this device does not count either.
    await db.comments.put({ ...comment(awaiting, mine), isAwaitingRelease: true });
    expect(await countNewComments(db, [mine])).toEqual(new Map([[mine, 2]]));

    const opened = await readSeen(db, 'idea', mine);
    expect(newAmong(opened, [c1, c2])).toEqual([c1, c2]);
    await markSeen(db, 'idea', mine, [c1, c2]);
    expect(await countNewComments(db, [mine])).toEqual(new Map());

    // One more arrives: only that one is new; a seen one withdrawn later does not hide it.
    const c3 = publicId();
    server.feed.push(
      { doc: comment(c3, mine) },
      { doc: comment(c1, mine, { status: 'withdrawn', body: '' }) },
    );
    await pull();
    expect(await countNewComments(db, [mine])).toEqual(new Map([[mine, 1]]));
    expect(newAmong(await readSeen(db, 'idea', mine), [c2, c3])).toEqual([c3]);
  });

  it('counts new ideas by others per topic, until the person opens the topic', async () => {
    const { db, server, pull, mine } = await syncedWithOwnIdea();
    const [a, b, elsewhere, myNew] = [publicId(), publicId(), publicId(), publicId()];
    server.ownPosts.push({ contentId: myNew, kind: 'idea', conversationId, status: 'visible' });
    server.feed.push(
      { doc: idea(a) },
      { doc: idea(b) },
      { doc: idea(elsewhere, otherStreamId) },
      { doc: idea(myNew) },
    );
    await pull();
    expect(await countNewIdeas(db, [streamId, otherStreamId])).toEqual(
      new Map([
        [streamId, 2],
        [otherStreamId, 1],
      ]),
    );
    await markSeen(db, 'stream', streamId, [mine, a, b]);
    expect(await countNewIdeas(db, [streamId, otherStreamId])).toEqual(new Map([[otherStreamId, 1]]));
    // Seen stays seen however often the topic is opened with fewer ideas on screen (a union).
    await markSeen(db, 'stream', streamId, [a]);
    expect(await countNewIdeas(db, [streamId])).toEqual(new Map());
  });

  it('keeps what was seen on the device only: nothing is queued for the server, and it survives reopening', async () => {
    const { db, server, pull, mine } = await syncedWithOwnIdea();
    const c = publicId();
    server.feed.push({ doc: comment(c, mine) });
    await pull();
    await markSeen(db, 'idea', mine, [c]);
    expect(await db.outbox.count()).toBe(0);
    db.close();
    const reopened = new HuddleDb(db.name);
    dbs.push(reopened);
    expect(await countNewComments(reopened, [mine])).toEqual(new Map());
    expect(await reopened.seen.get(`idea:${mine}`)).toMatchObject({ ids: [c] });
  });

  it('is cleared with the other per-person tables: the next person on a shared device starts afresh', async () => {
    const { db, server, api, pull, mine } = await syncedWithOwnIdea();
    await setMeta(db, 'person', { email: 'night.nurse@trust.example', roles: ['participant'] });
    const c = publicId();
    server.feed.push({ doc: comment(c, mine) });
    await pull();
    await markSeen(db, 'stream', streamId, [mine]);
    expect(await db.seen.count()).toBeGreaterThan(0);

    // Someone else's session in this browser (the ward computer), nothing unsent: the device starts afresh.
    server.me = { email: 'day.porter@trust.example', roles: ['participant'], isDemo: false };
    server.ownPosts.length = 0;
    expect(await checkSession(db, api)).toBe('verified');
    expect(await db.seen.count()).toBe(0);
    await pull();
    // Their first sync is their baseline: the previous person's unread comment is not "new" to them either,
    // and nothing of what the previous person opened is left.
    expect((await db.seen.toArray()).map((r) => r.key)).toEqual(['baseline']);
    expect(await countNewComments(db, [mine])).toEqual(new Map());
  });
});

describe('schema version 4 adds what was seen and keeps everything else', () => {
  it('keeps every table and the queued work, and counts what an already synced device held as seen', async () => {
    const name = `upgrade-${crypto.randomUUID()}`;
    const v3 = new Dexie(name);
    v3.version(3).stores({
      conversations: 'id',
      streams: 'id, conversationId',
      ideas: 'id, streamId, conversationId',
      comments: 'id, ideaId',
      tallies: 'itemId',
      localPosts: 'mutationId, kind, streamId, ideaId',
      myVotes: 'itemId',
      outbox: '++seq, &id, itemId',
      drafts: 'id, updatedAt',
      meta: 'key',
      ownPosts: 'contentId, kind, ideaId',
    });
    const held = publicId();
    const heldComment = publicId();
    const queued = crypto.randomUUID();
    await v3.table('ideas').put(idea(held));
    await v3.table('comments').put(comment(heldComment, held));
    await v3.table('meta').put({ key: 'lastSyncedAt', value: '2026-11-24T10:00:00.000Z' });
    await v3.table('outbox').add({
      id: queued,
      state: 'queued',
      itemId: held,
      createdAt: '2026-11-24T10:00:00.000Z',
      mutation: {
        id: queued,
        kind: 'vote.set',
        conversationId,
        itemKind: 'idea',
        itemId: held,
        value: 'like',
      },
    });
    v3.close();

    const db = new HuddleDb(name);
    dbs.push(db);
    expect((await db.outbox.toArray()).map((e) => e.id)).toEqual([queued]);
    expect(await db.ideas.get(held)).toBeDefined();
    expect((await db.seen.get('baseline'))?.ids.sort()).toEqual([held, heldComment].sort());
    expect(await countNewIdeas(db, [streamId])).toEqual(new Map());
    // Arriving after the update: new.
    await db.ideas.put(idea(publicId()));
    expect(await countNewIdeas(db, [streamId])).toEqual(new Map([[streamId, 1]]));
  });
});
