/**
 * GET /api/sync/events: the live channel (server-sent events). It announces released
 * batches only (`event: batch`, data `{ seq }` where seq is a pull cursor), never single
 * writes: timing is identity. Batches released by this instance arrive through the notifier;
 * batches released by other instances are noticed by polling the public update sequence
 * while at least one client is connected. All streams end in 'preClose' so a graceful
 * shutdown does not wait for them; a stream still being opened (session check) when the
 * shutdown begins is answered 503 instead of opened, or server.close() would wait for it for ever.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { assertCanRead } from '../../../shared/src/authorization.js';
import { requireSession } from '../auth/sessions.js';
import type { Deps } from '../deps.js';
import { HttpError } from '../http/errors.js';
import { route } from '../http/route.js';
import { encodeCursor } from './pull.js';

const POLL_MS = 3_000;
const HEARTBEAT_MS = 25_000;

export function registerEvents(app: FastifyInstance, deps: Deps): void {
  const streams = new Set<ServerResponse>();
  let lastSeq: string | undefined;
  let poller: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let isClosing = false;

  const broadcast = (seq: string) => {
    if (seq === lastSeq) return;
    lastSeq = seq;
    const frame = `event: batch\ndata: ${JSON.stringify({ seq: encodeCursor({ seq, log: 0 }) })}\n\n`;
    for (const stream of streams) stream.write(frame);
  };
  const unsubscribe = deps.notifier.subscribe((event) => broadcast(event.seq));

  const poll = async () => {
    try {
      const seq = await deps.storage.db('public').updateSeq();
      if (lastSeq !== undefined) broadcast(seq);
      else lastSeq = seq;
    } catch (err) {
      deps.log.warn(
        { err: { message: (err as Error).message } },
        'live channel: polling the update sequence failed',
      );
    }
  };

  const startTimers = () => {
    poller ??= setInterval(() => void poll(), POLL_MS).unref();
    heartbeat ??= setInterval(() => {
      for (const stream of streams) stream.write(': keep-alive\n\n');
    }, HEARTBEAT_MS).unref();
  };
  const stopTimers = () => {
    clearInterval(poller);
    clearInterval(heartbeat);
    poller = heartbeat = undefined;
  };

  route(
    app,
    {
      method: 'GET',
      url: '/api/sync/events',
      summary: 'Live channel: announces released batches (SSE)',
      tag: 'sync',
      access: 'session',
    },
    async ({ request, reply }) => {
      const session = await requireSession(deps, request);
      assertCanRead(session.roles);
      if (lastSeq === undefined) lastSeq = await deps.storage.db('public').updateSeq();
      // The awaits above can outlast the start of a shutdown ('preClose' has then ended the
      // streams it knew of) or the client: open nothing that nobody would ever end.
      if (isClosing) throw new HttpError(503, 'shutting-down', 'The server is restarting. Please try again.');
      reply.hijack();
      const res = reply.raw;
      if (res.destroyed) return; // its 'close' has been and gone: it would never leave `streams`
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 5000\n\n');
      streams.add(res);
      startTimers();
      res.on('close', () => {
        // The client went away: drop the half-open socket too, or server.close() waits for it.
        res.socket?.destroy();
        streams.delete(res);
        if (streams.size === 0) stopTimers();
      });
    },
  );

  app.addHook('preClose', async () => {
    isClosing = true;
    unsubscribe();
    stopTimers();
    for (const stream of streams) stream.end();
    streams.clear();
  });
}
