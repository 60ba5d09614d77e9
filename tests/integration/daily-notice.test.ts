/**
 * The daily notice, with the real server, the real store and a real SMTP sink (what the Trust's mail
 * server would receive and log). A scripted conversation where some opted-in authors get comments and
 * votes and others have nothing new: no mail at all goes while people post, comment, vote and batches
 * are released; at the notice every opted-in person gets exactly one mail and nobody else gets any; all
 * the mails are byte-identical apart from the To header and the two headers every mail must carry
 * uniquely (Message-ID, Date), so the mail server's log cannot tell who had news. A second run the same
 * day sends nothing; two instances at once send once per person; a run that crashed part-way resumes
 * without mailing anyone twice; the markers it leaves hold nothing about anyone's posts.
 * Without test hooks the server's own timer sends today's notice when started after the notice time.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationInput } from '../../shared/src/mutations.js';
import { SCHEMA_VERSION } from '../../shared/src/protocol.js';
import { loadConfig } from '../../sync-server/src/config.js';
import { createMailer } from '../../sync-server/src/mail/mailer.js';
import {
  NOTICE_SUBJECT,
  sendDailyNotice,
  type NoticeDeps,
} from '../../sync-server/src/notify/daily-notice.js';
import { localDate, nextDay } from '../../sync-server/src/notify/notice-schedule.js';
import { loadSecrets } from '../../sync-server/src/secrets.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { startSmtpSink, type SmtpSink, type SunkMail } from '../support/smtp-sink.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import { commentCreate, ideaCreate, push, seedConversation, voteSet, type Seeded } from './sync-fixtures.js';

const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gwen'] as const;
type Name = (typeof NAMES)[number];

let ts: TestServer;
let sink: SmtpSink;
let seeded: Seeded;
const people = {} as Record<Name, { account: TestAccount; client: HttpClient }>;
/** E-mail notices on: alice and dave will have news, erin and frank none; gwen is disabled later. */
const OPTED_IN: Name[] = ['alice', 'dave', 'erin', 'frank', 'gwen'];

beforeAll(async () => {
  sink = await startSmtpSink();
  ts = await startTestServer({ SMTP_URL: sink.url });
  seeded = await seedConversation(ts.server.storage);
  for (const name of NAMES) {
    // Addresses of different lengths: the mails may differ in the To header, nowhere else.
    const account = await createTestAccount(ts.server.storage, ts.dataDir, {
      email: `${name}${name === 'frank' ? '.with.a.much.longer.address' : ''}@trust.example`,
    });
    people[name] = { account, client: HttpClient.as(ts.url, account) };
  }
});
afterAll(async () => {
  await ts?.close();
  await sink?.close();
});

const noticeSetting = (on: boolean): MutationInput => ({
  id: crypto.randomUUID(),
  kind: 'notifications.set',
  commentDigest: on,
});
const send = async (name: Name, m: MutationInput): Promise<string> => {
  const [r] = (await push(people[name].client, [m])).results;
  expect(r?.status).toBe('applied');
  return (r as { contentId?: string }).contentId ?? '';
};
const release = async () => expect((await people.alice.client.post('/api/test/release')).status).toBe(200);
const runNotice = async () => {
  const res = await people.bob.client.post('/api/test/notice');
  expect(res.status).toBe(200);
  return res.body as { day: string; wasDone: boolean; mailed: number; pushed: number };
};
const mailsTo = (name: Name) => sink.messages.filter((m) => m.to.includes(people[name].account.email));

/** The raw message without the headers that must differ: To, Message-ID, Date (folded lines too). */
function withoutPerMailHeaders(raw: string): string {
  const normalized = raw.replace(/\r\n/g, '\n');
  const split = normalized.indexOf('\n\n');
  const headers = normalized.slice(0, split).split('\n');
  const kept: string[] = [];
  let isDropping = false;
  for (const line of headers) {
    if (/^[ \t]/.test(line)) {
      if (!isDropping) kept.push(line);
      continue;
    }
    isDropping = /^(to|message-id|date):/i.test(line);
    if (!isDropping) kept.push(line);
  }
  return `${kept.join('\n')}\n\n${normalized.slice(split + 2)}`;
}
const toHeaderLength = (raw: string) => /^To:.*(\r?\n[ \t].*)*/im.exec(raw)![0].length;

