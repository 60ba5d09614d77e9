/**
 * Figures push-couchdb-single and push-couchdb-cluster: the push workload of bench/sync-push.ts
 * (BENCH_COUCH_PUSH_N mutations, default 1500, a third each of idea.create, vote.set and draft.save,
 * from BENCH_PEOPLE people, batches of 100, real route over loopback HTTP) with the server storing in
 * a real Apache CouchDB through the CouchDB adapter: one node, then a 3-node cluster (the server talks
 * to node 1). In mutations per second.
 *
 * Anchor, in the same run against the same CouchDB: nano `_bulk_docs` of the same documents. Every
 * document the push wrote (effects, own-log slots, receipts: read back from the changes feeds of the
 * four databases) is copied with a fresh id (same kind prefix, revision dropped) and bulk-written
 * with nano into fresh databases of the same names, each database's documents in requests of 100,
 * one request at a time. The anchor is N divided by that time; ratio = push / bulk.
 * CouchDB comes from ../shared/couchdb (started here, stopped at the end) or from the environment
 * (HUDDLE_TEST_COUCHDB_URL / HUDDLE_TEST_COUCHDB_CLUSTER_URLS, as for the tests); without either, the
 * figures are skipped with the reason.
 * Usage: npx tsx bench/sync-push-couchdb.ts (N scales linearly: ~1.5 s per 1000 mutations + CouchDB start).
 */
import nano from 'nano';
import type { DbName, StoredDoc } from '../sync-server/src/storage/port.js';
import { startTestServer } from '../tests/support/test-server.js';
import { openCouch } from './support/couch.js';
import { note, printFigure, printSkipped, timed } from './support/report.js';
import {
  BATCH,
  describeDocs,
  docsWrittenSince,
  mixedMutations,
  newId,
  people,
  pushAll,
  seedConversation,
  updateSeqs,
  withoutRev,
} from './support/workload.js';

const N = Number(process.env['BENCH_COUCH_PUSH_N'] ?? 1500);
const PEOPLE = Number(process.env['BENCH_PEOPLE'] ?? 30);

async function pushOnCouch(url: string, prefix: string) {
  const ts = await startTestServer({
    RELEASE_INTERVAL_SECONDS: '3600',
    LOG_LEVEL: 'silent',
    COUCHDB_URL: url,
    COUCHDB_DB_PREFIX: prefix,
  });
  try {
    const storage = ts.server.storage;
    const c = await seedConversation(storage, Math.ceil(N / 3) + BATCH);
    const clients = await people(ts.url, storage, ts.dataDir, PEOPLE);
    // One warm-up batch, not counted; its documents are not in the anchor.
    await pushAll(clients, mixedMutations(c, c.ideas.slice(-BATCH), BATCH), PEOPLE - 1);
    const seqs = await updateSeqs(storage);
    const { ms } = await timed(() => pushAll(clients, mixedMutations(c, c.ideas, N)));
    const written = await docsWrittenSince(storage, seqs);
    return { ms, written };
  } finally {
    await ts.close();
  }
}

/** Fresh databases `${prefix}<db>`, then each database's copies in `_bulk_docs` requests of BATCH. */
async function bulkDocsMs(url: string, prefix: string, written: Map<DbName, StoredDoc[]>): Promise<number> {
  const server = nano({ url, parseUrl: false } as nano.Configuration);
  const copies = [...written.entries()].map(([db, docs]) => ({
    db: server.use<object>(`${prefix}${db}`),
    name: `${prefix}${db}`,
    docs: docs.map((d) => ({ ...withoutRev(d), _id: `${d._id.split(':')[0]}:${newId()}` })),
  }));
  for (const c of copies) await server.db.create(c.name);
  const { ms } = await timed(async () => {
    for (const c of copies) {
      for (let i = 0; i < c.docs.length; i += BATCH) {
        const rows = await c.db.bulk({ docs: c.docs.slice(i, i + BATCH) });
        if (rows.some((r) => r.error))
          throw new Error(`_bulk_docs failed: ${JSON.stringify(rows.find((r) => r.error))}`);
      }
    }
  });
  return ms;
}

for (const topology of ['single', 'cluster'] as const) {
  const name = `push-couchdb-${topology}`;
  const couch = await openCouch(topology);
  if ('skip' in couch) {
    printSkipped(name, couch.skip);
    continue;
  }
  try {
    const push = await pushOnCouch(couch.url, couch.prefix());
    const bulk = await bulkDocsMs(couch.url, couch.prefix(), push.written);
    const docs = [...push.written.values()].flat().length;
    const perSecond = (ms: number) => N / (ms / 1000);
    printFigure({
      name,
      value: perSecond(push.ms),
      unit: 'mutations/s',
      anchorName: 'nano-bulk-docs-of-the-same-docs',
      anchorValue: perSecond(bulk),
    });
    note(`${couch.label}; N = ${N} mutations from ${PEOPLE} people, batches of ${BATCH}; goal ratio >= 0.5`);
    note(
      `the push wrote ${docs} docs (${(docs / N).toFixed(2)} per mutation): ${describeDocs(push.written)}`,
    );
    note(
      `push ${(docs / (push.ms / 1000)).toFixed(0)} docs/s; _bulk_docs ${(docs / (bulk / 1000)).toFixed(0)} docs/s in ${Math.ceil(docs / BATCH)}+ requests`,
    );
  } finally {
    await couch.close();
  }
}
