/**
 * The in-memory limits on the login routes: per network address (a hospital's staff may all
 * share one egress address, so these are generous) and across the service (so that no single
 * caller decides how much mail Huddle sends or how many codes it checks). They are token
 * buckets held by this process: with N instances behind a load balancer each has its own, so
 * the per-network and service-wide figures are N times larger. An operator either sends the
 * login routes to one instance or divides LOGIN_NETWORK_PER_MINUTE and LOGIN_SERVICE_PER_MINUTE
 * (config.ts) by N. The limits that protect one person (codes sent to an address, wrong codes
 * tried for it) are stored with that person's codes (login-codes.ts) and hold across instances.
 *
 * Time comes from deps.now, so tests can play a minute of shift change on a fake clock.
 */
import type { Deps } from '../deps.js';

const MINUTE_MS = 60_000;

/**
 * Per network address, per minute, code requests and code checks each (LOGIN_NETWORK_PER_MINUTE):
 * 300 people behind one address ask and verify, twice over. Links that do not work get half of it
 * (a link that works is never refused).
 */
export const DEFAULT_NETWORK_PER_MINUTE = 1_200;
/**
 * Service-wide, per minute, code requests and code checks each (LOGIN_SERVICE_PER_MINUTE): a Trust
 * of thousands logging in at shift change fits several times.
 */
export const DEFAULT_SERVICE_PER_MINUTE = 3_000;

/** How long until the next try would be allowed, in words for the person. */
export const inWords = (ms: number) => {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 90 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${Math.ceil(seconds / 60)} minutes`;
};

/**
 * A token bucket per key: `capacity` tries at once, refilled at `capacity` per `windowMs`.
 * Full buckets are forgotten, so the map holds only keys that used some budget lately.
 */
export class Budget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly capacity: number,
    readonly windowMs: number,
    private readonly now: () => Date,
  ) {}

  private refilled(key: string): { tokens: number; at: number } {
    const t = this.now().getTime();
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.capacity, at: t };
    const tokens = Math.min(this.capacity, bucket.tokens + ((t - bucket.at) * this.capacity) / this.windowMs);
    return { tokens, at: t };
  }

  /** Takes one try: 0 if there was one, otherwise how many ms until there is. */
  take(key = ''): number {
    const bucket = this.refilled(key);
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      return Math.ceil(((1 - bucket.tokens) * this.windowMs) / this.capacity);
    }
    this.buckets.set(key, { tokens: bucket.tokens - 1, at: bucket.at });
    if (this.buckets.size > 10_000) this.forgetFull();
    return 0;
  }

  /** 0 if a try is left, without taking it; otherwise how many ms until there is. */
  waitFor(key = ''): number {
    const bucket = this.refilled(key);
    return bucket.tokens >= 1 ? 0 : Math.ceil(((1 - bucket.tokens) * this.windowMs) / this.capacity);
  }

  private forgetFull(): void {
    for (const key of [...this.buckets.keys()])
      if (this.refilled(key).tokens >= this.capacity) this.buckets.delete(key);
  }
}

export interface LoginBudgets {
  perIpCodeRequests: Budget;
  perIpVerifies: Budget;
  perIpBadLinks: Budget;
  serviceCodeRequests: Budget;
  serviceVerifies: Budget;
}

export function createLoginBudgets(deps: Pick<Deps, 'now' | 'config'>): LoginBudgets {
  const perMinute = (n: number) => new Budget(n, MINUTE_MS, deps.now);
  const { networkPerMinute, servicePerMinute } = deps.config.loginBudgets;
  return {
    perIpCodeRequests: perMinute(networkPerMinute),
    perIpVerifies: perMinute(networkPerMinute),
    perIpBadLinks: perMinute(Math.max(1, Math.floor(networkPerMinute / 2))),
    serviceCodeRequests: perMinute(servicePerMinute),
    serviceVerifies: perMinute(servicePerMinute),
  };
}
