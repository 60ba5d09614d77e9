/**
 * A loopback origin for the PouchDB anchor's page: the bench's built files, and `/couch/*` passed to a
 * CouchDB with its credentials added. A PouchDB app would be deployed like this (CouchDB behind the
 * app's own origin): the browser then replicates without CORS preflights, which keeps the anchor at
 * its best.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export async function startStaticProxy(
  dir: string,
  couchUrl: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const couch = new URL(couchUrl);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(couch.username)}:${decodeURIComponent(couch.password)}`).toString('base64')}`;
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/couch/')) {
      const upstream = http.request(
        {
          host: couch.hostname,
          port: couch.port,
          method: req.method,
          path: url.slice('/couch'.length),
          headers: { ...req.headers, host: couch.host, authorization: auth },
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
      return;
    }
    const file = path.join(dir, path.normalize(url.split('?')[0]!).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
