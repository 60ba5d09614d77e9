/**
 * The server process of the attacker suite: sync-server/src/main.ts's start, with the routes' clock
 * (createServer's `now`) set by the test over IPC, so that simulated days pass in seconds: posts get
 * the simulated hour, the daily notice goes once per simulated day. Everything else is the real
 * server, and its log goes to stdout as in production (pino's own timestamps stay real: the suite's
 * timeline is the real one, the simulated clock only labels it).
 *
 * Messages: { type: 'set-time', at: <ms>, id } -> { type: 'time-set', id }.
 */
import { loadConfig } from '../../../sync-server/src/config.js';
import { createServer } from '../../../sync-server/src/server.js';

let offset = 0;
const now = () => new Date(Date.now() + offset);

const config = loadConfig();
const server = await createServer(config, { now });
await server.app.listen({ port: config.port, host: config.host, listenTextResolver: () => 'listening' });
process.stdout.write(`\nHuddle is running at ${config.publicUrl}  (storage: ${server.storage.kind})\n\n`);

process.on('message', (message: { type?: string; at?: number; id?: number }) => {
  if (message.type !== 'set-time' || typeof message.at !== 'number') return;
  offset = message.at - Date.now();
  process.send?.({ type: 'time-set', id: message.id });
});

let isStopping = false;
process.on('SIGTERM', () => {
  if (isStopping) return;
  isStopping = true;
  server
    .close()
    .then(() => process.exit(0))
    .catch(() => process.exit(1));
});
