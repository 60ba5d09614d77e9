/**
 * Property: whatever a person does across two devices and three tabs (one device with two tabs on
 * one database), with reloads, offline periods and answers lost on the way back, against the REAL
 * server, every tab ends where a simple model says once everything is online again:
 *   nothing lost    every idea posted, every vote's last choice, every edit, every kept draft arrives;
 *   nothing doubled each idea once on the server and once in every tab, whatever the taps;
 *   nothing reverted every tab shows what the server holds (no old vote, text or draft comes back).
 * The device code is the PWA's own (pwa/src/data) over fake-indexeddb; only the network differs.
 */
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type FetchLike } from '../../pwa/src/data/api-client.js';
import { discardDraft, editPost, postIdea, saveDraft, vote } from '../../pwa/src/data/actions.js';
import { HuddleDb, setMeta, type OutboxEntry } from '../../pwa/src/data/db.js';
import { SyncEngine } from '../../pwa/src/data/sync-engine.js';
import type { IdeaDoc, TallyDoc } from '../../shared/src/documents.js';
import { createTestAccount, createTestSession } from '../support/accounts.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import { pullAll, seedConversation, seedIdea, type Seeded } from './sync-fixtures.js';

type VoteValue = 'like' | 'dislike' | 'none';
const ITEMS = 2;
/** Tabs 0 and 1 are on device 0 (one database); tab 2 is device 1. */
const TAB_DEVICE = [0, 0, 1] as const;

type Command =
  | { t: 'vote'; tab: number; item: number; value: VoteValue }
  | { t: 'idea'; tab: number; taps: number }
  | { t: 'edit'; tab: number; pick: number }
  | { t: 'draft'; tab: number; pick: number; discard: boolean }
  /** `wait: false`: the sync runs on while the next commands happen (tabs racing, a reload mid-flow). */
  | { t: 'sync'; tab: number; wait: boolean }
  | { t: 'online'; device: number; isOnline: boolean }
  | { t: 'lose'; device: number }
  | { t: 'reload'; tab: number }
  | { t: 'release' };

const tab = fc.nat(TAB_DEVICE.length - 1);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('vote' as const),
      tab,
      item: fc.nat(ITEMS - 1),
      value: fc.constantFrom<VoteValue>('like', 'dislike', 'none'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('idea' as const), tab, taps: fc.integer({ min: 1, max: 2 }) }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('edit' as const), tab, pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('draft' as const), tab, pick: fc.nat(), discard: fc.boolean() }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('sync' as const), tab, wait: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('online' as const), device: fc.nat(1), isOnline: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('lose' as const), device: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reload' as const), tab }) },
  { weight: 1, arbitrary: fc.constant({ t: 'release' as const }) },
);

let ts: TestServer;
let seeded: Seeded;
beforeAll(async () => {
  ts = await startTestServer({ RELEASE_INTERVAL_SECONDS: '3600' });
  seeded = await seedConversation(ts.server.storage);
});
afterAll(async () => {
  await ts?.close();
});

interface Device {
  isOnline: boolean;
  /** The next push is applied by the server but its answer never arrives. */
  losesNextPush: boolean;
  fetch: FetchLike;
}
interface Tab {
  device: number;
  db: HuddleDb;
  engine: SyncEngine;
}

/** What the person did, as the model of what must be true at the end. */
interface Model {
  ideas: Array<{ title: string; device: number }>;
  /** Per item: last value chosen on each device. */
  votes: Array<Map<number, VoteValue>>;
  /** Per own idea (by title): last text written on each device. */
  edits: Map<string, Map<number, string>>;
  /** Drafts by id: the last text, or null once discarded. */
  drafts: Map<string, { device: number; body: string | null }>;
}

