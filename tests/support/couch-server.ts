/**
 * A CouchDB-compatible HTTP server for tests: express-pouchdb 4.2.0 (mode 'fullCouchDB') over
 * PouchDB 9 with LevelDB files in a fresh temporary directory, on 127.0.0.1 (random port).
 * Apache CouchDB cannot be installed on these machines, so this is what the nano adapter and
 * anything else that speaks CouchDB HTTP is tested against. Test-only: express-pouchdb is
 * unmaintained. It runs in "admin party" (no admin is ever created: with an admin, a
 * non-admin `PUT /newdb` crashes the process). `addUser` creates an ordinary `_users` account
 * so that basic auth in the URL can be exercised (wrong credentials answer 401).
 */
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import PouchDB from 'pouchdb';

export interface CouchServer {
  /** Base URL without credentials, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Creates a `_users` account and answers the base URL with its credentials in it. */
  addUser(name: string, password: string): Promise<string>;
  close(): Promise<void>;
}

type ExpressPouchApp = ((req: IncomingMessage, res: ServerResponse) => void) & {
  couchLogger?: { _stream?: { end(): void } };
};
type ExpressPouchFactory = (pouch: PouchDB.Static, options: Record<string, unknown>) => ExpressPouchApp;

const require = createRequire(import.meta.url);

export async function startCouchServer(): Promise<CouchServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huddle-couch-'));
  const Pouch = PouchDB.defaults({ prefix: `${dir}${path.sep}` } as PouchDB.Configuration.DatabaseConfiguration);
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
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    async addUser(name, password) {
      const res = await fetch(`${url}/_users/org.couchdb.user:${encodeURIComponent(name)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password, roles: [], type: 'user' }),
      });
      if (res.status !== 201) throw new Error(`could not create user: ${res.status} ${await res.text()}`);
      const withAuth = new URL(url);
      withAuth.username = encodeURIComponent(name);
      withAuth.password = encodeURIComponent(password);
      return withAuth.toString().replace(/\/$/, '');
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // express-pouchdb caches every database it opened (including _users, _replicator)
      // on the PouchDB constructor: close them so that no LevelDB handle stays open.
      const cache = (Pouch as unknown as { __dbCacheMap?: { forEach(fn: (db: PouchDB.Database) => void): void } })
        .__dbCacheMap;
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
