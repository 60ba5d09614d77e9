/** Wires configuration to adapters and the app. Used by main.ts, the CLI and the tests. */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { buildApp } from './app.js';
import { loadSecrets, type Secrets } from './secrets.js';
import type { Storage } from './storage/port.js';
import { PouchStorage } from './storage/pouch-adapter.js';
import { NanoStorage } from './storage/nano-adapter.js';
import { assertCurrentStore } from './storage/store-version.js';
import { createMailer } from './mail/mailer.js';
import { createNotifier } from './sync/notifier.js';
import { withFaultHook } from './sync/faults.js';
import { seedDemo } from './demo/seed.js';
import { pino } from 'pino';

export function createStorage(config: Config): Storage {
  return config.couchdbUrl
    ? new NanoStorage({ url: config.couchdbUrl, prefix: config.couchdbPrefix })
    : new PouchStorage({ dataDir: config.dataDir });
}

export interface HuddleServer {
  app: FastifyInstance;
  storage: Storage;
  /** The keys this server derives its ids and tags from (tests drive the releaser with them). */
  secrets: Secrets;
  /** Stops accepting, finishes in-flight requests, closes mail and storage. */
  close(): Promise<void>;
}

export async function createServer(config: Config): Promise<HuddleServer> {
  // The fault hook is a no-op unless test hooks and HUDDLE_FAULT_KILL_AFTER_WRITES are set.
  const storage = withFaultHook(createStorage(config), config);
  await storage.init();
  await assertCurrentStore(storage).catch(async (err: unknown) => {
    await storage.close();
    throw err;
  });
  const secrets = loadSecrets(config);
  const bootLog = pino({ level: config.logLevel, base: undefined });
  const mailer = createMailer(config, bootLog);
  const notifier = createNotifier();
  const app = await buildApp({ config, storage, secrets, mailer, notifier, now: () => new Date() });
  if (config.isDemo)
    await seedDemo({ config, storage, secrets, mailer, notifier, log: app.log, now: () => new Date() });
  let isClosed = false;
  return {
    app,
    storage,
    secrets,
    async close() {
      if (isClosed) return;
      isClosed = true;
      await app.close();
      await mailer.close();
      await storage.close();
    },
  };
}
