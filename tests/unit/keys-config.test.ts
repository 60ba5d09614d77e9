/**
 * Where keys go and what names they have (config.ts, file-modes.ts, secrets.ts): the keys directory
 * defaults to beside the data directory and never inside it, HUDDLE_VAULT_KEY is read as the linking
 * key with a warning, a link() never equals an hmac() of the same parts, and isInside sees through
 * symbolic links (a keys directory linked into the data directory is still inside it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultKeysDir, loadConfig } from '../../sync-server/src/config.js';
import { isInside, tightenTree } from '../../sync-server/src/file-modes.js';
import { secretsFrom } from '../../sync-server/src/secrets.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'huddle-keys-unit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('keys configuration', () => {
  it('puts the keys beside the data directory, never inside it', () => {
    expect(defaultKeysDir('/srv/huddle/data')).toBe('/srv/huddle/keys');
    expect(defaultKeysDir('/var/lib/huddle')).toBe('/var/lib/huddle-keys');
    const config = loadConfig({});
    expect(config.keysDir).toBe(path.resolve('keys'));
    expect(config.dataDir).toBe(path.resolve('data'));
    expect(isInside(config.keysDir, config.dataDir)).toBe(false);
    expect(loadConfig({ HUDDLE_KEYS_DIR: '/etc/huddle/keys' }).keysDir).toBe('/etc/huddle/keys');
  });

  it('reads HUDDLE_VAULT_KEY as the linking key, with a warning, and refuses two different keys', () => {
    const key = 'AB'.repeat(32);
    const old = loadConfig({ HUDDLE_VAULT_KEY: key });
    expect(old.linkingKeyHex).toBe(key.toLowerCase());
    expect(old.warnings.join()).toContain('HUDDLE_VAULT_KEY is deprecated');
    expect(loadConfig({ HUDDLE_LINKING_KEY: key }).warnings).toEqual([]);
    expect(() => loadConfig({ HUDDLE_LINKING_KEY: key, HUDDLE_VAULT_KEY: 'cd'.repeat(32) })).toThrow(
      /set only HUDDLE_LINKING_KEY/,
    );
    expect(() => loadConfig({ HUDDLE_LINKING_KEY: 'not hex' })).toThrow(/64 hex characters/);
    expect(loadConfig({ NODE_ENV: 'production' }).isProduction).toBe(true);
  });

  it('derives link() from the linking key alone: HUDDLE_SECRET changes nothing, the linking key everything', () => {
    const a = secretsFrom('s'.repeat(32), 'a'.repeat(64), {
      secret: 'configuration',
      linkingKey: 'configuration',
    });
    const otherSecret = secretsFrom('t'.repeat(32), 'a'.repeat(64), {
      secret: 'configuration',
      linkingKey: 'configuration',
    });
    const otherKey = secretsFrom('s'.repeat(32), 'b'.repeat(64), {
      secret: 'configuration',
      linkingKey: 'configuration',
    });
    expect(otherSecret.link('vault-entry', 'post')).toBe(a.link('vault-entry', 'post'));
    expect(otherKey.link('vault-entry', 'post')).not.toBe(a.link('vault-entry', 'post'));
    expect(a.link('push-subscription', 'acc')).not.toBe(a.hmac('owner', 'push', 'acc'));
    expect(a.link('vault-entry', 'x')).not.toBe(a.link('voter', 'x'));
  });
});

describe('file modes', () => {
  it('sees a keys directory linked into the data directory as inside it', () => {
    const data = path.join(tmp, 'data');
    fs.mkdirSync(path.join(data, 'real-keys'), { recursive: true });
    fs.symlinkSync(path.join(data, 'real-keys'), path.join(tmp, 'keys-link'));
    expect(isInside(path.join(tmp, 'keys-link'), data)).toBe(true);
    expect(isInside(path.join(tmp, 'keys-link', 'not-yet'), data)).toBe(true);
    expect(isInside(path.join(tmp, 'elsewhere'), data)).toBe(false);
    expect(isInside(data, data)).toBe(true);
  });

  it('tightens a tree to 0700 folders and 0600 files, leaving owner bits', () => {
    const dir = path.join(tmp, 'wide');
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sub', 'f'), 'x');
    fs.chmodSync(path.join(dir, 'sub', 'f'), 0o664);
    fs.chmodSync(path.join(dir, 'sub'), 0o775);
    fs.chmodSync(dir, 0o755);
    expect(tightenTree(dir)).toBe(3);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'sub')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'sub', 'f')).mode & 0o777).toBe(0o600);
    expect(tightenTree(dir)).toBe(0);
  });
});
