/**
 * Builds the Fastify app: security headers, CSRF rule, logging without identities,
 * error handling, the API route modules and (when built) the PWA's static files.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { Deps } from './deps.js';
import { HttpError, installErrorHandler } from './http/errors.js';
import { openApiDocument } from './http/route.js';
import { registerAuthRoutes } from './auth/routes.js';
import { registerAdminRoutes } from './admin/routes.js';
import { registerSyncRoutes } from './sync/routes.js';
import { registerRosterRoutes } from './moderation/roster-routes.js';
import { registerNotify } from './notify/routes.js';
import { PROTOCOL_VERSION } from '../../shared/src/protocol.js';

export const CSRF_HEADER = 'x-huddle-csrf';
const VERSION = '0.1.0';

export type AppDeps = Omit<Deps, 'log'>;

/** Fastify's default request log carries the IP and host; ours carries method and path only. */
const logSerializers = {
  req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
};

export async function buildApp(base: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: base.config.logLevel, serializers: logSerializers, base: undefined },
    bodyLimit: 256 * 1024,
    trustProxy: base.config.trustProxy,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    // Finish in-flight requests on close, but do not wait for idle keep-alive sockets.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  const deps: Deps = { ...base, log: app.log };

  installErrorHandler(app);

  // Graceful shutdown: requests in flight when close() starts are finished, and their
  // keep-alive connections are then closed instead of holding close() open until they time out.
  let isClosing = false;
  app.addHook('preClose', async () => {
    isClosing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (isClosing) void reply.header('connection', 'close');
    return payload;
  });
  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        manifestSrc: ["'self'"],
        workerSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
    hsts: base.config.publicUrl.startsWith('https:') ? { maxAge: 31_536_000 } : false,
  });

  // CSRF: state-changing API calls must carry a custom header (forms and other origins
  // cannot set it without a CORS preflight, which this server never grants) and, when
  // the browser sends an Origin, it must be ours. Session cookies are SameSite=Strict too.
  const ownOrigin = new URL(base.config.publicUrl).origin;
  app.addHook('onRequest', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
    if (!request.url.startsWith('/api/') && !request.url.startsWith('/login/')) return;
    const origin = request.headers.origin;
    if (
      origin &&
      origin !== ownOrigin &&
      origin !== `http://${request.headers.host}` &&
      origin !== `https://${request.headers.host}`
    ) {
      throw new HttpError(403, 'csrf', 'Cross-site request refused.');
    }
    if (request.url.startsWith('/login/')) return; // the link form carries its own one-time secret
    if (request.headers[CSRF_HEADER] !== '1') {
      throw new HttpError(403, 'csrf', `Missing ${CSRF_HEADER} header.`);
    }
  });

  app.get('/healthz', async (_req, reply) => {
    await base.storage.db('public').updateSeq();
    void reply.header('cache-control', 'no-store');
    return { status: 'ok', storage: base.storage.kind, protocolVersion: PROTOCOL_VERSION, version: VERSION };
  });

  await registerAuthRoutes(app, deps);
  await registerAdminRoutes(app, deps);
  await registerSyncRoutes(app, deps);
  await registerRosterRoutes(app, deps);
  await registerNotify(app, deps);

  app.get('/api/openapi.json', async () => openApiDocument(VERSION));

  await registerPwa(app, base.config.pwaDistDir);
  return app;
}

/** Serves the built PWA; unknown non-API GETs get index.html so deep links work offline-first. */
async function registerPwa(app: FastifyInstance, dist: string): Promise<void> {
  const index = path.join(dist, 'index.html');
  const isBuilt = fs.existsSync(index);
  if (!isBuilt) app.log.warn('PWA not built: run `npm run build` to serve the app from this server');
  else
    await app.register(fastifyStatic, {
      root: dist,
      wildcard: false,
      setHeaders(res, filePath) {
        const name = path.basename(filePath);
        if (
          name === 'sw.js' ||
          name === 'index.html' ||
          name.endsWith('.webmanifest') ||
          name.startsWith('workbox-')
        ) {
          void res.header('cache-control', 'no-cache');
        } else if (filePath.includes(`${path.sep}assets${path.sep}`)) {
          void res.header('cache-control', 'public, max-age=31536000, immutable');
        }
      },
    });
  app.setNotFoundHandler((request, reply) => {
    if (
      isBuilt &&
      request.method === 'GET' &&
      !request.url.startsWith('/api/') &&
      !path.extname(request.url.split('?')[0]!)
    ) {
      void reply.header('cache-control', 'no-cache').type('text/html').send(fs.createReadStream(index));
      return;
    }
    void reply.status(404).send({ error: 'not-found', message: 'Not found.' });
  });
}
