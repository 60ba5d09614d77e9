/**
 * E-mail login end to end: a real server on loopback, the real embedded store and a real
 * SMTP server (the sink). Codes and links are read from the e-mails as a person would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { codeOf, linkOf, logIn, mailbox } from './auth-helpers.js';
import type { AccountDoc, LoginChallengeDoc } from '../../shared/src/documents.js';
import { loadConfig } from '../../sync-server/src/config.js';
import { loadSecrets } from '../../sync-server/src/secrets.js';
import { MAX_SENDS_PER_WINDOW, MAX_WRONG_CODES_PER_WINDOW } from '../../sync-server/src/auth/login-codes.js';

let sink: SmtpSink;
let ts: TestServer;
let admin: TestAccount;
let nextMail: ReturnType<typeof mailbox>;

const fresh = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}@trust.example`;

async function invite(emails: string[], role = 'participant') {
  const res = await HttpClient.as(ts.url, admin).post('/api/admin/invites', { csv: emails.join('\n'), role });
  expect(res.status).toBe(200);
  return res;
}

/** Answers once every login code asked for so far has been sent (and received by the sink) or refused. */
async function loginMailIdle() {
  const res = await new HttpClient(ts.url).post('/api/test/login-mail-idle');
  expect(res.status).toBe(200);
}

/** Invites the address and drains its invitation mail, so the test starts from a clean mailbox. */
async function invited(label: string, role = 'participant'): Promise<string> {
  const email = fresh(label);
  await invite([email], role);
  await nextMail(email);
  return email;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  ts = await startTestServer({ SMTP_URL: sink.url });
  nextMail = mailbox(sink);
  admin = await createTestAccount(ts.server.storage, ts.dataDir, { roles: ['admin'] });
});

afterAll(async () => {
  await ts?.close();
  await sink?.close();
});

describe('invitations', () => {
  it('an admin imports invites over HTTP and each new invitee gets an e-mail with a code and a link', async () => {
    const a = fresh('ann');
    const b = fresh('ben');
    const res = await invite([
      `name,email`,
      `Ann Example,${a}`,
      `Ben Example,${b}`,
      `Dup,${a.toUpperCase()}`,
      'Bad,nope',
    ]);
    expect(res.body).toEqual({
      invited: 2,
      alreadyInvited: 0,
      errors: [
        { line: 4, message: 'the same address as line 2' },
        { line: 5, message: 'not a valid e-mail address' },
      ],
    });
    for (const email of [a, b]) {
      const mail = await nextMail(email);
      expect(mail.to).toEqual([email]);
      expect(codeOf(mail)).toMatch(/^\d{8}$/);
      expect(linkOf(mail)).toContain(`${ts.url}/login/link?t=`);
      // No address in the body (not even the recipient's) and no name.
      expect(mail.text).not.toMatch(/@/);
      expect(mail.html).not.toMatch(/@/);
      expect(mail.text).not.toMatch(/Example/);
    }
    // Importing again sends nothing new.
    const again = await invite([a, b]);
    expect(again.body).toMatchObject({ invited: 0, alreadyInvited: 2, errors: [] });
  });

  it('an invitee logs in with the code from the invitation; the account becomes active', async () => {
    const email = fresh('carol');
    await invite([email]);
    const code = codeOf(await nextMail(email));
    const client = new HttpClient(ts.url);
    const res = await client.post('/api/auth/verify', { email, code });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ email, roles: ['participant'], isDemo: false });
    const me = await client.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ email, roles: ['participant'], isDemo: false });
  });
});

