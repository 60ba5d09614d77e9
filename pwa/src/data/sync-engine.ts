/**
 * Keeps the device and the server in step: pushes the outbox and pulls changes whenever
 * there is a chance (coming online, the tab becoming visible, the server announcing a
 * batch, a local change, the person pressing "Send now"), and retries failures with
 * exponential backoff plus jitter. Holds only what it is doing right now in memory;
 * everything that matters (outbox, cursor, sign-in) lives in Dexie.
 */
import { ApiError, NetworkError, type ApiClient } from './api-client.js';
import { getMeta, setMeta, type HuddleDb } from './db.js';
import { syncLockOf, withLock } from './lock.js';
import { pullChangesLocked } from './pull.js';
import { pushOutboxLocked } from './push.js';
import { checkSession, type SessionCheck } from './session.js';
import type { SyncActivity, SyncProblem } from './sync-status.js';


export interface EngineSnapshot {
  isOnline: boolean;
  activity: SyncActivity;
  problem: SyncProblem;
  /** Message from the server when it refused our protocol version. */
  protocolMessage: string | null;
}

export interface SyncEngineOptions {
  db: HuddleDb;
  api: ApiClient;
  isOnline?: () => boolean;
  random?: () => number;
  baseRetryMs?: number;
  maxRetryMs?: number;
  /** Whose session the browser holds (default: ask the server, see session.ts). */
  checkSession?: (db: HuddleDb, api: ApiClient) => Promise<SessionCheck>;
}

interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: () => void): void;
  close(): void;
}

const EVENT_SOURCE_CLOSED = 2;

const defaultIsOnline = () => {
  const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
  return nav?.onLine ?? true;
};

export class SyncEngine {
  private snapshot: EngineSnapshot;
  private readonly listeners = new Set<() => void>();
  private running: Promise<void> | null = null;
  private isRequestedAgain = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private events: EventSourceLike | null = null;
  private isStarted = false;
  private readonly cleanups: Array<() => void> = [];
  /** The person whose session the server confirmed in this page: only their queued work is sent. */
  private verifiedEmail: string | null = null;
  private isStopped = false;

  constructor(private readonly options: SyncEngineOptions) {
    this.snapshot = { isOnline: this.isOnline(), activity: 'idle', problem: null, protocolMessage: null };
  }

  private isOnline(): boolean {
    return (this.options.isOnline ?? defaultIsOnline)();
  }

  getSnapshot = (): EngineSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private update(patch: Partial<EngineSnapshot>): void {
    const next = { ...this.snapshot, ...patch };
    const keys = Object.keys(next) as Array<keyof EngineSnapshot>;
    if (keys.every((k) => next[k] === this.snapshot[k])) return;
    this.snapshot = next;
    for (const l of this.listeners) l();
  }

