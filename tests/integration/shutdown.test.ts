/**
 * Graceful shutdown: SIGTERM while a push is in flight still answers that push in full
 * (every mutation applied and receipted), then the process exits 0. A phone whose request
 * was cut off would retry anyway, but a deploy must not turn into a wave of retries.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/src/protocol.js';
import { PouchStorage } from '../../sync-server/src/storage/pouch-adapter.js';
import { createTestAccount } from '../support/accounts.js';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { seedConversation } from '../support/seed.js';
import { HttpClient, makeTempDir } from '../support/test-server.js';
import { withDeadline } from '../support/wait.js';

describe('graceful shutdown', () => {
  const dataDir = makeTempDir('huddle-shutdown-');
  let child: ChildServer | undefined;
  afterAll(async () => {
    await child?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes an in-flight push before exiting on SIGTERM', async () => {
    const storage = new PouchStorage({ dataDir });
    await storage.init();
    const seeded = await seedConversation(storage, {
      ideaTitles: ['A', 'B', 'C'].map((t) => `Idea ${t} title`),
    });
    const accounts = [];
    for (let i = 0; i < 5; i++)
      accounts.push(await createTestAccount(storage, dataDir, { env: { HUDDLE_DATA_DIR: dataDir } }));
    await storage.close();

    // debug: sync calls have no request lines (their times would date each push), only debug lines.
    child = await startChildServer({ HUDDLE_DATA_DIR: dataDir, LOG_LEVEL: 'debug' });
    const conversationId = seeded.conversation.id;
    const batch = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: crypto.randomUUID(),
        kind: 'vote.set',
        conversationId,
        itemKind: 'idea',
        itemId: seeded.ideas[i % 3]!.id,
        value: i % 2 ? 'like' : 'dislike',
      }));
    // Five devices push 100 changes each at once: the server is busy for a while.
    let killedAt = 0;
    const answeredAt: number[] = [];
    const inFlight = accounts.map(async (account) => {
      const client = HttpClient.as(child!.url, account);
      const res = await client.post('/api/sync/push', {
        protocolVersion: PROTOCOL_VERSION,
        mutations: batch(100),
      });
      answeredAt.push(performance.now());
      return res;
    });
    // Signal once the server has received all five requests (they are then in flight).
    const received = (output: string) => output.split('"msg":"sync push received"').length - 1;
    await child.waitForOutput(
      (output) => received(output) >= 5,
      'the server to log all five pushes arriving',
    );
    killedAt = performance.now();
    child.process.kill('SIGTERM');
    const responses = await Promise.all(inFlight);
    // At least one push was still being applied when the signal came (else this proves nothing).
    expect(Math.max(...answeredAt)).toBeGreaterThan(killedAt);
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.body.results).toHaveLength(100);
      expect(res.body.results.every((r: { status: string }) => r.status === 'applied')).toBe(true);
    }
    const exit = await withDeadline(child.exited, 30_000, 'the server to exit after SIGTERM');
    expect(exit.code).toBe(0);
    expect(child.output()).toContain('shutting down');

    const after = new PouchStorage({ dataDir });
    try {
      const receipts = await after.db('private').list({ prefix: 'receipt:' });
      expect(receipts).toHaveLength(500);
    } finally {
      await after.close();
    }
  });
});
