/**
 * Logging in with a code, in real Chromium at a phone viewport, with the mail read out of
 * the real SMTP sink: the invitation's own code works through "I already have a code"
 * (asking for a new code would not cancel it either), and the code step survives a reload.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { AccountDoc, LoginChallengeDoc } from '../../shared/src/documents.js';
import { loadConfig } from '../../sync-server/src/config.js';
import { loadSecrets } from '../../sync-server/src/secrets.js';
import { assertPwaBuilt, checkScreen, launchChromium, phoneContext } from '../support/browser.js';
import {
  MAIL_TIMEOUT_MS,
  startMailLoginWorld,
  STREAM_TITLE,
  type MailLoginWorld,
} from '../support/mail-login.js';
import { codeOf } from '../integration/auth-helpers.js';

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

/** A phone on the login screen, recording every request for a new code it makes. */
async function loginPage(): Promise<{ page: Page; codeRequests: string[] }> {
  const context = await phoneContext(browser);
  contexts.push(context);
  const page = await context.newPage();
  const codeRequests: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/auth/request-code') codeRequests.push(r.postData() ?? '');
  });
  await page.goto(world.ts.url);
  await page.getByLabel('E-mail address').waitFor({ timeout: 20_000 });
  return { page, codeRequests };
}

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

async function expectSignedIn(page: Page, email: string): Promise<void> {
  await page.getByRole('link', { name: STREAM_TITLE }).waitFor({ timeout: 20_000 });
  const me = await page.evaluate(async () => {
    const res = await fetch('/api/me');
    return { status: res.status, body: (await res.json()) as { email?: string } };
  });
  expect(me).toEqual({ status: 200, body: expect.objectContaining({ email }) });
  // Signed in: nothing of the login step is left for a reload to bring back.
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
}

/** How many codes the server has sent to the address in the last hour (it counts them with the challenge). */
async function sendsTo(email: string): Promise<number> {
  const secrets = loadSecrets(loadConfig({ HUDDLE_DATA_DIR: world.ts.dataDir }));
  const db = world.ts.server.storage.db('accounts');
  const account = await db.get<AccountDoc>(`account:${secrets.hmac('owner', 'email', email)}`);
  const challenge = await db.get<LoginChallengeDoc>(`login-challenge:${account!.accountId}`);
  return challenge!.recentSends.length;
}

describe('logging in with a code', () => {
  it('the invitation’s code logs in through “I already have a code”, by keyboard, and no new code is sent', async () => {
    const { email, mail } = await world.invite('invited');
    const { page, codeRequests } = await loginPage();

    await page.getByLabel('E-mail address').fill(email);
    // Keyboard only: from the address, past "Send me a code", to "I already have a code".
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('I already have a code');
    await page.keyboard.press('Enter');
    await expect.poll(() => focusedId(page), { timeout: 10_000 }).toBe('login-code');
    expect(await page.getByText(`sent to ${email}`).count()).toBe(1);
    await checkScreen(page, 'login-already-have-code');

    // A mistyped code: the error is announced and tied to the field; the focus stays there.
    await page.keyboard.type('00000000');
    await page.keyboard.press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/not right/);
    const codeBox = page.getByLabel('Code');
    expect(await codeBox.getAttribute('aria-invalid')).toBe('true');
    expect(await codeBox.getAttribute('aria-describedby')).toContain('login-error');
    expect(await focusedId(page)).toBe('login-code');
    // A phone offers digits and the code from the mail; the hint says how many digits to look for.
    expect(
      await codeBox.evaluate((el: HTMLInputElement) => [el.inputMode, el.autocomplete, el.maxLength >= 8]),
    ).toEqual(['numeric', 'one-time-code', true]);
    expect(await page.locator('#login-code-hint').textContent()).toContain('8 digits');

    await codeBox.fill(codeOf(mail));
    await page.keyboard.press('Enter');
    await expectSignedIn(page, email);

    // The server was never asked for a code, sent only the invitation, and the sink holds only that.
    expect(codeRequests).toEqual([]);
    expect(await sendsTo(email)).toBe(1);
    expect(world.mailsTo(email)).toHaveLength(1);
  });

  it('a reload in the middle keeps the code step; the code from the mail then logs in', async () => {
    const { email, mail: invitation } = await world.invite('reloads');
    const { page, codeRequests } = await loginPage();
    await page.getByLabel('E-mail address').fill(email);
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await expect.poll(() => focusedId(page), { timeout: 10_000 }).toBe('login-code');
    const mail = await world.sink.waitFor(email, (m) => m !== invitation, MAIL_TIMEOUT_MS);
    expect(codeRequests).toHaveLength(1);

    await page.reload();
    const codeBox = page.getByLabel('Code');
    await codeBox.waitFor({ timeout: 20_000 });
    expect(await page.getByText(`sent to ${email}`).count()).toBe(1);
    await checkScreen(page, 'login-code-after-reload');

    await codeBox.fill(codeOf(mail));
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await expectSignedIn(page, email);
    await page.reload();
    await page.getByRole('link', { name: STREAM_TITLE }).waitFor({ timeout: 20_000 });
    expect(codeRequests).toHaveLength(1);
  });

  it('“I already have a code” survives a reload too; choosing another address forgets the step', async () => {
    const { email } = await world.invite('changes-mind');
    const { page, codeRequests } = await loginPage();
    await page.getByLabel('E-mail address').fill(email);
    await page.getByRole('button', { name: 'I already have a code' }).click();
    await page.getByLabel('Code').waitFor();
    await page.reload();
    await page.getByLabel('Code').waitFor({ timeout: 20_000 });

    await page.getByRole('button', { name: 'Use a different e-mail address' }).click();
    await expect.poll(() => focusedId(page), { timeout: 10_000 }).toBe('login-email');
    expect(await page.getByLabel('E-mail address').inputValue()).toBe(email);
    await page.reload();
    await page.getByLabel('E-mail address').waitFor({ timeout: 20_000 });
    expect(await page.getByLabel('Code').count()).toBe(0);
    expect(codeRequests).toEqual([]);
  });

  it('“I already have a code” asks for a valid address first, and fits a 320 px screen', async () => {
    const { page, codeRequests } = await loginPage();
    await page.setViewportSize({ width: 320, height: 640 });
    await page.getByLabel('E-mail address').fill('not an address');
    await page.getByRole('button', { name: 'I already have a code' }).click();
    // The browser's own validation message; the step does not change.
    expect(
      await page.getByLabel('E-mail address').evaluate((el: HTMLInputElement) => el.validity.valid),
    ).toBe(false);
    expect(await page.getByLabel('Code').count()).toBe(0);
    await page.getByLabel('E-mail address').fill('someone@trust.example');
    await page.getByRole('button', { name: 'I already have a code' }).click();
    await page.getByLabel('Code').waitFor();
    const overflow = await page.evaluate(() => {
      const el = document.scrollingElement!;
      return el.scrollWidth - el.clientWidth;
    });
    expect(overflow).toBe(0);
    expect(codeRequests).toEqual([]);
  });
});
