/**
 * The two keys, and everything derived from them.
 *
 * - HUDDLE_SECRET: keys for login codes, sessions, account ids (from the e-mail address) and the
 *   roster salt. Identity, never authorship: nothing about anyone's contributions can be computed
 *   with it. A Trust that hosts Huddle itself may hold it.
 * - The linking key (HUDDLE_LINKING_KEY; HUDDLE_VAULT_KEY before issue 7): seals the authorship vault
 *   and the own change logs, and derives every value that ties a person to what they did (`link()`:
 *   receipts, public ids of their posts, vault entry ids, voter pseudonyms, draft, report, answers,
 *   settings and push subscription ids, own-log slots, digest markers). Held by the facilitator,
 *   never stored in the data directory or in CouchDB, and destroyed at close-out (`npm run huddle --
 *   close-out`): then, with the data, every backup and HUDDLE_SECRET, nothing links, for good.
 *
 * Several instances get both from configuration. A single machine may instead keep them in the keys
 * directory (HUDDLE_KEYS_DIR, default `./keys` beside `./data`): one file each, mode 0600, folder
 * 0700, generated on the first start. The keys directory is backed up apart from the data (see the
 * README, "Secrets and backups"). Production (NODE_ENV=production) never generates keys, and refuses
 * a keys directory inside the data directory. A `secrets.json` in the data directory (where keys were
 * generated before issue 7) stops the start until it is moved out (`npm run huddle -- move-keys`):
 * moving it silently would leave the operator unaware that their data backups hold the keys.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { isInside, tightenTree } from './file-modes.js';

const PURPOSES = ['login-code', 'owner', 'session', 'roster'] as const;
type Purpose = (typeof PURPOSES)[number];

export const LINK_PURPOSES = [
  'receipt',
  'public-id',
  'voter',
  'draft',
  'report',
  'answers',
  'settings',
  'own-log',
  'digest',
  'vault-entry',
  'push-subscription',
  'contributor',
  'vote',
  'staged',
  'pending-vote',
] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

export type KeyOrigin = 'configuration' | 'keys directory' | 'generated';

export interface Secrets {
  /** HMAC-SHA256 of the parts under a purpose-specific key from HUDDLE_SECRET, base64url. Identity only. */
  hmac(purpose: Purpose, ...parts: string[]): string;
  /**
   * The same, under keys derived from the LINKING key: every value that ties a person to what they
   * did comes from here, so that destroying the linking key at close-out makes all of them
   * unlinkable for good, even with HUDDLE_SECRET, the data and every backup.
   */
  link(purpose: LinkPurpose, ...parts: string[]): string;
  /** The linking key itself, as the AES-256-GCM key that seals vault entries and own-log slots. */
  readonly vaultKey: crypto.KeyObject;
  /** First 12 hex characters of SHA-256 of the linking key: which key sealed an entry. */
  readonly vaultKeyId: string;
  readonly source: { secret: KeyOrigin; linkingKey: KeyOrigin };
}

/** A start that must not go on; the message says why and what to do (main.ts prints it alone). */
export class KeysError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeysError';
  }
}

export const SECRET_FILE = 'huddle-secret';
export const LINKING_KEY_FILE = 'linking-key';
/** Where keys were generated before issue 7 (inside the data directory). */
export const OLD_SECRETS_FILE = 'secrets.json';

export const keyFiles = (config: Pick<Config, 'keysDir'>) => ({
  secret: path.join(config.keysDir, SECRET_FILE),
  linkingKey: path.join(config.keysDir, LINKING_KEY_FILE),
});

export const keyIdOf = (linkingKeyHex: string) =>
  crypto.createHash('sha256').update(linkingKeyHex, 'hex').digest('hex').slice(0, 12);

export interface LoadOptions {
  /** Why a missing key must not be generated (the KeysError message). Unset: generated if missing. */
  mustNotGenerate?: { secret?: string; linkingKey?: string };
}

const isLinkingKey = (v: string) => /^[0-9a-f]{64}$/i.test(v);
const isSecret = (v: string) => v.length >= 32;

