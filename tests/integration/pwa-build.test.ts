/**
 * The PWA as built: the service worker and manifest exist, the shell is precached, the API is
 * never cached, the HTML has nothing the CSP (script-src/style-src 'self') would block, and the
 * participant's JavaScript stays within its budget.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';

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
