/**
 * For the browser tests of logging in from e-mail: a real server serving the built PWA,
 * sending its mail to a real SMTP sink on loopback, with a conversation to land in and
 * an admin who invites people as the admin API does.
 */
import type { AccountDoc, LoginChallengeDoc } from '../../shared/src/documents.js';
import { loadConfig } from '../../sync-server/src/config.js';
import { loadSecrets } from '../../sync-server/src/secrets.js';
import { createTestAccount, type TestAccount } from './accounts.js';
import { PWA_DIST } from './browser.js';
import { seedConversation } from './seed.js';
import { startSmtpSink, type SmtpSink, type SunkMail } from './smtp-sink.js';
import { HttpClient, startTestServer, type TestServer } from './test-server.js';

export const STREAM_TITLE = 'Staff wellbeing';
/** Mail goes out in the background; on a loaded machine it can take many seconds. */
export const MAIL_TIMEOUT_MS = 30_000;

export interface MailLoginWorld {
  sink: SmtpSink;
  ts: TestServer;
  admin: TestAccount;
  /** Invites a fresh address and answers it with its invitation mail. */
  invite(label: string): Promise<{ email: string; mail: SunkMail }>;
  /** Every mail the sink has received for `email`, oldest first. */
  mailsTo(email: string): SunkMail[];
  /** Moves the address's live codes and links past their expiry, as the clock would. */
  expireChallenge(email: string): Promise<void>;
  close(): Promise<void>;
}

export async function startMailLoginWorld(): Promise<MailLoginWorld> {
  const sink = await startSmtpSink();
  const ts = await startTestServer({ SMTP_URL: sink.url, PWA_DIST_DIR: PWA_DIST });
  await seedConversation(ts.server.storage, { streamTitles: [STREAM_TITLE] });
  const admin = await createTestAccount(ts.server.storage, ts.dataDir, { roles: ['admin'] });
  const secrets = loadSecrets(loadConfig({ HUDDLE_DATA_DIR: ts.dataDir }));
  const mailsTo = (email: string) => sink.messages.filter((m) => m.to.includes(email.toLowerCase()));
  return {
    sink,
    ts,
    admin,
    mailsTo,
    async invite(label) {
      const email = `${label}-${Math.random().toString(36).slice(2, 8)}@trust.example`;
      const res = await HttpClient.as(ts.url, admin).post('/api/admin/invites', { csv: email });
      if (res.status !== 200) throw new Error(`invite answered ${res.status}: ${res.text}`);
      return { email, mail: await sink.waitFor(email, undefined, MAIL_TIMEOUT_MS) };
    },
    async expireChallenge(email) {
      const db = ts.server.storage.db('accounts');
      const account = await db.get<AccountDoc>(`account:${secrets.hmac('owner', 'email', email)}`);
      const id = `login-challenge:${account!.accountId}`;
      const challenge = await db.get<LoginChallengeDoc>(id);
      const past = new Date(Date.now() - 1000).toISOString();
      await db.put({ ...challenge!, live: challenge!.live.map((c) => ({ ...c, expiresAt: past })) });
    },
    async close() {
      await ts.close();
      await sink.close();
    },
  };
}
