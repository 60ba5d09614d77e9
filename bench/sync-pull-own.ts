/**
 * Figures pull-own-embedded and pull-own-couchdb-single: does a pull cost more for someone who has
 * done a lot? A live conversation with 1,000 released ideas; person A votes on all 1,000 and posts
 * 200 ideas through the real push route (batches of 100), person B does nothing; a release makes A's
 * posts public; both pull to the end and keep their cursors. Then new public changes: another person
 * posts BENCH_PULL_K ideas (default 200) and a release makes them public. The figure is a pull from
 * A's cursor (one page: the K new ideas, A's own changes since the cursor: none), the median of
 * BENCH_PULL_REPEAT pulls (default 15; A and B in turn, who goes first alternating); the anchor is the same pull from B's cursor;
 * ratio = A / B (a cost: lower is better, goal <= 1.5). Over loopback HTTP through the real route,
 * on the embedded store and on a CouchDB single node (skipped, saying why, when there is none).
 * Usage: npx tsx bench/sync-pull-own.ts
 */
import type { PullResponse } from '../shared/src/api.js';
import { PROTOCOL_VERSION } from '../shared/src/protocol.js';
import { createTestAccount } from '../tests/support/accounts.js';
import { HttpClient, startTestServer } from '../tests/support/test-server.js';
import { openCouch } from './support/couch.js';
import { median, note, printFigure, printSkipped, timed } from './support/report.js';
import { BATCH, ideaCreate, pushAll, seedConversation, voteSet } from './support/workload.js';

const VOTES = 1000;
const POSTS = 200;
const K = Number(process.env['BENCH_PULL_K'] ?? 200);
const REPEAT = Number(process.env['BENCH_PULL_REPEAT'] ?? 15);

const pullPage = async (client: HttpClient, cursor?: string): Promise<PullResponse> => {
  const qs = new URLSearchParams({ protocol: String(PROTOCOL_VERSION), ...(cursor ? { cursor } : {}) });
  const res = await client.get(`/api/sync/pull?${qs}`);
  if (res.status !== 200) throw new Error(`pull answered ${res.status}: ${res.text.slice(0, 200)}`);
  return res.body as PullResponse;
};

/** Pulls page after page to the end; answers the last cursor. */
async function pullToEnd(client: HttpClient): Promise<string> {
  let page = await pullPage(client);
  while (page.hasMore) page = await pullPage(client, page.cursor);
  return page.cursor;
}

async function measure(env: Record<string, string>) {
  const ts = await startTestServer({ RELEASE_INTERVAL_SECONDS: '3600', LOG_LEVEL: 'silent', ...env });
  try {
    const storage = ts.server.storage;
    const c = await seedConversation(storage, VOTES);
    const account = () => createTestAccount(storage, ts.dataDir);
    const [a, b, other] = [
      HttpClient.as(ts.url, await account()),
      HttpClient.as(ts.url, await account()),
      HttpClient.as(ts.url, await account()),
    ];
    // A's activity, a post after every fifth vote, as a phone would queue it.
    const activity = c.ideas.flatMap((idea, i) =>
      i % 5 === 4 ? [voteSet(c, idea.id), ideaCreate(c, i)] : [voteSet(c, idea.id)],
    );
    await pushAll([a], activity);
    await a.post('/api/test/release');
    const [cursorA, cursorB] = [await pullToEnd(a), await pullToEnd(b)];
    await pushAll(
      [other],
      Array.from({ length: K }, (_, i) => ideaCreate(c, i)),
    );
    await other.post('/api/test/release');
    const times = { a: [] as number[], b: [] as number[] };
    for (let r = 0; r < REPEAT + 1; r++) {
      const turns = [
        ['a', a, cursorA],
        ['b', b, cursorB],
      ] as const;
      for (const [who, client, cursor] of r % 2 ? [...turns].reverse() : turns) {
        const { ms, result } = await timed(() => pullPage(client, cursor));
        if (result.docs.length !== K || result.hasMore)
          throw new Error(`pull from ${who}'s cursor answered ${result.docs.length} docs, expected ${K}`);
        if (r > 0) times[who].push(ms); // the first round warms up
      }
    }
    if (process.env.BENCH_DEBUG) console.log(times);
    return { a: median(times.a), b: median(times.b), activity: activity.length };
  } finally {
    await ts.close();
  }
}

function print(name: string, result: { a: number; b: number; activity: number }, where: string) {
  printFigure({
    name,
    value: result.a,
    unit: 'ms',
    anchorName: 'the-same-pull-for-a-person-with-nothing',
    anchorValue: result.b,
    digits: 1,
  });
  note(
    `${where}; A: ${VOTES} votes + ${POSTS} posts (${result.activity} mutations in batches of ${BATCH}); ` +
      `one page of ${K} new ideas, median of ${REPEAT}; goal ratio <= 1.5`,
  );
}

print('pull-own-embedded', await measure({}), 'embedded store');

const couch = await openCouch('single');
if ('skip' in couch) printSkipped('pull-own-couchdb-single', couch.skip);
else {
  try {
    print(
      'pull-own-couchdb-single',
      await measure({ COUCHDB_URL: couch.url, COUCHDB_DB_PREFIX: couch.prefix() }),
      couch.label,
    );
  } finally {
    await couch.close();
  }
}
