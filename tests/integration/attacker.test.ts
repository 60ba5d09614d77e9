/**
 * The Trust as attacker (issue 7; threat model: docs/anonymity.md when it lands). A scripted conversation of
 * 32 people over three simulated days and nights (tests/support/attacker/world.ts) runs against the real
 * server process; the Trust then holds a copy of the data directory and every database (every stored
 * revision, each changes feed), HUDDLE_SECRET, the server's log output, the mail server's log (who got
 * mail when, how large), a proxy log of every request each person's device made (who, when, path,
 * bytes; no bodies), nightly backups of the private database taken while the night's contributions
 * waited, and the public app watched after every release. Each attack
 * (tests/support/attacker/attacks.ts) tries to tie each post, comment and vote to its author.
 *
 * Printed: per attack and for all of them combined, the accuracy against chance and how many were
 * linked with certainty. Fails when any post, comment or vote is linked with certainty, or when a
 * released batch held contributions from fewer than k = 3 people (the ground truth says who did
 * what). The positive control gives the attacker the linking key, and it must link (nearly) all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hmacIds,
  keysAtRest,
  keysInDataDir,
  logs,
  mail,
  midBatchBackups,
  order,
  secretsWithKey,
  tallyDifferencing,
  timing,
  vault,
  withLinkingKey,
} from '../support/attacker/attacks.js';
import { combine, formatScores, score, type AttackResult, type Score } from '../support/attacker/scoring.js';
import { runWorld, type World } from '../support/attacker/world.js';
import { RELEASE_MIN_CONTRIBUTORS_DEFAULT } from '../../shared/src/documents.js';
import { PUSH_ANSWER_PAD_BUCKET_BYTES, PUSH_PAD_BUCKET_BYTES } from '../../shared/src/sync/padding.js';

/** The default release threshold: distinct people per conversation's batch (the script sets none). */
const K = RELEASE_MIN_CONTRIBUTORS_DEFAULT;

