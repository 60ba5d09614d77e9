/**
 * Figure first-sync-chromium: a new phone's first sync of a big conversation in Chromium. The public
 * database of a CouchDB single node holds one released conversation, 20 topics, BENCH_IDEAS ideas
 * (default 10,000) and BENCH_COMMENTS comments (default 50,000), written straight into it; the real
 * server stores in that CouchDB (COUCHDB_URL) and serves a bench page (bench/browser/, built here with
 * Vite) that runs the app's own data layer: pull.ts over api-client.ts into the device's Dexie database
 * (db.ts), pages of PULL_PAGE_SIZE, the next page fetched while one is written. In documents per second,
 * from the first request to the last page stored.
 *
 * Anchors, in the same run and the same browser, each in a fresh profile on disk:
 *  - pouchdb-browser-replication: PouchDB (pouchdb-browser, its defaults: batches of 100) replicating
 *    the same public database from the same CouchDB into IndexedDB, CouchDB behind the page's own
 *    origin (bench/support/static-proxy.ts: no CORS preflights). Goal ratio >= 4.
 *  - dexie-bulkput-from-memory: the same documents, already in page memory (fetched beforehand, not
 *    timed), bulkPut into the same Dexie tables in chunks of PULL_PAGE_SIZE. Goal ratio >= 0.7.
 * CouchDB and Chromium as in the other benches; without either, the figure is skipped with the reason.
 * Usage: npx tsx bench/first-sync-browser.ts (~1.5 min at the default size; BENCH_IDEAS=2000
 * BENCH_COMMENTS=10000 for a quick look).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nano from 'nano';
import { chromium, type BrowserContext } from 'playwright-core';
import { build } from 'vite';
import { SCHEMA_VERSION } from '../shared/src/protocol.js';
import { docId, toCoarseHour } from '../shared/src/ids.js';
import type { CommentDoc, PublicDoc } from '../shared/src/documents.js';
import { createTestAccount } from '../tests/support/accounts.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, signInWithCookie } from '../tests/support/browser.js';
import { makeTempDir, startTestServer } from '../tests/support/test-server.js';
import { openCouch, type BenchCouch } from './support/couch.js';
import { note, printFigure, printSkipped } from './support/report.js';
import { startStaticProxy } from './support/static-proxy.js';
import { ideaDoc, newId, sampleText } from './support/workload.js';

const IDEAS = Number(process.env['BENCH_IDEAS'] ?? 10_000);
const COMMENTS = Number(process.env['BENCH_COMMENTS'] ?? 50_000);
const STREAMS = 20;
const NAME = 'first-sync-chromium';

interface PageBench {
  appFirstSync(
    pageSize?: number,
  ): Promise<{ ms: number; pages: number; docs: number; ideas: number; comments: number }>;
  appPullBreakdown(): Promise<Record<'answer' | 'parse' | 'check' | 'apply' | 'pages', number>>;
  loadIntoMemory(): Promise<number>;
  dexieBulkPut(): Promise<{ ms: number; docs: number; ideas: number; comments: number }>;
  pouchReplicate(remote: string): Promise<{ ms: number; docs: number; stored: number }>;
}
type BenchWindow = Window & { bench: PageBench };

/** The bench page and its bundle, built into a temporary directory (also served as index.html). */
async function buildPage(): Promise<string> {
  const outDir = makeTempDir('huddle-bench-page-');
  const root = path.resolve(import.meta.dirname, 'browser');
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      rollupOptions: { input: path.join(root, 'first-sync.html') },
    },
  });
  fs.copyFileSync(path.join(outDir, 'first-sync.html'), path.join(outDir, 'index.html'));
  return outDir;
}

/** The conversation, straight into the public database in requests of 1000 (not timed). */
async function seedPublic(couchUrl: string, dbName: string): Promise<number> {
  const db = nano({ url: couchUrl, parseUrl: false } as nano.Configuration).use<object>(dbName);
  const conversationId = newId();
  const streams = Array.from({ length: STREAMS }, (_, i) => ({
    _id: '',
    type: 'stream' as const,
    schemaVersion: SCHEMA_VERSION,
    id: newId(),
    conversationId,
    title: `Topic ${i + 1}`,
    description: sampleText(i, 1),
    order: i,
  })).map((s) => ({ ...s, _id: docId.stream(s.id) }));
  const ideas = Array.from({ length: IDEAS }, (_, i) =>
    ideaDoc({ conversationId, streamId: streams[i % STREAMS]!.id }, i),
  );
  const hour = toCoarseHour(new Date());
  const comment = (i: number): CommentDoc => {
    const id = newId();
    return {
      _id: docId.comment(id),
      type: 'comment',
      schemaVersion: SCHEMA_VERSION,
      id,
      conversationId,
      ideaId: ideas[i % IDEAS]!.id,
      body: sampleText(i, 1 + (i % 2)),
      createdHour: hour,
      status: 'visible',
    };
  };
  const docs: PublicDoc[] = [
    {
      _id: docId.conversation(conversationId),
      type: 'conversation',
      schemaVersion: SCHEMA_VERSION,
      id: conversationId,
      title: 'Bench conversation',
      description: 'Made by a benchmark.',
      status: 'live',
    },
    ...streams,
    ...ideas,
  ];
  const put = async (batch: PublicDoc[]) => {
    const rows = await db.bulk({ docs: batch });
    if (rows.some((r) => r.error)) throw new Error('seeding the public database failed');
  };
  for (let i = 0; i < docs.length; i += 1000) await put(docs.slice(i, i + 1000));
  for (let i = 0; i < COMMENTS; i += 1000)
    await put(Array.from({ length: Math.min(1000, COMMENTS - i) }, (_, k) => comment(i + k)));
  return docs.length + COMMENTS;
}