describe('daily notice', () => {
  it('sends no mail while people post, comment, vote and batches are released; then exactly one identical mail to each opted-in person', async () => {
    for (const name of OPTED_IN) await send(name, noticeSetting(true));
    // Carol turned it on and off again: not opted in.
    await send('carol', noticeSetting(true));
    await send('carol', noticeSetting(false));
    const a1 = await send('alice', ideaCreate(seeded, 'SECRET-TITLE-A1', 'SECRET-BODY-A1'));
    const c1 = await send('carol', ideaCreate(seeded, 'Carol did not opt in'));
    const d1 = await send('dave', ideaCreate(seeded, 'Dave comments on his own'));
    await release();
    await send('bob', commentCreate(seeded, a1, 'SECRET-COMMENT-BY-BOB'));
    await send('bob', commentCreate(seeded, c1, 'for carol'));
    await send('dave', commentCreate(seeded, d1, 'my own follow-up'));
    await send('erin', voteSet(seeded, a1, 'like'));
    await send('bob', voteSet(seeded, d1, 'dislike'));
    await release();
    await send('frank', voteSet(seeded, c1, 'like'));
    await release();
    // Gwen's account is disabled before the notice: she gets nothing.
    const accounts = ts.server.storage.db('accounts');
    const gwen = (await accounts.list({ prefix: 'account:', includeDocs: true })).find(
      (r) => r.doc?.['accountId'] === people.gwen.account.accountId,
    )!;
    await accounts.put({ ...gwen.doc!, status: 'disabled' });
    // Every login-free step above, releases included, sent nothing.
    await people.alice.client.post('/api/test/login-mail-idle');
    expect(sink.messages).toEqual([]);

    const summary = await runNotice();
    expect(summary).toMatchObject({ wasDone: false, mailed: 4, pushed: 0 });
    expect(summary.day).toBe(localDate(new Date(), 'Europe/London'));
    const expected = ['alice', 'dave', 'erin', 'frank'] as const;
    expect(sink.messages).toHaveLength(expected.length);
    for (const name of expected) expect(mailsTo(name)).toHaveLength(1);
    for (const name of ['bob', 'carol', 'gwen'] as const) expect(mailsTo(name)).toEqual([]);

    // Alice and Dave had news, Erin and Frank none: nothing tells them apart but the recipient.
    const [first, ...rest] = sink.messages as [SunkMail, ...SunkMail[]];
    expect(first.subject).toBe(NOTICE_SUBJECT);
    expect(first.text).toContain('Open Huddle to see what is new');
    expect(first.text).toContain('e-mail at 17:00\neach day');
    for (const mail of rest) {
      expect(withoutPerMailHeaders(mail.raw)).toBe(withoutPerMailHeaders(first.raw));
      // The same size too, once the To header (the address the log shows anyway) is set aside.
      expect(mail.raw.length - toHeaderLength(mail.raw)).toBe(first.raw.length - toHeaderLength(first.raw));
    }
    for (const mail of sink.messages) {
      expect(mail.raw).toMatch(/^Message-ID: /im);
      expect(mail.raw).toMatch(/^Date: /im);
      for (const secret of ['SECRET', 'bob', 'Carol', a1, c1, d1, people.alice.account.accountId])
        expect(mail.raw).not.toContain(secret);
    }

    // A second run the same day sends nothing.
    expect(await runNotice()).toMatchObject({ wasDone: true, mailed: 0 });
    expect(sink.messages).toHaveLength(expected.length);
  });

  it('leaves per-day markers that name no person and no content', async () => {
    const privateDb = ts.server.storage.db('private');
    const day = localDate(new Date(), 'Europe/London');
    const markers = await privateDb.list({ prefix: 'notice-sent:', includeDocs: true });
    expect(markers).toHaveLength(4);
    const everything = JSON.stringify(markers);
    for (const name of NAMES) {
      expect(everything).not.toContain(people[name].account.accountId);
      expect(everything).not.toContain(people[name].account.email);
    }
    for (const m of markers) {
      expect(m.id).toMatch(new RegExp(`^notice-sent:${day}:[A-Za-z0-9_-]{43}$`));
      expect(Object.keys(m.doc!).sort()).toEqual(['_id', '_rev', 'schemaVersion', 'type']);
    }
    expect(await privateDb.get(`notice-run:${day}`)).toBeDefined();
  });

  it('sends once per person when two instances run the same day at once, and forgets earlier days', async () => {
    const config = loadConfig({ HUDDLE_DATA_DIR: ts.dataDir, SMTP_URL: sink.url });
    config.publicUrl = ts.url;
    const mailers = [
      createMailer(config, { info: () => undefined }),
      createMailer(config, { info: () => undefined }),
    ];
    const deps = mailers.map((mailer): NoticeDeps => ({
      storage: ts.server.storage,
      secrets: loadSecrets(config),
      mailer,
      config,
      log: ts.server.app.log,
    }));
    const today = localDate(new Date(), 'Europe/London');
    const tomorrow = nextDay(today);
    const before = sink.messages.length;
    try {
      const runs = await Promise.all(deps.map((d) => sendDailyNotice(d, config.notice, tomorrow)));
      expect(runs[0]!.mailed + runs[1]!.mailed).toBe(4);
    } finally {
      for (const m of mailers) await m.close();
    }
    const sent = sink.messages.slice(before);
    expect(sent).toHaveLength(4);
    expect(new Set(sent.map((m) => m.to[0])).size).toBe(4);
    const ids = (await ts.server.storage.db('private').list({ prefix: 'notice-' })).map((r) => r.id);
    expect(ids.filter((id) => id.includes(today))).toEqual([]);
    expect(ids.filter((id) => id.startsWith(`notice-sent:${tomorrow}:`))).toHaveLength(4);
  });

  it('resumes a run that crashed part-way without mailing anyone twice', async () => {
    const config = loadConfig({ HUDDLE_DATA_DIR: ts.dataDir, SMTP_URL: sink.url });
    config.publicUrl = ts.url;
    const secrets = loadSecrets(config);
    const day = nextDay(nextDay(localDate(new Date(), 'Europe/London')));
    // The crashed run got as far as Alice and Erin (their markers) and never wrote the day as done.
    for (const name of ['alice', 'erin'] as const)
      await ts.server.storage.db('private').create({
        _id: `notice-sent:${day}:${secrets.link('digest', people[name].account.accountId, day)}`,
        type: 'notice-sent',
        schemaVersion: SCHEMA_VERSION,
      });
    const mailer = createMailer(config, { info: () => undefined });
    const before = sink.messages.length;
    try {
      const deps: NoticeDeps = {
        storage: ts.server.storage,
        secrets,
        mailer,
        config,
        log: ts.server.app.log,
      };
      expect(await sendDailyNotice(deps, config.notice, day)).toMatchObject({ wasDone: false, mailed: 2 });
      expect(await sendDailyNotice(deps, config.notice, day)).toMatchObject({ wasDone: true, mailed: 0 });
    } finally {
      await mailer.close();
    }
    expect(
      sink.messages
        .slice(before)
        .map((m) => m.to[0])
        .sort(),
    ).toEqual([people.dave.account.email, people.frank.account.email].sort());
  });
});

