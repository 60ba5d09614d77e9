/**
 * Property: whatever the network does to a device's pushes (lost responses, duplicate and
 * concurrent delivery, stale copies of old requests arriving late), the server ends up where
 * a simple model says: the last vote per item per device wins, and one post per create.
 * The client follows the outbox rule: it moves past a mutation only once it got an answer.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationInput } from '../../shared/src/mutations.js';
import type { IdeaDoc, TallyDoc } from '../../shared/src/documents.js';
import { createTestAccount } from '../support/accounts.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import {
  ideaCreate,
  ownFromStart,
  pullAll,
  push,
  seedConversation,
  seedIdea,
  voteSet,
} from './sync-fixtures.js';

const DEVICES = 2;
const ITEMS = 3;
type VoteValue = 'like' | 'dislike' | 'none';
type Op = { type: 'vote'; item: number; value: VoteValue } | { type: 'idea' };
type Step = {
  device: number;
  action: 'ok' | 'lost' | 'dropped' | 'twice' | 'stale';
  size: number;
  pick: number;
};

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('vote' as const),
      item: fc.nat(ITEMS - 1),
      value: fc.constantFrom<VoteValue>('like', 'dislike', 'none'),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ type: 'idea' as const }) },
);
const stepArb: fc.Arbitrary<Step> = fc.record({
  device: fc.nat(DEVICES - 1),
  action: fc.constantFrom('ok', 'lost', 'dropped', 'twice', 'stale'),
  size: fc.integer({ min: 1, max: 3 }),
  pick: fc.nat(),
});
const scenarioArb = fc.record({
  queues: fc.array(fc.array(opArb, { minLength: 1, maxLength: 7 }), {
    minLength: DEVICES,
    maxLength: DEVICES,
  }),
  steps: fc.array(stepArb, { maxLength: 16 }),
});

/**
 * Sized from measured figures on a 2-core machine. A run takes 0.1-0.6 s on the embedded store
 * whatever the load (25 runs: 6-12 s); through the CouchDB adapter (express-pouchdb in this
 * process) about 1 s at load average 6 and 2-3 s at 14-20 (12 runs took 25-38 s there), so 8
 * runs: under 30 s on that busy a machine. The time limit makes a property that still overruns
 * (or a long shrink) fail with its seed and counterexample well before the test timeout,
 * instead of as a bare timeout. Replay a failure with HUDDLE_FC_SEED and HUDDLE_FC_PATH from
 * its report.
 */
const RUNS = { pouchdb: 25, couchdb: 8 } as const;
const TIME_LIMIT_MS = 75_000;
const TEST_TIMEOUT_MS = 90_000;
const replay = process.env['HUDDLE_FC_SEED']
  ? { seed: Number(process.env['HUDDLE_FC_SEED']), path: process.env['HUDDLE_FC_PATH'], endOnFailure: true }
  : {};

let ts: TestServer;
/** Where the previous run's pulls ended: each run reads only what came after (its own fresh items), so a run costs the same at the 1st and the 25th. */
let cursor: string | undefined;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

describe('sync under an unreliable network', () => {
  it(
    'converges to the model: last vote per item per device, one post per create',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, async ({ queues, steps }) => {
          const seeded = await seedConversation(ts.server.storage);
          const items = await Promise.all(
            Array.from({ length: ITEMS }, () => seedIdea(ts.server.storage, seeded)),
          );
          const devices = await Promise.all(
            queues.map(async (ops) => {
              const client = HttpClient.as(ts.url, await createTestAccount(ts.server.storage, ts.dataDir));
              const mutations: MutationInput[] = ops.map((op) =>
                op.type === 'idea' ? ideaCreate(seeded) : voteSet(seeded, items[op.item]!, op.value),
              );
              return { client, ops, mutations, acked: 0, inFlight: [] as MutationInput[][] };
            }),
          );

          const acknowledge = (d: (typeof devices)[number], batch: MutationInput[], statuses: string[]) => {
            expect(statuses.every((s) => s === 'applied' || s === 'duplicate')).toBe(true);
            d.acked = Math.max(d.acked, d.mutations.indexOf(batch.at(-1)!) + 1);
          };
          for (const step of steps) {
            const d = devices[step.device]!;
            if (step.action === 'stale') {
              // An old request the network held back arrives now; nobody reads the answer.
              if (d.inFlight.length > 0) await push(d.client, d.inFlight[step.pick % d.inFlight.length]!);
              continue;
            }
            const batch = d.mutations.slice(d.acked, d.acked + step.size);
            if (batch.length === 0) continue;
            d.inFlight.push(batch);
            if (step.action === 'ok')
              acknowledge(
                d,
                batch,
                (await push(d.client, batch)).results.map((r) => r.status),
              );
            else if (step.action === 'lost')
              await push(d.client, batch); // applied, answer lost
            else if (step.action === 'twice') {
              const [a] = await Promise.all([push(d.client, batch), push(d.client, batch)]);
              acknowledge(
                d,
                batch,
                a.results.map((r) => r.status),
              );
            }
            // 'dropped': never delivered now; may arrive later as 'stale'.
          }
          // Back online for good: each outbox drains.
          for (const d of devices) {
            while (d.acked < d.mutations.length) {
              const batch = d.mutations.slice(d.acked, d.acked + 3);
              acknowledge(
                d,
                batch,
                (await push(d.client, batch)).results.map((r) => r.status),
              );
            }
          }
          await devices[0]!.client.post('/api/test/release');

          // The model.
          const lastVote = devices.map((d) => {
            const last = new Map<number, VoteValue>();
            for (const op of d.ops) if (op.type === 'vote') last.set(op.item, op.value);
            return last;
          });
          const pulled = await pullAll(devices[0]!.client, cursor);
          for (let item = 0; item < ITEMS; item++) {
            const values = lastVote.map((l) => l.get(item));
            const tally = pulled.docs
              .filter((doc): doc is TallyDoc => doc.type === 'tally' && doc.itemId === items[item])
              .at(-1);
            expect({ likes: tally?.likes ?? 0, dislikes: tally?.dislikes ?? 0 }).toEqual({
              likes: values.filter((v) => v === 'like').length,
              dislikes: values.filter((v) => v === 'dislike').length,
            });
          }
          const ideas = pulled.docs.filter(
            (doc): doc is IdeaDoc => doc.type === 'idea' && doc.conversationId === seeded.conversationId,
          );
          const creates = queues.flat().filter((op) => op.type === 'idea').length;
          expect(ideas.length).toBe(ITEMS + creates);
          for (const [i, d] of devices.entries()) {
            // Public changes from where this run's pull ended, the person's own state from the start.
            const own = (await pullAll(d.client, ownFromStart(pulled.cursor))).ownVotes.filter((v) =>
              items.includes(v.itemId),
            );
            const expected = [...lastVote[i]!].map(([item, value]) => ({
              itemId: items[item]!,
              itemKind: 'idea',
              value,
            }));
            expect(own.sort((a, b) => a.itemId.localeCompare(b.itemId))).toEqual(
              expected.sort((a, b) => a.itemId.localeCompare(b.itemId)),
            );
          }
          cursor = pulled.cursor;
        }),
        {
          numRuns: RUNS[ts.server.storage.kind],
          plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS, { failOnInterrupt: true })],
          ...replay,
        },
      );
    },
  );
});
