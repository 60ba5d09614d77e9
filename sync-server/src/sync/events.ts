/**
 * GET /api/sync/events: the live channel (server-sent events). It announces released
 * batches only (`event: batch`, data `{ seq }` where seq is a pull cursor), never single
 * writes: timing is identity. Batches released by this instance arrive through the notifier;
 * batches released by other instances are noticed by polling the public update sequence
 * while at least one client is connected. All streams end in 'preClose' so a graceful
 * shutdown does not wait for them; a stream still being opened (session check) when the
 * shutdown begins is answered 503 instead of opened, or server.close() would wait for it for ever.
 *
 * At most MAX_STREAMS_PER_SESSION streams are open per session (per instance): one more is
 * refused with 429 and a message, so a script holding a session cannot pin the server's sockets
 * and timers (the PWA opens one per tab, and after a refusal tries again only after its next
 * successful sync, see pwa/src/data/sync-engine.ts). HEAD answers the headers without a stream.
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
export const MAX_STREAMS_PER_SESSION = 4;

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
};

export function registerEvents(app: FastifyInstance, deps: Deps): void {
  const streams = new Set<ServerResponse>();
  const perSession = new Map<string, number>();
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
      if (request.method === 'HEAD') return reply.status(200).headers(STREAM_HEADERS).send();
      if (lastSeq === undefined) lastSeq = await deps.storage.db('public').updateSeq();
      // The awaits above can outlast the start of a shutdown ('preClose' has then ended the
      // streams it knew of) or the client: open nothing that nobody would ever end.
      if (isClosing) throw new HttpError(503, 'shutting-down', 'The server is restarting. Please try again.');
      const open = perSession.get(session.sessionDocId) ?? 0;
      if (open >= MAX_STREAMS_PER_SESSION)
        throw new HttpError(
          429,
          'too-many-streams',
          `At most ${MAX_STREAMS_PER_SESSION} live updates can be open at once for one login: ` +
            'close another Huddle tab or window. This one still syncs, without live updates.',
        );
      reply.hijack();
      const res = reply.raw;
      if (res.destroyed) return; // its 'close' has been and gone: it would never leave `streams`
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        ...STREAM_HEADERS,
        connection: 'keep-alive',
      });
      res.write('retry: 5000\n\n');
      streams.add(res);
      perSession.set(session.sessionDocId, open + 1);
      startTimers();
      res.on('close', () => {
        // The client went away: drop the half-open socket too, or server.close() waits for it.
        res.socket?.destroy();
        if (streams.delete(res)) {
          const left = (perSession.get(session.sessionDocId) ?? 1) - 1;
          if (left > 0) perSession.set(session.sessionDocId, left);
          else perSession.delete(session.sessionDocId);
        }
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
    perSession.clear();
  });
}
