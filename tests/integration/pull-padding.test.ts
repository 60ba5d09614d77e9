/**
 * Pull answers carry the caller's own changes (a post waiting for its batch, a vote, a draft) beside the
 * released public changes everyone pulling the same release gets. A proxy sees sizes: the own part is
 * padded to whole buckets, so the pull of a person who just voted or posted weighs what a colleague's
 * pull of the same release weighs. Without the padding the two answers differ by what the person did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/src/protocol.js';
import { PULL_OWN_PAD_BUCKET_BYTES } from '../../shared/src/sync/padding.js';
import { createTestAccount } from '../support/accounts.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import { ideaCreate, push, seedConversation, seedIdea, voteSet } from './sync-fixtures.js';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ RELEASE_INTERVAL_SECONDS: '3600' });
});
afterAll(async () => {
  await ts?.close();
});

const pullOnce = async (client: HttpClient, cursor?: string) => {
  const params = new URLSearchParams({ protocol: String(PROTOCOL_VERSION), ...(cursor ? { cursor } : {}) });
  const res = await client.get(`/api/sync/pull?${params}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toMatch(/no-transform/);
  return {
    body: res.body as { cursor: string; own: unknown; pad: string },
    bytes: Buffer.byteLength(res.text),
  };
};

describe('pull answer sizes', () => {
  it('weigh the same for a person who just voted and posted as for a colleague who did nothing', async () => {
    const seeded = await seedConversation(ts.server.storage, 'live', { releaseMinContributors: 3 });
    const itemId = await seedIdea(ts.server.storage, seeded);
    const active = HttpClient.as(ts.url, await createTestAccount(ts.server.storage, ts.dataDir));
    const idle = HttpClient.as(ts.url, await createTestAccount(ts.server.storage, ts.dataDir));
    const [a, b] = [await pullOnce(active), await pullOnce(idle)];

    // The post and the vote wait for k people: only the person's own part of the answer grows.
    await push(active, [
      voteSet(seeded, itemId, 'like'),
      ideaCreate(seeded, 'A title', 'Some words of an idea.'),
    ]);
    const [afterA, afterB] = [await pullOnce(active, a.body.cursor), await pullOnce(idle, b.body.cursor)];
    const ownBytes = (r: { body: { own: unknown; pad: string } }) =>
      Buffer.byteLength(JSON.stringify(r.body.own)) + r.body.pad.length;
    expect(JSON.stringify(afterA.body.own)).toContain('A title');
    expect(ownBytes(afterA) % PULL_OWN_PAD_BUCKET_BYTES).toBe(0);
    expect(ownBytes(afterA)).toBe(ownBytes(afterB));
    // Whole answers: the same but for the cursor each device holds (its own-log position).
    const cursorBytes = (r: { body: { cursor: string } }) => Buffer.byteLength(r.body.cursor);
    expect(afterA.bytes - cursorBytes(afterA)).toBe(afterB.bytes - cursorBytes(afterB));
  });
});
