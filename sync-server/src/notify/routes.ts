/**
 * Wires the comment digest: a timer every DIGEST_INTERVAL_MINUTES (0 = off), one run at a time in
 * this process, and with test hooks POST /api/test/digest to run it now. Also the web push routes.
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { route } from '../http/route.js';
import { sendCommentDigests, type DigestSummary } from './comment-digest.js';
import { registerPushRoutes } from './push-routes.js';

export async function registerNotify(app: FastifyInstance, deps: Deps): Promise<void> {
  registerPushRoutes(app, deps);
  let running: Promise<DigestSummary> | null = null;
  const runOnce = () => {
    running ??= sendCommentDigests(deps).finally(() => {
      running = null;
    });
    return running;
  };
  const runQuietly = () =>
    runOnce().catch((err: unknown) => {
      // A mail error's message can carry the address: log its kind only.
      const e = err as { name?: string; code?: string };
      deps.log.error({ err: { name: e?.name, code: e?.code } }, 'comment digest failed');
    });

  if (deps.config.hasTestHooks) {
    route(
      app,
      {
        method: 'POST',
        url: '/api/test/digest',
        summary: 'Test only: send comment digests now',
        tag: 'test',
        access: 'test hooks',
      },
      async () => runOnce(),
    );
  }

  let timer: NodeJS.Timeout | undefined;
  if (deps.config.digestIntervalMs > 0) {
    timer = setInterval(() => void runQuietly(), deps.config.digestIntervalMs);
    timer.unref();
  }
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running?.catch(() => undefined);
  });
}
