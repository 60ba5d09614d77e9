/**
 * Known and unknown addresses take the same time on the auth routes: someone timing the answers
 * must not learn who is invited. Invited addresses (each with a live code, so there is a code
 * to compare with and a document to write) against addresses nobody invited, 200 requests each
 * per run, interleaved in random order within each pair, after a warm-up; the figures compared
 * are the medians of all runs' answers on each side, so a busy moment on a shared machine
 * moves both sides alike. Prints the figures, per run too.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import { createTestAccount } from '../support/accounts.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const PER_RUN = 200;
const RUNS = 5;
const WARM_UP = 50;
const ADDRESSES = 10;

let sink: SmtpSink;
let ts: TestServer;
let offsetMs = 0;
const invited = Array.from({ length: ADDRESSES }, (_, i) => `timing-known-${i}@trust.example`);
const unknown = Array.from({ length: ADDRESSES }, (_, i) => `timing-nobod-${i}@trust.example`);

beforeAll(async () => {
  sink = await startSmtpSink();
  // The clock moves on 100 ms per request, so the per-network budget never interferes.
  ts = await startTestServer({ SMTP_URL: sink.url }, undefined, {
    now: () => new Date(Date.now() + offsetMs),
  });
  const admin = await createTestAccount(ts.server.storage, ts.dataDir, { roles: ['admin'] });
  const res = await HttpClient.as(ts.url, admin).post('/api/admin/invites', {
    csv: invited.join('\n'),
    sendEmails: false,
  });
  expect(res.body.invited).toBe(ADDRESSES);
  for (const email of invited) await new HttpClient(ts.url).post('/api/auth/request-code', { email });
  for (const email of invited) await sink.waitFor(email, undefined, 30_000);
});

afterAll(async () => {
  await ts?.close();
  await sink?.close();
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Median answer times (ms) for invited and unknown addresses over interleaved runs. */
async function measure(path: string, body: (email: string) => unknown, expected: number) {
  const client = new HttpClient(ts.url);
  const once = async (email: string) => {
    offsetMs += 100;
    const t0 = performance.now();
    const res = await client.post(path, body(email));
    const ms = performance.now() - t0;
    expect(res.status).toBe(expected);
    return ms;
  };
  for (let i = 0; i < WARM_UP; i++) {
    await once(invited[i % ADDRESSES]!);
    await once(unknown[i % ADDRESSES]!);
  }
  const all = { invited: [] as number[], unknown: [] as number[] };
  const runs: string[] = [];
  for (let r = 0; r < RUNS; r++) {
    const known: number[] = [];
    const nobody: number[] = [];
    for (let i = 0; i < PER_RUN; i++) {
      if (Math.random() < 0.5) {
        known.push(await once(invited[i % ADDRESSES]!));
        nobody.push(await once(unknown[i % ADDRESSES]!));
      } else {
        nobody.push(await once(unknown[i % ADDRESSES]!));
        known.push(await once(invited[i % ADDRESSES]!));
      }
    }
    all.invited.push(...known);
    all.unknown.push(...nobody);
    runs.push(`${median(known).toFixed(2)}/${median(nobody).toFixed(2)}`);
  }
  const result = { invited: median(all.invited), unknown: median(all.unknown) };
  const gap = Math.abs(result.invited - result.unknown) / Math.min(result.invited, result.unknown);
  console.log(
    `${path}: medians over ${RUNS} interleaved runs of ${PER_RUN} each: invited ${result.invited.toFixed(2)} ms, ` +
      `unknown ${result.unknown.toFixed(2)} ms, gap ${(gap * 100).toFixed(1)}%; per run (invited/unknown) ` +
      runs.join(' '),
  );
  return gap;
}

describe('auth routes take the same time for invited and unknown addresses', () => {
  it('verify with a wrong code: medians within 10%', async () => {
    const gap = await measure('/api/auth/verify', (email) => ({ email, code: '000000' }), 400);
    expect(gap).toBeLessThan(0.1);
  });

  it('request-code: medians within 10%', async () => {
    const gap = await measure('/api/auth/request-code', (email) => ({ email }), 202);
    expect(gap).toBeLessThan(0.1);
  });
});
