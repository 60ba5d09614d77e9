/** Shared by the auth/invite tests: read codes and links out of real e-mails in the SMTP sink. */
import type { SmtpSink, SunkMail } from '../support/smtp-sink.js';
import type { HttpClient } from '../support/test-server.js';

export function codeOf(mail: SunkMail): string {
  const m = /code[^0-9]*(\d{8})/i.exec(mail.text);
  if (!m) throw new Error(`no code in mail: ${mail.text}`);
  return m[1]!;
}

export function linkOf(mail: SunkMail): string {
  const m = /(https?:\/\/\S+\/login\/link\?t=[A-Za-z0-9_%-]+)/.exec(mail.text);
  if (!m) throw new Error(`no link in mail: ${mail.text}`);
  return m[1]!;
}

/** Waits for the next mail to `to` that the test has not seen yet. */
export function mailbox(sink: SmtpSink) {
  const seen = new Set<SunkMail>();
  return async (to: string, timeoutMs = 10_000): Promise<SunkMail> => {
    const mail = await sink.waitFor(to, (m) => !seen.has(m), timeoutMs);
    seen.add(mail);
    return mail;
  };
}

/** request-code, read the mail, verify: a logged-in client. */
export async function logIn(client: HttpClient, nextMail: (to: string) => Promise<SunkMail>, email: string) {
  const asked = await client.post('/api/auth/request-code', { email });
  if (asked.status !== 202) throw new Error(`request-code answered ${asked.status}`);
  const code = codeOf(await nextMail(email));
  const verified = await client.post('/api/auth/verify', { email, code });
  if (verified.status !== 200) throw new Error(`verify answered ${verified.status}: ${verified.text}`);
  return verified;
}
