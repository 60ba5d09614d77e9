/**
 * The device database survives what browsers do to it: iOS dropping the connection, a full
 * quota, another tab upgrading the schema, and an app update over queued work.
 * fake-indexeddb stands in for the browser's IndexedDB; the sync API is the in-memory fake.
 */
import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HuddleDb } from '../../../pwa/src/data/db.js';
import { vote, saveDraft } from '../../../pwa/src/data/actions.js';
import { createApiClient } from '../../../pwa/src/data/api-client.js';
import { pushOutbox } from '../../../pwa/src/data/push.js';
import { guardDeviceWrite, watchDbLifecycle } from '../../../pwa/src/data/device-db-lifecycle.js';
import { getDeviceState, reportDevice } from '../../../pwa/src/data/device-state.js';
import { requestPersistenceOnce } from '../../../pwa/src/data/device-persistence.js';
import { createFakeSyncServer, publicId } from './fake-sync-server.js';

const cleanups: Array<() => Promise<void> | void> = [];
beforeEach(() => reportDevice({ database: 'ok', storage: 'ok' }));
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function freshDb(name = `device-${crypto.randomUUID()}`): HuddleDb {
  const db = new HuddleDb(name);
  cleanups.push(() => db.delete().then(() => undefined));
  return db;
}

const conversationId = publicId();

/** The raw IndexedDB connection Dexie holds (what iOS closes under us). */
function rawConnection(db: Dexie): IDBDatabase {
  return db.backendDB();
}