describe('the Trust as attacker, with everything it could hold', () => {
  let world: World;
  let results: AttackResult[];
  let scores: Score[];
  let combined: Score;
  const everyone = () => world.holdings.people.map((p) => p.email);
  const started = Date.now();

  beforeAll(async () => {
    world = await runWorld();
    const h = world.holdings;
    const timed = async <T>(what: string, f: () => T | Promise<T>): Promise<T> => {
      const t = Date.now();
      const out = await f();
      phases.push(`${what} ${((Date.now() - t) / 1000).toFixed(1)} s`);
      return out;
    };
    const phases: string[] = [`conversation and copies ${Math.round((Date.now() - started) / 1000)} s`];
    results = [
      await timed('(1)', () => hmacIds(h)),
      timing(h),
      timing(h, true),
      order(h),
      mail(h),
      tallyDifferencing(h),
      logs(h),
      vault(h),
      await timed('(8)', () => keysInDataDir(h)),
      midBatchBackups(h),
    ];
    scores = results.map((r) => score(r, world.truth, h.batches, everyone()));
    // What (3) gets from the window alone: the same attack on each batch's changes in a random order.
    let seed = 1;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const reordered = h.batches.map((b) => ({
      ...b,
      changes: b.changes
        .map((c) => ({ c, k: rand() }))
        .sort((x, y) => x.k - y.k)
        .map(({ c }) => c),
    }));
    const baseline = score(
      { ...order({ ...h, batches: reordered }), name: '(3) baseline: feed order replaced by a random one' },
      world.truth,
      h.batches,
      everyone(),
    );
    combined = score(combine(results), world.truth, h.batches, everyone());
    console.info(
      [
        `attacker suite: ${Math.round((Date.now() - started) / 1000)} s; ` +
          Object.entries(world.stats)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
        `  phases: ${phases.join(', ')}`,
        formatScores([...scores, baseline, combined]),
        ...results.flatMap((r) => r.notes.map((n) => `  ${r.name}: ${n}`)),
      ].join('\n'),
    );
  }, 240_000);

  afterAll(() => world?.cleanup());

  it('the conversation ran as scripted: 30+ people, days and quiet nights, posts, comments, edits, withdrawals, votes, notices', () => {
    const s = world.stats;
    expect(world.holdings.people.length).toBeGreaterThanOrEqual(30);
    for (const kind of [
      'push idea.create',
      'push comment.create',
      'push vote.set',
      'push idea.edit',
      'push comment.edit',
      'push notifications.set',
    ])
      expect(s[kind], kind).toBeGreaterThan(0);
    expect((s['push idea.withdraw'] ?? 0) + (s['push comment.withdraw'] ?? 0)).toBeGreaterThan(0);
    expect(s['notice runs']).toBeGreaterThanOrEqual(3);
    expect(s['notice runs that mailed'], 'the mail log has notices in it').toBeGreaterThanOrEqual(1);
    expect(world.truth.optedIn.size).toBeGreaterThan(0);
    // Nights: hours where one person alone pushed something.
    const nightPushers = new Map<string, Set<string>>();
    for (const p of world.holdings.proxy)
      if (p.method === 'POST' && /(2[3]|0[0-6]):00$/.test(p.sim))
        nightPushers.set(p.sim, new Set([...(nightPushers.get(p.sim) ?? []), p.email]));
    expect([...nightPushers.values()].filter((who) => who.size === 1).length).toBeGreaterThan(3);
    expect(world.holdings.batches.length).toBeGreaterThan(10);
    expect(world.holdings.serverLog.length).toBeGreaterThan(0);
  });

  for (const name of [
    '(1) HMAC/ids with HUDDLE_SECRET',
    '(2) timing intersection',
    '(2b) timing + push sizes (proxy bytes)',
    '(3) feed order vs push order',
    '(4) mail log vs comments',
    '(5) tally differencing',
    '(6) server log vs releases',
    '(7) vault feed order and ids',
    '(8) key material in the data directory',
    '(9) mid-batch backups vs proxy log',
  ]) {
    it(`${name}: links no post, comment or vote with certainty`, () => {
      const s = scores.find((x) => x.name === name)!;
      expect(s, `attack ${name} ran`).toBeDefined();
      expect(s.posts.wrongCertain + s.votes.wrongCertain, `${name} is sound (never certain and wrong)`).toBe(
        0,
      );
      expect(
        { posts: s.posts.certain, votes: s.votes.certain },
        `${name} linked with certainty: ${s.certainExamples.join('; ')}`,
      ).toEqual({ posts: 0, votes: 0 });
    });
  }

  it('all attacks combined link no post, comment or vote with certainty', () => {
    expect(
      { posts: combined.posts.certain, votes: combined.votes.certain },
      `combined, linked with certainty: ${combined.certainExamples.join('; ')}`,
    ).toEqual({ posts: 0, votes: 0 });
  });

  it('push sizes tell the proxy nothing: every push and its answer weigh whole buckets, and (2b) links no more than (2)', () => {
    const pushes = world.holdings.proxy.filter((p) => p.method === 'POST' && p.path === '/api/sync/push');
    expect(pushes.length).toBeGreaterThan(100);
    // The proxy's request bytes include the path (world.ts); the body is what the device padded.
    const bodySizes = pushes.map((p) => p.reqBytes - Buffer.byteLength(p.path));
    expect(bodySizes.filter((b) => b % PUSH_PAD_BUCKET_BYTES !== 0)).toEqual([]);
    expect(pushes.map((p) => p.resBytes).filter((b) => b % PUSH_ANSWER_PAD_BUCKET_BYTES !== 0)).toEqual([]);
    const buckets = new Map<number, number>();
    for (const b of bodySizes) buckets.set(b, (buckets.get(b) ?? 0) + 1);
    console.info(
      `push request sizes on the wire: ${[...buckets].map(([b, n]) => `${n} x ${b / 1024} KiB`).join(', ')}; ` +
        `answers: ${[...new Set(pushes.map((p) => p.resBytes / 1024))].join(', ')} KiB`,
    );
    // Sizes narrow no post beyond what the timing alone does (before padding: 19 posts certain vs 12).
    const [withTiming, withSizes] = [results[1]!, results[2]!];
    for (const [id, guess] of withTiming.posts)
      expect(withSizes.posts.get(id)?.candidates, `post ${id}`).toEqual(guess.candidates);
    expect(scores[2]!.posts.certain).toBe(scores[1]!.posts.certain);
  });

  it(`every released batch held contributions from at least ${K} distinct people`, () => {
    const small = [...world.truth.batchContributors]
      .filter(([, who]) => who.size > 0 && who.size < K)
      .map(
        ([b, who]) =>
          `batch ${b} (${world.holdings.batches[b]!.sim}): ${who.size} ${[...world.truth.batchContributions.get(b)!].map((c) => c.what.split(' ')[0]).join(', ')}`,
      );
    expect(small, `${small.length} of ${world.holdings.batches.length} batches below k`).toEqual([]);
  });

  it('positive control: given the linking key, the same attacker links (nearly) every post and vote', async () => {
    // The key, wherever the server kept it (given in the environment, the keys directory, or the data).
    const h = world.holdings;
    const keyIds = new Set(
      (h.dumps.find((d) => d.db === 'vault')?.feed ?? []).flatMap((r) =>
        r.doc?.['keyId'] ? [String(r.doc['keyId'])] : [],
      ),
    );
    const candidates = [
      world.env['HUDDLE_LINKING_KEY'],
      world.env['HUDDLE_VAULT_KEY'],
      ...[world.keysDir, world.dataDir].flatMap((d) => (fs.existsSync(d) ? keysAtRest(d) : [])),
    ].filter((k): k is string => !!k);
    const key = candidates.find((k) => keyIds.has(secretsWithKey(h.secret, k).vaultKeyId));
    expect(
      key,
      `the linking key (looked in the environment, ${path.basename(world.keysDir)}/ and the data directory)`,
    ).toBeDefined();
    const control = score(
      await withLinkingKey(h, key!, 'positive control: the linking key'),
      world.truth,
      h.batches,
      everyone(),
    );
    console.info(formatScores([control]));
    expect(control.posts.units).toBeGreaterThan(50);
    expect(control.posts.wrongCertain + control.votes.wrongCertain).toBe(0);
    expect(control.posts.certain / control.posts.units).toBeGreaterThanOrEqual(0.95);
    expect(control.votes.certain / control.votes.units).toBeGreaterThanOrEqual(0.9);

    // (9) with the key: the night backups did catch contributions waiting, sent by a lone device.
    const backups = score(midBatchBackups(h, key), world.truth, h.batches, everyone());
    console.info(formatScores([backups]));
    expect(world.holdings.backups.length).toBeGreaterThan(3);
    expect(backups.posts.wrongCertain + backups.votes.wrongCertain).toBe(0);
    expect(backups.posts.certain, 'night backups opened with the key name waiting posts').toBeGreaterThan(0);
  });
});
