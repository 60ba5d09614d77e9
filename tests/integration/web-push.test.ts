/**
 * Web push for the daily notice, with the real server and a real HTTP server on loopback acting as the
 * push service: at the notice, every subscribed device (news or not) receives a POST carrying a VAPID
 * JWT signed by the server's public key and an aes128gcm body of the same length that decrypts to the
 * same fixed sentence, quoting no content and naming nobody; nothing is pushed when someone comments;
 * a second run the same day pushes nothing; a 410 removes the subscription; people without a
 * subscribed device get nothing.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationInput } from '../../shared/src/mutations.js';
import { loadConfig } from '../../sync-server/src/config.js';
import { createMailer } from '../../sync-server/src/mail/mailer.js';
import { sendDailyNotice } from '../../sync-server/src/notify/daily-notice.js';
import { localDate, nextDay } from '../../sync-server/src/notify/notice-schedule.js';
import { PUSH_MESSAGE } from '../../sync-server/src/notify/web-push.js';
import { loadSecrets } from '../../sync-server/src/secrets.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import { commentCreate, ideaCreate, push, seedConversation, type Seeded } from './sync-fixtures.js';

interface Ece {
  decrypt(
    body: Buffer,
    params: { version: 'aes128gcm'; privateKey: crypto.ECDH; authSecret: string },
  ): Buffer;
}
const ece = createRequire(import.meta.url)('http_ece') as Ece;

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A push service on 127.0.0.1: records every POST and answers what `answer` says for its path. */
async function startFakePushService() {
  const received: Received[] = [];
  const answer = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Uint8Array[] = [];
    req.on('data', (c: Buffer) => chunks.push(new Uint8Array(c)));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(answer.get(req.url ?? '') ?? 201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    answer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a browser keeps for one subscription: its ECDH key pair and auth secret. */
function newDevice(pushServiceUrl: string, name: string) {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = crypto.randomBytes(16);
  const path = `/send/${name}-${crypto.randomBytes(6).toString('hex')}`;
  return {
    ecdh,
    auth,
    path,
    subscription: {
      endpoint: pushServiceUrl + path,
      expirationTime: null,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    },
  };
}

/** Checks the VAPID header (RFC 8292): `vapid t=<jwt>, k=<public key>`, ES256 over the endpoint's origin. */
function verifyVapid(header: string | undefined, publicKey: string, audience: string) {
  const match = /^vapid t=([^,]+),\s*k=(.+)$/.exec(header ?? '');
  expect(match, 'Authorization: vapid t=..., k=...').not.toBeNull();
  const [, jwt, k] = match!;
  expect(k).toBe(publicKey);
  const [h, p, sig] = jwt!.split('.');
  const point = Buffer.from(publicKey, 'base64url');
  const key = crypto.createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  const isValid = crypto.verify(
    'sha256',
    new Uint8Array(Buffer.from(`${h}.${p}`)),
    { key, dsaEncoding: 'ieee-p1363' },
    new Uint8Array(Buffer.from(sig!, 'base64url')),
  );
  expect(isValid).toBe(true);
  const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as {
    aud: string;
    exp: number;
    sub: string;
  };
  expect(claims.aud).toBe(audience);
  expect(claims.exp * 1000).toBeGreaterThan(Date.now());
  expect(claims.sub).toMatch(/^(mailto:|https:)/);
}

let ts: TestServer;
let sink: SmtpSink;
let pushService: Awaited<ReturnType<typeof startFakePushService>>;
let seeded: Seeded;
const people: Record<'alice' | 'bob' | 'carol', { account: TestAccount; client: HttpClient }> = {} as never;

beforeAll(async () => {
  sink = await startSmtpSink();
  pushService = await startFakePushService();
  ts = await startTestServer({ SMTP_URL: sink.url });
  seeded = await seedConversation(ts.server.storage);
  for (const name of ['alice', 'bob', 'carol'] as const) {
    const account = await createTestAccount(ts.server.storage, ts.dataDir, {
      email: `${name}@trust.example`,
    });
    people[name] = { account, client: HttpClient.as(ts.url, account) };
  }
});
afterAll(async () => {
  await ts?.close();
  await sink?.close();
  await pushService?.close();
});

const post = async (client: HttpClient, m: MutationInput): Promise<string> => {
  const [r] = (await push(client, [m])).results;
  expect(r?.status).toBe('applied');
  return (r as { contentId?: string }).contentId ?? '';
};
const runNotice = async () => {
  const res = await people.alice.client.post('/api/test/notice');
  expect(res.status).toBe(200);
  return res.body as { wasDone: boolean; mailed: number; pushed: number };
};
/** The notice for a later day, run as the server's timer would (each call one more day ahead). */
let daysAhead = 0;
const runNextDay = async () => {
  const config = loadConfig({ HUDDLE_DATA_DIR: ts.dataDir, SMTP_URL: sink.url, HUDDLE_TEST_HOOKS: '1' });
  config.publicUrl = ts.url;
  const mailer = createMailer(config, { info: () => undefined });
  let day = localDate(new Date(), config.notice.timeZone);
  for (let i = 0; i <= daysAhead; i++) day = nextDay(day);
  daysAhead++;
  try {
    const deps = {
      storage: ts.server.storage,
      secrets: loadSecrets(config),
      mailer,
      config,
      log: ts.server.app.log,
    };
    return await sendDailyNotice(deps, config.notice, day);
  } finally {
    await mailer.close();
  }
};
const subscriptionDocs = () => ts.server.storage.db('accounts').list({ prefix: 'push-sub:' });
const decrypt = (req: Received, device: ReturnType<typeof newDevice>) =>
  ece
    .decrypt(req.body, {
      version: 'aes128gcm',
      privateKey: device.ecdh,
      authSecret: device.auth.toString('base64url'),
    })
    .toString('utf8');

describe('web push for the daily notice', () => {
  it('refuses subscribe calls without a session, without the CSRF header, or with a malformed subscription', async () => {
    const device = newDevice(pushService.url, 'x');
    const anonymous = new HttpClient(ts.url);
    expect((await anonymous.get('/api/push/public-key')).status).toBe(401);
    expect((await anonymous.post('/api/push/subscribe', { subscription: device.subscription })).status).toBe(
      401,
    );
    const noCsrf = await people.alice.client.request(
      'POST',
      '/api/push/subscribe',
      { subscription: device.subscription },
      { 'x-huddle-csrf': '' },
    );
    expect(noCsrf.status).toBe(403);
    const bad = await people.alice.client.post('/api/push/subscribe', {
      subscription: { ...device.subscription, keys: { p256dh: 'short', auth: '' } },
    });
    expect(bad.status).toBe(400);
    const notHttps = await people.alice.client.post('/api/push/subscribe', {
      subscription: { ...device.subscription, endpoint: 'http://push.example/send/1' },
    });
    expect(notHttps.status).toBe(400);
    // The server would POST to it: only the browsers' push services, never a host inside the network.
    const unknownHost = await people.alice.client.post('/api/push/subscribe', {
      subscription: { ...device.subscription, endpoint: 'https://intranet.trust.example/admin' },
    });
    expect(unknownHost.status).toBe(400);
    const fcm = await people.carol.client.post('/api/push/subscribe', {
      subscription: { ...device.subscription, endpoint: 'https://fcm.googleapis.com/fcm/send/abc' },
    });
    expect(fcm.status).toBe(200);
    await people.carol.client.post('/api/push/unsubscribe', {
      endpoint: 'https://fcm.googleapis.com/fcm/send/abc',
    });
    expect(await subscriptionDocs()).toEqual([]);
  });

  it('pushes the same encrypted, VAPID-signed notice to every subscribed device at the notice, news or not, and nothing before', async () => {
    const { alice, bob, carol } = people;
    const keyRes = await alice.client.get('/api/push/public-key');
    expect(keyRes.status).toBe(200);
    const publicKey = (keyRes.body as { publicKey: string }).publicKey;
    expect(Buffer.from(publicKey, 'base64url')).toHaveLength(65);

    const phone = newDevice(pushService.url, 'alice-phone');
    const laptop = newDevice(pushService.url, 'alice-laptop');
    const carolPhone = newDevice(pushService.url, 'carol-phone');
    for (const d of [phone, laptop])
      expect((await alice.client.post('/api/push/subscribe', { subscription: d.subscription })).status).toBe(
        200,
      );
    expect(
      (await carol.client.post('/api/push/subscribe', { subscription: carolPhone.subscription })).status,
    ).toBe(200);
    // Subscribing the same device again keeps one subscription.
    await alice.client.post('/api/push/subscribe', { subscription: phone.subscription });
    const docs = await subscriptionDocs();
    expect(docs).toHaveLength(3);
    for (const d of docs) expect(d.id).not.toContain(alice.account.accountId);

    // Alice's idea gets a comment, Carol's nothing: nothing is pushed when it happens.
    const idea = await post(alice.client, ideaCreate(seeded, 'SECRET-TITLE', 'SECRET-BODY'));
    await post(carol.client, ideaCreate(seeded, 'Nobody comments on Carol'));
    await alice.client.post('/api/test/release');
    await post(bob.client, commentCreate(seeded, idea, 'SECRET-COMMENT-BY-BOB'));
    await alice.client.post('/api/test/release');
    expect(pushService.received).toEqual([]);

    expect(await runNotice()).toMatchObject({ wasDone: false, mailed: 0, pushed: 3 });
    expect(pushService.received.map((r) => r.path).sort()).toEqual(
      [laptop.path, phone.path, carolPhone.path].sort(),
    );
    const lengths = new Set<number>();
    for (const device of [phone, laptop, carolPhone]) {
      const req = pushService.received.find((r) => r.path === device.path)!;
      verifyVapid(req.headers.authorization, publicKey, pushService.url);
      expect(req.headers['content-encoding']).toBe('aes128gcm');
      expect(Number(req.headers.ttl)).toBeGreaterThan(0);
      lengths.add(req.body.length);
      const plain = decrypt(req, device);
      expect(JSON.parse(plain)).toEqual(PUSH_MESSAGE);
      expect(PUSH_MESSAGE.body).toBe('Your daily Huddle notice: open Huddle to see what is new.');
      const everything = plain + JSON.stringify(req.headers);
      for (const secret of ['SECRET', 'Bob', 'bob@', 'alice', 'Carol', idea, alice.account.accountId])
        expect(everything).not.toContain(secret);
    }
    // Alice (news) and Carol (none) got bodies of one length.
    expect(lengths.size).toBe(1);
    // Nobody turned the e-mail on: push only.
    expect(sink.messages).toHaveLength(0);

    // A second run the same day pushes nothing.
    expect(await runNotice()).toMatchObject({ wasDone: true, pushed: 0 });
    expect(pushService.received).toHaveLength(3);
  });

  it('removes a subscription the push service answers 410 for, and stops pushing to a device that unsubscribed', async () => {
    const { alice, carol } = people;
    const alicePaths = pushService.received.map((r) => r.path).filter((p) => p.includes('/alice-'));
    const [phonePath, laptopPath] = alicePaths.sort();
    const carolPath = pushService.received.map((r) => r.path).find((p) => p.includes('/carol-'))!;
    pushService.answer.set(phonePath!, 410);
    pushService.received.length = 0;
    expect(await runNextDay()).toMatchObject({ pushed: 2 });
    expect(pushService.received.map((r) => r.path).sort()).toEqual([phonePath, laptopPath, carolPath].sort());
    expect(await subscriptionDocs()).toHaveLength(2);

    for (const [client, endpoint] of [
      [alice.client, pushService.url + laptopPath],
      [carol.client, pushService.url + carolPath],
    ] as const)
      expect((await client.post('/api/push/unsubscribe', { endpoint })).status).toBe(200);
    expect(await subscriptionDocs()).toEqual([]);
    pushService.received.length = 0;
    expect(await runNextDay()).toMatchObject({ pushed: 0 });
    expect(pushService.received).toEqual([]);
  });
});