describe('the browser dropping the IndexedDB connection loses nothing', () => {
  it('a vote made after the connection was closed under the app still lands and is sent', async () => {
    const db = freshDb();
    const server = createFakeSyncServer();
    const api = createApiClient({ baseUrl: 'http://fake.invalid', fetch: server.fetch });
    const ideaId = publicId();
    server.ideaIds.add(ideaId);
    await db.open();
    rawConnection(db).close(); // like iOS after backgrounding: Dexie is not told
    await guardDeviceWrite(db, () =>
      vote(db, { conversationId, itemKind: 'idea', itemId: ideaId, value: 'like' }),
    );
    expect(await db.outbox.count()).toBe(1);
    expect(await pushOutbox(db, api)).toEqual({ kind: 'done', sent: 1, rejected: 0 });
    expect(server.votes.get(ideaId)).toBe('like');
  });

  it('a write whose connection is lost mid-way is retried once on a reopened database', async () => {
    const db = freshDb();
    await db.open();
    let attempts = 0;
    const itemId = publicId();
    await guardDeviceWrite(db, async () => {
      attempts++;
      if (attempts === 1) {
        db.close(); // an explicit close: Dexie refuses to auto-open (DatabaseClosedError)
      }
      return vote(db, { conversationId, itemKind: 'idea', itemId, value: 'dislike' });
    });
    expect(attempts).toBe(2);
    expect(await db.myVotes.get(itemId)).toMatchObject({ value: 'dislike' });
    expect(await db.outbox.count()).toBe(1);
  });

  it('an error that is not about the connection is not retried', async () => {
    const db = freshDb();
    let attempts = 0;
    await expect(
      guardDeviceWrite(db, async () => {
        attempts++;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(attempts).toBe(1);
  });
});

describe('a full device is reported to the person, not swallowed', () => {
  it('a draft write refused for quota rejects, marks storage full, and leaves the database as it was', async () => {
    const db = freshDb();
    // Stand-in for the browser's quota (fake-indexeddb has none): refuse writes to drafts the way IndexedDB does.
    db.use({
      stack: 'dbcore',
      name: 'test-quota',
      create: (down) => ({
        ...down,
        table: (name) => {
          const table = down.table(name);
          if (name !== 'drafts') return table;
          return {
            ...table,
            mutate: () =>
              Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError')),
          };
        },
      }),
    });
    await expect(
      guardDeviceWrite(db, () => saveDraft(db, { id: crypto.randomUUID(), kind: 'idea', body: 'words' })),
    ).rejects.toMatchObject({ name: 'QuotaExceededError' });
    expect(getDeviceState().storage).toBe('full');
    expect(await db.drafts.count()).toBe(0);
    // Space freed: the next successful write clears the warning.
    await guardDeviceWrite(db, () => db.meta.put({ key: 'lastSyncedAt', value: 'x' }));
    expect(getDeviceState().storage).toBe('ok');
  });
});

describe('schema upgrades across tabs and versions', () => {
  it('an old tab is told to reload when another tab opens a newer schema, and does not block it', async () => {
    const name = `device-${crypto.randomUUID()}`;
    const oldTab = freshDb(name);
    watchDbLifecycle(oldTab);
    await oldTab.open();
    const newer = new Dexie(name);
    newer.version(oldTab.verno + 1).stores({ extra: 'id' });
    await newer.open(); // would hang if the old tab kept its connection
    expect(getDeviceState().database).toBe('updated-in-another-tab');
    expect(newer.verno).toBe(oldTab.verno + 1);
    newer.close();
  });

  it('a new tab blocked by an old one that will not let go says so, and carries on once it does', async () => {
    const name = `device-${crypto.randomUUID()}`;
    // An old version that ignores versionchange (an old build without this handling).
    const old = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const db = freshDb(name);
    watchDbLifecycle(db);
    const opened = db.open();
    await expect.poll(() => getDeviceState().database).toBe('blocked-by-another-tab');
    old.close();
    await opened;
    await expect.poll(() => getDeviceState().database).toBe('ok');
  });

  it('mutations queued under schema version 1 are still there and sent after the upgrade', async () => {
    const name = `device-${crypto.randomUUID()}`;
    // Version 1 exactly as first shipped.
    const v1 = new Dexie(name);
    v1.version(1).stores({
      conversations: 'id',
      streams: 'id, conversationId',
      ideas: 'id, streamId, conversationId',
      comments: 'id, ideaId',
      tallies: 'itemId',
      localPosts: 'mutationId, kind, streamId, ideaId',
      myVotes: 'itemId',
      outbox: '++seq, &id, itemId',
      drafts: 'id',
      meta: 'key',
    });
    const ideaId = publicId();
    const streamId = publicId();
    const voteId = crypto.randomUUID();
    const ideaMutationId = crypto.randomUUID();
    await v1.table('outbox').bulkAdd([
      {
        id: ideaMutationId,
        state: 'queued',
        createdAt: new Date().toISOString(),
        mutation: {
          id: ideaMutationId,
          kind: 'idea.create',
          conversationId,
          streamId,
          title: 'Old queued idea',
          body: '',
        },
      },
      {
        id: voteId,
        state: 'sending', // the old version was killed mid-push
        itemId: ideaId,
        createdAt: new Date().toISOString(),
        mutation: {
          id: voteId,
          kind: 'vote.set',
          conversationId,
          itemKind: 'idea',
          itemId: ideaId,
          value: 'like',
        },
      },
    ]);
    await v1.table('localPosts').add({
      mutationId: ideaMutationId,
      kind: 'idea',
      conversationId,
      streamId,
      title: 'Old queued idea',
      body: '',
      createdAt: new Date().toISOString(),
    });
    await v1
      .table('drafts')
      .add({ id: 'idea:new', kind: 'idea', body: 'half-written', updatedAt: new Date().toISOString() });
    v1.close();

    const db = freshDb(name);
    await db.open();
    expect(db.verno).toBeGreaterThanOrEqual(1);
    expect((await db.outbox.orderBy('seq').toArray()).map((e) => e.id)).toEqual([ideaMutationId, voteId]);
    expect((await db.drafts.toArray()).map((d) => d.body)).toEqual(['half-written']);

    const server = createFakeSyncServer();
    server.ideaIds.add(ideaId);
    const api = createApiClient({ baseUrl: 'http://fake.invalid', fetch: server.fetch });
    expect(await pushOutbox(db, api)).toEqual({ kind: 'done', sent: 2, rejected: 0 });
    expect(server.received.map((m) => m.id)).toEqual([ideaMutationId, voteId]);
    expect(server.votes.get(ideaId)).toBe('like');
    expect(await db.outbox.count()).toBe(0);
  });
});

describe('persistent storage is requested once per device', () => {
  it('asks the first time only, and reports what the browser said', async () => {
    const store = new Map<string, string>();
    const fakeLocalStorage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    };
    Object.defineProperty(globalThis, 'localStorage', { value: fakeLocalStorage, configurable: true });
    cleanups.push(() => void Reflect.deleteProperty(globalThis, 'localStorage'));
    let asked = 0;
    const manager = { persisted: async () => false, persist: async () => (asked++, true) };
    expect(await requestPersistenceOnce(manager)).toBe('granted');
    expect(await requestPersistenceOnce(manager)).toBe('asked-before');
    expect(asked).toBe(1);
  });
});
