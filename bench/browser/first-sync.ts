/**
 * The page side of bench/first-sync-browser.ts (built with Vite, not part of the PWA): the app's own
 * data layer (pull.ts over api-client.ts into the Dexie database of db.ts), and the two anchors, PouchDB
 * replication into IndexedDB and a plain Dexie bulkPut of documents already in memory. Each function
 * starts from an empty database and answers its time in milliseconds.
 */
import PouchDB from 'pouchdb-browser';
import { pullResponseSchema, type PullResponse } from '../../shared/src/api.js';
import type { PublicDoc } from '../../shared/src/documents.js';
import { PROTOCOL_VERSION } from '../../shared/src/protocol.js';
import { createApiClient } from '../../pwa/src/data/api-client.js';
import { HuddleDb } from '../../pwa/src/data/db.js';
import { applyPage, PULL_PAGE_SIZE, pullChanges } from '../../pwa/src/data/pull.js';

const elapsed = async <T>(fn: () => Promise<T>) => {
  const started = performance.now();
  const result = await fn();
  return { ms: performance.now() - started, result };
};

/** The app's first sync: pull.ts page after page (prefetching the next) into a new device database. */
async function appFirstSync(pageSize = PULL_PAGE_SIZE) {
  const db = new HuddleDb('bench-app');
  await db.open();
  const api = createApiClient({
    baseUrl: '',
    fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin', cache: 'no-store' }),
  });
  const { ms, result } = await elapsed(() => pullChanges(db, api, pageSize));
  const stored = { ideas: await db.ideas.count(), comments: await db.comments.count() };
  db.close();
  return { ms, pages: result.pages, docs: result.docs, ...stored };
}

/**
 * Where a first sync's time goes: the same pages one after another (no prefetch), each timed in four
 * steps: the server's answer arriving (request to last byte), JSON.parse, the zod check api-client.ts
 * makes, and applyPage (the Dexie transaction).
 */
async function appPullBreakdown(pageSize = PULL_PAGE_SIZE) {
  const db = new HuddleDb('bench-breakdown');
  await db.open();
  const totals = { answer: 0, parse: 0, check: 0, apply: 0, pages: 0 };
  let cursor: string | undefined;
  for (;;) {
    const qs = new URLSearchParams({ protocol: String(PROTOCOL_VERSION), limit: String(pageSize) });
    if (cursor) qs.set('cursor', cursor);
    const answer = await elapsed(async () =>
      (await fetch(`/api/sync/pull?${qs}`, { cache: 'no-store' })).text(),
    );
    const parsed = await elapsed(async () => JSON.parse(answer.result) as unknown);
    const checked = await elapsed(async () => pullResponseSchema.parse(parsed.result));
    const applied = await elapsed(() => applyPage(db, checked.result));
    totals.answer += answer.ms;
    totals.parse += parsed.ms;
    totals.check += checked.ms;
    totals.apply += applied.ms;
    totals.pages++;
    cursor = checked.result.cursor;
    if (!checked.result.hasMore) break;
  }
  db.close();
  return totals;
}

let inMemory: PublicDoc[] = [];

/** Not timed: every public document, fetched page by page from the pull route (plain JSON, no checks). */
async function loadIntoMemory(pageSize = PULL_PAGE_SIZE) {
  inMemory = [];
  let cursor: string | undefined;
  for (;;) {
    const qs = new URLSearchParams({ protocol: String(PROTOCOL_VERSION), limit: String(pageSize) });
    if (cursor) qs.set('cursor', cursor);
    const page = (await (await fetch(`/api/sync/pull?${qs}`)).json()) as PullResponse;
    inMemory.push(...page.docs);
    cursor = page.cursor;
    if (!page.hasMore) return inMemory.length;
  }
}

const TABLES = {
  conversation: 'conversations',
  stream: 'streams',
  idea: 'ideas',
  comment: 'comments',
  tally: 'tallies',
} as const;

/** The documents in memory into the same Dexie tables, bulkPut in chunks of `chunk` per table. */
async function dexieBulkPut(chunk = PULL_PAGE_SIZE) {
  const db = new HuddleDb('bench-dexie');
  await db.open();
  const byTable = new Map<keyof typeof TABLES, PublicDoc[]>();
  for (const doc of inMemory) {
    const docs = byTable.get(doc.type);
    if (docs) docs.push(doc);
    else byTable.set(doc.type, [doc]);
  }
  const { ms } = await elapsed(async () => {
    for (const [type, docs] of byTable)
      for (let i = 0; i < docs.length; i += chunk)
        await db.table(TABLES[type]).bulkPut(docs.slice(i, i + chunk));
  });
  const stored = { ideas: await db.ideas.count(), comments: await db.comments.count() };
  db.close();
  return { ms, docs: inMemory.length, ...stored };
}

/** What a PouchDB app does on first sync: replicate the remote database into IndexedDB (PouchDB's defaults). */
async function pouchReplicate(remote: string, options: PouchDB.Replication.ReplicateOptions = {}) {
  const local = new PouchDB('bench-pouch');
  const { ms, result } = await elapsed(() => PouchDB.replicate(remote, local, options));
  const info = await local.info();
  await local.close();
  return { ms, docs: result.docs_written, stored: info.doc_count };
}

Object.assign(window, {
  bench: { appFirstSync, appPullBreakdown, loadIntoMemory, dexieBulkPut, pouchReplicate },
});