export function loadSecrets(config: Config, options: LoadOptions = {}): Secrets {
  const files = keyFiles(config);
  const production = (name: string) =>
    config.isProduction
      ? `NODE_ENV=production and ${name} is neither in the configuration nor in ${config.keysDir}: ` +
        'production never generates keys (a new key would cut everyone off from what they wrote). Set ' +
        `${name} in the configuration, or restore the keys directory from its backup, or create the keys ` +
        'once with `npm run huddle -- generate-keys` (see the README, "Secrets and backups").'
      : undefined;
  const secret: { value: string; origin: KeyOrigin } = config.secret
    ? { value: config.secret, origin: 'configuration' }
    : readOrCreateKey(files.secret, {
        name: 'HUDDLE_SECRET',
        fresh: () => crypto.randomBytes(32).toString('base64url'),
        isValid: isSecret,
        mustNotGenerate: options.mustNotGenerate?.secret ?? production('HUDDLE_SECRET'),
      });
  const linking: { value: string; origin: KeyOrigin } = config.linkingKeyHex
    ? { value: config.linkingKeyHex, origin: 'configuration' }
    : readOrCreateKey(files.linkingKey, {
        name: 'HUDDLE_LINKING_KEY',
        fresh: () => crypto.randomBytes(32).toString('hex'),
        isValid: isLinkingKey,
        mustNotGenerate: options.mustNotGenerate?.linkingKey ?? production('HUDDLE_LINKING_KEY'),
      });
  return secretsFrom(secret.value, linking.value.toLowerCase(), {
    secret: secret.origin,
    linkingKey: linking.origin,
  });
}

/** The derivations, from the two key values (also used by tests that play the attacker). */
export function secretsFrom(secret: string, linkingKeyHex: string, source: Secrets['source']): Secrets {
  const keys = new Map<Purpose, crypto.KeyObject>(
    PURPOSES.map((p) => [
      p,
      crypto.createSecretKey(new Uint8Array(crypto.hkdfSync('sha256', secret, 'huddle', p, 32))),
    ]),
  );
  const linkingRaw = new Uint8Array(Buffer.from(linkingKeyHex, 'hex'));
  const linkKeys = new Map<LinkPurpose, crypto.KeyObject>(
    LINK_PURPOSES.map((p) => [
      p,
      crypto.createSecretKey(new Uint8Array(crypto.hkdfSync('sha256', linkingRaw, 'huddle-link', p, 32))),
    ]),
  );
  const mac = (key: crypto.KeyObject, parts: string[]) => {
    const h = crypto.createHmac('sha256', key);
    for (const part of parts) h.update(`${part.length}:${part}|`);
    return h.digest('base64url');
  };
  return {
    hmac: (purpose, ...parts) => mac(keys.get(purpose)!, parts),
    link: (purpose, ...parts) => mac(linkKeys.get(purpose)!, parts),
    vaultKey: crypto.createSecretKey(linkingRaw),
    vaultKeyId: keyIdOf(linkingKeyHex),
    source,
  };
}

function readOrCreateKey(
  file: string,
  how: { name: string; fresh: () => string; isValid: (v: string) => boolean; mustNotGenerate?: string },
): { value: string; origin: KeyOrigin } {
  const read = () => {
    const value = fs.readFileSync(file, 'utf8').trim();
    if (!how.isValid(value)) throw new KeysError(`${file} does not hold a valid ${how.name}.`);
    return value;
  };
  try {
    return { value: read(), origin: 'keys directory' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (how.mustNotGenerate) throw new KeysError(how.mustNotGenerate);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, `${how.fresh()}\n`, { mode: 0o600, flag: 'wx' });
    return { value: read(), origin: 'generated' };
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { value: read(), origin: 'keys directory' };
    throw err;
  }
}

/**
 * Before anything opens the store: no keys in the data directory, none inside it in production, and
 * the keys directory 0700 with 0600 files. Answers warnings to log.
 */
export function checkKeyPlacement(config: Config): string[] {
  const warnings: string[] = [];
  const old = path.join(config.dataDir, OLD_SECRETS_FILE);
  if (fs.existsSync(old)) {
    throw new KeysError(
      `${old} holds HUDDLE_SECRET and the linking key inside the data directory (where Huddle kept them ` +
        'before): anyone with a copy of the data directory could tie every post and vote to its author. ' +
        'Stop the server and run `npm run huddle -- move-keys` (same environment): it moves both keys into ' +
        `${config.keysDir} (0700, files 0600) and deletes ${OLD_SECRETS_FILE}. Then back the keys directory ` +
        'up apart from the data, and destroy the data backups that still hold secrets.json.',
    );
  }
  const usesKeysDir = !config.secret || !config.linkingKeyHex;
  if (isInside(config.keysDir, config.dataDir)) {
    const why =
      `The keys directory ${config.keysDir} is inside the data directory ${config.dataDir}: every copy ` +
      'or backup of the data would carry the linking key, and with it who wrote what.';
    if (config.isProduction)
      throw new KeysError(
        `${why} NODE_ENV=production refuses this: set HUDDLE_KEYS_DIR outside HUDDLE_DATA_DIR (and outside its backups).`,
      );
    if (usesKeysDir) warnings.push(`${why} Set HUDDLE_KEYS_DIR outside HUDDLE_DATA_DIR.`);
  }
  if (usesKeysDir && fs.existsSync(config.keysDir)) {
    const tightened = tightenTree(config.keysDir);
    if (tightened > 0)
      warnings.push(
        `${config.keysDir}: ${tightened} file(s) or folder(s) could be read by other users on this machine; now 0700/0600.`,
      );
  }
  return warnings;
}

