/**
 * The PWA as built: the service worker and manifest exist, the shell is precached, the API is
 * never cached, the HTML has nothing the CSP (script-src/style-src 'self') would block, the
 * participant's JavaScript stays within its budget, and every compressible file has brotli and
 * gzip siblings that the real server sends by Accept-Encoding (one build for all of it).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { isCompressible, precompressRule } from '../../pwa/build/precompress.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const root = path.resolve(import.meta.dirname, '../..');
let outDir: string;

beforeAll(async () => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huddle-pwa-build-'));
  // vitest sets NODE_ENV=test, which would build React's and Workbox's development code.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.join(root, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}, 120_000);
afterAll(() => {
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

const read = (name: string) => fs.readFileSync(path.join(outDir, name), 'utf8');

describe('the PWA as built', () => {
  it('produces index.html, sw.js and a manifest with installable icons', () => {
    for (const name of ['index.html', 'sw.js', 'manifest.webmanifest'])
      expect(fs.existsSync(path.join(outDir, name)), name).toBe(true);
    const manifest = JSON.parse(read('manifest.webmanifest')) as Record<string, unknown> & {
      icons: Array<Record<string, string>>;
    };
    expect(manifest).toMatchObject({
      name: 'Huddle',
      theme_color: '#005eb8',
      display: 'standalone',
      start_url: '/',
    });
    expect(manifest.icons.map((i) => `${i.sizes} ${i.purpose ?? 'any'}`).sort()).toEqual([
      '192x192 any',
      '512x512 any',
      '512x512 maskable',
    ]);
    for (const icon of manifest.icons) {
      const png = fs.readFileSync(path.join(outDir, icon.src!));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.readUInt32BE(16)).toBe(Number(icon.sizes!.split('x')[0]));
    }
  });

  it('precaches the shell and serves index.html for navigations, except the API, login links and health', () => {
    const sw = read('sw.js');
    const html = read('index.html');
    const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const url of ['index.html', 'manifest.webmanifest', ...assets]) expect(sw).toContain(`url:"${url}"`);
    expect(sw).toContain('createHandlerBoundToURL("/index.html")');
    expect(sw).toMatch(/denylist:\[\/\^\\\/api\\\/\/,\/\^\\\/login\\\/\/,\/\^\\\/healthz\/\]/);
    expect(sw).toContain('clientsClaim()');
  });

  it('never caches API responses: the only route is the navigation fallback', () => {
    const sw = read('sw.js');
    expect(sw.match(/registerRoute\(/g)?.length ?? 0).toBe(1);
    expect(sw).not.toMatch(/NetworkFirst|StaleWhileRevalidate|CacheFirst/);
    // An update waits for the person: no automatic skipWaiting outside the prompt's message.
    expect(sw).not.toMatch(/self\.skipWaiting\(\)\s*[,;]\s*e\.clientsClaim/);
  });

  it('has no inline script or style the content security policy would block', () => {
    const html = read('index.html');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle="/);
  });

  it('keeps the participant JavaScript within budget (gzip)', () => {
    const html = read('index.html');
    const entry = /src="\/(assets\/[^"]+\.js)"/.exec(html)![1]!;
    const gz = zlib.gzipSync(new Uint8Array(fs.readFileSync(path.join(outDir, entry)))).length;
    // React + ReactDOM + Dexie + zod (the shared contract) measured ~138 KB on 2026-11-24.
    expect(gz).toBeLessThan(160 * 1024);
  });
});

const listFiles = (dir: string) =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));

const bytes = (file: string) => new Uint8Array(fs.readFileSync(path.join(outDir, file)));
const decode = {
  br: (data: Uint8Array) => new Uint8Array(zlib.brotliDecompressSync(data)),
  gzip: (data: Uint8Array) => new Uint8Array(zlib.gunzipSync(data)),
} as const;

describe('the PWA as built, precompressed', () => {
  it('writes a .br and a .gz next to every compressible file of 1 KB or more, each decoding to the file', () => {
    const files = listFiles(outDir);
    const compressible = files.filter((f) => isCompressible(f, fs.statSync(path.join(outDir, f)).size));
    // The service worker and the workbox runtime, written after the bundle, are compressed too.
    for (const name of ['index.html', 'sw.js', 'push-sw.js']) expect(compressible).toContain(name);
    expect(compressible.filter((f) => /^workbox-[\w-]+\.js$/.test(f))).toHaveLength(1);
    expect(compressible.filter((f) => f.startsWith('assets/') && f.endsWith('.css')).length).toBeGreaterThan(
      0,
    );
    for (const file of compressible) {
      const plain = bytes(file);
      const br = bytes(`${file}.br`);
      const gz = bytes(`${file}.gz`);
      expect(Buffer.compare(decode.br(br), plain), file).toBe(0);
      expect(Buffer.compare(decode.gzip(gz), plain), file).toBe(0);
      expect(br.length, file).toBeLessThanOrEqual(plain.length * precompressRule.maxRatio);
      expect(gz.length, file).toBeLessThanOrEqual(plain.length * precompressRule.maxRatio);
    }
  });

  it('leaves images and files under 1 KB alone, and keeps the siblings out of the precache', () => {
    const files = listFiles(outDir);
    const siblings = files.filter((f) => /\.(br|gz)$/.test(f));
    for (const sibling of siblings) {
      const plain = sibling.replace(/\.(br|gz)$/, '');
      expect(isCompressible(plain, fs.statSync(path.join(outDir, plain)).size), sibling).toBe(true);
    }
    expect(files.some((f) => f.endsWith('.png'))).toBe(true);
    expect(fs.statSync(path.join(outDir, 'manifest.webmanifest')).size).toBeLessThan(
      precompressRule.minBytes,
    );
    expect(read('sw.js')).not.toMatch(/\.(br|gz)"/);
  });
});

/** A GET without fetch's automatic decoding: the bytes and headers exactly as sent. */
function getRaw(
  url: string,
  acceptEncoding?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding };
    http
      .get(url, { headers }, (res) => {
        const chunks: Uint8Array[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(new Uint8Array(chunk)));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: new Uint8Array(Buffer.concat(chunks)),
          }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('the PWA as built, served compressed by the app', () => {
  let ts: TestServer;
  let mainBundle: string;

  beforeAll(async () => {
    ts = await startTestServer({ PWA_DIST_DIR: outDir });
    mainBundle = /src="\/(assets\/[^"]+\.js)"/.exec(read('index.html'))![1]!;
  });
  afterAll(async () => ts?.close());

  for (const encoding of ['br', 'gzip'] as const) {
    it(`sends the main bundle as ${encoding} when the browser accepts it: the same bytes, under half the size`, async () => {
      const res = await getRaw(`${ts.url}/${mainBundle}`, encoding);
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe(encoding);
      expect(res.headers['content-type']).toMatch(/^(application|text)\/javascript/);
      expect(res.headers['vary']).toMatch(/accept-encoding/i);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const plain = bytes(mainBundle);
      expect(Buffer.compare(decode[encoding](res.body), plain)).toBe(0);
      expect(res.body.length / plain.length).toBeLessThan(0.5);
    });
  }

  it('sends the plain file, still varying on Accept-Encoding, to a client that accepts no encoding', async () => {
    for (const acceptEncoding of [undefined, 'identity']) {
      const res = await getRaw(`${ts.url}/${mainBundle}`, acceptEncoding);
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers['vary']).toMatch(/accept-encoding/i);
      expect(Buffer.compare(res.body, bytes(mainBundle))).toBe(0);
    }
  });

  it("prefers brotli for Chromium's Accept-Encoding", async () => {
    const res = await getRaw(`${ts.url}/${mainBundle}`, 'gzip, deflate, br, zstd');
    expect(res.headers['content-encoding']).toBe('br');
  });

  it('compresses the shell, deep links and the service worker and still has them revalidated', async () => {
    for (const [url, file] of [
      ['/', 'index.html'],
      ['/stream/anything', 'index.html'],
      ['/sw.js', 'sw.js'],
      ['/push-sw.js', 'push-sw.js'],
    ] as const) {
      const res = await getRaw(ts.url + url, 'br');
      expect(res.status, url).toBe(200);
      expect(res.headers['content-encoding'], url).toBe('br');
      expect(res.headers['vary'], url).toMatch(/accept-encoding/i);
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.headers['content-type'], url).toMatch(file.endsWith('.html') ? /^text\/html/ : /javascript/);
      expect(Buffer.compare(decode.br(res.body), bytes(file)), url).toBe(0);
    }
  });

  it('sends a file under 1 KB plain and never serves a sibling by its own name', async () => {
    const manifest = await getRaw(`${ts.url}/manifest.webmanifest`, 'br, gzip');
    expect(manifest.status).toBe(200);
    expect(manifest.headers['content-encoding']).toBeUndefined();
    expect(manifest.headers['cache-control']).toBe('no-cache');
    expect(Buffer.compare(manifest.body, bytes('manifest.webmanifest'))).toBe(0);
    expect((await getRaw(`${ts.url}/${mainBundle}.br`, 'br')).status).toBe(404);
  });

  it('falls back to gzip, then to the plain file, when the brotli sibling is missing', async () => {
    const chunk = listFiles(outDir).find((f) => /^assets\/workbox-window.*\.js$/.test(f))!;
    const brPath = path.join(outDir, `${chunk}.br`);
    const saved = bytes(`${chunk}.br`);
    fs.rmSync(brPath);
    try {
      const gz = await getRaw(`${ts.url}/${chunk}`, 'br, gzip');
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(Buffer.compare(decode.gzip(gz.body), bytes(chunk))).toBe(0);
      const plain = await getRaw(`${ts.url}/${chunk}`, 'br');
      expect(plain.status).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers['vary']).toMatch(/accept-encoding/i);
      expect(Buffer.compare(plain.body, bytes(chunk))).toBe(0);
    } finally {
      fs.writeFileSync(brPath, saved);
    }
  });
});
