/**
 * Starts a real Huddle server in this process on 127.0.0.1 (random port) over a fresh
 * temporary data directory, plus a tiny HTTP client with a cookie jar.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Env } from '../../sync-server/src/config.js';
import { createServer, type HuddleServer, type ServerOptions } from '../../sync-server/src/server.js';
import { NanoStorage } from '../../sync-server/src/storage/nano-adapter.js';
import type { Storage } from '../../sync-server/src/storage/port.js';
import { PouchStorage } from '../../sync-server/src/storage/pouch-adapter.js';
import { couchUnderTest, freshPrefix } from './couchdb-under-test.js';
import { withDeadline } from './wait.js';

export interface TestServer {
  url: string;
  dataDir: string;
  server: HuddleServer;
  close(options?: { keepData?: boolean }): Promise<void>;
}

export function makeTempDir(prefix = 'huddle-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * In the 'couchdb-single' and 'couchdb-cluster' projects (HUDDLE_TEST_STORAGE=couchdb, set by
 * couchdb-setup.ts) every test server stores through the CouchDB adapter on the project's real
 * CouchDB, with a database prefix derived from the data directory (under the test file's own
 * prefix), so a restart on the same data directory finds its databases again. Elsewhere: the
 * embedded store in the data directory.
 */
export function storageEnv(dataDir: string): Partial<Record<keyof Env, string>> {
  const couch = couchUnderTest();
  if (!couch) return {};
  return { COUCHDB_URL: couch.url, COUCHDB_DB_PREFIX: freshPrefix(couch, dataDir) };
}

/** The storage a server on `dataDir` uses (see storageEnv), opened here: init() it before use. */
export function openTestStorage(dataDir: string): Storage {
  const env = storageEnv(dataDir);
  return env.COUCHDB_URL
    ? new NanoStorage({ url: env.COUCHDB_URL, prefix: env.COUCHDB_DB_PREFIX! })
    : new PouchStorage({ dataDir });
}

export async function startTestServer(
  env: Partial<Record<keyof Env, string>> = {},
  dataDir = makeTempDir(),
  options: ServerOptions = {},
): Promise<TestServer> {
  const config = loadConfig({
    HUDDLE_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    RELEASE_INTERVAL_SECONDS: '0',
    // Edits with every batch unless a test is about the daily edit gate (it sets EDIT_RELEASE=daily).
    EDIT_RELEASE: 'every-batch',
    HUDDLE_TEST_HOOKS: '1',
    PWA_DIST_DIR: path.join(dataDir, 'no-pwa'),
    ...storageEnv(dataDir),
    ...env,
  });
  const server = await createServer(config, options);
  await server.app.listen({ port: config.port, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  // Links in e-mails must point at the real port.
  config.publicUrl = env.PUBLIC_URL ?? url;
  return {
    url,
    dataDir,
    server,
    async close(options = {}) {
      // A close that never ends (a connection nobody ends) fails here, saying so, not as a test timeout.
      await withDeadline(server.close(), 20_000, `the test server on ${url} to close`);
      if (!options.keepData) {
        fs.rmSync(dataDir, { recursive: true, force: true });
        // Keys generated for this data directory live beside it (config.ts defaultKeysDir).
        fs.rmSync(config.keysDir, { recursive: true, force: true });
      }
    },
  };
}

/** `any` on purpose: tests read response bodies freely and assert on their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ResponseBody = any;

/** fetch with a cookie jar and the CSRF header, like the PWA's data layer. */
export class HttpClient {
  private cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  setCookie(name: string, value: string): this {
    this.cookies.set(name, value);
    return this;
  }

  /** A client logged in as `account` (see tests/support/accounts.ts). */
  static as(baseUrl: string, account: { sessionToken: string }): HttpClient {
    return new HttpClient(baseUrl).setCookie('huddle_session', account.sessionToken);
  }

  async request(
    method: string,
    pathname: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: ResponseBody; headers: Headers; text: string }> {
    const res = await fetch(this.baseUrl + pathname, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        'x-huddle-csrf': '1',
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed, headers: res.headers, text };
  }
  get(p: string) {
    return this.request('GET', p);
  }
  post(p: string, body?: unknown) {
    return this.request('POST', p, body ?? {});
  }
}
