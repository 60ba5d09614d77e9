/** Wires configuration to adapters and the app. Used by main.ts, the CLI and the tests. */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { buildApp } from './app.js';
import { checkKeyPlacement, type Secrets } from './secrets.js';
import { openStoreSecrets } from './key-record.js';
import { restrictNewFiles, tightenTree } from './file-modes.js';
import { relinkOldIds } from './sync/relink.js';
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
  // The data directory holds the embedded store and the dev mailbox: 0700, files 0600.
  restrictNewFiles();
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

export interface ServerOptions {
  /** The clock the routes read (deps.now); tests pass a fake one to play minutes in seconds. */
  now?: () => Date;
}

export async function createServer(config: Config, options: ServerOptions = {}): Promise<HuddleServer> {
  const now = options.now ?? (() => new Date());
  const bootLog = pino({ level: config.logLevel, base: undefined });
  const { warnings } = prepareDirectories(config);
  for (const warning of warnings) bootLog.warn(warning);
  // The fault hook is a no-op unless test hooks and HUDDLE_FAULT_KILL_AFTER_WRITES are set.
  const storage = withFaultHook(createStorage(config), config);
  await storage.init();
  let secrets: Awaited<ReturnType<typeof openStoreSecrets>>;
  try {
    await assertCurrentStore(storage);
    secrets = await openStoreSecrets(config, storage);
    const generated = Object.entries(secrets.source).filter(([, origin]) => origin === 'generated');
    if (generated.length > 0)
      bootLog.warn(
        `generated ${generated.map(([name]) => (name === 'secret' ? 'HUDDLE_SECRET' : 'the linking key')).join(' and ')} ` +
          `into ${config.keysDir}: back that folder up apart from the data (README, "Secrets and backups")`,
      );
    const { moved } = await relinkOldIds({ storage, secrets });
    if (moved > 0) bootLog.info(`moved ${moved} vault entries and push subscriptions to linking-key ids`);
  } catch (err) {
    await storage.close();
    throw err;
  }
  const mailer = createMailer(config, bootLog);
  const notifier = createNotifier();
  const app = await buildApp({ config, storage, secrets, mailer, notifier, now });
  if (config.isDemo) await seedDemo({ config, storage, secrets, mailer, notifier, log: app.log, now });
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

/**
 * Before the store opens: keys placed where they belong (secrets.ts; throws KeysError), the data
 * directory created 0700 and anything in it from an older run or a copy made 0600/0700.
 */
export function prepareDirectories(config: Config): { warnings: string[] } {
  restrictNewFiles();
  const warnings = [...config.warnings, ...checkKeyPlacement(config)];
  const tightened = tightenTree(config.dataDir);
  if (tightened > 0)
    warnings.push(
      `${config.dataDir}: ${tightened} file(s) or folder(s) could be read by other users on this machine; now 0700/0600.`,
    );
  return { warnings };
}
