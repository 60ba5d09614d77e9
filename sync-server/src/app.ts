/**
 * Builds the Fastify app: security headers, CSRF rules, logging without identities,
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
import { installErrorHandler } from './http/errors.js';
import { csrfGuard } from './http/csrf.js';
import { loggingOptions } from './http/request-log.js';
import { openApiDocument } from './http/route.js';
import { registerAuthRoutes } from './auth/routes.js';
import { linkFormRefusedPage } from './auth/login-page.js';
import { registerAdminRoutes } from './admin/routes.js';
import { registerSyncRoutes } from './sync/routes.js';
import { registerRosterRoutes } from './moderation/roster-routes.js';
import { registerNotify } from './notify/routes.js';
import { PROTOCOL_VERSION } from '../../shared/src/protocol.js';

export { CSRF_HEADER } from './http/csrf.js';
const VERSION = '0.1.0';

export type AppDeps = Omit<Deps, 'log'>;

/** Fastify's default request log carries the IP and host; ours carries method and path only. */
const logSerializers = {
  req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
};

export async function buildApp(base: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Sync calls are logged without exact times (http/request-log.ts).
    ...loggingOptions(base.config, { serializers: logSerializers, base: undefined }),
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
  // A response already being sent when close() began missed the header above: once it is done, its
  // connection is idle, and would otherwise keep close() waiting for the keep-alive timeout (72 s).
  app.addHook('onResponse', async () => {
    if (isClosing) app.server.closeIdleConnections();
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

  // CSRF: the API wants a custom header, the e-mailed link's form a same-origin browser (see http/csrf.ts).
  app.addHook('onRequest', csrfGuard(new URL(base.config.publicUrl).origin, linkFormRefusedPage));

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

/**
 * Serves the built PWA; unknown non-API GETs get index.html so deep links work offline-first.
 * The build writes .br and .gz siblings (pwa/build/precompress.ts): the smallest one the
 * browser accepts is sent as is, with `Vary: Accept-Encoding`, and the plain file otherwise.
 */
async function registerPwa(app: FastifyInstance, dist: string): Promise<void> {
  const index = path.join(dist, 'index.html');
  const isBuilt = fs.existsSync(index);
  if (!isBuilt) app.log.warn('PWA not built: run `npm run build` to serve the app from this server');
  else
    await app.register(fastifyStatic, {
      root: dist,
      wildcard: false,
      preCompressed: true,
      // The siblings are only ever chosen by Accept-Encoding, never requested by name.
      globIgnore: ['**/*.br', '**/*.gz'],
      setHeaders(res, filePath) {
        // filePath is the file actually sent, e.g. sw.js.br for sw.js.
        const sent = filePath.replace(/\.(br|gz)$/, '');
        // Only content-hashed bundles may be kept: anything else (index.html, sw.js and the
        // workbox runtime, push-sw.js it imports, the manifest, icons) keeps its name across
        // releases, so the browser must revalidate it or it would miss an update.
        const isHashed = sent.startsWith(path.resolve(dist, 'assets') + path.sep);
        void res.header('cache-control', isHashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  app.setNotFoundHandler((request, reply) => {
    if (
      isBuilt &&
      request.method === 'GET' &&
      !request.url.startsWith('/api/') &&
      !path.extname(request.url.split('?')[0]!)
    ) {
      void reply.sendFile('index.html');
      return;
    }
    void reply.status(404).send({ error: 'not-found', message: 'Not found.' });
  });
}
