/**
 * What a phone downloads: the built PWA's JavaScript raw / gzip / brotli (the .gz and .br
 * siblings the build writes), and the first load of the app shell in Chromium (the page, then
 * the service worker installing and precaching everything), counted in bytes on the wire by a
 * TCP proxy between the browser and a real server. The anchor, measured in the same run, is the
 * same first load from a copy of the build without the siblings: everything sent plain, as the
 * server did before precompression. Prints figures and the ratio; asserts nothing.
 * Needs `npm run build` first. Usage: npx tsx bench/pwa-transfer.ts
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CHROMIUM_PATH, launchChromium, phoneContext } from '../tests/support/browser.js';
import { makeTempDir, startTestServer } from '../tests/support/test-server.js';

const dist = path.resolve('pwa/dist');
if (!fs.existsSync(path.join(dist, 'index.html'))) {
  console.error('pwa/dist is not built: run `npm run build` first');
  process.exit(1);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const files = fs
  .readdirSync(dist, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => path.join(e.parentPath, e.name));
const size = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : undefined);

// JavaScript on disk; a file without a sibling (too small to gain) goes as it is.
const js = files.filter((f) => f.endsWith('.js'));
const total = (pick: (f: string) => number) => js.reduce((sum, f) => sum + pick(f), 0);
const raw = total((f) => size(f)!);
const gz = total((f) => size(`${f}.gz`) ?? size(f)!);
const br = total((f) => size(`${f}.br`) ?? size(f)!);
console.log(`JavaScript (${js.length} files): raw ${kb(raw)}, gzip ${kb(gz)}, brotli ${kb(br)}`);
console.log(`  brotli / raw = ${(br / raw).toFixed(3)}, brotli / gzip = ${(br / gz).toFixed(3)}`);

/** Forwards 127.0.0.1:<port> to `target`, counting the bytes the server sends back. */
async function countingProxy(target: URL): Promise<{ url: string; received(): number; close(): void }> {
  let received = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    upstream.on('data', (chunk: Buffer) => (received += chunk.length));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => received,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** Bytes on the wire for a first visit in a fresh phone context, until the service worker controls the page. */
async function firstLoad(distDir: string): Promise<{ bytes: number; encodings: string }> {
  const ts = await startTestServer({ PWA_DIST_DIR: distDir, LOG_LEVEL: 'silent' });
  const proxy = await countingProxy(new URL(ts.url));
  const browser = await launchChromium();
  try {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    const encodings = new Set<string>();
    context.on('response', (res) => encodings.add(res.headers()['content-encoding'] ?? 'none'));
    await page.goto(proxy.url, { waitUntil: 'load' });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
      timeout: 30_000,
    });
    await page.waitForLoadState('networkidle');
    return { bytes: proxy.received(), encodings: [...encodings].sort().join(', ') };
  } finally {
    await browser.close();
    proxy.close();
    await ts.close();
  }
}

if (!fs.existsSync(CHROMIUM_PATH)) {
  console.log(`first load: skipped (no Chromium at ${CHROMIUM_PATH})`);
} else {
  const plainDir = makeTempDir('huddle-bench-plain-');
  fs.cpSync(dist, plainDir, { recursive: true, filter: (src) => !/\.(br|gz)$/.test(src) });
  try {
    const before = await firstLoad(plainDir);
    const after = await firstLoad(dist);
    console.log(`first load of the app shell in Chromium, bytes from the server (headers included):`);
    console.log(`  plain (anchor, before precompression): ${kb(before.bytes)}  [${before.encodings}]`);
    console.log(`  precompressed:                         ${kb(after.bytes)}  [${after.encodings}]`);
    console.log(`  precompressed / plain = ${(after.bytes / before.bytes).toFixed(3)}`);
  } finally {
    fs.rmSync(plainDir, { recursive: true, force: true });
  }
}
