/**
 * Vite plugin: writes a brotli (`.br`, quality 11) and a gzip (`.gz`, level 9) sibling next to
 * every compressible file in the build output, so the server sends the smallest form the
 * browser accepts without compressing on each request (@fastify/static `preCompressed`).
 *
 * It runs at the very end of the build, after vite-plugin-pwa has written sw.js and the
 * workbox runtime, so those are compressed too. The precache manifest is unaffected: it is
 * built from the plain files, and Workbox's glob (`*.js`, `*.css`…) never matches `*.br`/`*.gz`.
 * Hand-written on Node's zlib rather than vite-plugin-compression2: that plugin compresses the
 * files in Rollup's bundle, which does not contain the service worker generated in closeBundle.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Which files get compressed siblings, shared with the build test. */
export const precompressRule = {
  /** Text formats; images (png) and fonts (woff2) are already compressed. */
  extensions: ['.js', '.mjs', '.css', '.html', '.svg', '.json', '.webmanifest', '.txt', '.xml', '.ico'],
  /** Below this a response fits in one packet anyway, and Content-Encoding costs a header. */
  minBytes: 1024,
  /** A sibling is written only if it is at most this fraction of the plain file (saves ≥ 10 %). */
  maxRatio: 0.9,
} as const;

const encodings = {
  br: (data: Uint8Array) =>
    brotli(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
  gz: (data: Uint8Array) => gzip(data, { level: zlib.constants.Z_BEST_COMPRESSION }),
} as const satisfies Record<string, (data: Uint8Array) => Promise<Buffer>>;

export function isCompressible(file: string, size: number): boolean {
  return hasCompressibleType(file) && size >= precompressRule.minBytes;
}

function hasCompressibleType(file: string): boolean {
  return (precompressRule.extensions as readonly string[]).includes(path.extname(file).toLowerCase());
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function precompressFile(file: string): Promise<void> {
  if (!hasCompressibleType(file)) return;
  const data = new Uint8Array(await fs.readFile(file));
  await Promise.all(
    Object.entries(encodings).map(async ([ext, compress]) => {
      const sibling = `${file}.${ext}`;
      const packed = isCompressible(file, data.length) ? await compress(data) : undefined;
      if (packed && packed.length <= data.length * precompressRule.maxRatio)
        await fs.writeFile(sibling, new Uint8Array(packed));
      // A sibling left by an earlier build into the same directory would be served instead.
      else await fs.rm(sibling, { force: true });
    }),
  );
}

export function precompress(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'huddle:precompress',
    apply: 'build',
    enforce: 'post',
    configResolved(resolved) {
      config = resolved;
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      async handler(error) {
        if (error) return;
        const outDir = path.resolve(config.root, config.build.outDir);
        await Promise.all((await listFiles(outDir)).map(precompressFile));
      },
    },
  };
}
