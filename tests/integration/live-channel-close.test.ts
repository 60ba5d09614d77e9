/**
 * A graceful shutdown is never held open by the live channel (/api/sync/events): not by
 * streams already open, and not by streams that were still being set up (session check,
 * first update sequence) when close() began. Every client sees its stream end.
 */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createTestAccount } from '../support/accounts.js';
import { startTestServer } from '../support/test-server.js';
import { withDeadline } from '../support/wait.js';

/** Opens the live channel on a plain socket; resolves when the exchange is over, however it ended. */
function liveChannel(baseUrl: string, sessionToken: string) {
  return new Promise<string>((resolve) => {
    const req = http.get(`${baseUrl}/api/sync/events`, {
      agent: false,
      headers: { cookie: `huddle_session=${sessionToken}` },
    });
    req.on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    req.on('response', (res) => {
      res.resume();
      res.on('close', () => resolve(`status ${res.statusCode}`));
    });
  });
}

describe('live channel and shutdown', () => {
  it('close() ends streams that were still being opened when it began', async () => {
    for (let round = 0; round < 5; round++) {
      const ts = await startTestServer({ RELEASE_INTERVAL_SECONDS: '3600' });
      const account = await createTestAccount(ts.server.storage, ts.dataDir);
      // Open streams, then close while some are still in their session check: with no
      // end for those, close() waited for them for ever.
      let received = 0;
      const allReceived = new Promise<void>((resolve) =>
        ts.server.app.server.on('request', (req: http.IncomingMessage) => {
          if (req.url === '/api/sync/events' && ++received === 10) resolve();
        }),
      );
      const clients = Array.from({ length: 10 }, () => liveChannel(ts.url, account.sessionToken));
      await withDeadline(allReceived, 15_000, 'the server to receive 10 live-channel requests');
      await withDeadline(
        ts.close(),
        15_000,
        `server close (round ${round}) with live-channel requests in flight`,
      );
      const ends = await withDeadline(
        Promise.all(clients),
        15_000,
        'every live-channel client to see its stream end',
      );
      expect(ends).toHaveLength(10);
    }
  });
});
