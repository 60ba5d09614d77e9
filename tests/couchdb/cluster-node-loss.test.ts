/**
 * Nothing is lost when a CouchDB node dies under load. Several people push their queues (ideas,
 * comments, votes changed back and forth, drafts) through two Huddle servers: server A on node 1,
 * which stays up, and server B on node 3. Node 3's process is killed (SIGKILL) in the middle of
 * the pushes and started again later. Every client follows the outbox rule (a mutation stays
 * queued until it has an answer; a failed request is retried), so:
 * - pushes through A keep being answered while node 3 is down (the cluster keeps its quorum);
 * - pushes through B fail while its node is down, and their retries succeed once it is back:
 *   no client is left stuck;
 * - in the end every mutation was answered, and everything pushed is in the store exactly once,
 *   as every node tells it: one post per create, one receipt per mutation, tallies that count
 *   each person's last vote, the last text of every draft; a replay of everything is a duplicate.
 *
 * Runs in the 'couchdb-cluster' project when its nodes were started by this test run (it needs
 * their processes), and leaves the cluster whole for the next file.
 */
import crypto from 'node:crypto';
import { waitUntil } from '../support/wait.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationResult, OwnDraft, OwnPost } from '../../shared/src/api.js';
import type { TallyDoc } from '../../shared/src/documents.js';
import type { MutationInput } from '../../shared/src/mutations.js';
import { PROTOCOL_VERSION } from '../../shared/src/protocol.js';
import { NanoStorage } from '../../sync-server/src/storage/nano-adapter.js';
import { createTestAccount } from '../support/accounts.js';
import {
  isNodeRunning,
  killNode,
  readRun,
  restartNode,
  waitFor,
  type LocalCouchRun,
} from '../support/couchdb-local.js';
import { couchUnderTest } from '../support/couchdb-under-test.js';
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
  contentIdOf,
  startClusterServers,
  waitForClusterToSettle,
  type ClusterServers,
} from './cluster-servers.js';

const couch = couchUnderTest();
const canKillNodes = couch?.topology === 'cluster' && couch.runDir !== undefined && couch.urls.length >= 3;
/** 0-based: server A talks to the first node, server B to the third, which is killed. */
const STAYS_UP = 0;
const KILLED = 2;
const CLIENTS_PER_SERVER = 2;
const BATCH = 3;
const VOTE_ITEMS = 3;
/** Each person's queue: an idea, a comment, a vote and a draft save per step. */
const STEPS = 6;

type VoteValue = 'like' | 'dislike' | 'none';

interface Client {
  name: string;
  server: 'A' | 'B';
  http: HttpClient;
  queue: MutationInput[];
  answers: Map<string, MutationResult>;
  answered: number;
  failedAttempts: number;
  failures: string[];
}

const title = canKillNodes
  ? `a cluster node killed during pushes (${couch!.label})`
  : 'a cluster node killed during pushes (skipped: needs a cluster whose nodes this test run started)';

