/**
 * E-mail login: ask for a code, verify it (or open the e-mailed link), see who you
 * are, log out. Sessions themselves live in sessions.ts, login codes in login-codes.ts.
 * The limits that protect a person (codes sent to an address, wrong codes tried for it)
 * are stored with their codes; the per-network and service-wide budgets here are an
 * in-memory layer (login-budgets.ts). Known and unknown addresses get the same answers
 * after the same work: request-code answers before any of it, verify reads, hashes and
 * writes the same for both.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  linkLoginBodySchema,
  meResponseSchema,
  requestCodeBodySchema,
  requestCodeResponseSchema,
  verifyCodeBodySchema,
  type MeResponse,
} from '../../../shared/src/api.js';
import type { AccountDoc } from '../../../shared/src/documents.js';
import type { Deps } from '../deps.js';
import { HttpError } from '../http/errors.js';
import { route } from '../http/route.js';
import { ensureAccountPointer, findAccountByEmail, markActive, type AuthDeps } from './accounts.js';
import { createBackground, type Background } from './background.js';
import { createLoginBudgets, inWords, type Budget } from './login-budgets.js';
import {
  checkLoginCode,
  consumeLoginLink,
  isLoginLinkUsable,
  issueLoginChallenge,
  issueNothing,
  MAX_SENDS_PER_WINDOW,
} from './login-codes.js';
import { loginCodeMail } from './login-mail.js';
import {
  LOGIN_PAGE_CSS,
  LOGIN_PAGE_CSS_PATH,
  LOGIN_PAGE_JS,
  LOGIN_PAGE_JS_PATH,
  linkNotUsablePage,
  linksRateLimitedPage,
  linkUsedWhileSignedInPage,
  loginFormPage,
} from './login-page.js';
import { createSession, requireSession, revokeSession, SESSION_COOKIE } from './sessions.js';

export const REQUEST_CODE_ANSWER =
  'If this address is invited to Huddle, a code is on its way. It can take a minute or two. ' +
  'Any code or link already sent to you keeps working until it expires.';
/** Said to everyone the same way, so it never tells whether an address is known or was guessed at. */
const WRONG_CODE =
  'That code is not right, or it has expired, or too many wrong codes were tried for this address. ' +
  'The link in the e-mail still works; or ask for a new code.';

/** A 429 with a message and Retry-After, before any work: the same for every address. */
function spend(reply: FastifyReply, budget: Budget, key: string, message: (wait: string) => string): void {
  const waitMs = budget.take(key);
  if (waitMs === 0) return;
  void reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
  throw new HttpError(429, 'rate-limited', message(inWords(waitMs)));
}
const fromThisNetwork = (wait: string) => `Too many attempts from this network. Please try again in ${wait}.`;
const serviceBusy = (wait: string) =>
  `Huddle is very busy. Please try again in ${wait}. The link in your e-mail still works.`;

/** May this account log in at all on this server? */
export const canLogIn = (deps: Pick<Deps, 'config'>, account: AccountDoc) =>
  account.status !== 'disabled' && !(account.isDemo && !deps.config.isDemo);

export const toMe = (account: Pick<AccountDoc, 'email' | 'roles' | 'isDemo'>): MeResponse =>
  meResponseSchema.parse({ email: account.email, roles: account.roles, isDemo: Boolean(account.isDemo) });

async function startSession(deps: Deps, reply: FastifyReply, account: AccountDoc): Promise<void> {
  await ensureAccountPointer(deps, account);
  await markActive(deps, account);
  await createSession(deps, reply, account.accountId);
}

/** Sends a login code if the address belongs to an account that may log in; silent otherwise. */
export async function sendLoginCode(deps: AuthDeps, email: string): Promise<void> {
  const account = await findAccountByEmail(deps, email);
  if (!account || !canLogIn(deps, account)) return issueNothing(deps, email);
  const validForMs = deps.config.loginCodeMinutes * 60_000;
  const issued = await issueLoginChallenge(deps, account, validForMs);
  if (issued === 'limited') {
    deps.log.info(
      `login code not sent: ${MAX_SENDS_PER_WINDOW} were sent to this address within one code lifetime`,
    );
    return;
  }
  await deps.mailer.send(loginCodeMail(deps.config, account.email, issued, validForMs));
}

async function hasSession(deps: Deps, request: FastifyRequest): Promise<boolean> {
  try {
    await requireSession(deps, request);
    return true;
  } catch (err) {
    if (err instanceof HttpError && err.statusCode === 401) return false;
    throw err;
  }
}

