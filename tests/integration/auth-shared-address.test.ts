/**
 * Login cannot be turned against a ward. A hospital's staff reach Huddle through one egress
 * address: 300 of them log in within a minute from it, through the real routes, with codes read
 * out of real e-mails; and someone behind that same address hammering one colleague's address
 * (asking for codes, guessing codes) cannot stop that colleague logging in with what they have.
 * The server's clock (deps.now) is a fake one here, moved on by the test: the budgets refill on
 * it, so a minute of shift change is a minute whatever the speed of this machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink, type SunkMail } from '../support/smtp-sink.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { codeOf, linkOf } from './auth-helpers.js';
import { MAX_SENDS_PER_WINDOW } from '../../sync-server/src/auth/login-codes.js';
import { DEFAULT_SERVICE_PER_MINUTE } from '../../sync-server/src/auth/login-budgets.js';

const HOSPITAL = '10.20.30.40';
const PEOPLE = 300;

let sink: SmtpSink;
let ts: TestServer;
let admin: TestAccount;
let clock = Date.now();

/** A browser behind the hospital's egress address (the server trusts X-Forwarded-For here). */
function behind(ip: string) {
  const client = new HttpClient(ts.url);
  return {
    client,
    post: (path: string, body: unknown) => client.request('POST', path, body, { 'x-forwarded-for': ip }),
    get: (path: string) => client.request('GET', path, undefined, { 'x-forwarded-for': ip }),
    form: (token: string) =>
      client.request('POST', '/login/link', `token=${encodeURIComponent(token)}`, {
        'content-type': 'application/x-www-form-urlencoded',
        origin: ts.url,
        'x-forwarded-for': ip,
      }),
  };
}

async function inviteQuietly(emails: string[]) {
  const res = await HttpClient.as(ts.url, admin).post('/api/admin/invites', {
    csv: emails.join('\n'),
    sendEmails: false,
  });
  expect(res.status).toBe(200);
  expect(res.body.invited).toBe(emails.length);
}

const mailsTo = (email: string) => sink.messages.filter((m) => m.to.includes(email));

beforeAll(async () => {
  sink = await startSmtpSink();
  ts = await startTestServer({ SMTP_URL: sink.url, TRUST_PROXY: '1' }, undefined, {
    now: () => new Date(clock),
  });
  admin = await createTestAccount(ts.server.storage, ts.dataDir, { roles: ['admin'] });
});

afterAll(async () => {
  await ts?.close();
  await sink?.close();
});

describe('behind one hospital address', () => {
  it(`${PEOPLE} invited people all ask for a code and log in with it within one minute`, async () => {
    const emails = Array.from({ length: PEOPLE }, (_, i) => `ward-${i}@trust.example`);
    await inviteQuietly(emails);
    const start = clock;
    // Ten at a time, as they arrive at the login screen over the minute; every step moves the clock.
    const step = 60_000 / (PEOPLE * 2);
    const statuses: number[] = [];
    for (let i = 0; i < PEOPLE; i += 10) {
      const group = emails.slice(i, i + 10);
      const asked = await Promise.all(
        group.map((email) => {
          clock += step;
          return behind(HOSPITAL).post('/api/auth/request-code', { email });
        }),
      );
      expect(asked.map((a) => a.status)).toEqual(group.map(() => 202));
      const mails = await Promise.all(group.map((email) => sink.waitFor(email, undefined, 60_000)));
      const verified = await Promise.all(
        group.map((email, j) => {
          clock += step;
          const person = behind(HOSPITAL);
          return person
            .post('/api/auth/verify', { email, code: codeOf(mails[j]!) })
            .then(async (res) => ({ status: res.status, me: (await person.client.get('/api/me')).status }));
        }),
      );
      for (const v of verified) statuses.push(v.status, v.me);
    }
    expect(clock - start).toBeLessThanOrEqual(60_000);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses).toHaveLength(PEOPLE * 2);
  });

  it('a colleague hammering someone’s address cannot stop them logging in with the code they already have', async () => {
    const victim = 'victim-code@trust.example';
    await inviteQuietly([victim]);
    clock += 60_000;
    expect((await behind(HOSPITAL).post('/api/auth/request-code', { email: victim })).status).toBe(202);
    const mail = await sink.waitFor(victim, undefined, 30_000);
    // From the same address: fifty more codes asked for, well past the address's send limit.
    const attacker = behind(HOSPITAL);
    for (let i = 0; i < 50; i++) {
      const res = await attacker.post('/api/auth/request-code', { email: victim });
      expect(res.status).toBe(202);
    }
    await new HttpClient(ts.url).post('/api/test/login-mail-idle');
    expect(mailsTo(victim)).toHaveLength(MAX_SENDS_PER_WINDOW);
    // Every code sent is still live; the victim uses the one they had first.
    const res = await behind(HOSPITAL).post('/api/auth/verify', { email: victim, code: codeOf(mail) });
    expect(res.status).toBe(200);
  });

  it('a colleague guessing codes for someone’s address cannot stop them logging in with the e-mailed link', async () => {
    const victim = 'victim-link@trust.example';
    await inviteQuietly([victim]);
    clock += 60_000;
    expect((await behind(HOSPITAL).post('/api/auth/request-code', { email: victim })).status).toBe(202);
    const mail: SunkMail = await sink.waitFor(victim, undefined, 30_000);
    const attacker = behind(HOSPITAL);
    for (let i = 0; i < 30; i++) {
      await attacker.post('/api/auth/request-code', { email: victim });
      const guess = String((Number(codeOf(mail)) + 1 + i) % 100_000_000).padStart(8, '0');
      expect((await attacker.post('/api/auth/verify', { email: victim, code: guess })).status).toBe(400);
    }
    // Codes for the address are now refused (the bound on guessing), but the link is not a guess.
    const token = new URL(linkOf(mail)).searchParams.get('t')!;
    const person = behind(HOSPITAL);
    expect((await person.get(`/login/link?t=${encodeURIComponent(token)}`)).status).toBe(200);
    const post = await person.form(token);
    expect(post.status).toBe(303);
    expect((await person.client.get('/api/me')).body).toMatchObject({ email: victim });
  });
});

