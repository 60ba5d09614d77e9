/**
 * All configuration comes from the environment (documented in the README with defaults).
 * Nothing needed for correctness lives in a server's memory: secrets are configuration,
 * shared by all instances; only the single-instance default generates them on disk.
 */
import path from 'node:path';
import { z } from 'zod';

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
  HUDDLE_VAULT_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'HUDDLE_VAULT_KEY must be 64 hex characters')
    .optional(),
  HUDDLE_DEMO: bool,
  HUDDLE_TEST_HOOKS: bool,
  RELEASE_INTERVAL_SECONDS: z.coerce.number().min(0).default(120),
  DIGEST_INTERVAL_MINUTES: z.coerce.number().min(0).default(60),
  SESSION_DAYS: z.coerce.number().int().min(1).default(180),
  LOGIN_CODE_MINUTES: z.coerce.number().int().min(1).default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool,
  PWA_DIST_DIR: z.string().default('pwa/dist'),
  VAPID_PUBLIC_KEY: z.string().optional(),
  VAPID_PRIVATE_KEY: z.string().optional(),
  VAPID_SUBJECT: z.string().optional(),
});

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
  vaultKeyHex?: string;
  isDemo: boolean;
  hasTestHooks: boolean;
  releaseIntervalMs: number;
  /** Comment digest e-mails (notify/comment-digest.ts); 0 turns the timer off. */
  digestIntervalMs: number;
  sessionDays: number;
  loginCodeMinutes: number;
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
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    dataDir: path.resolve(e.HUDDLE_DATA_DIR),
    couchdbUrl: e.COUCHDB_URL,
    couchdbPrefix: e.COUCHDB_DB_PREFIX,
    smtpUrl: e.SMTP_URL || undefined,
    mailFrom: e.MAIL_FROM,
    secret: e.HUDDLE_SECRET,
    vaultKeyHex: e.HUDDLE_VAULT_KEY,
    isDemo: e.HUDDLE_DEMO,
    hasTestHooks: e.HUDDLE_TEST_HOOKS,
    releaseIntervalMs: e.RELEASE_INTERVAL_SECONDS * 1000,
    digestIntervalMs: e.DIGEST_INTERVAL_MINUTES * 60_000,
    sessionDays: e.SESSION_DAYS,
    loginCodeMinutes: e.LOGIN_CODE_MINUTES,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    pwaDistDir: path.resolve(e.PWA_DIST_DIR),
    vapidPublicKey: e.VAPID_PUBLIC_KEY || undefined,
    vapidPrivateKey: e.VAPID_PRIVATE_KEY || undefined,
    vapidSubject: e.VAPID_SUBJECT || undefined,
  };
}
