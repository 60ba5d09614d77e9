/**
 * Figure push-embedded: N mutations (a third each of idea.create, vote.set on released ideas and
 * draft.save of a new draft; BENCH_PUSH_N, default 3000) from BENCH_PEOPLE people (default 30, one
 * batch each in turn) through the real push route over loopback HTTP in batches of 100, on the
 * embedded store (PouchDB on LevelDB), in mutations per second.
 *
 * Anchor, in the same run: what a PouchDB user would reach for to get the same data to a server,
 * PouchDB replication. Every document the push wrote (effects, own-log slots and receipts, read back
 * from the four databases' changes feeds, revisions stripped) is first put into a local LevelDB
 * PouchDB (not timed), then replicated into a fresh LevelDB PouchDB (timed, PouchDB's defaults:
 * batches of 100). The anchor is N divided by that time (the same mutations' worth of documents per
 * second); ratio = push / replication. Also printed: the documents per mutation and raw bulkDocs of
 * the same documents at batch 100 (the floor under any write path).
 * Usage: npx tsx bench/sync-push.ts (N scales linearly: ~1 s per 1000 mutations on an idle machine).
 */
import fs from 'node:fs';
import path from 'node:path';
import PouchDB from 'pouchdb';
import type { StoredDoc } from '../sync-server/src/storage/port.js';
import { makeTempDir, startTestServer } from '../tests/support/test-server.js';
import { note, printFigure, timed } from './support/report.js';
import {
  BATCH,
  describeDocs,
  docsWrittenSince,
  mixedMutations,
  people,
  pushAll,
  seedConversation,
  updateSeqs,
  withoutRev,
} from './support/workload.js';

const N = Number(process.env['BENCH_PUSH_N'] ?? 3000);
const PEOPLE = Number(process.env['BENCH_PEOPLE'] ?? 30);

async function pushOnEmbedded(): Promise<{ ms: number; docs: StoredDoc[]; described: string }> {
  const ts = await startTestServer({ RELEASE_INTERVAL_SECONDS: '3600', LOG_LEVEL: 'silent' });
  try {
    const storage = ts.server.storage;
    const c = await seedConversation(storage, Math.ceil(N / 3));
    const clients = await people(ts.url, storage, ts.dataDir, PEOPLE);
    const mutations = mixedMutations(c, c.ideas, N);
    // One warm-up batch (JIT, LevelDB caches), not counted; its documents are not in the anchor.
    await pushAll(clients, mixedMutations(c, c.ideas.slice(-BATCH), BATCH), PEOPLE - 1);
    const seqs = await updateSeqs(storage);
    const { ms } = await timed(() => pushAll(clients, mutations));
    const written = await docsWrittenSince(storage, seqs);
    return { ms, docs: [...written.values()].flat(), described: describeDocs(written) };
  } finally {
    await ts.close();
  }
}

async function withPouch<T>(fn: (open: (name: string) => PouchDB.Database) => Promise<T>): Promise<T> {
  const dir = makeTempDir('huddle-bench-pouch-');
  const dbs: PouchDB.Database[] = [];
  try {
    return await fn((name) => {
      const db = new PouchDB(path.join(dir, name));
      dbs.push(db);
      return db;
    });
  } finally {
    for (const db of dbs) await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function putAll(db: PouchDB.Database, docs: StoredDoc[], batch: number): Promise<void> {
  for (let i = 0; i < docs.length; i += batch) {
    const res = await db.bulkDocs(docs.slice(i, i + batch) as PouchDB.Core.PutDocument<object>[]);
    if (res.some((r) => 'error' in r && r.error)) throw new Error('bulkDocs failed');
  }
}

const replicationMs = (docs: StoredDoc[]) =>
  withPouch(async (open) => {
    const source = open('source');
    await putAll(source, docs, 1000);
    const target = open('target');
    const { ms, result } = await timed(() => PouchDB.replicate(source, target));
    if (result.docs_written !== docs.length)
      throw new Error(`replicated ${result.docs_written} of ${docs.length}`);
    return ms;
  });

const bulkDocsMs = (docs: StoredDoc[]) =>
  withPouch(async (open) => (await timed(() => putAll(open('raw'), docs, BATCH))).ms);

const push = await pushOnEmbedded();
const docs = push.docs.map(withoutRev);
const replication = await replicationMs(docs);
const bulk = await bulkDocsMs(docs);
const perSecond = (ms: number) => N / (ms / 1000);
printFigure({
  name: 'push-embedded',
  value: perSecond(push.ms),
  unit: 'mutations/s',
  anchorName: 'pouchdb-replication-of-the-same-docs',
  anchorValue: perSecond(replication),
});
note(`N = ${N} mutations from ${PEOPLE} people, batches of ${BATCH}; goal ratio >= 1.5`);
note(`the push wrote ${docs.length} docs (${(docs.length / N).toFixed(2)} per mutation): ${push.described}`);
note(
  `replication ${(docs.length / (replication / 1000)).toFixed(0)} docs/s; raw bulkDocs of the same docs (batch ${BATCH}) ${(docs.length / (bulk / 1000)).toFixed(0)} docs/s = ${perSecond(bulk).toFixed(0)} mutations/s`,
);
