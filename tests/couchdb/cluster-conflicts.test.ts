/**
 * What only a CouchDB cluster shows: two concurrent creates of one document id, made through two
 * different nodes, can both be accepted, as conflicting revisions, where a single node answers
 * 409 to one of them (DESIGN.md, Storage). First the cluster itself is shown doing it; then two
 * Huddle servers, each on its own node (same secrets, same databases: instances behind a load
 * balancer), receive the same writes at the same moment, many times, and must converge: one
 * effect per mutation, the same answers from both, right tallies after release, and nothing a
 * person wrote hidden away in a losing revision.
 *
 * Runs in the 'couchdb-cluster' project only (two or more nodes).
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationResult, OwnDraft, OwnPost, OwnVote } from '../../shared/src/api.js';
import type { TallyDoc } from '../../shared/src/documents.js';
import type { MutationInput } from '../../shared/src/mutations.js';
import { createTestAccount, createTestSession, type TestAccount } from '../support/accounts.js';
import { couchFetch, waitFor } from '../support/couchdb-local.js';
import { couchUnderTest, freshPrefix } from '../support/couchdb-under-test.js';
import type { HttpClient } from '../support/test-server.js';
import {
  commentCreate,
  ideaCreate,
  pullAll,
  push,
  seedConversation,
  seedIdea,
  voteSet,
  type Seeded,
} from '../integration/sync-fixtures.js';
import {
  clientOf,
  conflictedDocs,
  contentIdOf,
  startClusterServers,
  waitForClusterToSettle,
  type ClusterServers,
} from './cluster-servers.js';

const couch = couchUnderTest();
const hasTwoNodes = couch !== undefined && couch.topology === 'cluster' && couch.urls.length >= 2;
/** Races per scenario (the merged-revisions test covers the outcome deterministically). */
const ROUNDS = 8;
const POSTS_PER_PUSH = 2;
const DRAFTS_PER_PUSH = 4;

const draftSave = (s: Seeded, draftId: string, body: string, baseVersion?: string): MutationInput => ({
  id: crypto.randomUUID(),
  kind: 'draft.save',
  draftId,
  draftKind: 'idea',
  conversationId: s.conversationId,
  body,
  ...(baseVersion ? { baseVersion } : {}),
});

/** Both pushes leave at the same moment; each answers one result. */
async function pushBoth(
  a: HttpClient,
  ma: MutationInput,
  b: HttpClient,
  mb: MutationInput,
): Promise<[MutationResult, MutationResult]> {
  const [ra, rb] = await Promise.all([push(a, [ma]), push(b, [mb])]);
  return [ra.results[0]!, rb.results[0]!];
}

const title = hasTwoNodes
  ? `a CouchDB cluster (${couch!.label})`
  : 'a CouchDB cluster (skipped: needs two or more nodes of one cluster)';

