/**
 * Outgoing e-mail. With SMTP_URL set, messages go through nodemailer to that server.
 * Without it (a fresh machine, the demo), each message is written as an .eml file
 * under `${dataDir}/mailbox/` and one log line says where: open it with any mail client.
 * Log lines never carry the address: a log is read by people the promise covers.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';
import type { MailMessage, Mailer } from '../deps.js';

/** The little a mailer logs; a pino logger or Fastify's fits. */
export interface MailLog {
  info(obj: object, msg: string): void;
}

export const MAILBOX_DIR = 'mailbox';

export function createMailer(config: Config, log: MailLog): Mailer {
  return config.smtpUrl
    ? smtpMailer(config.smtpUrl, config.mailFrom)
    : mailboxMailer(path.join(config.dataDir, MAILBOX_DIR), config.mailFrom, log);
}

/** Keeps track of sends in flight so close() can let them finish first. */
function tracked(send: (m: MailMessage) => Promise<void>, closeTransport: () => void): Mailer {
  const pending = new Set<Promise<void>>();
  return {
    send(message) {
      const p = send(message);
      pending.add(p);
      const forget = () => pending.delete(p);
      p.then(forget, forget);
      return p;
    },
    async close() {
      await Promise.allSettled([...pending]);
      closeTransport();
    },
  };
}

function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return tracked(
    async (m) => {
      await transport.sendMail({
        from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        ...(m.html ? { html: m.html } : {}),
      });
    },
    () => transport.close(),
  );
}

function mailboxMailer(dir: string, from: string, log: MailLog): Mailer {
  // buffer: true gives the whole RFC 822 message, exactly what an SMTP server would receive.
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return tracked(
    async (m) => {
      const info = await transport.sendMail({
        from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        ...(m.html ? { html: m.html } : {}),
      });
      await fs.mkdir(dir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(4).toString('hex')}.eml`;
      const file = path.join(dir, name);
      await fs.writeFile(file, new Uint8Array(info.message as Buffer), { mode: 0o600 });
      log.info({ file }, 'e-mail written to the dev mailbox (SMTP_URL is not set)');
    },
    () => transport.close(),
  );
}