describe.skipIf(!canKillNodes)(title, () => {
  let run: LocalCouchRun;
  let cluster: ClusterServers;
  let seeded: Seeded;
  let parentIdea: string;
  let voteItems: string[];
  const clients: Client[] = [];

  beforeAll(async () => {
    run = readRun(couch!.runDir!);
    cluster = await startClusterServers(couch!, [STAYS_UP, KILLED]);
    const [a] = cluster.servers;
    seeded = await seedConversation(a!.server.storage);
    parentIdea = await seedIdea(a!.server.storage, seeded);
    voteItems = await Promise.all(
      Array.from({ length: VOTE_ITEMS }, () => seedIdea(a!.server.storage, seeded)),
    );
    for (const [s, server] of (['A', 'B'] as const).entries()) {
      for (let c = 0; c < CLIENTS_PER_SERVER; c++) {
        const account = await createTestAccount(a!.server.storage, a!.dataDir, { env: cluster.env });
        const name = `${server}${c + 1}`;
        clients.push({
          name,
          server,
          http: clientOf(cluster.servers[s]!, account),
          queue: queueFor(name),
          answers: new Map(),
          answered: 0,
          failedAttempts: 0,
          failures: [],
        });
      }
    }
  });

  afterAll(async () => {
    await cluster?.close();
    // Leave the cluster whole for the files after this one.
    if (run && !isNodeRunning(run, KILLED + 1)) await restartNode(run, KILLED + 1);
  });

  /** A person's queue: ideas, comments, votes changing back and forth, and a draft saved again and again. */
  function queueFor(name: string): MutationInput[] {
    const queue: MutationInput[] = [];
    const draftId = crypto.randomUUID();
    let draftVersion: string | undefined;
    const values: VoteValue[] = ['like', 'dislike', 'none', 'like'];
    for (let step = 0; step < STEPS; step++) {
      queue.push(ideaCreate(seeded, `Loss idea ${name} ${step}`));
      queue.push(commentCreate(seeded, parentIdea, `Loss comment ${name} ${step}`));
      const item = voteItems[step % VOTE_ITEMS]!;
      queue.push(voteSet(seeded, item, values[(step + name.charCodeAt(1)) % values.length]!));
      const save: MutationInput = {
        id: crypto.randomUUID(),
        kind: 'draft.save',
        draftId,
        draftKind: 'idea',
        conversationId: seeded.conversationId,
        body: `Draft of ${name}, version ${step}`,
        ...(draftVersion ? { baseVersion: draftVersion } : {}),
      };
      draftVersion = save.id;
      queue.push(save);
    }
    return queue;
  }

  /** The outbox rule: send the next batch; move past it only once it is answered; retry otherwise. */
  async function drain(client: Client): Promise<void> {
    while (client.answered < client.queue.length) {
      const batch = client.queue.slice(client.answered, client.answered + BATCH);
      const res = await client.http
        .request('POST', '/api/sync/push', { protocolVersion: PROTOCOL_VERSION, mutations: batch })
        .catch((err: Error) => ({ status: 0, text: err.message, body: undefined }));
      if (res.status !== 200) {
        client.failedAttempts++;
        client.failures.push(`${res.status}`);
        // Retry once the server answers this person again (the app's outbox retries on its next chance).
        await waitUntil(
          async () => (await client.http.get('/api/me').catch(() => ({ status: 0 }))).status === 200,
          `${client.name}'s server to answer again`,
          { timeoutMs: 60_000 },
        );
        continue;
      }
      const results = (res.body as { results: MutationResult[] }).results;
      expect(results.map((r) => r.id)).toEqual(batch.map((m) => m.id));
      for (const r of results) {
        expect(['applied', 'duplicate'], `${client.name} ${JSON.stringify(r)}`).toContain(r.status);
        client.answers.set(r.id, r);
      }
      client.answered += batch.length;
    }
  }

  const answered = (server?: 'A' | 'B') =>
    clients.filter((c) => !server || c.server === server).reduce((n, c) => n + c.answered, 0);
  const failed = (server: 'A' | 'B') =>
    clients.filter((c) => c.server === server).reduce((n, c) => n + c.failedAttempts, 0);

  it('keeps every mutation, exactly once, when a node dies mid-push and comes back', async () => {
    const total = clients.reduce((n, c) => n + c.queue.length, 0);
    const draining = Promise.all(clients.map(drain));
    const timeline: string[] = [];

    await waitFor(
      'a quarter of the queues answered',
      async () => (answered() >= total / 4 ? true : undefined),
      120_000,
      20,
    );
    const atKill = { a: answered('A'), b: answered('B') };
    await killNode(run, KILLED + 1);
    timeline.push(`node ${KILLED + 1} killed after ${atKill.a + atKill.b}/${total} answers`);

    // Server A goes on while node 3 is down; server B's clients fail and keep retrying.
    await waitFor(
      'pushes through the live node answered, and server B failing',
      async () => (answered('A') >= atKill.a + 4 * BATCH && failed('B') >= 1 ? true : undefined),
      120_000,
      20,
    );
    const duringOutage = { a: answered('A') - atKill.a, b: answered('B') - atKill.b };
    await restartNode(run, KILLED + 1);
    timeline.push(
      `node ${KILLED + 1} restarted; during the outage server A answered ${duringOutage.a}, server B ${duringOutage.b}`,
    );

    await draining;
    const statuses = (server: 'A' | 'B') =>
      JSON.stringify(
        clients
          .filter((c) => c.server === server)
          .flatMap((c) => c.failures)
          .reduce<Record<string, number>>((n, s) => ({ ...n, [s]: (n[s] ?? 0) + 1 }), {}),
      );
    timeline.push(
      `all ${total} answered; failed attempts (retried): server A ${statuses('A')}, server B ${statuses('B')}`,
    );
    console.log(timeline.join('\n'));
    expect(duringOutage.a).toBeGreaterThan(0);

    // Release on both servers, let the restarted node catch up, release again.
    for (let round = 0; round < 2; round++) {
      const releases = await Promise.all(
        cluster.servers.map((s) => clientOf(s, { sessionToken: '' }).post('/api/test/release')),
      );
      expect(releases.map((r) => r.status)).toEqual([200, 200]);
      await waitForClusterToSettle(couch!.urls, cluster.prefix, 120_000);
    }

    const creates = clients.flatMap((c) =>
      c.queue.filter((m) => m.kind === 'idea.create' || m.kind === 'comment.create').map((m) => ({ c, m })),
    );
    // What the store holds, as each node tells it.
    for (const url of couch!.urls) {
      const storage = new NanoStorage({ url, prefix: cluster.prefix });
      const publicDb = storage.db('public');
      for (const { c, m } of creates) {
        const contentId = contentIdOf(c.answers.get(m.id));
        expect(contentId, `${c.name} ${m.kind}`).toBeDefined();
        const kind = m.kind === 'idea.create' ? 'idea' : 'comment';
        expect(await publicDb.get(`${kind}:${contentId}`), `${kind} of ${c.name} via ${url}`).toBeDefined();
      }
      const ideas = (await publicDb.list({ prefix: 'idea:', includeDocs: true })).filter((r) =>
        String((r.doc as { title?: string }).title).startsWith('Loss idea'),
      );
      expect(ideas).toHaveLength(creates.filter(({ m }) => m.kind === 'idea.create').length);
      expect(await publicDb.list({ prefix: 'comment:' })).toHaveLength(
        creates.filter(({ m }) => m.kind === 'comment.create').length,
      );
      expect(await storage.db('private').list({ prefix: 'receipt:' })).toHaveLength(total);
      expect(await storage.db('private').list({ prefix: 'staged:' })).toEqual([]);
      for (const item of voteItems) {
        expect(await publicDb.get<TallyDoc>(`tally:${item}`), `tally via ${url}`).toMatchObject(
          expectedTally(item),
        );
      }
    }

    for (const c of clients) {
      const pulled = await pullAll(c.http);
      const mine = c.queue
        .filter((m) => m.kind === 'idea.create' || m.kind === 'comment.create')
        .map((m) => contentIdOf(c.answers.get(m.id))!);
      expect(pulled.ownPosts.map((p: OwnPost) => p.contentId).sort()).toEqual([...mine].sort());
      const lastDraft = c.queue.filter((m) => m.kind === 'draft.save').at(-1) as { body: string };
      expect(pulled.ownDrafts.map((d: OwnDraft) => d.body)).toEqual([lastDraft.body]);
      // A replay of the whole queue is answered from the receipts: nothing applies twice.
      for (let i = 0; i < c.queue.length; i += BATCH) {
        const batch = c.queue.slice(i, i + BATCH);
        for (const r of (await push(c.http, batch)).results) {
          expect(r).toEqual({ ...c.answers.get(r.id), status: 'duplicate' });
        }
      }
    }
  });

  /** Each person's last vote on the item counts once. */
  function expectedTally(item: string): { likes: number; dislikes: number } {
    let likes = 0;
    let dislikes = 0;
    for (const c of clients) {
      const last = c.queue.filter((m) => m.kind === 'vote.set' && m.itemId === item).at(-1) as
        { value: VoteValue } | undefined;
      if (last?.value === 'like') likes++;
      if (last?.value === 'dislike') dislikes++;
    }
    return { likes, dislikes };
  }
});
