/**
 * All configuration comes from the environment (documented in the README with defaults).
 * Nothing needed for correctness lives in a server's memory: secrets are configuration,
 * shared by all instances; only the single-instance default generates them on disk, in the
 * keys directory (never in the data directory: see secrets.ts).
 */
import path from 'node:path';
import { z } from 'zod';
import { editReleaseSchema, type EditRelease } from '../../shared/src/api.js';
import { DEFAULT_NETWORK_PER_MINUTE, DEFAULT_SERVICE_PER_MINUTE } from './auth/login-budgets.js';
import { checkSchedule } from './notify/notice-schedule.js';

/** A whole number of login tries a minute, at least 1 (auth/login-budgets.ts). */
const perMinute = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number of tries a minute` })
    .int(`${name} must be a whole number of tries a minute`)
    .min(1, `${name} must be at least 1`)
    .default(fallback);

const bool = z
  .enum(['0', '1', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  HUDDLE_DATA_DIR: z.string().default('./data'),
  COUCHDB_URL: z.url().optional(),
  COUCHDB_DB_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_$()+/-]*$/)
    .default('huddle_'),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Huddle <no-reply@huddle.invalid>'),
  HUDDLE_SECRET: z.string().min(32).optional(),
  HUDDLE_LINKING_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'HUDDLE_LINKING_KEY must be 64 hex characters')
    .optional(),
  /** The linking key's name before issue 7: still read, with a warning at start. */
  HUDDLE_VAULT_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'HUDDLE_VAULT_KEY must be 64 hex characters')
    .optional(),
  HUDDLE_KEYS_DIR: z.string().min(1).optional(),
  NODE_ENV: z.string().optional(),
  HUDDLE_DEMO: bool,
  HUDDLE_TEST_HOOKS: bool,
  RELEASE_INTERVAL_SECONDS: z.coerce.number().min(0).default(120),
  EDIT_RELEASE: editReleaseSchema.default('daily'),
  NOTICE_TIME: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'NOTICE_TIME must be a 24-hour time like 17:00')
    .default('17:00'),
  NOTICE_TIME_ZONE: z
    .string()
    .refine(isTimeZone, 'NOTICE_TIME_ZONE must be an IANA time zone like Europe/London')
    .default('Europe/London'),
  /** Deprecated (the comment digest became the daily notice): accepted, ignored, warned about. */
  DIGEST_INTERVAL_MINUTES: z.string().optional(),
  SESSION_DAYS: z.coerce.number().int().min(1).default(180),
  LOGIN_CODE_MINUTES: z.coerce.number().int().min(1).default(30),
  LOGIN_NETWORK_PER_MINUTE: perMinute('LOGIN_NETWORK_PER_MINUTE', DEFAULT_NETWORK_PER_MINUTE),
  LOGIN_SERVICE_PER_MINUTE: perMinute('LOGIN_SERVICE_PER_MINUTE', DEFAULT_SERVICE_PER_MINUTE),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool,
  PWA_DIST_DIR: z.string().default('pwa/dist'),
  VAPID_PUBLIC_KEY: z.string().optional(),
  VAPID_PRIVATE_KEY: z.string().optional(),
  VAPID_SUBJECT: z.string().optional(),
});

function isTimeZone(zone: string): boolean {
  try {
    checkSchedule({ time: '00:00', timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export type Env = z.input<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  couchdbUrl?: string;
  couchdbPrefix: string;
  smtpUrl?: string;
  mailFrom: string;
  secret?: string;
  /** HUDDLE_LINKING_KEY (or the deprecated HUDDLE_VAULT_KEY): 64 hex characters. */
  linkingKeyHex?: string;
  /** Where a single machine keeps the keys it generated (secrets.ts); never inside dataDir. */
  keysDir: string;
  /** NODE_ENV=production: keys must come from configuration or an existing keys directory. */
  isProduction: boolean;
  /** Said once at start (deprecated names and the like). */
  warnings: string[];
  isDemo: boolean;
  hasTestHooks: boolean;
  releaseIntervalMs: number;
  /**
   * 'daily': edits and withdrawals of published posts reach others once a day at the notice time
   * (sync/releaser.ts, EditPolicy); 'every-batch': with the next batch (weaker against a proxy log).
   */
  editRelease: EditRelease;
  /** The daily notice (notify/daily-notice.ts): "HH:MM" in an IANA zone, across DST. */
  notice: { time: string; timeZone: string };
  /** Settings still given that no longer do anything: the server logs a warning for each at start. */
  deprecations: string[];
  sessionDays: number;
  loginCodeMinutes: number;
  /**
   * Per server process (auth/login-budgets.ts): code requests and code checks a minute each, per
   * network address and service-wide. With N instances the real limits are N times these.
   */
  loginBudgets: { networkPerMinute: number; servicePerMinute: number };
  logLevel: string;
  trustProxy: boolean;
  pwaDistDir: string;
  /** Web push (notify/web-push.ts): both keys, or neither for keys generated in the data dir. */
  vapidPublicKey?: string;
  vapidPrivateKey?: string;
  /** mailto: or https: contact the push services may use; defaults to PUBLIC_URL. */
  vapidSubject?: string;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  const e = parsed.data;
  const warnings: string[] = [];
  if (e.HUDDLE_VAULT_KEY) {
    if (e.HUDDLE_LINKING_KEY && e.HUDDLE_LINKING_KEY.toLowerCase() !== e.HUDDLE_VAULT_KEY.toLowerCase())
      throw new Error(
        'Invalid configuration:\n  HUDDLE_VAULT_KEY: differs from HUDDLE_LINKING_KEY (its new name): set only HUDDLE_LINKING_KEY',
      );
    warnings.push(
      'HUDDLE_VAULT_KEY is deprecated: rename it to HUDDLE_LINKING_KEY in the configuration (same value).',
    );
  }
  const dataDir = path.resolve(e.HUDDLE_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    dataDir,
    couchdbUrl: e.COUCHDB_URL,
    couchdbPrefix: e.COUCHDB_DB_PREFIX,
    smtpUrl: e.SMTP_URL || undefined,
    mailFrom: e.MAIL_FROM,
    secret: e.HUDDLE_SECRET,
    linkingKeyHex: (e.HUDDLE_LINKING_KEY ?? e.HUDDLE_VAULT_KEY)?.toLowerCase(),
    keysDir: path.resolve(e.HUDDLE_KEYS_DIR ?? defaultKeysDir(dataDir)),
    isProduction: e.NODE_ENV === 'production',
    warnings,
    isDemo: e.HUDDLE_DEMO,
    hasTestHooks: e.HUDDLE_TEST_HOOKS,
    releaseIntervalMs: e.RELEASE_INTERVAL_SECONDS * 1000,
    editRelease: e.EDIT_RELEASE,
    notice: { time: e.NOTICE_TIME, timeZone: e.NOTICE_TIME_ZONE },
    deprecations:
      e.DIGEST_INTERVAL_MINUTES === undefined
        ? []
        : [
            'DIGEST_INTERVAL_MINUTES is no longer used and is ignored: notices go once a day at NOTICE_TIME ' +
              '(see the README, "Notices"). Remove it from the configuration.',
          ],
    sessionDays: e.SESSION_DAYS,
    loginCodeMinutes: e.LOGIN_CODE_MINUTES,
    loginBudgets: {
      networkPerMinute: e.LOGIN_NETWORK_PER_MINUTE,
      servicePerMinute: e.LOGIN_SERVICE_PER_MINUTE,
    },
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    pwaDistDir: path.resolve(e.PWA_DIST_DIR),
    vapidPublicKey: e.VAPID_PUBLIC_KEY || undefined,
    vapidPrivateKey: e.VAPID_PRIVATE_KEY || undefined,
    vapidSubject: e.VAPID_SUBJECT || undefined,
  };
}

/**
 * The keys directory a single machine uses when HUDDLE_KEYS_DIR is unset: beside the data directory,
 * never inside it. `./data` gives `./keys`; any other data directory `X` gives `X-keys`, so two data
 * directories on one machine never share (or overwrite) each other's keys.
 */
export function defaultKeysDir(dataDir: string): string {
  const name = path.basename(dataDir);
  return path.join(path.dirname(dataDir), name === 'data' ? 'keys' : `${name}-keys`);
}
