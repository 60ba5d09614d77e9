/**
 * Push throughput: N mutations (half idea.create, half vote.set; BENCH_N, default 2000)
 * through the real push route over loopback HTTP in batches of 100, against the anchor of
 * raw PouchDB bulkDocs of N equivalent documents into the same kind of store (LevelDB on
 * disk), measured in the same run. Prints both rates and their ratio; asserts nothing.
 * The route does more per mutation than the anchor (a receipt read, target reads, 2-3 writes:
 * vault + staged + receipt, or vote + receipt), so the ratio is the price of exactly-once.
 * The mutations come from BENCH_PEOPLE people (default 50), each pushing their own batches,
 * as real traffic does: one person's cost grows with their own number of posts (the owner index
 * behind "My activity" is read before each new post), so a single account posting thousands of
 * ideas would measure a case that does not happen.
 * Usage: npx tsx bench/sync-push.ts
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import PouchDB from 'pouchdb';
import { PROTOCOL_VERSION, SCHEMA_VERSION } from '../shared/src/protocol.js';
import { docId, toCoarseHour } from '../shared/src/ids.js';
import type { IdeaDoc } from '../shared/src/documents.js';
import type { PushResponse } from '../shared/src/api.js';
import { createTestAccount } from '../tests/support/accounts.js';
import { HttpClient, makeTempDir, startTestServer } from '../tests/support/test-server.js';

const N = Number(process.env['BENCH_N'] ?? 2000);
const BATCH = 100;
const PEOPLE = Number(process.env['BENCH_PEOPLE'] ?? 50);
const newId = () => crypto.randomBytes(16).toString('base64url');

function ideaDoc(conversationId: string, streamId: string, i: number): IdeaDoc {
  const id = newId();
  return {
    _id: docId.idea(id),
    type: 'idea',
    schemaVersion: SCHEMA_VERSION,
    id,
    conversationId,
    streamId,
    title: `Benchmark idea ${i}`,
    body: 'A short description of the idea, about as long as a real one on a phone.',
    createdHour: toCoarseHour(new Date()),
    status: 'visible',
  };
}

async function benchRoute(): Promise<number> {
  const ts = await startTestServer({ RELEASE_INTERVAL_SECONDS: '3600', LOG_LEVEL: 'silent' });
  try {
    const conversationId = newId();
    const streamId = newId();
    const publicDb = ts.server.storage.db('public');
    await publicDb.put({
      _id: docId.conversation(conversationId),
      type: 'conversation',
      schemaVersion: SCHEMA_VERSION,
      id: conversationId,
      title: 'Bench',
      description: '',
      status: 'live',
    });
    await publicDb.put({
      _id: docId.stream(streamId),
      type: 'stream',
      schemaVersion: SCHEMA_VERSION,
      id: streamId,
      conversationId,
      title: 'Bench',
      description: '',
      order: 1,
    });
    // Votes go to distinct released ideas, so every vote is a new document, like the anchor's.
    const targets = Array.from({ length: Math.ceil(N / 2) }, (_, i) => ideaDoc(conversationId, streamId, i));
    for (let i = 0; i < targets.length; i += 1000) await publicDb.bulkPut(targets.slice(i, i + 1000));
    const clients: HttpClient[] = [];
    for (let p = 0; p < PEOPLE; p++)
      clients.push(HttpClient.as(ts.url, await createTestAccount(ts.server.storage, ts.dataDir)));
    const mutations = Array.from({ length: N }, (_, i) =>
      i % 2 === 0
        ? {
            id: crypto.randomUUID(),
            kind: 'idea.create',
            conversationId,
            streamId,
            title: `Bench idea ${i}`,
            body: 'Body',
          }
        : {
            id: crypto.randomUUID(),
            kind: 'vote.set',
            conversationId,
            itemKind: 'idea',
            itemId: targets[(i - 1) / 2]!.id,
            value: 'like',
          },
    );
    const started = performance.now();
    for (let i = 0, b = 0; i < N; i += BATCH, b++) {
      const res = await clients[b % PEOPLE]!.post('/api/sync/push', {
        protocolVersion: PROTOCOL_VERSION,
        mutations: mutations.slice(i, i + BATCH),
      });
      const body = res.body as PushResponse;
      if (res.status !== 200 || body.results.some((r) => r.status !== 'applied'))
        throw new Error(`push failed: ${res.text.slice(0, 300)}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const releaseStarted = performance.now();
    await clients[0]!.post('/api/test/release');
    const releaseSeconds = (performance.now() - releaseStarted) / 1000;
    console.log(
      `  (then one batch release of ${N / 2} posts and ${N / 2} tallies took ${releaseSeconds.toFixed(2)} s)`,
    );
    return N / seconds;
  } finally {
    await ts.close();
  }
}

async function benchRawBulkDocs(): Promise<number> {
  const dir = makeTempDir('huddle-bench-raw-');
  const db = new PouchDB(path.join(dir, 'raw'));
  try {
    const conversationId = newId();
    const docs = Array.from({ length: N }, (_, i) =>
      i % 2 === 0
        ? { ...ideaDoc(conversationId, newId(), i), _id: `staged:${newId()}` }
        : {
            _id: `vote:${newId()}:${newId()}`,
            type: 'vote',
            schemaVersion: SCHEMA_VERSION,
            voter: newId(),
            conversationId,
            itemId: newId(),
            itemKind: 'idea',
            value: 'like',
          },
    );
    const started = performance.now();
    for (let i = 0; i < N; i += BATCH) await db.bulkDocs(docs.slice(i, i + BATCH));
    return N / ((performance.now() - started) / 1000);
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const route = await benchRoute();
const raw = await benchRawBulkDocs();
console.log(`push route (HTTP, exactly-once, batches of ${BATCH}): ${route.toFixed(0)} mutations/s`);
console.log(`anchor: raw PouchDB bulkDocs (batches of ${BATCH}):     ${raw.toFixed(0)} docs/s`);
console.log(`ratio push route / raw bulkDocs: ${(route / raw).toFixed(3)}  (N = ${N})`);
