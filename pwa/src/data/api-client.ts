/**
 * The PWA's only door to the network: typed calls to the Huddle API. Injectable as a base
 * URL plus a fetch implementation, so tests run the same code against a real server on
 * loopback (node's fetch with a cookie header) and the browser uses its own fetch.
 * Responses are parsed with the shared zod schemas: a server that answers something
 * else is an error, never silently trusted.
 */
import type { z } from 'zod';
import {
  errorResponseSchema,
  meResponseSchema,
  noticeScheduleResponseSchema,
  pullResponseSchema,
  pushResponseSchema,
  requestCodeResponseSchema,
  rosterHashesResponseSchema,
  type MeResponse,
  type NoticeScheduleResponse,
  type PullResponse,
  type PushResponse,
  type RosterHashesResponse,
} from '../../../shared/src/api.js';
import type { Mutation } from '../../../shared/src/mutations.js';
import { PROTOCOL_VERSION } from '../../../shared/src/protocol.js';
import { padPushBody } from '../../../shared/src/sync/padding.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** '' for same origin in the browser; 'http://127.0.0.1:1234' in tests. */
  baseUrl: string;
  fetch: FetchLike;
}

/** The server answered with an HTTP error (status and its JSON {error, message}). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No answer at all: offline, DNS, connection refused, or a reply that is not ours. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

export const CSRF_HEADER = 'x-huddle-csrf';

export interface ApiClient {
  readonly baseUrl: string;
  requestCode(email: string): Promise<string>;
  verify(email: string, code: string): Promise<MeResponse>;
  logout(): Promise<void>;
  me(): Promise<MeResponse>;
  /** `cursor` and `person` as in pushBodySchema (the device's pull cursor, whose changes these are). */
  push(mutations: readonly Mutation[], context?: { cursor?: string; person?: string }): Promise<PushResponse>;
  pull(cursor: string | undefined, limit?: number): Promise<PullResponse>;
  eventsUrl(): string;
  rosterHashes(): Promise<RosterHashesResponse>;
  /** When the daily notice goes (the opt-in says it), and when edits of published posts go out. */
  noticeSchedule(): Promise<NoticeScheduleResponse>;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/$/, '');

  async function call<T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T> | null, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await options.fetch(baseUrl + path, {
        method,
        headers: {
          accept: 'application/json',
          ...(method === 'GET' ? {} : { [CSRF_HEADER]: '1' }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'same-origin',
      });
    } catch (err) {
      throw new NetworkError(err instanceof Error ? err.message : 'network error');
    }
    const text = await res.text().catch(() => '');
    let json: unknown = undefined;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const parsed = errorResponseSchema.safeParse(json);
      if (parsed.success) throw new ApiError(res.status, parsed.data.error, parsed.data.message);
      throw new ApiError(res.status, 'http', `The server answered ${res.status}.`);
    }
    if (schema === null) return undefined as T;
    const parsed = schema.safeParse(json);
    // A 200 that is not our JSON (a captive portal, a proxy page) is as good as no answer.
    if (!parsed.success) throw new NetworkError(`unexpected answer from ${path}`);
    return parsed.data;
  }

  return {
    baseUrl,
    requestCode: async (email) => (await call('POST', '/api/auth/request-code', requestCodeResponseSchema, { email })).message,
    verify: (email, code) => call('POST', '/api/auth/verify', meResponseSchema, { email, code }),
    logout: () => call('POST', '/api/auth/logout', null, {}),
    me: () => call('GET', '/api/me', meResponseSchema),
    push: (mutations, context = {}) =>
      // Every push is padded to a fixed size bucket: a proxy cannot tell an idea from a vote by its size.
      call('POST', '/api/sync/push', pushResponseSchema, padPushBody({ protocolVersion: PROTOCOL_VERSION, mutations, ...context })),
    pull: (cursor, limit) => {
      const query = new URLSearchParams({ protocol: String(PROTOCOL_VERSION) });
      if (cursor !== undefined) query.set('cursor', cursor);
      if (limit !== undefined) query.set('limit', String(limit));
      const qs = query.toString();
      return call('GET', `/api/sync/pull${qs ? `?${qs}` : ''}`, pullResponseSchema);
    },
    eventsUrl: () => `${baseUrl}/api/sync/events`,
    rosterHashes: () => call('GET', '/api/text/roster-hashes', rosterHashesResponseSchema),
    noticeSchedule: () => call('GET', '/api/notices/schedule', noticeScheduleResponseSchema),
  };
}

/** True for failures worth retrying later with the same outbox: no answer, or a server-side 5xx/429. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof NetworkError) return true;
  return err instanceof ApiError && (err.status >= 500 || err.status === 429 || err.status === 408);
}