/** Overwrites a key file with random bytes, flushes, then deletes it (best a file system allows). */
export function destroyKeyFile(file: string): boolean {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, new Uint8Array(crypto.randomBytes(Math.max(size, 64))), 0, undefined, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.unlinkSync(file);
  syncDir(path.dirname(file));
  return true;
}

function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Not every platform can open a directory for fsync; the unlink stands regardless.
  }
}

/**
 * `npm run huddle -- move-keys`: the keys an older Huddle generated into `${dataDir}/secrets.json`
 * go to the keys directory, one file each, and the old file is overwritten and deleted. Refuses to
 * overwrite different keys already in the keys directory. Answers what it did, for the operator.
 */
export function moveOldKeys(config: Config): string {
  const old = path.join(config.dataDir, OLD_SECRETS_FILE);
  let parsed: { secret?: unknown; vaultKey?: unknown };
  try {
    parsed = JSON.parse(fs.readFileSync(old, 'utf8')) as typeof parsed;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `No ${old}: nothing to move.`;
    throw new KeysError(`${old} cannot be read as Huddle's keys: ${(err as Error).message}`);
  }
  const secret = typeof parsed.secret === 'string' ? parsed.secret : '';
  const linkingKey = typeof parsed.vaultKey === 'string' ? parsed.vaultKey.toLowerCase() : '';
  if (!isSecret(secret) || !isLinkingKey(linkingKey))
    throw new KeysError(`${old} does not hold a secret and a vault key: move it by hand.`);
  if (isInside(config.keysDir, config.dataDir))
    throw new KeysError(
      `HUDDLE_KEYS_DIR (${config.keysDir}) is inside the data directory: choose a keys directory outside it first.`,
    );
  const files = keyFiles(config);
  fs.mkdirSync(config.keysDir, { recursive: true, mode: 0o700 });
  tightenTree(config.keysDir);
  for (const [file, value] of [
    [files.secret, secret],
    [files.linkingKey, linkingKey],
  ] as const) {
    if (fs.existsSync(file)) {
      if (fs.readFileSync(file, 'utf8').trim() !== value)
        throw new KeysError(
          `${file} already holds a different key: Huddle will not overwrite it. Find out which one this data was written with.`,
        );
      continue;
    }
    fs.writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    const fd = fs.openSync(file, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  }
  syncDir(config.keysDir);
  destroyKeyFile(old);
  return [
    `Moved HUDDLE_SECRET and the linking key from ${old} to ${config.keysDir} (${SECRET_FILE}, ${LINKING_KEY_FILE}; 0600 in a 0700 folder), and deleted ${old}.`,
    'Back the keys directory up apart from the data (the facilitator keeps the linking key), and destroy',
    'every earlier backup or copy of the data directory: those still hold secrets.json.',
  ].join('\n');
}

/** `npm run huddle -- generate-keys`: both keys into the keys directory, for a first production start. */
export function generateKeys(config: Config): string {
  if (isInside(config.keysDir, config.dataDir))
    throw new KeysError(
      `HUDDLE_KEYS_DIR (${config.keysDir}) is inside the data directory: choose a keys directory outside it.`,
    );
  const files = keyFiles(config);
  const made: string[] = [];
  for (const [file, fresh] of [
    [files.secret, () => crypto.randomBytes(32).toString('base64url')],
    [files.linkingKey, () => crypto.randomBytes(32).toString('hex')],
  ] as const) {
    fs.mkdirSync(config.keysDir, { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, `${fresh()}\n`, { mode: 0o600, flag: 'wx' });
      made.push(path.basename(file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  tightenTree(config.keysDir);
  syncDir(config.keysDir);
  return made.length > 0
    ? `Created ${made.join(' and ')} in ${config.keysDir} (0600 in a 0700 folder). Back it up apart from the data.`
    : `${config.keysDir} already holds both keys: nothing changed.`;
}

/** 22 random url-safe characters (132 bits): ids that reveal nothing, not even order. */
export function randomId(): string {
  return crypto.randomBytes(16).toString('base64url');
}
