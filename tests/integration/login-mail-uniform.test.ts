/**
 * Login mail is the exception to the daily-notice rule (it goes when someone asks), so it must reveal
 * nothing but that: every login mail, and every invitation, has the same subject, the same words and
 * the same size whoever it is for. With the real server and a real SMTP sink: mails to a short and a
 * long address, one with a name on the roster, are byte-identical once the To, Message-ID and Date
 * headers are set aside and the code and link token (fixed lengths: 8 digits, 43 characters) masked,
 * and their sizes differ by the To header alone. No name, no address in the body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { startSmtpSink, type SmtpSink, type SunkMail } from '../support/smtp-sink.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';

let ts: TestServer;
let sink: SmtpSink;
let admin: TestAccount;
const SHORT = 'al@trust.example';
const LONG = 'bartholomew.featherstonehaugh-smythe@a-much-longer-trust-name.nhs.example';

beforeAll(async () => {
  sink = await startSmtpSink();
  ts = await startTestServer({ SMTP_URL: sink.url });
  admin = await createTestAccount(ts.server.storage, ts.dataDir, { roles: ['admin'] });
});
afterAll(async () => {
  await ts?.close();
  await sink?.close();
});

/** The message with the per-mail headers (To, Message-ID, Date) removed, folded lines included. */
function withoutPerMailHeaders(raw: string): string {
  const normalized = raw.replace(/\r\n/g, '\n');
  const split = normalized.indexOf('\n\n');
  const kept: string[] = [];
  let isDropping = false;
  for (const line of normalized.slice(0, split).split('\n')) {
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
/** The other headers as sent, and the decoded text with the code and token masked. */
const masked = (mail: SunkMail) => {
  const kept = withoutPerMailHeaders(mail.raw);
  const text = mail.text.replace(/\b\d{8}\b/g, 'CODE').replace(/t=[A-Za-z0-9_-]+/g, 't=TOKEN');
  return `${kept.slice(0, kept.indexOf('\n\n'))}\n\n${text}`;
};

function expectUniform(mails: SunkMail[]) {
  const [first, ...rest] = mails as [SunkMail, ...SunkMail[]];
  for (const mail of mails) {
    expect(/\b(\d{6,})\b/.exec(mail.text)?.[1]).toHaveLength(8);
    expect(/\/login\/link\?t=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1]).toHaveLength(43);
  }
  for (const mail of rest) {
    expect(mail.subject).toBe(first.subject);
    expect(masked(mail)).toBe(masked(first));
    expect(mail.raw.length - toHeaderLength(mail.raw)).toBe(first.raw.length - toHeaderLength(first.raw));
  }
}

describe('login and invite mail are the same for everyone', () => {
  it('sends invitations of one size and wording, with no name or address in them', async () => {
    const res = await HttpClient.as(ts.url, admin).post('/api/admin/invites', {
      csv: `email,name\n${SHORT},Al Li\n${LONG},Bartholomew Featherstonehaugh-Smythe\n`,
      role: 'participant',
      sendEmails: true,
    });
    expect(res.status).toBe(200);
    const invites = [await sink.waitFor(SHORT), await sink.waitFor(LONG)];
    expectUniform(invites);
    for (const mail of invites) {
      const body = mail.raw.slice(mail.raw.search(/\r?\n\r?\n/));
      for (const secret of ['Al Li', 'Bartholomew', 'Featherstonehaugh', SHORT, LONG, '@'])
        expect(body).not.toContain(secret);
    }
  });

  it('sends login codes of one size and wording whoever asks, with no name or address in them', async () => {
    sink.messages.length = 0;
    const client = new HttpClient(ts.url);
    for (const email of [SHORT, LONG, SHORT])
      expect((await client.post('/api/auth/request-code', { email })).status).toBe(202);
    expect((await client.post('/api/test/login-mail-idle')).status).toBe(200);
    expect(sink.messages).toHaveLength(3);
    expect(sink.messages.map((m) => m.subject)).toEqual(Array(3).fill('Your Huddle login code'));
    expectUniform(sink.messages);
    for (const mail of sink.messages) {
      const body = mail.raw.slice(mail.raw.search(/\r?\n\r?\n/));
      for (const secret of ['Al Li', 'Bartholomew', SHORT, LONG, '@']) expect(body).not.toContain(secret);
    }
  });
});