describe('the notice schedule the app shows', () => {
  it('answers the configured time and zone, and the edit release, to a session, and 401 without one', async () => {
    expect((await new HttpClient(ts.url).get('/api/notices/schedule')).status).toBe(401);
    const res = await people.carol.client.get('/api/notices/schedule');
    expect(res.status).toBe(200);
    // Test servers send edits with every batch (tests/support/test-server.ts); the daily answer is
    // checked where the server gates edits daily (release-edit-gate.test.ts).
    expect(res.body).toEqual({ time: '17:00', timeZone: 'Europe/London', editRelease: 'every-batch' });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('the notice timer', () => {
  it("sends today's notice when the server starts after the notice time, once, and not again on a restart", async () => {
    const timerSink = await startSmtpSink();
    const setup = await startTestServer({ SMTP_URL: timerSink.url });
    let server: TestServer | undefined;
    try {
      const account = await createTestAccount(setup.server.storage, setup.dataDir, {
        email: 'nina@trust.example',
      });
      const [r] = (await push(HttpClient.as(setup.url, account), [noticeSetting(true)])).results;
      expect(r?.status).toBe('applied');
      await setup.close({ keepData: true });
      // 00:00 in London has always passed today: the timer catches up at start.
      const env = { SMTP_URL: timerSink.url, HUDDLE_TEST_HOOKS: '0', NOTICE_TIME: '00:00' };
      server = await startTestServer(env, setup.dataDir);
      const mail = await timerSink.waitFor('nina@trust.example', undefined, 20_000);
      expect(mail.subject).toBe(NOTICE_SUBJECT);
      expect(mail.text).toContain('e-mail at 00:00\neach day');
      // The test hook is not there without HUDDLE_TEST_HOOKS.
      expect((await new HttpClient(server.url).post('/api/test/notice')).status).toBe(404);
      const day = localDate(new Date(), 'Europe/London');
      await expect
        .poll(async () => Boolean(await server!.server.storage.db('private').get(`notice-run:${day}`)))
        .toBe(true);
      await server.close({ keepData: true });
      server = await startTestServer(env, setup.dataDir);
      // The restarted timer ran at start (close waits for it) and found the day done: no mail.
      const restarted = server;
      server = undefined;
      await restarted.close();
      expect(timerSink.messages).toHaveLength(1);
    } finally {
      await server?.close();
      await timerSink.close();
    }
  });
});
