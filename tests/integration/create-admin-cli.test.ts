/**
 * `npm run huddle -- create-admin <email>` (issue 8): the first admin on an empty store, run as
 * a real child process with tsx against a fresh data directory and a real SMTP sink, then
 * checked in the store and through a real server over that directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountDoc } from '../../shared/src/documents.js';
import { defaultKeysDir } from '../../sync-server/src/config.js';
import { PouchStorage } from '../../sync-server/src/storage/pouch-adapter.js';
import { runCli } from '../support/cli.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { HttpClient, makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';
import { codeOf, mailbox } from './auth-helpers.js';

const ADMIN = 'you@trust.example';
const dataDir = makeTempDir();
const devMailboxDir = makeTempDir();
let sink: SmtpSink;
let ts: TestServer | undefined;

const cli = (args: string[], env: Record<string, string> = {}) => runCli(dataDir, args, env);

/** Every account in the embedded store of `dir` (the CLI and the server must not hold it). */
async function accountsIn(dir: string): Promise<AccountDoc[]> {
  const storage = new PouchStorage({ dataDir: dir });
  await storage.init();
  try {
    const rows = await storage.db('accounts').list({ includeDocs: true });
    return rows.map((r) => r.doc as unknown as AccountDoc).filter((d) => d?.type === 'account');
  } finally {
    await storage.close();
  }
}

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await ts?.close();
  await sink?.close();
  // Keys generated for a data directory live beside it (config.ts defaultKeysDir).
  for (const dir of [dataDir, devMailboxDir])
    for (const d of [dir, defaultKeysDir(dir)]) fs.rmSync(d, { recursive: true, force: true });
});

describe('npm run huddle -- create-admin', () => {
  it('is listed in the help', async () => {
    const res = await cli(['help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/create-admin <email>/);
  });

  it('refuses a bad or missing address with a message and a non-zero exit, creating nothing', async () => {
    const bad = await cli(['create-admin', 'not-an-address'], { SMTP_URL: sink.url });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/"not-an-address" is not a valid e-mail address/);
    const missing = await cli(['create-admin'], { SMTP_URL: sink.url });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/create-admin needs exactly one e-mail address/);
    const two = await cli(['create-admin', ADMIN, 'other@trust.example'], { SMTP_URL: sink.url });
    expect(two.code).not.toBe(0);
    expect(sink.messages).toHaveLength(0);
    expect(await accountsIn(dataDir)).toEqual([]);
  });

  it('on an empty store creates one invited admin and mails the invitation; a second run creates no duplicate', async () => {
    const nextMail = mailbox(sink);
    const res = await cli(['create-admin', ADMIN], { SMTP_URL: sink.url });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Created admin you@trust\.example and sent the invitation e-mail/);
    const mail = await nextMail(ADMIN);
    expect(mail.to).toEqual([ADMIN]);

    const again = await cli(['create-admin', 'You@Trust.example'], { SMTP_URL: sink.url });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/you@trust\.example already has an account \(no second one was created\)/);
    expect(again.stdout).toMatch(/already an admin\. No e-mail sent/);

    const accounts = await accountsIn(dataDir);
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ email: ADMIN, roles: ['admin'], status: 'invited' });
    // The second run sent nothing: only the first invitation reached the sink.
    expect(sink.messages.filter((m) => m.to.includes(ADMIN))).toHaveLength(1);

    // The mailed code logs the admin in as an admin.
    ts = await startTestServer({ SMTP_URL: sink.url }, dataDir);
    const client = new HttpClient(ts.url);
    const verified = await client.post('/api/auth/verify', { email: ADMIN, code: codeOf(mail) });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ email: ADMIN, roles: ['admin'], isDemo: false });
  });

  it('without SMTP_URL writes the invitation to the dev mailbox', async () => {
    const res = await cli(['create-admin', ADMIN], { HUDDLE_DATA_DIR: devMailboxDir });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/to the dev mailbox .*mailbox \(SMTP_URL is not set\)/);
    const files = fs.readdirSync(path.join(devMailboxDir, 'mailbox'));
    expect(files).toHaveLength(1);
    const eml = fs.readFileSync(path.join(devMailboxDir, 'mailbox', files[0]!), 'utf8');
    expect(eml).toMatch(/^To: you@trust\.example$/m);
  });
});
