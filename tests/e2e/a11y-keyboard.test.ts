/**
 * A keyboard-only walk (Tab, Enter, Space; no mouse, no touch) through posting an idea and
 * voting, in real Chromium at 360x740. Every control reached shows a visible focus
 * indicator and is not hidden under the sticky sync bar (WCAG 2.1.1, 2.4.7, 2.4.11), at
 * normal and at 200% text size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { createTestAccount } from '../support/accounts.js';
import {
  assertPwaBuilt,
  launchChromium,
  phoneContext,
  PWA_DIST,
  screenshotPath,
  signInWithCookie,
} from '../support/browser.js';
import { seedConversation } from '../support/seed.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';

const STREAM = 'Staff wellbeing';
const IDEAS = ['Free parking for night staff', 'Hot food after 8pm'];
const NEW_IDEA = 'Lockers for agency staff';

describe('keyboard only', () => {
  let ts: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    assertPwaBuilt();
    const dataDir = makeTempDir('huddle-a11y-keys-');
    ts = await startTestServer({ PWA_DIST_DIR: PWA_DIST, RELEASE_INTERVAL_SECONDS: '0' }, dataDir);
    await seedConversation(ts.server.storage, { streamTitles: [STREAM], ideaTitles: IDEAS });
    const person = await createTestAccount(ts.server.storage, dataDir);
    browser = await launchChromium();
    context = await phoneContext(browser);
    await signInWithCookie(context, ts.url, person.sessionToken);
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await ts?.close();
  });

  /** Presses Tab until `target` has focus, checking on arrival that it can be seen. */
  async function tabTo(target: Locator, maxPresses = 40): Promise<void> {
    for (let i = 0; i < maxPresses; i++) {
      await page.keyboard.press('Tab');
      if (await target.evaluate((el) => el === document.activeElement)) {
        const seen = await target.evaluate((el) => {
          const r = el.getBoundingClientRect();
          const x = Math.min(Math.max(r.left + r.width / 2, 0), window.innerWidth - 1);
          const y = Math.min(Math.max(r.top + Math.min(r.height / 2, 12), 0), window.innerHeight - 1);
          const top = document.elementFromPoint(x, y);
          const style = getComputedStyle(el);
          return {
            isOnTop: top !== null && (top === el || el.contains(top) || top.contains(el)),
            hasIndicator: style.outlineStyle !== 'none' || style.boxShadow !== 'none',
          };
        });
        expect(seen, `focus on ${await target.evaluate((el) => el.outerHTML.slice(0, 80))}`).toEqual({
          isOnTop: true,
          hasIndicator: true,
        });
        return;
      }
    }
    throw new Error(`Tab never reached ${target.toString()}`);
  }

  it('posts an idea and votes with Tab, Enter and Space only', async () => {
    await page.goto(ts.url);
    const streamLink = page.getByRole('link', { name: STREAM }).first();
    await streamLink.waitFor({ timeout: 20_000 });
    await tabTo(streamLink);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: STREAM }).waitFor();

    await tabTo(page.getByRole('link', { name: 'Post an idea' }).first());
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Post an idea' }).waitFor();
    await tabTo(page.getByLabel('Title'));
    await page.keyboard.type(NEW_IDEA);
    await tabTo(page.getByLabel('Description'));
    await page.keyboard.type('Somewhere safe for bags during a shift.');
    await tabTo(page.getByRole('button', { name: 'Post idea' }));
    await page.screenshot({ path: screenshotPath('keyboard-post-idea') });
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: NEW_IDEA }).waitFor({ timeout: 10_000 });

    const ideaLink = page.getByRole('link', { name: IDEAS[1] });
    await tabTo(ideaLink);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: IDEAS[1] }).waitFor();
    const like = page.getByRole('button', { name: 'Like', exact: true });
    await tabTo(like);
    await page.keyboard.press('Space');
    await expect.poll(() => like.getAttribute('aria-pressed')).toBe('true');
    const dislike = page.getByRole('button', { name: 'Dislike', exact: true });
    await tabTo(dislike, 3);
    await page.keyboard.press('Enter');
    await expect.poll(() => dislike.getAttribute('aria-pressed')).toBe('true');
    expect(await like.getAttribute('aria-pressed')).toBe('false');
    await page.screenshot({ path: screenshotPath('keyboard-voted') });
    await expect
      .poll(() => page.getByTestId('sync-status').textContent(), { timeout: 20_000 })
      .toBe('All sent');
  });

  it('at 200% text, every control on the way to a vote is reached by Tab and not hidden under the sync bar', async () => {
    await page.goto(`${ts.url}/#/`);
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    const streamLink = page.getByRole('link', { name: STREAM }).first();
    await streamLink.waitFor({ timeout: 20_000 });
    await tabTo(streamLink);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: STREAM }).waitFor();
    await tabTo(page.getByRole('link', { name: IDEAS[0] }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: IDEAS[0] }).waitFor();
    const dislike = page.getByRole('button', { name: 'Dislike', exact: true });
    await tabTo(dislike);
    await page.keyboard.press('Space');
    await expect.poll(() => dislike.getAttribute('aria-pressed')).toBe('true');
    await tabTo(page.getByLabel('Your comment'));
    await page.screenshot({ path: screenshotPath('keyboard-200-percent') });
  });
});
