/**
 * Cross-site request forgery rules, one per kind of caller.
 *
 * - The API (`/api/…`, called by the PWA's data layer): a custom header that forms and
 *   other origins cannot send without a CORS preflight (never granted here), and an
 *   Origin, when the browser sends one, that is ours. Session cookies are SameSite=Strict.
 * - The e-mailed link's form (`/login/…`, posted by a plain HTML page, so no custom
 *   header): the browser must vouch that the post comes from one of our own pages.
 *   Logging someone in is what is at stake (login CSRF: an attacker signs the victim
 *   into the attacker's account and later reads what the victim posted there), so the
 *   link's one-time token alone is not enough: the attacker has a token of their own.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from './errors.js';

export const CSRF_HEADER = 'x-huddle-csrf';

const isSafeMethod = (method: string) => method === 'GET' || method === 'HEAD' || method === 'OPTIONS';

/** Our origin: the configured public one, or the one this request was addressed to. */
function isOwnOrigin(origin: string, ownOrigin: string, host: string | undefined): boolean {
  return (
    origin === ownOrigin ||
    (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`))
  );
}

/** The API rule: undefined when the request may go on. */
export function apiCsrfRefusal(headers: IncomingHttpHeaders, ownOrigin: string): HttpError | undefined {
  const origin = headers.origin;
  if (origin && !isOwnOrigin(origin, ownOrigin, headers.host)) {
    return new HttpError(403, 'csrf', 'Cross-site request refused.');
  }
  if (headers[CSRF_HEADER] !== '1') return new HttpError(403, 'csrf', `Missing ${CSRF_HEADER} header.`);
  return undefined;
}

/**
 * The form rule: does the browser say this post comes from a page of our own origin?
 *
 * - `Sec-Fetch-Site` (Fetch Metadata), when sent, must be `same-origin`. Browsers set it
 *   and no page can: a form on another site, a sibling subdomain (`same-site`) or a
 *   sandboxed frame (opaque origin, `cross-site`) is told apart from our page.
 * - `Origin` must be ours. The landing page is served with `Referrer-Policy: strict-origin`
 *   so browsers send it (under `no-referrer` they send `Origin: null` with a form post,
 *   which is why the link used to fail). `null` is accepted only when Fetch Metadata
 *   also says same-origin; on its own it may come from a sandboxed frame anywhere.
 * - No `Origin` at all: refused. Every current browser sends it with a POST; only very
 *   old ones do not, and for them a forged post could not be told apart. They can still
 *   log in with the code, which goes through the API rule.
 *
 * A per-page token bound to a cookie would add state and protect against nothing these
 * headers leave open: neither can be set by the content of any page.
 */
export function isSameOriginFormPost(headers: IncomingHttpHeaders, ownOrigin: string): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = headers.origin;
  if (origin === 'null') return site === 'same-origin';
  return origin !== undefined && isOwnOrigin(origin, ownOrigin, headers.host);
}

/**
 * An onRequest hook applying the API rule to `/api/` and the form rule to `/login/`.
 * The form's refusal is answered by `refusedFormPage`, since a person reads it.
 */
export function csrfGuard(ownOrigin: string, refusedFormPage: () => string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (isSafeMethod(request.method)) return;
    if (request.url.startsWith('/api/')) {
      const refusal = apiCsrfRefusal(request.headers, ownOrigin);
      if (refusal) throw refusal;
    } else if (request.url.startsWith('/login/') && !isSameOriginFormPost(request.headers, ownOrigin)) {
      return reply
        .status(403)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(refusedFormPage());
    }
  };
}
