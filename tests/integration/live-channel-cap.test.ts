/**
 * The live channel (/api/sync/events) holds at most MAX_STREAMS_PER_SESSION open streams per
 * session: one more is refused with 429 and a message, another session is not affected, and a
 * closed stream frees its place. HEAD answers the headers and opens nothing. Real HTTP on
 * plain sockets, against a real server.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { withDeadline } from '../support/wait.js';
import { MAX_STREAMS_PER_SESSION } from '../../sync-server/src/sync/events.js';

let ts: TestServer;
let alice: TestAccount;
let bob: TestAccount;

interface Opened {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body so far (a refusal's whole JSON body once `ended`). */
  body: () => string;
  ended: Promise<void>;
  close(): void;
}

/** Opens the channel; resolves once the status is in and, for a stream, its first frame has arrived. */
function open(account: TestAccount | undefined, method = 'GET'): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${ts.url}/api/sync/events`, {
      method,
      agent: false,
      headers: account ? { cookie: `huddle_session=${account.sessionToken}` } : {},
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      const ended = new Promise<void>((done) => res.on('close', done));
      const opened = {
        status: res.statusCode!,
        headers: res.headers,
        body: () => body,
        ended,
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      const isStream = res.statusCode === 200 && method === 'GET';
      res.on('data', (chunk: string) => {
        body += chunk;
        if (isStream && body.includes('retry:')) resolve(opened);
      });
      if (!isStream) void ended.then(() => resolve(opened));
    });
    req.end();
  });
}

beforeAll(async () => {
  ts = await startTestServer({ RELEASE_INTERVAL_SECONDS: '3600' });
  alice = await createTestAccount(ts.server.storage, ts.dataDir);
  bob = await createTestAccount(ts.server.storage, ts.dataDir);
});

afterAll(async () => {
  await ts?.close();
});

describe('live channel: streams per session', () => {
  it(`opens ${MAX_STREAMS_PER_SESSION} streams for one session and refuses one more with 429 and a message`, async () => {
    const streams: Opened[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_SESSION; i++) {
      const s = await open(alice);
      expect(s.status).toBe(200);
      expect(s.headers['content-type']).toMatch(/^text\/event-stream/);
      streams.push(s);
    }
    const refused = await open(alice);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body()).message).toMatch(/close another Huddle tab/);

    // Someone else's session is not affected.
    const other = await open(bob);
    expect(other.status).toBe(200);
    other.close();

    // A stream that ends frees its place (the server notices the close on its own time: try until then).
    streams.shift()!.close();
    const reopened = await withDeadline(
      (async () => {
        for (;;) {
          const s = await open(alice);
          if (s.status === 200) return s;
          expect(s.status).toBe(429);
        }
      })(),
      15_000,
      'a place to free up after a stream closed',
    );
    streams.push(reopened);
    for (const s of streams) s.close();
  });

  it('HEAD answers the stream headers and ends, opening no stream', async () => {
    expect((await open(undefined, 'HEAD')).status).toBe(401);
    for (let i = 0; i < MAX_STREAMS_PER_SESSION * 3; i++) {
      const head = await withDeadline(open(bob, 'HEAD'), 10_000, 'a HEAD answer to end');
      expect(head.status).toBe(200);
      expect(head.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(head.body()).toBe('');
    }
    // None of them took a place: every stream of the session can still open.
    const streams: Opened[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_SESSION; i++) streams.push(await open(bob));
    expect(streams.map((s) => s.status)).toEqual(Array(MAX_STREAMS_PER_SESSION).fill(200));
    for (const s of streams) s.close();
  });
});
