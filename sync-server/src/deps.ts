/** What every route module receives. Built once per process in app.ts. */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { Secrets } from './secrets.js';
import type { Storage } from './storage/port.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

/** Tells open live channels that a batch was released (this instance or another). */
export interface Notifier {
  publish(event: { type: 'batch'; seq: string }): void;
  subscribe(listener: (event: { type: 'batch'; seq: string }) => void): () => void;
}

export interface Deps {
  config: Config;
  storage: Storage;
  secrets: Secrets;
  mailer: Mailer;
  notifier: Notifier;
  log: FastifyBaseLogger;
  now: () => Date;
}
