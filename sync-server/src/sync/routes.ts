/**
 * The sync API: push (exactly-once mutations), pull (incremental, opaque cursor), the live
 * channel, and the batch releaser's timer. With RELEASE_INTERVAL_SECONDS=0 every push is
 * released before it is answered (tests); with test hooks, POST /api/test/release drives it.
 */
import type { FastifyInstance } from 'fastify';
import {
  pullQuerySchema,
  pullResponseSchema,
  pushBodySchema,
  pushResponseSchema,
  type PullResponse,
  type PushResponse,
} from '../../../shared/src/api.js';
import { assertCanRead } from '../../../shared/src/authorization.js';
import {
  checkProtocol,
  LIMITS,
  MIN_CLIENT_PROTOCOL,
  PROTOCOL_VERSION,
} from '../../../shared/src/protocol.js';
import { padPullAnswer, padPushAnswer } from '../../../shared/src/sync/padding.js';
import { requireSession } from '../auth/sessions.js';
import type { Deps } from '../deps.js';
import { HttpError } from '../http/errors.js';
import { route } from '../http/route.js';
import { registerEvents } from './events.js';
import { runInPushScope } from './faults.js';
import { decodeCursor, pull } from './pull.js';
import { applyMutations } from './push.js';
import { createSerialReleaser, releaseBatch } from './releaser.js';

function assertProtocol(clientVersion: number): void {
  const incompatibility = checkProtocol(clientVersion);
  if (incompatibility) {
    throw new HttpError(
      409,
      incompatibility,
      `This server speaks sync protocol ${MIN_CLIENT_PROTOCOL}-${PROTOCOL_VERSION}; the app sent ${clientVersion}.`,
    );
  }
}

/** Where to start looking for a free own-log slot; a cursor we cannot read just means 'from the start'. */
function safeLogHint(cursor: string): number {
  try {
    return decodeCursor(cursor).log;
  } catch {
    return 0;
  }
}

export async function registerSyncRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const editPolicy = deps.config.editRelease === 'daily' ? { schedule: deps.config.notice } : undefined;
  const releaser = createSerialReleaser(() => releaseBatch({ ...deps, editPolicy }));
  // After a push, through the push's own logger: its time is coarse (http/request-log.ts).
  const releaseQuietly = (log: Pick<Deps['log'], 'error'> = deps.log) =>
    releaser.release().catch((err: unknown) => {
      log.error(
        { err: { name: (err as Error).name, message: (err as Error).message } },
        'batch release failed',
      );
    });

  route(
    app,
    {
      method: 'POST',
      url: '/api/sync/push',
      summary: 'Apply queued mutations, each at most once ever',
      tag: 'sync',
      access: 'session (each kind of change says which roles may make it)',
      body: pushBodySchema,
      bodyLimit: LIMITS.pushBodyBytes,
      response: pushResponseSchema,
    },
    async ({ body, request, reply }) => {
      request.log.debug({ mutations: body.mutations.length }, 'sync push received');
      // The answer is padded to a bucket: a reverse proxy that compressed it would undo that.
      void reply.header('cache-control', 'no-store, no-transform');
      const session = await requireSession(deps, request);
      // Every signed-in role may push; each mutation's own kind says who may make it (a refusal is
      // that mutation's answer, so a sponsor's device never sticks on a batch-wide 403).
      assertCanRead(session.roles);
      assertProtocol(body.protocolVersion);
      if (body.person !== undefined && body.person.trim().toLowerCase() !== session.email.toLowerCase()) {
        throw new HttpError(
          409,
          'wrong-person',
          'These changes were made by someone else on this device: they are never sent with your session.',
        );
      }
      const logHint = body.cursor === undefined ? 0 : safeLogHint(body.cursor);
      const results = await runInPushScope(() => applyMutations(deps, session, body.mutations, { logHint }));
      if (deps.config.releaseIntervalMs === 0) await releaseQuietly(request.log);
      request.log.debug('sync push answered');
      // Padded like the request: a proxy cannot tell an answer with a new id or a rejection from a vote's.
      return padPushAnswer({ results }) satisfies PushResponse;
    },
  );

  route(
    app,
    {
      method: 'GET',
      url: '/api/sync/pull',
      summary: 'Released public changes since a cursor, plus the caller’s own votes and pending posts',
      tag: 'sync',
      access: 'session',
      query: pullQuerySchema,
      response: pullResponseSchema,
    },
    async ({ query, request, reply }) => {
      const session = await requireSession(deps, request);
      assertCanRead(session.roles);
      // The app sends its protocol; a tool or script that does not is answered in the current one.
      assertProtocol(query.protocol ?? PROTOCOL_VERSION);
      request.log.debug('sync pull answered');
      // Its own part is padded: a proxy must not see who just voted or posted by their pull's size.
      void reply.header('cache-control', 'no-store, no-transform');
      return padPullAnswer(await pull(deps, session.accountId, query)) satisfies PullResponse;
    },
  );

  registerEvents(app, deps);

  if (deps.config.hasTestHooks) {
    route(
      app,
      {
        method: 'POST',
        url: '/api/test/release',
        summary: 'Test only: release a batch now',
        tag: 'test',
        access: 'test hooks',
      },
      async () => releaser.release(),
    );
  }

  let timer: NodeJS.Timeout | undefined;
  if (deps.config.releaseIntervalMs > 0) {
    timer = setInterval(() => void releaseQuietly(), deps.config.releaseIntervalMs);
    timer.unref();
  }
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await releaser.idle();
  });
}
