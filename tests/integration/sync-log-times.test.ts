/**
 * The request log cannot date a push: after pushes, pulls, a live-channel visit and malformed sync
 * calls, the server's real log output (the child process's stdout, at debug level) holds no line
 * about a sync call with a time finer than the release interval, while other routes keep their
 * exact times (so the check would see a fine time if a sync line carried one).
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

/** Two hours: longer than the hour that is the floor, so the interval itself is what is checked. */
const INTERVAL_SECONDS = 7200;

describe('request log of sync calls', () => {
  const dataDir = makeTempDir('huddle-sync-log-');
  let child: ChildServer | undefined;
  afterAll(async () => {
    await child?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('never stamps a sync call with a time finer than the release interval', async () => {
    const storage = new PouchStorage({ dataDir });
    await storage.init();
    const seeded = await seedConversation(storage, { ideaTitles: ['Water fountains on every ward'] });
    const account = await createTestAccount(storage, dataDir, { env: { HUDDLE_DATA_DIR: dataDir } });
    await storage.close();
    child = await startChildServer({
      HUDDLE_DATA_DIR: dataDir,
      LOG_LEVEL: 'debug',
      RELEASE_INTERVAL_SECONDS: String(INTERVAL_SECONDS),
    });
    const client = HttpClient.as(child.url, account);
    const conversationId = seeded.conversation.id;
    for (let i = 0; i < 3; i++) {
      const res = await client.post('/api/sync/push', {
        protocolVersion: PROTOCOL_VERSION,
        mutations: [
          {
            id: crypto.randomUUID(),
            kind: 'vote.set',
            conversationId,
            itemKind: 'idea',
            itemId: seeded.ideas[0]!.id,
            value: i % 2 ? 'like' : 'dislike',
          },
        ],
      });
      expect(res.status).toBe(200);
    }
    expect((await client.get(`/api/sync/pull?protocol=${PROTOCOL_VERSION}`)).status).toBe(200);
    expect((await client.post('/api/sync/push', { protocolVersion: 'one', mutations: [] })).status).toBe(400);
    expect((await client.get('/api/sync/pull?cursor=%%%not-a-cursor')).status).toBe(400);
    // The live channel: opened, then dropped.
    const abort = new AbortController();
    const events = await fetch(`${child.url}/api/sync/events`, {
      headers: { cookie: account.cookie },
      signal: abort.signal,
    });
    expect(events.status).toBe(200);
    abort.abort();
    expect((await fetch(`${child.url}/healthz`)).status).toBe(200);
    await child.waitForOutput((out) => out.includes('"path":"/healthz"'), 'the health check to be logged');

    const lines = child
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => ({ raw: l, entry: JSON.parse(l) as Record<string, unknown> }));
    const isSync = (l: { raw: string; entry: Record<string, unknown> }) =>
      l.raw.includes('/api/sync') || l.entry.calls === 'sync' || String(l.entry.msg).startsWith('sync ');
    const syncLines = lines.filter(isSync);
    // The pushes and the pull were logged (debug lines), so there is something to check.
    expect(syncLines.filter((l) => l.entry.msg === 'sync push received').length).toBeGreaterThanOrEqual(3);
    expect(syncLines.some((l) => l.entry.msg === 'sync pull answered')).toBe(true);
    const granularity = INTERVAL_SECONDS * 1000;
    for (const { raw, entry } of syncLines) {
      const time = typeof entry.time === 'number' ? entry.time : Date.parse(String(entry.time));
      expect(Number.isFinite(time), raw).toBe(true);
      expect(time % granularity, `a sync line with a time finer than ${INTERVAL_SECONDS} s: ${raw}`).toBe(0);
    }
    // No per-request lines for sync calls; other routes keep theirs, with exact times.
    expect(
      syncLines.filter((l) => l.entry.msg === 'incoming request' || l.entry.msg === 'request completed'),
    ).toEqual([]);
    const health = lines.filter((l) => l.raw.includes('"path":"/healthz"'));
    expect(health.length).toBeGreaterThan(0);
    expect(health.every((l) => typeof l.entry.time === 'number')).toBe(true);
  });
});
