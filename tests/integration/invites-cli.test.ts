/**
 * The operator CLI (`npm run huddle -- ...`) run as a real child process with tsx against
 * a temporary data directory, then checked through a real server over that directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { HttpClient, makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';
import { codeOf, logIn, mailbox } from './auth-helpers.js';

const ROSTER = 'tests/fixtures/staff-roster.dev.csv';
const dataDir = makeTempDir();
let sink: SmtpSink;
let ts: TestServer | undefined;

const cli = (args: string[], env: Record<string, string> = {}) => runCli(dataDir, args, env);

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await ts?.close({ keepData: true });
  await sink?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run huddle -- invite / revoke-sessions', () => {
  it('help says to stop the server first with the embedded store', async () => {
    const res = await cli(['help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/invite <file\.csv>/);
    expect(res.stdout).toMatch(/stop the server first/i);
  });

  it('imports the staff roster as-is without sending e-mail (--no-email)', async () => {
    const res = await cli(['invite', ROSTER, '--no-email']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Invited 60 new participants; 0 already had an account/);
    expect(res.stdout).toMatch(/No e-mails sent/);
    expect(fs.existsSync(path.join(dataDir, 'mailbox'))).toBe(false);
    const again = await cli(['invite', ROSTER, '--no-email']);
    expect(again.stdout).toMatch(/Invited 0 new participants; 60 already had an account/);
  });

  it('invites moderators with e-mail through SMTP; bad lines are listed; the invitee logs in as moderator', async () => {
    const csv = path.join(dataDir, 'moderators.csv');
    fs.writeFileSync(
      csv,
      'email,name\nmod.one@facilitators.example,Mod One\nnot-an-address,Nobody\nmod.two@facilitators.example\n',
    );
    const res = await cli(['invite', csv, '--role', 'moderator'], { SMTP_URL: sink.url });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Invited 2 new moderators/);
    expect(res.stdout).toMatch(/line 3: not a valid e-mail address/);
    expect(res.stdout).toMatch(/Sent 2 invitation e-mails/);
    const nextMail = mailbox(sink);
    const mail = await nextMail('mod.one@facilitators.example');
    await nextMail('mod.two@facilitators.example');

    ts = await startTestServer({ SMTP_URL: sink.url }, dataDir);
    const client = new HttpClient(ts.url);
    const verified = await client.post('/api/auth/verify', {
      email: 'mod.one@facilitators.example',
      code: codeOf(mail),
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({
      email: 'mod.one@facilitators.example',
      roles: ['moderator'],
      isDemo: false,
    });
    // A roster invitee (no e-mail sent) asks for a code and logs in.
    const nurse = new HttpClient(ts.url);
    await logIn(nurse, nextMail, 'gemma.whitfield@trust.example');
    expect((await nurse.get('/api/me')).body.roles).toEqual(['participant']);

    // While the server holds the embedded store, the CLI refuses with a clear message.
    const locked = await cli(['revoke-sessions', 'mod.one@facilitators.example']);
    expect(locked.code).toBe(2);
    expect(locked.stderr).toMatch(/stop the Huddle server first/);

    await ts.close({ keepData: true });
    ts = undefined;
    const revoked = await cli(['revoke-sessions', 'MOD.ONE@facilitators.example']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/Revoked 1 session/);
    const unknown = await cli(['revoke-sessions', 'nobody@trust.example']);
    expect(unknown.code).toBe(2);

    ts = await startTestServer({ SMTP_URL: sink.url }, dataDir);
    const sameCookie = new HttpClient(ts.url);
    const cookies = (client as unknown as { cookies: Map<string, string> }).cookies;
    sameCookie.setCookie('huddle_session', cookies.get('huddle_session')!);
    expect((await sameCookie.get('/api/me')).status).toBe(401);
    const nurseAgain = new HttpClient(ts.url).setCookie(
      'huddle_session',
      (nurse as unknown as { cookies: Map<string, string> }).cookies.get('huddle_session')!,
    );
    expect((await nurseAgain.get('/api/me')).status).toBe(200);
  });

  it('refuses a bad role with usage help', async () => {
    const res = await cli(['invite', ROSTER, '--role', 'king']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--role must be one of/);
  });
});
