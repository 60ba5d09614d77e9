/** `npm start` / `npm run dev:server`: run one Huddle instance until SIGINT/SIGTERM. */
import { loadConfig } from './config.js';
import { createServer } from './server.js';
import { DEMO_LOGINS } from './demo/seed.js';

const config = loadConfig();
const server = await createServer(config);
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

let isStopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (isStopping) return;
    isStopping = true;
    server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    server
      .close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  });
}