export async function registerAuthRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const background: Background = createBackground(deps.log);
  const budgets = createLoginBudgets(deps);
  app.addHook('onClose', async () => background.drain());

  if (deps.config.hasTestHooks) {
    // Login mail goes out after the answer: tests wait here instead of sleeping, then count it.
    route(
      app,
      {
        method: 'POST',
        url: '/api/test/login-mail-idle',
        summary: 'Test only: answers once every login code asked for so far is sent (or refused)',
        tag: 'test',
        access: 'test hooks',
      },
      async () => {
        await background.drain();
        return { isIdle: true };
      },
    );
  }

  await app.register(async (scope) => {
    route(
      scope,
      {
        method: 'POST',
        url: '/api/auth/request-code',
        summary: 'E-mail a login code and link (same answer whether or not the address is known)',
        tag: 'auth',
        access: 'public',
        body: requestCodeBodySchema,
        response: requestCodeResponseSchema,
      },
      async ({ body, request, reply }) => {
        spend(reply, budgets.perIpCodeRequests, request.ip, fromThisNetwork);
        spend(reply, budgets.serviceCodeRequests, '', serviceBusy);
        // All the work happens after the answer, so known and unknown addresses look and time the same.
        background.run('login code', () => sendLoginCode(deps, body.email));
        void reply.status(202);
        return { message: REQUEST_CODE_ANSWER };
      },
    );

    route(
      scope,
      {
        method: 'POST',
        url: '/api/auth/verify',
        summary: 'Log in with the e-mailed code; sets the session cookie',
        tag: 'auth',
        access: 'public',
        body: verifyCodeBodySchema,
        response: meResponseSchema,
      },
      async ({ body, request, reply }) => {
        spend(reply, budgets.perIpVerifies, request.ip, fromThisNetwork);
        spend(reply, budgets.serviceVerifies, '', serviceBusy);
        const found = await findAccountByEmail(deps, body.email);
        const account = found && canLogIn(deps, found) ? found : undefined;
        // An unknown address goes through the same read, hash and write, then the same answer.
        if (!(await checkLoginCode(deps, body.email, account, body.code)) || !account)
          throw new HttpError(400, 'invalid-code', WRONG_CODE);
        await startSession(deps, reply, account);
        return toMe(account);
      },
    );
  });

  // Outside the rate limit: static files, and many staff may share one address.
  const asset = (url: string, type: string, content: string) =>
    app.get(url, async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=3600').type(type).send(content),
    );
  asset(LOGIN_PAGE_CSS_PATH, 'text/css; charset=utf-8', LOGIN_PAGE_CSS);
  asset(LOGIN_PAGE_JS_PATH, 'text/javascript; charset=utf-8', LOGIN_PAGE_JS);

  await app.register(async (scope) => {
    // The link page posts an ordinary HTML form.
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4096 },
      (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      },
    );

    const html = (reply: FastifyReply, status: number, page: string) =>
      reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page);

    // A link that works is never refused (256 random bits: nothing to guess, nothing to limit);
    // links that do not work are counted per network, so a flood of them is answered cheaply.
    const refusedLink = (request: FastifyRequest, reply: FastifyReply, page: () => string) => {
      const waitMs = budgets.perIpBadLinks.take(request.ip);
      if (waitMs === 0) return html(reply, 400, page());
      void reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
      return html(reply, 429, linksRateLimitedPage(inWords(waitMs)));
    };

    scope.get('/login/link', async (request, reply) => {
      const token = (request.query as { t?: unknown }).t;
      const isUsable = typeof token === 'string' && (await isLoginLinkUsable(deps, token));
      if (!isUsable) return refusedLink(request, reply, linkNotUsablePage);
      // The page's form post must carry our Origin (the CSRF rule for forms, http/csrf.ts):
      // under the site-wide `no-referrer` browsers send `Origin: null` instead. `strict-origin`
      // sends the origin and never the path, so the token in this page's URL stays out of any
      // Referer header (and so out of proxy logs).
      void reply.header('referrer-policy', 'strict-origin');
      return html(reply, 200, loginFormPage(token));
    });

    scope.post('/login/link', async (request, reply) => {
      const body = linkLoginBodySchema.safeParse(request.body ?? {});
      const account = body.success ? await consumeLoginLink(deps, body.data.token) : undefined;
      if (!account || !canLogIn(deps, account)) {
        // Pressed again (a second tab, the back button) where the first press logged in:
        // say so, rather than "no longer works" to someone who is in.
        const page = (await hasSession(deps, request)) ? linkUsedWhileSignedInPage() : linkNotUsablePage();
        return refusedLink(request, reply, () => page);
      }
      await startSession(deps, reply, account);
      return reply.status(303).header('cache-control', 'no-store').redirect('/', 303);
    });
  });

  route(
    app,
    {
      method: 'POST',
      url: '/api/auth/logout',
      summary: 'End this session and clear the cookie',
      tag: 'auth',
      access: 'session',
      response: requestCodeResponseSchema,
    },
    async ({ request, reply }) => {
      try {
        const session = await requireSession(deps, request);
        await revokeSession(deps, session.sessionDocId);
      } catch (err) {
        if (!(err instanceof HttpError) || err.statusCode !== 401) throw err;
      }
      void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
      return { message: 'Logged out.' };
    },
  );

  route(
    app,
    {
      method: 'GET',
      url: '/api/me',
      summary: 'Who am I: e-mail and roles (never an account id)',
      tag: 'auth',
      access: 'session',
      response: meResponseSchema,
    },
    async ({ request }) => toMe(await requireSession(deps, request)),
  );
}
