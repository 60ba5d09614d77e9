/**
 * The HTTP surface as a browser and an attacker see it: security headers, no caching
 * of per-person responses, clear 4xx answers to malformed input (never a 500), the
 * OpenAPI description, and the built PWA served with the right cache rules.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/src/protocol.js';
import {
  padPushBody,
  PUSH_ANSWER_PAD_BUCKET_BYTES,
  PUSH_PAD_BUCKET_BYTES,
} from '../../shared/src/sync/padding.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { HttpClient, makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';
import { PouchStorage } from '../../sync-server/src/storage/pouch-adapter.js';

const PWA_DIST = path.resolve('pwa/dist');
const isPwaBuilt = fs.existsSync(path.join(PWA_DIST, 'index.html'));

describe('HTTP surface', () => {
  let ts: TestServer;
  let participant: TestAccount;

  beforeAll(async () => {
    ts = await startTestServer({ PWA_DIST_DIR: PWA_DIST });
    participant = await createTestAccount(ts.server.storage, ts.dataDir);
  });
  afterAll(async () => ts?.close());

  it('answers health with the storage kind and protocol version', async () => {
    const res = await new HttpClient(ts.url).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', storage: 'pouchdb', protocolVersion: PROTOCOL_VERSION });
  });

  it('sends a strict CSP and the other security headers', async () => {
    const res = await new HttpClient(ts.url).get('/healthz');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('never lets a per-person API response be cached', async () => {
    const client = HttpClient.as(ts.url, participant);
    for (const p of ['/api/me', '/api/sync/pull']) {
      const res = await client.get(p);
      expect(res.status, p).toBe(200);
      // The pull's answer is padded too: no proxy may transform (compress) it either.
      expect(res.headers.get('cache-control'), p).toBe(
        p === '/api/sync/pull' ? 'no-store, no-transform' : 'no-store',
      );
    }
    const unauth = await new HttpClient(ts.url).get('/api/me');
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get('cache-control')).toBe('no-store');
  });

  it('answers malformed requests with a 4xx and a message, never a 500', async () => {
    const client = HttpClient.as(ts.url, participant);
    const cases: Array<[string, string, unknown, Record<string, string>?]> = [
      ['POST', '/api/sync/push', '{"protocolVersion":1,', { 'content-type': 'application/json' }],
      ['POST', '/api/sync/push', { protocolVersion: 'one', mutations: [] }],
      ['POST', '/api/sync/push', { protocolVersion: 1, mutations: 'all of them' }],
      ['POST', '/api/sync/push', 'mutations=1', { 'content-type': 'text/plain' }],
      ['POST', '/api/auth/request-code', { email: 'not-an-address' }],
      ['POST', '/api/auth/verify', { email: 'a@b.example', code: 'abc' }],
      ['GET', '/api/sync/pull?cursor=%%%not-a-cursor', undefined],
      ['GET', '/api/sync/pull?limit=-5', undefined],
      ['POST', '/api/admin/invites', { csv: 'email\nx@y.example' }],
      ['GET', '/api/does-not-exist', undefined],
    ];
    for (const [method, p, body, headers] of cases) {
      const res = await client.request(method, p, body, headers);
      expect(res.status, `${method} ${p} -> ${res.text}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${p}`).toBeLessThan(500);
      expect(typeof res.body.message, `${method} ${p}`).toBe('string');
      expect(res.body.message.length).toBeGreaterThan(3);
    }
  });

  it('accepts a padded push and pads its answer; a pad that is not filler is a 400 with a message', async () => {
    const client = HttpClient.as(ts.url, participant);
    const mutation = { id: crypto.randomUUID(), kind: 'notifications.set', commentDigest: false };
    const padded = padPushBody({ protocolVersion: PROTOCOL_VERSION, mutations: [mutation] });
    expect(Buffer.byteLength(JSON.stringify(padded))).toBe(PUSH_PAD_BUCKET_BYTES);
    const ok = await client.post('/api/sync/push', padded);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.results).toEqual([expect.objectContaining({ id: mutation.id })]);
    expect(Buffer.byteLength(ok.text)).toBe(PUSH_ANSWER_PAD_BUCKET_BYTES);
    expect(ok.body.pad).toMatch(/^\.+$/);
    expect(ok.headers.get('cache-control'), 'a compressing proxy must leave the padded answer alone').toBe(
      'no-store, no-transform',
    );

    for (const pad of ['<script>', 'x'.repeat(10), 42, '.'.repeat(PUSH_PAD_BUCKET_BYTES)]) {
      const res = await client.post('/api/sync/push', {
        protocolVersion: PROTOCOL_VERSION,
        mutations: [mutation],
        pad,
      });
      expect(
        res.status,
        `pad ${String(pad).slice(0, 12)} -> ${res.text.slice(0, 200)}`,
      ).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.message, String(pad).slice(0, 12)).toMatch(/pad/);
    }
  });

  it('refuses oversized bodies with 413', async () => {
    const client = HttpClient.as(ts.url, participant);
    const res = await client.post('/api/sync/push', {
      protocolVersion: 1,
      mutations: [{ body: 'x'.repeat(2_000_000) }],
    });
    expect(res.status).toBe(413);
  });

  it('refuses state-changing calls without the CSRF header or from another origin', async () => {
    const client = HttpClient.as(ts.url, participant);
    const noHeader = await client.request(
      'POST',
      '/api/sync/push',
      { protocolVersion: 1, mutations: [] },
      { 'x-huddle-csrf': '' },
    );
    expect(noHeader.status).toBe(403);
    const otherOrigin = await client.request(
      'POST',
      '/api/sync/push',
      { protocolVersion: 1, mutations: [] },
      { origin: 'https://evil.example' },
    );
    expect(otherOrigin.status).toBe(403);
  });

  it('describes its API with OpenAPI generated from the shared schemas', async () => {
    const res = await new HttpClient(ts.url).get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    for (const p of [
      '/api/sync/push',
      '/api/sync/pull',
      '/api/auth/request-code',
      '/api/auth/verify',
      '/api/me',
    ]) {
      expect(Object.keys(res.body.paths), p).toContain(p);
    }
    const push = res.body.paths['/api/sync/push'].post;
    expect(push.requestBody.content['application/json'].schema.properties).toHaveProperty('mutations');
  });

  describe.runIf(isPwaBuilt)('the built PWA', () => {
    it('serves the shell, the service worker and the manifest with revalidation, assets immutable', async () => {
      const client = new HttpClient(ts.url);
      const index = await client.get('/');
      expect(index.status).toBe(200);
      expect(index.headers.get('cache-control')).toBe('no-cache');
      const sw = await client.get('/sw.js');
      expect(sw.status).toBe(200);
      expect(sw.headers.get('cache-control')).toBe('no-cache');
      const asset = /src="(\/assets\/[^"]+\.js)"/.exec(index.text)?.[1];
      expect(asset).toBeTruthy();
      const js = await client.get(asset!);
      expect(js.headers.get('cache-control')).toContain('immutable');
      const deep = await client.get('/stream/anything');
      expect(deep.status).toBe(200);
      expect(deep.text).toContain('<div id="root"');
    });

    it('precaches the shell and never caches the API', () => {
      const sw = fs.readFileSync(path.join(PWA_DIST, 'sw.js'), 'utf8');
      expect(sw).toContain('index.html');
      expect(sw).toMatch(/precache/i);
      expect(sw).not.toMatch(/registerRoute\([^)]*\/api/);
      const manifest = JSON.parse(fs.readFileSync(path.join(PWA_DIST, 'manifest.webmanifest'), 'utf8'));
      expect(manifest.display).toBe('standalone');
      expect(manifest.theme_color).toBeTruthy();
      const purposes = manifest.icons.map((i: { purpose?: string }) => i.purpose ?? 'any').join(' ');
      expect(purposes).toContain('maskable');
      for (const icon of manifest.icons)
        expect(fs.existsSync(path.join(PWA_DIST, icon.src.replace(/^\//, '')))).toBe(true);
    });
  });
});

describe('a store from before sync protocol 2', () => {
  it('is refused at start with a message that says what to do, instead of miscounting votes', async () => {
    const dataDir = makeTempDir('huddle-old-store-');
    const old = new PouchStorage({ dataDir });
    await old.init();
    await old.db('private').put({ _id: 'account:old-layout', type: 'account', schemaVersion: 1 });
    await old.close();
    await expect(startTestServer({}, dataDir)).rejects.toThrow(
      /before sync protocol 2.*fresh HUDDLE_DATA_DIR/,
    );
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
