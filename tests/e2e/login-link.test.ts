/**
 * The e-mailed login link, in real Chromium at a phone viewport: the link is taken out of
 * the mail the real SMTP sink received, opened as a mail client opens it, and the page's
 * real button is pressed. Every way it can go wrong ends on a page a person can read,
 * never a JSON error, and a form posted from another site is still refused.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { assertPwaBuilt, checkScreen, launchChromium, phoneContext } from '../support/browser.js';
import { startMailLoginWorld, STREAM_TITLE, type MailLoginWorld } from '../support/mail-login.js';
import { HttpClient } from '../support/test-server.js';
import { linkOf } from '../integration/auth-helpers.js';

let world: MailLoginWorld;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  assertPwaBuilt();
  world = await startMailLoginWorld();
  browser = await launchChromium();
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

async function newPhonePage(): Promise<Page> {
  const context = await phoneContext(browser);
  contexts.push(context);
  return context.newPage();
}

/** Opens the link the way a mail client does: a click on it in a page of another origin. */
async function openFromMail(page: Page, link: string): Promise<void> {
  await page.setContent(`<p>Your Huddle login</p><p><a href="${link}">${link}</a></p>`);
  await Promise.all([page.waitForURL(link), page.getByRole('link', { name: link }).click()]);
  await page.getByRole('heading', { name: 'Log in to Huddle' }).waitFor();
}

const isLinkPost = (r: Request) => r.method() === 'POST' && new URL(r.url()).pathname === '/login/link';

/** What the page's own script sees: the person's session as the app reads it. */
const meFromPage = (page: Page) =>
  page.evaluate(async () => {
    const res = await fetch('/api/me');
    return { status: res.status, body: res.ok ? ((await res.json()) as { email: string }) : null };
  });

