/**
 * Without SMTP_URL, mail goes to a dev mailbox: one .eml file per message under
 * `${dataDir}/mailbox/`, and one log line saying where, with no address in it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../sync-server/src/config.js';
import { createMailer } from '../../sync-server/src/mail/mailer.js';
import { createTestAccount } from '../support/accounts.js';
import { HttpClient, makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';
import { startSmtpSink } from '../support/smtp-sink.js';

const dirs: string[] = [];
let ts: TestServer | undefined;
afterEach(async () => {
  await ts?.close();
  ts = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function waitForFiles(dir: string, count: number, timeoutMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')) : [];
    if (files.length >= count) return files.map((f) => path.join(dir, f));
    if (Date.now() > deadline)
      throw new Error(`expected ${count} .eml files in ${dir}, found ${files.length}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('dev mailbox', () => {
  it('writes each message as an .eml file and logs one line with the file, never the address', async () => {
    const dataDir = makeTempDir();
    dirs.push(dataDir);
    const lines: Array<{ obj: object; msg: string }> = [];
    const mailer = createMailer(loadConfig({ HUDDLE_DATA_DIR: dataDir }), {
      info: (obj, msg) => lines.push({ obj, msg }),
    });
    await mailer.send({ to: 'someone@trust.example', subject: 'Hello', text: 'Body text 123456' });
    await mailer.close();
    const [file] = await waitForFiles(path.join(dataDir, 'mailbox'), 1);
    const parsed = await simpleParser(fs.readFileSync(file!));
    expect(parsed.subject).toBe('Hello');
    expect(parsed.text?.trim()).toBe('Body text 123456');
    expect(JSON.stringify(parsed.to)).toContain('someone@trust.example');
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines[0])).toContain(file!);
    expect(JSON.stringify(lines[0])).not.toContain('someone');
    expect(JSON.stringify(lines[0])).not.toContain('@');
  });

  it('with SMTP_URL unset, a login code requested over HTTP lands in the mailbox and logs in', async () => {
    ts = await startTestServer();
    const account = await createTestAccount(ts.server.storage, ts.dataDir);
    const client = new HttpClient(ts.url);
    expect((await client.post('/api/auth/request-code', { email: account.email })).status).toBe(202);
    // The file exists as soon as its write begins: read it once the server says the mail went out.
    expect((await client.post('/api/test/login-mail-idle')).status).toBe(200);
    const [file] = await waitForFiles(path.join(ts.dataDir, 'mailbox'), 1);
    const parsed = await simpleParser(fs.readFileSync(file!));
    const code = /code[^0-9]*(\d{8})/i.exec(parsed.text ?? '')![1]!;
    expect(parsed.text).toContain(`${ts.url}/login/link?t=`);
    const res = await client.post('/api/auth/verify', { email: account.email, code });
    expect(res.status).toBe(200);
  });

  it('close() waits for a message still being sent over SMTP', async () => {
    const sink = await startSmtpSink();
    try {
      const dataDir = makeTempDir();
      dirs.push(dataDir);
      const mailer = createMailer(loadConfig({ HUDDLE_DATA_DIR: dataDir, SMTP_URL: sink.url }), {
        info: () => undefined,
      });
      void mailer.send({ to: 'late@trust.example', subject: 'Late', text: 'x' });
      await mailer.close();
      expect(sink.messages.map((m) => m.subject)).toEqual(['Late']);
    } finally {
      await sink.close();
    }
  });
});
