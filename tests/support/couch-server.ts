/**
 * A CouchDB-compatible HTTP server for tests: express-pouchdb 4.2.0 (mode 'fullCouchDB') over
 * PouchDB 9 with LevelDB files in a fresh temporary directory, on 127.0.0.1 (random port).
 * Apache CouchDB cannot be installed on these machines, so this is what the nano adapter and
 * anything else that speaks CouchDB HTTP is tested against. Test-only: express-pouchdb is
 * unmaintained.
 *
 * By default it runs in "admin party" (everyone is admin, `url` has no credentials). With
 * `admin`, a server admin exists and `url` carries its credentials (basic auth), like a real
 * CouchDB 3. Then every request must use `url`: a non-admin `PUT /newdb` crashes
 * express-pouchdb (it also crashes for a non-admin `_users` account, so there is none). */
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import PouchDB from 'pouchdb';

export interface CouchServer {
  /** Base URL, e.g. http://127.0.0.1:41234, or http://admin:secret@127.0.0.1:41234 with `admin`. */
  url: string;
  close(): Promise<void>;
}

export interface CouchServerOptions {
  /** Create this server admin (and end the admin party). */
  admin?: { name: string; password: string };
}

type ExpressPouchApp = ((req: IncomingMessage, res: ServerResponse) => void) & {
  couchLogger?: { _stream?: { end(): void } };
};
type ExpressPouchFactory = (pouch: unknown, options: Record<string, unknown>) => ExpressPouchApp;

const require = createRequire(import.meta.url);

export async function startCouchServer(options: CouchServerOptions = {}): Promise<CouchServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huddle-couch-'));
  const Pouch = PouchDB.defaults({
    prefix: `${dir}${path.sep}`,
  } as PouchDB.Configuration.DatabaseConfiguration);
  const expressPouchDB = require('express-pouchdb') as ExpressPouchFactory;
  const app = expressPouchDB(Pouch, {
    mode: 'fullCouchDB',
    inMemoryConfig: true,
    logPath: path.join(dir, 'log.txt'),
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const plainUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let url = plainUrl;
  if (options.admin) {
    const { name, password } = options.admin;
    const res = await fetch(`${plainUrl}/_config/admins/${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(password),
    });
    if (res.status !== 200) throw new Error(`could not create the admin: ${res.status} ${await res.text()}`);
    const withAuth = new URL(plainUrl);
    withAuth.username = encodeURIComponent(name);
    withAuth.password = encodeURIComponent(password);
    url = withAuth.toString().replace(/\/$/, '');
  }

  return {
    url,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // express-pouchdb caches every database it opened (including _users, _replicator)
      // on the PouchDB constructor: close them so that no LevelDB handle stays open.
      const cache = (
        Pouch as unknown as { __dbCacheMap?: { forEach(fn: (db: PouchDB.Database) => void): void } }
      ).__dbCacheMap;
      const open: PouchDB.Database[] = [];
      cache?.forEach((db) => open.push(db));
      await Promise.allSettled(open.map((db) => db.close()));
      app.couchLogger?._stream?.end();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One request to a CouchDB-compatible server whose URL may carry credentials (fetch refuses
 * URLs with credentials, so they become a basic auth header). Answers status and parsed body.
 */
export async function couchRequest(
  baseUrl: string,
  method: string,
  pathname: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const parsed = new URL(baseUrl);
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  if (parsed.username) {
    const user = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    headers['authorization'] = `Basic ${Buffer.from(user).toString('base64')}`;
  }
  parsed.username = '';
  parsed.password = '';
  const res = await fetch(`${parsed.toString().replace(/\/$/, '')}${pathname}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsedBody: unknown = text;
  try {
    parsedBody = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsedBody };
}
