/**
 * WCAG 2.2 AA on every participant screen, in real Chromium: axe-core (tags wcag2a, wcag2aa,
 * wcag21a, wcag21aa, wcag22aa) finds zero violations; at 320 px wide nothing scrolls
 * sideways (reflow, 1.4.10); at 200% text size on a 360 px phone nothing scrolls sideways
 * either (resize text, 1.4.4). Screenshots of each screen at 360x740 are saved for review.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestAccount } from '../support/accounts.js';
import {
  assertPwaBuilt,
  axeViolations,
  launchChromium,
  phoneContext,
  PWA_DIST,
  screenshotPath,
  signInWithCookie,
  type AxeViolationSummary,
  waitForLoaded,
} from '../support/browser.js';
import { seedConversation, type SeededConversation } from '../support/seed.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';

const STREAM = 'Staff wellbeing';
const IDEAS = ['Free parking for night staff', 'Hot food after 8pm on every site, including weekends'];
const OWN_IDEA = 'Shelves by the lifts for trays';

interface Screen {
  name: string;
  hash: string;
  /** Something to do once the screen shows (open the menu, type a draft). */
  prepare?: (page: Page) => Promise<void>;
  cleanup?: (page: Page) => Promise<void>;
}

describe('accessibility of the participant screens', () => {
  let ts: TestServer;
  let seeded: SeededConversation;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    assertPwaBuilt();
    const dataDir = makeTempDir('huddle-a11y-');
    ts = await startTestServer({ PWA_DIST_DIR: PWA_DIST, RELEASE_INTERVAL_SECONDS: '0' }, dataDir);
    seeded = await seedConversation(ts.server.storage, {
      streamTitles: [STREAM, 'Facilities'],
      ideaTitles: IDEAS,
    });
    const person = await createTestAccount(ts.server.storage, dataDir);
    browser = await launchChromium();
    context = await phoneContext(browser);
    await signInWithCookie(context, ts.url, person.sessionToken);
    page = await context.newPage();
    await page.goto(ts.url);
    await page.getByRole('link', { name: STREAM }).first().waitFor({ timeout: 20_000 });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await ts?.close();
  });

  const screens = (): Screen[] => {
    const idea = encodeURIComponent(seeded.ideas[0]!.id);
    const stream = encodeURIComponent(seeded.streams[0]!.id);
    return [
      { name: 'streams', hash: '#/' },
      { name: 'stream', hash: `#/stream/${stream}` },
      {
        name: 'idea',
        hash: `#/idea/${idea}`,
        prepare: async (p) => {
          const comment = p.getByLabel('Your comment');
          if (await comment.count()) await comment.fill('A comment being written.');
        },
      },
      {
        name: 'post-idea',
        hash: `#/post?stream=${stream}`,
        prepare: async (p) => {
          await p.getByLabel('Title').fill('Water fountains');
        },
      },
      {
        name: 'menu-open',
        hash: '#/',
        prepare: async (p) => {
          await p.getByRole('button', { name: 'Menu' }).click();
        },
        // A hash change keeps the document: close the menu so the next screens are seen as they are.
        cleanup: async (p) => {
          await p.keyboard.press('Escape');
        },
      },
      { name: 'drafts', hash: '#/drafts' },
      { name: 'rules', hash: '#/rules' },
      { name: 'about-you', hash: '#/about-you' },
      { name: 'search', hash: '#/search?q=parking' },
      { name: 'quick-break', hash: '#/quick-break' },
      { name: 'activity', hash: '#/activity' },
      { name: 'notices', hash: '#/notices' },
      { name: 'report', hash: `#/report/idea/${idea}` },
      { name: 'not-found', hash: '#/no-such-page' },
    ];
  };

  async function show(p: Page, screen: Screen): Promise<void> {
    await p.goto(`${ts.url}/${screen.hash}`);
    await p.locator('main h1').first().waitFor({ timeout: 10_000 });
    await screen.prepare?.(p);
    // Judge the page once its live queries (counts, drafts) have answered.
    await waitForLoaded(p);
  }

  it('the check can fail: axe-core reports a contrast and a label problem planted in the page', async () => {
    const planted = await context.newPage();
    try {
      await show(planted, screens()[0]!);
      await planted.evaluate(() => {
        const bad = document.createElement('div');
        bad.innerHTML = '<p>faint text</p><input type="text">';
        // CSSOM, not a style attribute: the app's CSP blocks inline style attributes.
        bad.querySelector('p')!.style.color = '#ccc';
        document.querySelector('main')!.append(bad);
      });
      const ids = (await axeViolations(planted)).map((v) => v.id);
      expect(ids).toEqual(expect.arrayContaining(['color-contrast', 'label']));
    } finally {
      await planted.close();
    }
  });

  /** Posts an idea through the app and returns its public id, for the screens of one's own posts. */
  async function postOwnIdea(): Promise<string> {
    await page.goto(`${ts.url}/#/post?stream=${encodeURIComponent(seeded.streams[0]!.id)}`);
    await page.getByLabel('Title').fill(OWN_IDEA);
    await page.getByLabel('Description').fill('Somewhere to put a tray down on the stairs.');
    await page.getByRole('button', { name: 'Post idea' }).click();
    await expect
      .poll(() => page.getByTestId('sync-status').textContent(), { timeout: 20_000 })
      .toBe('All sent');
    const link = page.getByRole('link', { name: OWN_IDEA }).first();
    await link.waitFor({ timeout: 10_000 });
    const target = (await link.getAttribute('href')) ?? '';
    return decodeURIComponent(target.replace(/^#\/idea\//, ''));
  }

  it('axe-core finds no WCAG 2.2 AA violations on any participant screen', async () => {
    const found: Record<string, AxeViolationSummary[]> = {};
    const own = encodeURIComponent(await postOwnIdea());
    const ownScreens: Screen[] = [
      { name: 'own-idea', hash: `#/idea/${own}` },
      { name: 'edit-own-idea', hash: `#/edit/idea/${own}` },
    ];
    for (const screen of [...screens(), ...ownScreens]) {
      await show(page, screen);
      await page.screenshot({ path: screenshotPath(`screen-${screen.name}`), fullPage: true });
      const violations = await axeViolations(page);
      if (violations.length > 0) found[screen.name] = violations;
      await screen.cleanup?.(page);
    }
    const signedOut = await phoneContext(browser);
    try {
      const login = await signedOut.newPage();
      await login.goto(ts.url);
      await login.getByLabel('E-mail address').waitFor({ timeout: 20_000 });
      await login.screenshot({ path: screenshotPath('screen-login'), fullPage: true });
      const violations = await axeViolations(login);
      if (violations.length > 0) found['login'] = violations;
    } finally {
      await signedOut.close();
    }
    expect(found).toEqual({});
  });

  it('nothing scrolls sideways at 320 px wide (reflow) or at 200% text on a 360 px phone', async () => {
    const overflowing: string[] = [];
    const overflow = () =>
      page.evaluate(() => {
        const el = document.scrollingElement!;
        return el.scrollWidth - el.clientWidth;
      });
    for (const screen of screens()) {
      await page.setViewportSize({ width: 320, height: 740 });
      await show(page, screen);
      const narrow = await overflow();
      if (narrow > 0) overflowing.push(`${screen.name} at 320px: ${narrow}px too wide`);
      await page.setViewportSize({ width: 360, height: 740 });
      // Reading scrollWidth lays the page out again at the new size: nothing to wait for.
      await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
      const large = await overflow();
      if (large > 0) overflowing.push(`${screen.name} at 200% text: ${large}px too wide`);
      if (screen.name === 'idea')
        await page.screenshot({ path: screenshotPath('text-200-idea'), fullPage: true });
      await page.evaluate(() => (document.documentElement.style.fontSize = ''));
    }
    expect(overflowing).toEqual([]);
  });
});