/** A fresh Chromium profile on disk (an incognito context would keep IndexedDB in memory). */
async function inFreshProfile<T>(fn: (context: BrowserContext) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huddle-bench-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    return await fn(context);
  } finally {
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function openBenchPage(context: BrowserContext, url: string) {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => console.error(`  page error: ${err.message}`));
  await page.goto(url);
  await page.waitForFunction(() => 'bench' in window);
  return page;
}

async function run(couch: BenchCouch): Promise<void> {
  const pageDir = await buildPage();
  const prefix = couch.prefix();
  const ts = await startTestServer({
    COUCHDB_URL: couch.url,
    COUCHDB_DB_PREFIX: prefix,
    PWA_DIST_DIR: pageDir,
    RELEASE_INTERVAL_SECONDS: '3600',
    LOG_LEVEL: 'silent',
  });
  const proxy = await startStaticProxy(pageDir, couch.url);
  try {
    const total = await seedPublic(couch.url, `${prefix}public`);
    const account = await createTestAccount(ts.server.storage, ts.dataDir);
    const app = await inFreshProfile(async (context) => {
      await signInWithCookie(context, ts.url, account.sessionToken);
      const page = await openBenchPage(context, `${ts.url}/first-sync.html`);
      return page.evaluate(() => (window as unknown as BenchWindow).bench.appFirstSync());
    });
    const breakdown = process.env['BENCH_BREAKDOWN']
      ? await inFreshProfile(async (context) => {
          await signInWithCookie(context, ts.url, account.sessionToken);
          const page = await openBenchPage(context, `${ts.url}/first-sync.html`);
          return page.evaluate(() => (window as unknown as BenchWindow).bench.appPullBreakdown());
        })
      : undefined;
    const dexie = await inFreshProfile(async (context) => {
      await signInWithCookie(context, ts.url, account.sessionToken);
      const page = await openBenchPage(context, `${ts.url}/first-sync.html`);
      await page.evaluate(() => (window as unknown as BenchWindow).bench.loadIntoMemory());
      return page.evaluate(() => (window as unknown as BenchWindow).bench.dexieBulkPut());
    });
    const pouch = await inFreshProfile(async (context) => {
      const page = await openBenchPage(context, `${proxy.url}/first-sync.html`);
      return page.evaluate(
        (remote) => (window as unknown as BenchWindow).bench.pouchReplicate(remote),
        `${proxy.url}/couch/${prefix}public`,
      );
    });
    for (const [what, docs] of [
      ['app', app.ideas + app.comments],
      ['dexie', dexie.ideas + dexie.comments],
      ['pouchdb', pouch.stored],
    ] as const)
      if (docs < IDEAS + COMMENTS)
        throw new Error(`${what} stored ${docs} of ${IDEAS + COMMENTS} ideas and comments`);
    const rate = (docs: number, ms: number) => docs / (ms / 1000);
    const appRate = rate(total, app.ms);
    printFigure({
      name: NAME,
      value: appRate,
      unit: 'docs/s',
      anchorName: 'pouchdb-browser-replication',
      anchorValue: rate(total, pouch.ms),
    });
    printFigure({
      name: NAME,
      value: appRate,
      unit: 'docs/s',
      anchorName: 'dexie-bulkput-from-memory',
      anchorValue: rate(total, dexie.ms),
    });
    note(
      `${total} public docs (${IDEAS} ideas, ${COMMENTS} comments, ${STREAMS} topics, 1 conversation) on ${couch.label}; goal ratios >= 4 and >= 0.7`,
    );
    note(
      `app ${(app.ms / 1000).toFixed(1)} s in ${app.pages} pages; PouchDB ${(pouch.ms / 1000).toFixed(1)} s; Dexie bulkPut ${(dexie.ms / 1000).toFixed(1)} s`,
    );
    if (breakdown) {
      const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      note(
        `the same pages one at a time (BENCH_BREAKDOWN): answer ${s(breakdown.answer)}, JSON.parse ${s(breakdown.parse)}, zod check ${s(breakdown.check)}, applyPage ${s(breakdown.apply)} (${breakdown.pages} pages)`,
      );
    }
  } finally {
    await proxy.close();
    await ts.close();
    fs.rmSync(pageDir, { recursive: true, force: true });
  }
}

if (!fs.existsSync(CHROMIUM_PATH)) {
  printSkipped(NAME, `no Chromium at ${CHROMIUM_PATH} (apt-get install -y --no-install-recommends chromium)`);
} else {
  const couch = await openCouch('single');
  if ('skip' in couch) printSkipped(NAME, couch.skip);
  else {
    try {
      await run(couch);
    } finally {
      await couch.close();
    }
  }
}
