/**
 * Keys derived from configuration. HUDDLE_SECRET (HMAC keys for voter tags, public ids,
 * receipts, codes) and HUDDLE_VAULT_KEY (authorship vault) are shared by all instances.
 * Without them a single instance generates both into `${dataDir}/secrets.json` (mode 0600):
 * back that file up, or authorship and votes cannot be matched after a restore.
 * The vault key is separate so it can be destroyed after the report.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';

const PURPOSES = ['login-code', 'owner', 'session', 'roster'] as const;
type Purpose = (typeof PURPOSES)[number];

const LINK_PURPOSES = [
  'receipt',
  'public-id',
  'voter',
  'draft',
  'report',
  'answers',
  'settings',
  'own-log',
  'digest',
  'contributor',
] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

export interface Secrets {
  /** HMAC-SHA256 of the parts under a purpose-specific key, base64url. */
  hmac(purpose: Purpose, ...parts: string[]): string;
  /**
   * The same, under keys derived from the VAULT key: every value that ties a person to what they
   * did (receipts, public ids of their posts, voter pseudonyms, draft, report, answers and settings
   * ids, their own change log) comes from here, so that destroying the vault key after the report
   * makes all of them unlinkable for good, even with HUDDLE_SECRET, the data and every backup.
   */
  link(purpose: LinkPurpose, ...parts: string[]): string;
  readonly vaultKey: crypto.KeyObject;
  readonly vaultKeyId: string;
  readonly source: 'configuration' | 'generated';
}

export function loadSecrets(config: Config): Secrets {
  let master = config.secret;
  let vaultHex = config.vaultKeyHex;
  let source: Secrets['source'] = 'configuration';
  if (!master || !vaultHex) {
    const generated = readOrCreateSecretsFile(path.join(config.dataDir, 'secrets.json'));
    master ??= generated.secret;
    vaultHex ??= generated.vaultKey;
    source = 'generated';
  }
  const keys = new Map<Purpose, crypto.KeyObject>(
    PURPOSES.map((p) => [
      p,
      crypto.createSecretKey(new Uint8Array(crypto.hkdfSync('sha256', master!, 'huddle', p, 32))),
    ]),
  );
  const vaultKey = crypto.createSecretKey(new Uint8Array(Buffer.from(vaultHex, 'hex')));
  const vaultRaw = new Uint8Array(Buffer.from(vaultHex, 'hex'));
  const linkKeys = new Map<LinkPurpose, crypto.KeyObject>(
    LINK_PURPOSES.map((p) => [
      p,
      crypto.createSecretKey(new Uint8Array(crypto.hkdfSync('sha256', vaultRaw, 'huddle-link', p, 32))),
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
    vaultKey,
    vaultKeyId: crypto.createHash('sha256').update(vaultHex, 'hex').digest('hex').slice(0, 12),
    source,
  };
}

function readOrCreateSecretsFile(file: string): { secret: string; vaultKey: string } {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { secret: string; vaultKey: string };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fresh = {
    secret: crypto.randomBytes(32).toString('base64url'),
    vaultKey: crypto.randomBytes(32).toString('hex'),
  };
  try {
    fs.writeFileSync(file, JSON.stringify(fresh, null, 2), { mode: 0o600, flag: 'wx' });
    return fresh;
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(fs.readFileSync(file, 'utf8'));
    throw err;
  }
}

/** 22 random url-safe characters (132 bits): ids that reveal nothing, not even order. */
export function randomId(): string {
  return crypto.randomBytes(16).toString('base64url');
}