async function runScenario(commands: Command[]): Promise<void> {
  const person = await createTestAccount(ts.server.storage, ts.dataDir);
  const cookies = [person.cookie, (await createTestSession(ts.server.storage, ts.dataDir, person)).cookie];
  const items = await Promise.all(Array.from({ length: ITEMS }, () => seedIdea(ts.server.storage, seeded)));
  const run = crypto.randomUUID().slice(0, 8);
  const devices: Device[] = cookies.map((cookie) => {
    const device: Device = {
      isOnline: true,
      losesNextPush: false,
      fetch: async (input, init) => {
        if (!device.isOnline) throw new TypeError('offline');
        const res = await fetch(input, {
          ...init,
          headers: { ...(init?.headers as Record<string, string>), cookie },
        });
        if (device.losesNextPush && String(input).endsWith('/api/sync/push')) {
          device.losesNextPush = false;
          await res.text();
          throw new TypeError('the answer was lost on the way back');
        }
        return res;
      },
    };
    return device;
  });
  const dbNames = [`multi-${run}-0`, `multi-${run}-1`];
  const openTab = async (device: number): Promise<Tab> => {
    const db = new HuddleDb(dbNames[device]);
    await setMeta(db, 'person', { email: person.email, roles: ['participant'] });
    const api = createApiClient({ baseUrl: ts.url, fetch: devices[device]!.fetch });
    // No timers of its own: the commands drive it (a retry would only add more of the same).
    const engine = new SyncEngine({
      db,
      api,
      isOnline: () => devices[device]!.isOnline,
      baseRetryMs: 3_600_000,
    });
    return { device, db, engine };
  };
  const tabs: Tab[] = [];
  for (const device of TAB_DEVICE) tabs.push(await openTab(device));
  for (const t of tabs) await t.engine.requestSync();

  const model: Model = {
    ideas: [],
    votes: items.map(() => new Map()),
    edits: new Map(),
    drafts: new Map(),
  };
  let n = 0;
  const running: Array<Promise<void>> = [];
  const conversationId = seeded.conversationId;
  const streamId = seeded.streamId;
  for (const c of commands) {
    n++;
    if (c.t === 'vote') {
      const t = tabs[c.tab]!;
      await vote(t.db, { conversationId, itemKind: 'idea', itemId: items[c.item]!, value: c.value });
      model.votes[c.item]!.set(t.device, c.value);
    } else if (c.t === 'idea') {
      const t = tabs[c.tab]!;
      const title = `Idea ${run} ${n}`;
      const draftId = crypto.randomUUID();
      await saveDraft(t.db, { id: draftId, kind: 'idea', conversationId, streamId, title, body: 'b' });
      // A double tap: both submits of one draft, at once.
      await Promise.all(
        Array.from({ length: c.taps }, () =>
          postIdea(t.db, { conversationId, streamId, title, body: 'b', draftId }),
        ),
      );
      model.ideas.push({ title, device: t.device });
    } else if (c.t === 'edit') {
      const t = tabs[c.tab]!;
      const own = (await t.db.ownPosts.toArray()).filter((o) => o.kind === 'idea' && !o.isWithdrawn);
      const target = own[c.pick % Math.max(1, own.length)];
      const idea = target && (await t.db.ideas.get(target.contentId));
      if (!target || !idea) continue;
      const body = `edited ${run} ${n}`;
      await editPost(t.db, { conversationId, itemKind: 'idea', itemId: idea.id, title: idea.title, body });
      const edits = model.edits.get(idea.title) ?? new Map<number, string>();
      edits.set(t.device, body);
      model.edits.set(idea.title, edits);
    } else if (c.t === 'draft') {
      const t = tabs[c.tab]!;
      const mine = [...model.drafts.entries()].filter(([, d]) => d.device === t.device && d.body !== null);
      const existing = mine[c.pick % Math.max(1, mine.length)];
      if (existing && c.discard) {
        await discardDraft(t.db, existing[0]);
        existing[1].body = null;
      } else {
        const id = existing && c.pick % 2 === 0 ? existing[0] : crypto.randomUUID();
        const body = `draft ${run} ${n}`;
        await saveDraft(t.db, { id, kind: 'idea', conversationId, streamId, title: 'A draft', body });
        model.drafts.set(id, { device: t.device, body });
      }
    } else if (c.t === 'sync') {
      const syncing = tabs[c.tab]!.engine.requestSync();
      if (c.wait) await syncing;
      else running.push(syncing);
    } else if (c.t === 'online') {
      devices[c.device]!.isOnline = c.isOnline;
    } else if (c.t === 'lose') {
      devices[c.device]!.losesNextPush = true;
    } else if (c.t === 'reload') {
      const old = tabs[c.tab]!;
      old.engine.stop();
      old.db.close();
      tabs[c.tab] = await openTab(old.device);
    } else {
      await HttpClient.as(ts.url, person).post('/api/test/release');
    }
    // Whatever the server said meanwhile, every change still waiting to be sent shows where it was made.
    for (const t of tabs) await expectPendingShown(t.db, `${n}: ${JSON.stringify(commands.slice(0, n))}`);
  }
  await Promise.all(running);

  // Everything back online: sync every tab until every outbox is empty, then once more after a release.
  for (const d of devices) {
    d.isOnline = true;
    d.losesNextPush = false;
  }
  for (let round = 0; round < 10; round++) {
    for (const t of tabs) await t.engine.requestSync();
    const waiting = await Promise.all(tabs.map((t) => t.db.outbox.count()));
    if (waiting.every((w) => w === 0)) break;
  }
  await HttpClient.as(ts.url, person).post('/api/test/release');
  for (const t of tabs) await t.engine.requestSync();

  const server = await pullAll(HttpClient.as(ts.url, person));
  const label = JSON.stringify(commands);
  for (const t of tabs) expect(await t.db.outbox.count(), `outbox empty: ${label}`).toBe(0);

  // Nothing lost, nothing doubled: each idea once on the server, once in every tab.
  const publicIdeas = server.docs.filter((d): d is IdeaDoc => d.type === 'idea');
  const latest = new Map(publicIdeas.map((d) => [d.id, d]));
  for (const { title } of model.ideas) {
    expect(
      [...latest.values()].filter((d) => d.title === title),
      `${title} once on the server: ${label}`,
    ).toHaveLength(1);
    for (const t of tabs) {
      const shown = (await t.db.ideas.toArray()).filter((i) => i.title === title);
      expect(shown, `${title} once in a tab: ${label}`).toHaveLength(1);
    }
  }
  for (const t of tabs) expect(await t.db.localPosts.count(), `no post left waiting: ${label}`).toBe(0);

  // Votes: the last choice made on the device that made it (either device's last when both voted),
  // counted once, and shown as the server holds it in every tab.
  const serverVotes = new Map(server.ownVotes.map((v) => [v.itemId, v.value]));
  for (const [i, itemId] of items.entries()) {
    const made = model.votes[i]!;
    const value = serverVotes.get(itemId) ?? 'none';
    if (made.size > 0) expect([...made.values()], `vote on item ${i}: ${label}`).toContain(value);
    const tally = [...server.docs]
      .reverse()
      .find((d): d is TallyDoc => d.type === 'tally' && d.itemId === itemId);
    expect((tally?.likes ?? 0) + (tally?.dislikes ?? 0), `one vote counted on item ${i}`).toBe(
      value === 'none' ? 0 : 1,
    );
    for (const t of tabs)
      expect((await t.db.myVotes.get(itemId))?.value ?? 'none', `tab vote ${i}: ${label}`).toBe(value);
  }

  // Edits: the last text written (on either device when both edited), on the server and in every tab.
  for (const [title, byDevice] of model.edits) {
    const idea = [...latest.values()].find((d) => d.title === title);
    expect([...byDevice.values()], `edit of ${title}: ${label}`).toContain(idea?.body);
    for (const t of tabs)
      expect((await t.db.ideas.get(idea!.id))?.body, `tab edit: ${label}`).toBe(idea?.body);
  }

  // Drafts: every kept draft's last text is on the server and on both devices; discarded ones are gone.
  const serverDrafts = new Map(server.ownDrafts.map((d) => [d.draftId, d]));
  for (const [id, draft] of model.drafts) {
    if (draft.body === null) {
      expect(serverDrafts.has(id), `discarded draft gone from the server: ${label}`).toBe(false);
      for (const t of tabs)
        expect(await t.db.drafts.get(id), `discarded draft gone from a tab: ${label}`).toBeUndefined();
      continue;
    }
    const texts = (rows: Array<{ body: string }>) => rows.map((r) => r.body);
    expect(texts([...serverDrafts.values()]), `draft text on the server: ${label}`).toContain(draft.body);
    for (const t of tabs)
      expect(texts(await t.db.drafts.toArray()), `draft text in a tab: ${label}`).toContain(draft.body);
  }

  for (const t of tabs) {
    t.engine.stop();
    t.db.close();
  }
  for (const name of dbNames) await new HuddleDb(name).delete();
}