  /** Push then pull; concurrent requests fold into one more round. Never throws. */
  requestSync(): Promise<void> {
    if (this.running) {
      this.isRequestedAgain = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.isRequestedAgain = false;
        await this.round();
      } while (this.isRequestedAgain);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** The person pressed "Send now": forget the backoff and try at once. */
  sendNow(): Promise<void> {
    this.failures = 0;
    this.clearRetry();
    return this.requestSync();
  }

  private async round(): Promise<void> {
    this.update({ isOnline: this.isOnline() });
    if (!this.snapshot.isOnline) return;
    try {
      if (!(await getMeta(this.options.db, 'person'))) return;
      await withLock(syncLockOf(this.options.db), () => this.syncUnderLock());
    } catch (err) {
      try {
        if (err instanceof ApiError && err.status === 401) {
          await setMeta(this.options.db, 'needsLogin', true);
          this.verifiedEmail = null;
          this.closeEvents();
          this.update({ problem: null });
          return;
        }
      } catch {
        // The database is gone (the tab is closing, or the person logged out): nothing left to record.
      }
      this.update({ problem: err instanceof NetworkError ? 'network' : 'server' });
      this.scheduleRetry();
    } finally {
      this.update({ activity: 'idle' });
    }
  }

  /** Push then pull, never both at once in this browser; nothing is sent before the session is known to be the device's person's. */
  private async syncUnderLock(): Promise<void> {
    const { db, api } = this.options;
    const person = await getMeta(db, 'person');
    const isBlocked = (await getMeta(db, 'needsLogin')) || (await getMeta(db, 'otherPersonSession'));
    if (!person || isBlocked) {
      this.closeEvents();
      this.update({ problem: null });
      return;
    }
    if (this.verifiedEmail !== person.email) {
      const check = await (this.options.checkSession ?? checkSession)(db, api);
      if (check === 'unreachable') throw new NetworkError('the server could not say whose session this is');
      if (check !== 'verified') {
        this.closeEvents();
        this.update({ problem: null });
        return;
      }
      this.verifiedEmail = (await getMeta(db, 'person'))?.email ?? null;
    }
    this.update({ activity: 'pushing' });
    const pushed = await pushOutboxLocked(db, api);
    if (pushed.kind === 'needs-login' || pushed.kind === 'wrong-person') {
      // Ask again whose session this is before anything else is sent.
      this.verifiedEmail = null;
      this.closeEvents();
      this.update({ problem: null });
      if (pushed.kind === 'wrong-person') this.isRequestedAgain = true;
      return;
    }
    this.update({ activity: 'pulling' });
    await pullChangesLocked(db, api);
    this.failures = 0;
    this.clearRetry();
    this.update({
      problem: pushed.kind === 'protocol' ? 'protocol' : null,
      protocolMessage: pushed.kind === 'protocol' ? pushed.message : null,
    });
    this.openEvents();
  }

  /** Forget which session was confirmed (after signing in, out, or switching person). */
  resetSession(): void {
    this.verifiedEmail = null;
  }

  /** Delay before the next retry: exponential in the failures so far, with jitter so many devices do not retry in step. */
  nextRetryDelay(): number {
    const base = this.options.baseRetryMs ?? 2_000;
    const max = this.options.maxRetryMs ?? 5 * 60_000;
    const exp = Math.min(max, base * 2 ** Math.min(this.failures, 20));
    const random = this.options.random ?? Math.random;
    return Math.round(exp / 2 + random() * (exp / 2));
  }

  private scheduleRetry(): void {
    this.clearRetry();
    // A stopped engine (its tab's database closed, the person logged out) never comes back by itself.
    if (this.isStopped) return;
    const delay = this.nextRetryDelay();
    this.failures++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.requestSync();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Browser wiring: online/offline, visibility, and the server's live channel. */
  start(): void {
    if (this.isStarted) return;
    this.isStarted = true;
    const onOnline = () => {
      this.failures = 0;
      this.update({ isOnline: true });
      void this.requestSync();
    };
    const onOffline = () => {
      this.update({ isOnline: false });
      this.closeEvents();
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void this.requestSync();
    };
    if (typeof window !== 'undefined') {
      window.addEventListener('online', onOnline);
      window.addEventListener('offline', onOffline);
      this.cleanups.push(() => window.removeEventListener('online', onOnline));
      this.cleanups.push(() => window.removeEventListener('offline', onOffline));
    }
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', onVisible);
      this.cleanups.push(() => document.removeEventListener('visibilitychange', onVisible));
    }
    void this.requestSync();
  }

  stop(): void {
    this.isStarted = false;
    this.isStopped = true;
    for (const c of this.cleanups.splice(0)) c();
    this.clearRetry();
    this.closeEvents();
  }

  private openEvents(): void {
    if (!this.isStarted || this.events || !this.snapshot.isOnline) return;
    const Source = (globalThis as { EventSource?: new (url: string) => EventSourceLike }).EventSource;
    if (!Source) return;
    const source = new Source(this.options.api.eventsUrl());
    source.addEventListener('batch', () => void this.requestSync());
    // After the browser reconnects the channel, a batch may have been missed meanwhile.
    let hasOpened = false;
    source.addEventListener('open', () => {
      if (hasOpened) void this.requestSync();
      hasOpened = true;
    });
    // The browser gives up for good on an HTTP error (a 401 after the session ended): let the next successful round reopen it.
    source.addEventListener('error', () => {
      if (source.readyState === EVENT_SOURCE_CLOSED && this.events === source) this.events = null;
    });
    this.events = source;
  }

  private closeEvents(): void {
    this.events?.close();
    this.events = null;
  }
}