describe.skipIf(!hasTwoNodes)(title, () => {
  it('accepts two concurrent creates of one id through two nodes as conflicting revisions', async () => {
    const [first, second] = couch!.urls as [string, string];
    const db = `${freshPrefix(couch!)}raw`;
    expect((await couchFetch(first, 'PUT', `/${db}`)).status).toBeLessThan(300);
    const bothAccepted: string[] = [];
    const statuses = new Map<string, number>();
    // Until the race has been won by both writers a few times (a third of the pairs on these machines).
    for (let i = 0; i < 300 && bothAccepted.length < 5; i++) {
      const id = `doc-${i}`;
      const [a, b] = await Promise.all([
        couchFetch(first, 'PUT', `/${db}/${id}`, { via: 'first' }),
        couchFetch(second, 'PUT', `/${db}/${id}`, { via: 'second' }),
      ]);
      const key = `${a.status}/${b.status}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (a.status < 300 && b.status < 300) bothAccepted.push(id);
    }
    console.log(
      `raw concurrent creates through two nodes, answers: ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(bothAccepted.length).toBeGreaterThan(0);
    // Once the nodes have replicated to each other, each such document has two leaves.
    for (const url of couch!.urls) {
      await waitFor(
        'conflicts visible on every node',
        async () => {
          for (const id of bothAccepted) {
            const doc = (await couchFetch(url, 'GET', `/${db}/${id}?conflicts=true`)).body as {
              _conflicts?: string[];
            };
            if (doc._conflicts?.length !== 1) return undefined;
          }
          return true;
        },
        30_000,
      );
    }
    await couchFetch(first, 'DELETE', `/${db}`);
  });

  describe('two Huddle servers, one per node, receiving the same writes at once', () => {
    let cluster: ClusterServers;
    let seeded: Seeded;
    let alice: TestAccount;
    /** Alice's phone talks to server A, her desk computer to server B. */
    let phone: HttpClient;
    let desk: HttpClient;
    /** The same session (one device whose request was retried) on each server. */
    let phoneOnB: HttpClient;

    beforeAll(async () => {
      cluster = await startClusterServers(couch!, [0, 1]);
      const [a, b] = cluster.servers as [(typeof cluster.servers)[0], (typeof cluster.servers)[0]];
      seeded = await seedConversation(a.server.storage);
      alice = await createTestAccount(a.server.storage, a.dataDir, { env: cluster.env });
      const deskSession = await createTestSession(a.server.storage, a.dataDir, alice, { env: cluster.env });
      phone = clientOf(a, alice);
      phoneOnB = clientOf(b, alice);
      desk = clientOf(b, deskSession);
    });
    afterAll(async () => {
      await cluster?.close();
    });

    const storageA = () => cluster.servers[0]!.server.storage;
    const storageB = () => cluster.servers[1]!.server.storage;

    /**
     * Releases on both servers at once, as their timers would, before the nodes have replicated
     * the conflicts to each other; then again once they have. The second release is the one a
     * deployment runs a couple of minutes later: after it, everything must be right.
     */
    async function releaseTwice(): Promise<void> {
      for (let round = 0; round < 2; round++) {
        const answers = await Promise.all(
          cluster.servers.map((s) => clientOf(s, alice).post('/api/test/release')),
        );
        expect(answers.map((r) => r.status)).toEqual([200, 200]);
        await waitForClusterToSettle(couch!.urls, cluster.prefix);
      }
    }

    /** Once replication has caught up, how many documents have conflicting revisions (printed). */
    async function reportConflicts(what: string): Promise<number> {
      await waitForClusterToSettle(couch!.urls, cluster.prefix);
      const conflicts = await conflictedDocs(couch!.url, cluster.prefix);
      const counts = Object.fromEntries(Object.entries(conflicts).map(([db, ids]) => [db, ids.length]));
      console.log(`${what}: documents with conflicting revisions per database ${JSON.stringify(counts)}`);
      return Object.values(conflicts).reduce((n, ids) => n + ids.length, 0);
    }

    it('the same mutation pushed to both servers at once: one effect, the same answer from both', async () => {
      const parent = await seedIdea(storageA(), seeded);
      const votedItems: string[] = [];
      const pairs: Array<{ m: MutationInput; answers: [MutationResult, MutationResult] }> = [];
      for (let round = 0; round < ROUNDS; round++) {
        const itemId = await seedIdea(storageA(), seeded);
        votedItems.push(itemId);
        for (const m of [
          ideaCreate(seeded, `Same idea ${round}`),
          commentCreate(seeded, parent, `Same comment ${round}`),
          voteSet(seeded, itemId, 'like'),
          draftSave(seeded, crypto.randomUUID(), `Same draft ${round}`),
        ]) {
          pairs.push({ m, answers: await pushBoth(phone, m, phoneOnB, m) });
        }
      }

      for (const { m, answers } of pairs) {
        for (const answer of answers) expect(['applied', 'duplicate'], m.kind).toContain(answer.status);
        expect(contentIdOf(answers[0]), m.kind).toBe(contentIdOf(answers[1]));
      }
      await releaseTwice();
      const conflicts = await reportConflicts('same mutation on both servers');
      // Both servers answer a replay the same way, from the receipt.
      for (const { m, answers } of pairs) {
        const [again] = (await push(phone, [m])).results;
        const [againB] = (await push(phoneOnB, [m])).results;
        expect(again).toEqual({ ...answers[0], status: 'duplicate' });
        expect(againB).toEqual(again);
      }

      const creates = pairs.filter((p) => p.m.kind === 'idea.create' || p.m.kind === 'comment.create');
      for (const storage of [storageA(), storageB()]) {
        const publicDb = storage.db('public');
        for (const { m, answers } of creates) {
          const kind = m.kind === 'idea.create' ? 'idea' : 'comment';
          expect(await publicDb.get(`${kind}:${contentIdOf(answers[0])}`), m.kind).toBeDefined();
        }
        const ideas = (await publicDb.list({ prefix: 'idea:', includeDocs: true })).filter((r) =>
          (r.doc as { title?: string }).title?.startsWith('Same idea'),
        );
        expect(ideas).toHaveLength(ROUNDS);
        expect(await publicDb.list({ prefix: 'comment:' })).toHaveLength(ROUNDS);
        expect(await storage.db('private').list({ prefix: 'staged:' })).toEqual([]);
        for (const itemId of votedItems) {
          expect(await publicDb.get<TallyDoc>(`tally:${itemId}`)).toMatchObject({ likes: 1, dislikes: 0 });
        }
      }
      for (const client of [phone, desk]) {
        const pulled = await pullAll(client);
        for (const { answers } of creates) {
          const listed = pulled.ownPosts.filter((p: OwnPost) => p.contentId === contentIdOf(answers[0]));
          expect(listed).toHaveLength(1);
        }
        const drafts = pulled.ownDrafts
          .map((d: OwnDraft) => d.body)
          .filter((b) => b.startsWith('Same draft'));
        expect(drafts.sort()).toEqual(Array.from({ length: ROUNDS }, (_, i) => `Same draft ${i}`).sort());
      }
      console.log(`same mutation on both servers: ${pairs.length} pairs, ${conflicts} conflicted documents`);
    });

    it('a vote that reaches the cluster just before a release is counted once the nodes have caught up', async () => {
      // A release reads the votes' changes, then the tally view; in a cluster either may come
      // from a copy that has not received the newest vote yet. The next release must still get
      // the tally right, even if nobody votes on the item again.
      const items = await Promise.all(Array.from({ length: ROUNDS }, () => seedIdea(storageA(), seeded)));
      const [a, b] = cluster.servers as [(typeof cluster.servers)[0], (typeof cluster.servers)[0]];
      for (const [i, itemId] of items.entries()) {
        const [voter, releaser] = i % 2 === 0 ? [desk, a] : [phone, b];
        expect((await push(voter, [voteSet(seeded, itemId, 'like')])).results[0]?.status).toBe('applied');
        expect((await clientOf(releaser!, alice).post('/api/test/release')).status).toBe(200);
      }
      await releaseTwice();
      const wrong: string[] = [];
      for (const itemId of items) {
        for (const storage of [storageA(), storageB()]) {
          const tally = await storage.db('public').get<TallyDoc>(`tally:${itemId}`);
          if (tally?.likes !== 1 || tally.dislikes !== 0)
            wrong.push(`${itemId}: ${JSON.stringify(tally ?? null)}`);
        }
      }
      expect(wrong, 'tallies left wrong after the nodes caught up and a release ran').toEqual([]);
    });

    it('two devices voting on one item through the two servers at once: one vote counts, both servers agree', async () => {
      const items = await Promise.all(Array.from({ length: ROUNDS }, () => seedIdea(storageA(), seeded)));
      for (const itemId of items) {
        const answers = await pushBoth(
          phone,
          voteSet(seeded, itemId, 'like'),
          desk,
          voteSet(seeded, itemId, 'dislike'),
        );
        expect(answers.map((a) => a.status)).toEqual(['applied', 'applied']);
      }
      await releaseTwice();
      await reportConflicts('two devices voting at once');
      const ownVotesA = (await pullAll(phone)).ownVotes.filter((v: OwnVote) => items.includes(v.itemId));
      const ownVotesB = (await pullAll(desk)).ownVotes.filter((v: OwnVote) => items.includes(v.itemId));
      expect(ownVotesB).toEqual(ownVotesA);
      expect(ownVotesA).toHaveLength(ROUNDS);
      for (const itemId of items) {
        const value = ownVotesA.find((v: OwnVote) => v.itemId === itemId)!.value;
        const expected = value === 'like' ? { likes: 1, dislikes: 0 } : { likes: 0, dislikes: 1 };
        for (const storage of [storageA(), storageB()]) {
          expect(await storage.db('public').get<TallyDoc>(`tally:${itemId}`)).toMatchObject(expected);
        }
      }
    });

    it('two devices saving one draft through the two servers at once: both texts are kept', async () => {
      // Each push carries several drafts: every one of them races the other device's save.
      const rounds = Array.from({ length: ROUNDS / 2 }, () =>
        Array.from({ length: DRAFTS_PER_PUSH }, () => crypto.randomUUID()),
      );
      const versions = new Map<string, string>();
      for (const draftIds of rounds) {
        const first = draftIds.map((draftId) => draftSave(seeded, draftId, 'first text'));
        for (const r of (await push(phone, first)).results) expect(r.status).toBe('applied');
        first.forEach((m, i) => versions.set(draftIds[i]!, m.id));
      }
      await waitForClusterToSettle(couch!.urls, cluster.prefix);
      for (const draftIds of rounds) {
        const save = (text: string) =>
          draftIds.map((id) => draftSave(seeded, id, `${text} text of ${id}`, versions.get(id)));
        const [a, b] = await Promise.all([push(phone, save('phone')), push(desk, save('desk'))]);
        for (const r of [...a.results, ...b.results]) expect(r.status).toBe('applied');
      }
      const conflicts = await reportConflicts('two devices saving one draft at once');
      for (const client of [phone, desk]) {
        const bodies = new Set((await pullAll(client)).ownDrafts.map((d: OwnDraft) => d.body));
        const lost = rounds
          .flat()
          .flatMap((id) => [`phone text of ${id}`, `desk text of ${id}`].filter((text) => !bodies.has(text)));
        expect(lost, `draft texts lost (${conflicts} conflicted documents)`).toEqual([]);
      }
    });

    it('two devices posting at once through the two servers: both posts are in My activity', async () => {
      // Each push carries a few ideas: every one of them races the other device's for a slot of
      // the owner index.
      const posted: string[] = [];
      for (let round = 0; round < ROUNDS / 2; round++) {
        const fromPhone = Array.from({ length: POSTS_PER_PUSH }, (_, i) =>
          ideaCreate(seeded, `Phone ${round}.${i}`),
        );
        const fromDesk = Array.from({ length: POSTS_PER_PUSH }, (_, i) =>
          ideaCreate(seeded, `Desk ${round}.${i}`),
        );
        const [a, b] = await Promise.all([push(phone, fromPhone), push(desk, fromDesk)]);
        for (const r of [...a.results, ...b.results]) {
          expect(r.status).toBe('applied');
          posted.push(contentIdOf(r)!);
        }
      }
      await releaseTwice();
      const conflicts = await reportConflicts('two devices posting at once');
      for (const storage of [storageA(), storageB()]) {
        for (const id of posted) expect(await storage.db('public').get(`idea:${id}`)).toBeDefined();
      }
      for (const client of [phone, desk]) {
        const mine = new Set((await pullAll(client)).ownPosts.map((p: OwnPost) => p.contentId));
        const missing = posted.filter((id) => !mine.has(id));
        expect(missing, `posts missing from My activity (${conflicts} conflicted documents)`).toEqual([]);
      }
    });
  });
});