async function expectReadablePage(page: Page, heading: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  expect(await page.locator('body').innerText()).not.toMatch(/^\s*[{[]/);
  expect(await page.getByRole('link', { name: 'Go to Huddle' }).count()).toBe(1);
}

describe('the e-mailed login link in a real browser', () => {
  it('opening the invitation link and pressing the button logs the person in to the app', async () => {
    const { email, mail } = await world.invite('link');
    const page = await newPhonePage();
    await openFromMail(page, linkOf(mail));
    await checkScreen(page, 'login-link-page');

    const [post] = await Promise.all([
      page.waitForRequest(isLinkPost),
      page.getByRole('button', { name: 'Log in to Huddle' }).click(),
    ]);
    await page.getByRole('link', { name: STREAM_TITLE }).waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await meFromPage(page)).toEqual({ status: 200, body: expect.objectContaining({ email }) });

    // What made it work: the browser sent our origin (not `null`), and the token that is
    // in the landing page's address did not travel in a Referer header.
    const headers = await post.allHeaders();
    expect(headers['origin']).toBe(world.ts.url);
    expect(headers['sec-fetch-site']).toBe('same-origin');
    expect(headers['referer'] ?? '').not.toContain('t=');
  });

  it('pressing the button again, or opening the used link again, shows a clear page', async () => {
    const { mail } = await world.invite('twice');
    const link = linkOf(mail);
    const first = await newPhonePage();
    await openFromMail(first, link);
    // The same link open in a second tab of the same browser, before either button is pressed.
    const second = await first.context().newPage();
    await openFromMail(second, link);

    await first.getByRole('button', { name: 'Log in to Huddle' }).click();
    await first.getByRole('link', { name: STREAM_TITLE }).waitFor({ timeout: 20_000 });

    await second.getByRole('button', { name: 'Log in to Huddle' }).click();
    await expectReadablePage(second, 'You are already logged in');
    await checkScreen(second, 'login-link-used-signed-in');
    await second.getByRole('link', { name: 'Go to Huddle' }).click();
    await second.getByRole('link', { name: STREAM_TITLE }).waitFor({ timeout: 20_000 });

    await second.goto(link);
    await expectReadablePage(second, 'This login link no longer works');

    // Another device, where nobody is logged in: the used link says so, and leads to the app's login.
    const elsewhere = await newPhonePage();
    await elsewhere.goto(link);
    await expectReadablePage(elsewhere, 'This login link no longer works');
    await checkScreen(elsewhere, 'login-link-no-longer-works');
    await elsewhere.getByRole('link', { name: 'Go to Huddle' }).click();
    await elsewhere.getByLabel('E-mail address').waitFor({ timeout: 20_000 });
  });

  it('two quick taps send the form once and log in', async () => {
    // Two posts would race: the first uses the link up, the browser drops its answer (and
    // its cookie) for the second's, which then says the link no longer works.
    const { email, mail } = await world.invite('double');
    const page = await newPhonePage();
    await openFromMail(page, linkOf(mail));
    const posts: Request[] = [];
    page.on('request', (r) => void (isLinkPost(r) && posts.push(r)));
    // Two taps in a row, as on a phone that seems slow to react.
    const button = (await page.getByRole('button', { name: 'Log in to Huddle' }).boundingBox())!;
    await page.mouse.click(button.x + button.width / 2, button.y + button.height / 2);
    await page.mouse.click(button.x + button.width / 2, button.y + button.height / 2);
    await page.getByRole('link', { name: STREAM_TITLE }).waitFor({ timeout: 20_000 });
    expect(await meFromPage(page)).toEqual({ status: 200, body: expect.objectContaining({ email }) });
    expect(posts).toHaveLength(1);
  });

  it('an expired link shows a clear page, whether it expired before opening or before pressing', async () => {
    const { email, mail } = await world.invite('expired');
    const page = await newPhonePage();
    await openFromMail(page, linkOf(mail));
    await world.expireChallenge(email);
    await page.getByRole('button', { name: 'Log in to Huddle' }).click();
    await expectReadablePage(page, 'This login link no longer works');
    expect((await meFromPage(page)).status).toBe(401);

    await page.goto(linkOf(mail));
    await expectReadablePage(page, 'This login link no longer works');
  });
});

describe('the link form still refuses other sites', () => {
  let attacker: http.Server;
  let attackerUrl: string;
  /** The attacker's page: their own valid link token in a form aimed at Huddle (login CSRF). */
  let attackerPage = '';

  beforeAll(async () => {
    attacker = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(attackerPage);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => attacker.close(() => resolve()));
  });

  it('a form on another origin, or in a sandboxed frame, posting a valid token logs nobody in', async () => {
    const { mail } = await world.invite('attacker');
    const token = new URL(linkOf(mail)).searchParams.get('t')!;
    const form = (target: string) =>
      `<form method="post" action="${world.ts.url}/login/link" target="${target}">` +
      `<input type="hidden" name="token" value="${token}"><button>Win a prize</button></form>`;
    attackerPage = [
      '<!doctype html><title>Prizes</title>',
      form('_self'),
      // An opaque origin: the browser sends `Origin: null`, as it did from Huddle's own page before.
      `<iframe title="sandboxed" sandbox="allow-forms" srcdoc="${form('_self').replaceAll('"', '&quot;')}"></iframe>`,
    ].join('\n');

    const victim = await newPhonePage();
    await victim.goto(attackerUrl);
    const [sandboxed] = await Promise.all([
      victim.waitForResponse((r) => isLinkPost(r.request())),
      victim.frameLocator('iframe').getByRole('button', { name: 'Win a prize' }).click(),
    ]);
    expect(sandboxed.status()).toBe(403);
    expect((await sandboxed.request().allHeaders())['origin']).toBe('null');

    const [crossOrigin] = await Promise.all([
      victim.waitForResponse((r) => isLinkPost(r.request())),
      victim.getByRole('button', { name: 'Win a prize' }).first().click(),
    ]);
    expect(crossOrigin.status()).toBe(403);
    expect((await crossOrigin.request().allHeaders())['origin']).toBe(attackerUrl.slice(0, -1));
    await expectReadablePage(victim, 'Please open the link again');
    expect((await meFromPage(victim)).status).toBe(401);

    // Refused posts do not use the link up: its owner can still log in with it.
    const owner = new HttpClient(world.ts.url);
    const own = await owner.request('POST', '/login/link', `token=${token}`, {
      'content-type': 'application/x-www-form-urlencoded',
      origin: world.ts.url,
    });
    expect(own.status).toBe(303);
  });
});
