/** `npm start` / `npm run dev:server`: run one Huddle instance until SIGINT/SIGTERM. */
import { restrictNewFiles } from './file-modes.js';
import { loadConfig } from './config.js';
import { createServer } from './server.js';
import { DEMO_LOGINS } from './demo/seed.js';
import { KeysError } from './secrets.js';
import { OldStoreError } from './storage/store-version.js';

// Before anything is written: every file Huddle creates is 0600, every folder 0700 (file-modes.ts).
restrictNewFiles();
const config = loadConfig();
const server = await createServer(config).catch((err: unknown) => {
  // A store or keys this version cannot use: say why in one line, not with a stack trace.
  if (err instanceof OldStoreError || err instanceof KeysError) {
    process.stderr.write(`\n${err.message}\n\n`);
    process.exit(1);
  }
  throw err;
});
// Our own start-up line says where to open Huddle; Fastify's would log bare IP addresses.
await server.app.listen({ port: config.port, host: config.host, listenTextResolver: () => 'listening' });
const url = config.publicUrl;
const lines = [`Huddle is running at ${url}  (storage: ${server.storage.kind})`];
if (config.isDemo) {
  lines.push('Demo mode: log in with one of these e-mail addresses and the code shown:');
  for (const login of DEMO_LOGINS)
    lines.push(`  ${login.role.padEnd(12)} ${login.email.padEnd(36)} code ${login.code}`);
}
process.stdout.write(`\n${lines.join('\n')}\n\n`);

/**
 * A graceful close finishes in-flight requests; if something still holds it open after this long
 * (a connection nobody ends), say so and exit rather than linger until the orchestrator's SIGKILL.
 */
const SHUTDOWN_GRACE_MS = 25_000;

let isStopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (isStopping) return;
    isStopping = true;
    server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    setTimeout(() => {
      server.app.log.error(`shutdown did not finish within ${SHUTDOWN_GRACE_MS / 1000} s: exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    server
      .close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  });
}