describe('login with e-mail and code', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie and /api/me answers without any account id', async () => {
    const email = await invited('dan');
    const client = new HttpClient(ts.url);
    const res = await logIn(client, nextMail, email);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('huddle_session='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Strict/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    const me = await client.get('/api/me');
    expect(me.status).toBe(200);
    expect(Object.keys(me.body).sort()).toEqual(['email', 'isDemo', 'roles']);
    expect(me.headers.get('cache-control')).toBe('no-store');
  });

  it('a code works once', async () => {
    const email = await invited('erin');
    await new HttpClient(ts.url).post('/api/auth/request-code', { email });
    const code = codeOf(await nextMail(email));
    expect((await new HttpClient(ts.url).post('/api/auth/verify', { email, code })).status).toBe(200);
    const second = await new HttpClient(ts.url).post('/api/auth/verify', { email, code });
    expect(second.status).toBe(400);
    expect(second.headers.getSetCookie()).toEqual([]);
  });

  it('asking for a new code never voids one already sent: each works, and using one ends the others', async () => {
    const email = await invited('fay');
    await new HttpClient(ts.url).post('/api/auth/request-code', { email });
    const first = await nextMail(email);
    await new HttpClient(ts.url).post('/api/auth/request-code', { email });
    const second = await nextMail(email);
    // The first code still logs in after the second was sent...
    expect(
      (await new HttpClient(ts.url).post('/api/auth/verify', { email, code: codeOf(first) })).status,
    ).toBe(200);
    // ...and that ended the second code and both links.
    if (codeOf(second) !== codeOf(first))
      expect(
        (await new HttpClient(ts.url).post('/api/auth/verify', { email, code: codeOf(second) })).status,
      ).toBe(400);
    for (const mail of [first, second]) {
      const page = await new HttpClient(ts.url).get(linkOf(mail).slice(ts.url.length));
      expect(page.text).toContain('no longer works');
    }
  });

  it('five wrong codes within a code lifetime stop codes for the address, but its e-mailed link still logs in', async () => {
    const email = await invited('gus');
    await new HttpClient(ts.url).post('/api/auth/request-code', { email });
    const mail = await nextMail(email);
    const code = codeOf(mail);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const client = new HttpClient(ts.url);
    // Sent in parallel: every guess must count, even when they race.
    const answers = await Promise.all(
      Array.from({ length: MAX_WRONG_CODES_PER_WINDOW }, () =>
        client.post('/api/auth/verify', { email, code: wrong }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(MAX_WRONG_CODES_PER_WINDOW).fill(400));
    const right = await client.post('/api/auth/verify', { email, code });
    expect(right.status).toBe(400);
    expect(right.body.message).toBe(answers[0]!.body.message);
    expect(right.body.message).toMatch(/link in the e-mail still works/);
    // The link is not a guess: it still works.
    const token = new URL(linkOf(mail)).searchParams.get('t')!;
    const browser = new HttpClient(ts.url);
    const post = await browser.request('POST', '/login/link', `token=${encodeURIComponent(token)}`, {
      'content-type': 'application/x-www-form-urlencoded',
      origin: ts.url,
    });
    expect(post.status).toBe(303);
    expect((await browser.get('/api/me')).body).toMatchObject({ email });
  });

  it('four wrong codes, then the right one, still logs in', async () => {
    const email = await invited('hal');
    await new HttpClient(ts.url).post('/api/auth/request-code', { email });
    const code = codeOf(await nextMail(email));
    const wrong = String((Number(code) + 7) % 100_000_000).padStart(8, '0');
    const client = new HttpClient(ts.url);
    for (let i = 0; i < MAX_WRONG_CODES_PER_WINDOW - 1; i++)
      expect((await client.post('/api/auth/verify', { email, code: wrong })).status).toBe(400);
    expect((await client.post('/api/auth/verify', { email, code })).status).toBe(200);
  });

  it('a code stored before several codes could be live (one code at the top of the document) still logs in once', async () => {
    const email = await invited('old');
    const secrets = loadSecrets(loadConfig({ HUDDLE_DATA_DIR: ts.dataDir }));
    const db = ts.server.storage.db('accounts');
    const account = await db.get<AccountDoc>(`account:${secrets.hmac('owner', 'email', email)}`);
    const id = `login-challenge:${account!.accountId}`;
    const current = await db.get(id);
    const code = '424242';
    const sentAt = new Date().toISOString();
    await db.put({
      _id: id,
      _rev: current!._rev,
      type: 'login-challenge',
      schemaVersion: current!.schemaVersion,
      accountId: account!.accountId,
      codeHash: secrets.hmac('login-code', 'code', account!.accountId, code),
      linkTokenHash: 'old-link-hash',
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      attempts: 1,
      recentSends: [sentAt],
    });
    expect((await new HttpClient(ts.url).post('/api/auth/verify', { email, code })).status).toBe(200);
    expect((await new HttpClient(ts.url).post('/api/auth/verify', { email, code })).status).toBe(400);
    const after = await db.get<LoginChallengeDoc>(id);
    expect(after).toMatchObject({ live: [], recentSends: [sentAt] });
  });

  it('an expired code is refused', async () => {
    const email = await invited('ida');
    await new HttpClient(ts.url).post('/api/auth/request-code', { email });
    const code = codeOf(await nextMail(email));
    // Move the challenge's expiry into the past, as the clock would.
    const secrets = loadSecrets(loadConfig({ HUDDLE_DATA_DIR: ts.dataDir }));
    const db = ts.server.storage.db('accounts');
    const account = await db.get<AccountDoc>(`account:${secrets.hmac('owner', 'email', email)}`);
    const challenge = await db.get<LoginChallengeDoc>(`login-challenge:${account!.accountId}`);
    expect(challenge?.usedAt).toBeUndefined();
    const past = new Date(Date.now() - 1000).toISOString();
    await db.put({ ...challenge!, live: challenge!.live.map((c) => ({ ...c, expiresAt: past })) });
    const res = await new HttpClient(ts.url).post('/api/auth/verify', { email, code });
    expect(res.status).toBe(400);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('unknown and known addresses get byte-identical answers to request-code, and wrong codes the same error', async () => {
    const known = await invited('jo');
    const unknown = fresh('nobody');
    const a = await new HttpClient(ts.url).post('/api/auth/request-code', { email: known });
    const b = await new HttpClient(ts.url).post('/api/auth/request-code', { email: unknown });
    expect(a.status).toBe(202);
    expect(b.status).toBe(a.status);
    expect(b.text).toBe(a.text);
    const headerNames = (h: Headers) => [...h.keys()].filter((k) => k !== 'date').sort();
    expect(headerNames(b.headers)).toEqual(headerNames(a.headers));
    for (const k of headerNames(a.headers)) expect(b.headers.get(k)).toBe(a.headers.get(k));
    await nextMail(known);
    const wrongKnown = await new HttpClient(ts.url).post('/api/auth/verify', {
      email: known,
      code: '000001',
    });
    const wrongUnknown = await new HttpClient(ts.url).post('/api/auth/verify', {
      email: unknown,
      code: '000001',
    });
    expect(wrongKnown.status).toBe(400);
    expect(wrongUnknown.status).toBe(400);
    expect(wrongUnknown.text).toBe(wrongKnown.text);
    // The unknown address got no mail at all (once every code asked for is sent or refused).
    await loginMailIdle();
    expect(sink.messages.some((m) => m.to.includes(unknown))).toBe(false);
  });

  it('at most three codes per address per code lifetime are sent, the answer does not change, and every code sent still works', async () => {
    const email = await invited('kit'); // the invitation was the first send
    const answers = [];
    for (let i = 0; i < 6; i++)
      answers.push(await new HttpClient(ts.url).post('/api/auth/request-code', { email }));
    expect(new Set(answers.map((a) => `${a.status} ${a.text}`)).size).toBe(1);
    expect(answers[0]!.body.message).toMatch(/already sent to you keeps working/);
    // The mail goes out after the answer: count once all six are sent or refused, not after a guess.
    await loginMailIdle();
    const mails = sink.messages.filter((m) => m.to.includes(email));
    expect(mails).toHaveLength(MAX_SENDS_PER_WINDOW);
    // The refused sends cancelled nothing: the last code sent logs in.
    expect(
      (await new HttpClient(ts.url).post('/api/auth/verify', { email, code: codeOf(mails.at(-1)!) })).status,
    ).toBe(200);
  });
});

describe('login link', () => {
  it('opening the link (GET) does not use it up; the form POST does, sets the session and redirects to /', async () => {
    const email = await invited('lee');
    await new HttpClient(ts.url).post('/api/auth/request-code', { email });
    const link = linkOf(await nextMail(email));
    const token = new URL(link).searchParams.get('t')!;
    const path = link.slice(ts.url.length);

    const scanner = new HttpClient(ts.url);
    for (let i = 0; i < 2; i++) {
      const page = await scanner.get(path);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.text).toContain('<form method="post" action="/login/link"');
      expect(page.text).toContain('Log in to Huddle');
      // Nothing inline (the CSP allows files from this origin only).
      expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)|style=|<style|\bon[a-z]+=/i);
      expect(page.headers.getSetCookie()).toEqual([]);
    }

    const browser = new HttpClient(ts.url);
    const post = await browser.request('POST', '/login/link', `token=${encodeURIComponent(token)}`, {
      'content-type': 'application/x-www-form-urlencoded',
      origin: ts.url,
    });
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toBe('/');
    expect((await browser.get('/api/me')).body).toMatchObject({ email });

    const replay = await new HttpClient(ts.url).request(
      'POST',
      '/login/link',
      `token=${encodeURIComponent(token)}`,
      {
        'content-type': 'application/x-www-form-urlencoded',
        origin: ts.url,
      },
    );
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('no longer works');
    expect(replay.headers.getSetCookie()).toEqual([]);
    expect((await scanner.get(path)).text).toContain('no longer works');
  });

  it('a token is rendered as text, never as markup', async () => {
    const page = await new HttpClient(ts.url).get('/login/link?t=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(page.status).toBe(400);
    expect(page.text).not.toContain('<script>');
  });

  it('the landing page sends our origin with its form post but never its address (Referrer-Policy)', async () => {
    const email = await invited('rae');
    await new HttpClient(ts.url).post('/api/auth/request-code', { email });
    const link = linkOf(await nextMail(email));
    const page = await new HttpClient(ts.url).get(link.slice(ts.url.length));
    expect(page.status).toBe(200);
    // Under `no-referrer` Chromium posts the form with `Origin: null`, which the CSRF rule refuses.
    expect(page.headers.get('referrer-policy')).toBe('strict-origin');
    // Everything else keeps the site-wide policy.
    expect((await new HttpClient(ts.url).get('/healthz')).headers.get('referrer-policy')).toBe('no-referrer');
    expect(
      (await new HttpClient(ts.url).get('/login/link?t=' + 'x'.repeat(43))).headers.get('referrer-policy'),
    ).toBe('no-referrer');
  });

  const formPost = (token: string, headers: Record<string, string>) =>
    new HttpClient(ts.url).request('POST', '/login/link', `token=${encodeURIComponent(token)}`, {
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    });

  it('a form POST not vouched for as same-origin by the browser is refused with a page, and the link stays usable', async () => {
    const email = await invited('sam');
    await new HttpClient(ts.url).post('/api/auth/request-code', { email });
    const token = new URL(linkOf(await nextMail(email))).searchParams.get('t')!;
    const refused: Array<[string, Record<string, string>]> = [
      ['another origin', { origin: 'https://evil.example' }],
      [
        'another origin, as Fetch Metadata says',
        { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      ],
      ['a sibling subdomain', { origin: 'https://other.trust.example', 'sec-fetch-site': 'same-site' }],
      ['an opaque origin (sandboxed frame, privacy redirect)', { origin: 'null' }],
      ['an opaque origin on another site', { origin: 'null', 'sec-fetch-site': 'cross-site' }],
      ['no Origin at all', {}],
      ['no Origin, and Fetch Metadata says another site', { 'sec-fetch-site': 'cross-site' }],
      [
        'our Origin, but Fetch Metadata says another site',
        { origin: ts.url, 'sec-fetch-site': 'cross-site' },
      ],
      ['typed into the address bar (not from a page)', { origin: ts.url, 'sec-fetch-site': 'none' }],
    ];
    for (const [what, headers] of refused) {
      const res = await formPost(token, headers);
      expect(res.status, what).toBe(403);
      expect(res.headers.get('content-type'), what).toMatch(/^text\/html/);
      expect(res.text, what).toContain('Please open the link again');
      expect(res.headers.getSetCookie(), what).toEqual([]);
    }
    // None of them used the link up.
    const client = new HttpClient(ts.url);
    const res = await client.request('POST', '/login/link', `token=${encodeURIComponent(token)}`, {
      'content-type': 'application/x-www-form-urlencoded',
      origin: ts.url,
      'sec-fetch-site': 'same-origin',
    });
    expect(res.status).toBe(303);
    expect((await client.get('/api/me')).body).toMatchObject({ email });
  });

  it('`Origin: null` is accepted only when Fetch Metadata says the post came from our own origin', async () => {
    // What a browser sends from one of our pages whose referrer policy is `no-referrer`.
    const email = await invited('tia');
    await new HttpClient(ts.url).post('/api/auth/request-code', { email });
    const token = new URL(linkOf(await nextMail(email))).searchParams.get('t')!;
    const res = await formPost(token, { origin: 'null', 'sec-fetch-site': 'same-origin' });
    expect(res.status).toBe(303);
  });

  it('a used link pressed again says whether this browser is logged in, in a page, never JSON', async () => {
    const email = await invited('uma');
    await new HttpClient(ts.url).post('/api/auth/request-code', { email });
    const token = new URL(linkOf(await nextMail(email))).searchParams.get('t')!;
    const browser = new HttpClient(ts.url);
    const post = () =>
      browser.request('POST', '/login/link', `token=${encodeURIComponent(token)}`, {
        'content-type': 'application/x-www-form-urlencoded',
        origin: ts.url,
      });
    expect((await post()).status).toBe(303);
    const again = await post();
    expect(again.status).toBe(400);
    expect(again.headers.get('content-type')).toMatch(/^text\/html/);
    expect(again.text).toContain('You are already logged in');
    const elsewhere = await formPost(token, { origin: ts.url });
    expect(elsewhere.text).toContain('This login link no longer works');
  });

  it('the landing pages’ stylesheet and script are served as files (the CSP allows nothing inline)', async () => {
    const css = await new HttpClient(ts.url).get('/login/page.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    const js = await new HttpClient(ts.url).get('/login/page.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
  });
});

describe('sessions and roles', () => {
  it('logout revokes the session and clears the cookie', async () => {
    const email = await invited('max');
    const client = new HttpClient(ts.url);
    await logIn(client, nextMail, email);
    const cookieBefore = await client.get('/api/me');
    expect(cookieBefore.status).toBe(200);
    const stolen = new HttpClient(ts.url);
    // Keep a copy of the cookie, as a thief would.
    const token = (client as unknown as { cookies: Map<string, string> }).cookies.get('huddle_session')!;
    stolen.setCookie('huddle_session', token);
    const out = await client.post('/api/auth/logout');
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().join(';')).toMatch(/huddle_session=;/);
    expect((await client.get('/api/me')).status).toBe(401);
    expect((await stolen.get('/api/me')).status).toBe(401);
  });

  it('an admin revokes every session of a person', async () => {
    const email = await invited('ned');
    const phone = new HttpClient(ts.url);
    const desk = new HttpClient(ts.url);
    await logIn(phone, nextMail, email);
    await logIn(desk, nextMail, email);
    const res = await HttpClient.as(ts.url, admin).post('/api/admin/revoke-sessions', { email });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revoked: 2 });
    expect((await phone.get('/api/me')).status).toBe(401);
    expect((await desk.get('/api/me')).status).toBe(401);
  });

  it('no session: 401; a participant on an admin route: 403', async () => {
    const anonymous = new HttpClient(ts.url);
    expect((await anonymous.get('/api/me')).status).toBe(401);
    expect((await anonymous.post('/api/admin/invites', { csv: 'a@trust.example' })).status).toBe(401);
    const email = await invited('ola');
    const participant = new HttpClient(ts.url);
    await logIn(participant, nextMail, email);
    const res = await participant.post('/api/admin/invites', { csv: 'x@trust.example' });
    expect(res.status).toBe(403);
    expect((await participant.post('/api/admin/revoke-sessions', { email: admin.email })).status).toBe(403);
    // The refused import created nothing.
    const invitedAgain = await HttpClient.as(ts.url, admin).post('/api/admin/invites', {
      csv: 'x@trust.example',
      sendEmails: false,
    });
    expect(invitedAgain.body).toMatchObject({ invited: 1, alreadyInvited: 0 });
  });

  it('a state-changing request without the x-huddle-csrf header is refused with 403', async () => {
    const res = await new HttpClient(ts.url).request(
      'POST',
      '/api/auth/request-code',
      { email: 'a@trust.example' },
      { 'x-huddle-csrf': '' },
    );
    expect(res.status).toBe(403);
    const adminNoHeader = await HttpClient.as(ts.url, admin).request(
      'POST',
      '/api/admin/invites',
      { csv: 'z@trust.example' },
      { 'x-huddle-csrf': '0' },
    );
    expect(adminNoHeader.status).toBe(403);
  });

  it('malformed JSON and wrong types get a 400 with a message, never a 500', async () => {
    const client = new HttpClient(ts.url);
    const cases: Array<[string, unknown]> = [
      ['/api/auth/request-code', '{"email": '],
      ['/api/auth/request-code', { email: 42 }],
      ['/api/auth/request-code', { email: 'not an address' }],
      ['/api/auth/request-code', []],
      ['/api/auth/verify', { email: 'a@trust.example', code: 'abcdef' }],
      ['/api/auth/verify', { email: 'a@trust.example' }],
      ['/api/auth/verify', 'null'],
    ];
    for (const [path, body] of cases) {
      const res = await client.post(path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(typeof res.body.message).toBe('string');
      expect(res.body.message.length).toBeGreaterThan(0);
    }
    const adminBad = await HttpClient.as(ts.url, admin).post('/api/admin/invites', { csv: 5, role: 'king' });
    expect(adminBad.status).toBe(400);
    const linkBad = await client.request('POST', '/login/link', 'token=%%%', {
      'content-type': 'application/x-www-form-urlencoded',
      origin: ts.url,
    });
    expect(linkBad.status).toBe(400);
  });
});
