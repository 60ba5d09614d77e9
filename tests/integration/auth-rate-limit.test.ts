/** The per-IP limit on the code routes is a second layer on top of the per-address limits. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

it('one network that hammers the code routes gets 429 with a message, not a 500', async () => {
  const client = new HttpClient(ts.url);
  const statuses: number[] = [];
  let last;
  for (let i = 0; i < 70; i++) {
    last = await client.post('/api/auth/verify', { email: `nobody${i}@trust.example`, code: '123456' });
    statuses.push(last.status);
  }
  expect(statuses.slice(0, 60).every((s) => s === 400)).toBe(true);
  expect(statuses.slice(60).every((s) => s === 429)).toBe(true);
  expect(last!.body.message).toMatch(/Too many attempts/);
  // The limit covers request-code too (same layer).
  expect((await client.post('/api/auth/request-code', { email: 'a@trust.example' })).status).toBe(429);
});