describe('the per-address and service-wide budgets', () => {
  it('one network past its budget gets 429 with a message, another network does not, and a link that works is never refused', async () => {
    const victim = 'budget-link@trust.example';
    await inviteQuietly([victim]);
    clock += 120_000; // every bucket full again
    expect((await behind(HOSPITAL).post('/api/auth/request-code', { email: victim })).status).toBe(202);
    const token = new URL(linkOf(await sink.waitFor(victim, undefined, 30_000))).searchParams.get('t')!;
    // The clock stands still: no refill. A flood of wrong codes for unknown addresses from one network.
    const flood = behind('192.0.2.66');
    let last;
    let refusedAt = -1;
    for (let i = 0; i < 1_300 && refusedAt < 0; i++) {
      last = await flood.post('/api/auth/verify', { email: `nobody${i}@trust.example`, code: '123456' });
      if (last.status === 429) refusedAt = i;
      else expect(last.status).toBe(400);
    }
    expect(refusedAt).toBe(1_200);
    expect(last!.body.message).toMatch(/Too many attempts from this network/);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await flood.post('/api/auth/request-code', { email: victim })).status).toBe(202);
    // Another network is not affected, and the flooding network's own link still works.
    expect(
      (await behind(HOSPITAL).post('/api/auth/verify', { email: 'x@trust.example', code: '123456' })).status,
    ).toBe(400);
    const person = behind('192.0.2.66');
    expect((await person.form(token)).status).toBe(303);
  });

  it('when the service-wide budget is spent, every network gets 429 saying so, and a working link still logs in', async () => {
    const victim = 'budget-service@trust.example';
    await inviteQuietly([victim]);
    clock += 120_000;
    expect((await behind(HOSPITAL).post('/api/auth/request-code', { email: victim })).status).toBe(202);
    const token = new URL(linkOf(await sink.waitFor(victim, undefined, 30_000))).searchParams.get('t')!;
    await new HttpClient(ts.url).post('/api/test/login-mail-idle');
    // Three networks each stay within their own budget, and together spend the service's (clock standing still).
    const networks = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];
    const perNetwork = DEFAULT_SERVICE_PER_MINUTE / networks.length;
    let spent = 1; // the victim's own request above
    for (const ip of networks) {
      const client = behind(ip);
      for (let i = 0; i < perNetwork && spent < DEFAULT_SERVICE_PER_MINUTE; i += 10) {
        const batch = Array.from({ length: Math.min(10, DEFAULT_SERVICE_PER_MINUTE - spent) }, (_, j) =>
          client.post('/api/auth/request-code', { email: `spray-${ip}-${i + j}@trust.example` }),
        );
        spent += batch.length;
        for (const res of await Promise.all(batch)) expect(res.status).toBe(202);
      }
    }
    const refused = await behind('203.0.113.99').post('/api/auth/request-code', {
      email: 'late@trust.example',
    });
    expect(refused.status).toBe(429);
    expect(refused.body.message).toMatch(/Huddle is very busy.*link in your e-mail still works/);
    expect((await behind(HOSPITAL).form(token)).status).toBe(303);
    await new HttpClient(ts.url).post('/api/test/login-mail-idle');
  });

  it('links that do not work are limited per network, with a page that says a working link still works', async () => {
    clock += 120_000;
    const flood = behind('198.51.100.7');
    let last;
    for (let i = 0; i < 601; i++) last = await flood.get(`/login/link?t=${'x'.repeat(40)}${i}`);
    expect(last!.status).toBe(429);
    expect(last!.headers.get('content-type')).toMatch(/^text\/html/);
    expect(last!.text).toContain('A login link that still works is never refused');
    // And it is not: a colleague on that network opens theirs and logs in.
    const colleague = 'budget-bad-links@trust.example';
    await inviteQuietly([colleague]);
    expect((await flood.post('/api/auth/request-code', { email: colleague })).status).toBe(202);
    const token = new URL(linkOf(await sink.waitFor(colleague, undefined, 30_000))).searchParams.get('t')!;
    const person = behind('198.51.100.7');
    expect((await person.get(`/login/link?t=${encodeURIComponent(token)}`)).status).toBe(200);
    expect((await person.form(token)).status).toBe(303);
    expect((await person.client.get('/api/me')).body).toMatchObject({ email: colleague });
  });
});