/**
 * The device's view is the server's state with the pending outbox on top: the latest pending change of
 * each thing is what the tab shows, at any moment (a pull that lands in between never reverts it).
 */
async function expectPendingShown(db: HuddleDb, label: string): Promise<void> {
  // One read transaction: a snapshot, whatever a sync still running in the background commits meanwhile.
  await db.transaction('r', [db.outbox, db.myVotes, db.drafts, db.localPosts, db.ownPosts], () =>
    expectPendingShownIn(db, label),
  );
}

async function expectPendingShownIn(db: HuddleDb, label: string): Promise<void> {
  const latest = new Map<string, OutboxEntry>();
  for (const e of await db.outbox.orderBy('seq').toArray()) latest.set(e.itemId ?? e.id, e);
  for (const { mutation: m } of latest.values()) {
    if (m.kind === 'vote.set')
      expect((await db.myVotes.get(m.itemId))?.value, `pending vote: ${label}`).toBe(m.value);
    else if (m.kind === 'draft.save')
      expect((await db.drafts.get(m.draftId))?.body, `pending draft: ${label}`).toBe(m.body);
    else if (m.kind === 'draft.delete')
      expect(await db.drafts.get(m.draftId), `pending delete: ${label}`).toBeUndefined();
    else if (m.kind === 'idea.create')
      expect(await db.localPosts.get(m.id), `pending idea: ${label}`).toBeDefined();
    else if (m.kind === 'idea.edit')
      expect((await db.ownPosts.get(m.ideaId))?.pendingEdit?.body, `pending edit: ${label}`).toBe(m.body);
  }
}

describe('many tabs and devices of one person', () => {
  it('end as the model says: nothing lost, nothing doubled, nothing reverted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 5, maxLength: 30 }), runScenario),
      // Sized for a busy 2-core machine: each run is a few hundred requests on loopback.
      { numRuns: 40, endOnFailure: true, verbose: 1 },
    );
  }, 240_000);
});
