/**
 * PWA quality, offline, in real Chromium at 360x740: after one online visit the app shell
 * and the last-read content open in a NEW page with no server and no network, and do not
 * wait for a network that hangs (every API call held unanswered); a draft
 * survives a reload; a vote changed three times offline reaches the server as one vote with
 * the last value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { PouchStorage } from '../../sync-server/src/storage/pouch-adapter.js';
import type { StoredDoc } from '../../sync-server/src/storage/port.js';
import { createTestAccount } from '../support/accounts.js';
import {
  assertPwaBuilt,
  idbRecords,
  launchChromium,
  phoneContext,
  PWA_DIST,
  screenshotPath,
  signInWithCookie,
  waitForServiceWorker,
} from '../support/browser.js';
import { seedConversation, type SeededConversation } from '../support/seed.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';

const STREAM = 'Rotas and breaks';
const IDEAS = ['Protected breaks on nights', 'Rota published six weeks ahead'];

describe('PWA quality offline', () => {
  let ts: TestServer;
  let dataDir: string;
  let port: number;
  let seeded: SeededConversation;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const env = () => ({ PWA_DIST_DIR: PWA_DIST, RELEASE_INTERVAL_SECONDS: '0' });
  const status = (p: Page = page) => p.getByTestId('sync-status');

  beforeAll(async () => {
    assertPwaBuilt();
    dataDir = makeTempDir('huddle-quality-offline-');
    ts = await startTestServer(env(), dataDir);
    port = Number(new URL(ts.url).port);
    seeded = await seedConversation(ts.server.storage, { streamTitles: [STREAM], ideaTitles: IDEAS });
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

  it('after one online visit, a new page opens with the app shell and the last-read content, with no server and no network', async () => {
    await page.goto(ts.url);
    await page.getByRole('link', { name: STREAM }).click();
    await page.getByRole('link', { name: IDEAS[0] }).click();
    await page.getByRole('heading', { level: 1, name: IDEAS[0] }).waitFor();
    await waitForServiceWorker(page);
    await expect.poll(() => status().textContent(), { timeout: 20_000 }).toBe('All sent');
    const ideaUrl = page.url();

    await ts.close({ keepData: true });
    await context.setOffline(true);
    await page.close();
    page = await context.newPage();
    await page.goto(ideaUrl);
    await page.getByRole('heading', { level: 1, name: IDEAS[0] }).waitFor({ timeout: 10_000 });
    await expect.poll(() => status().textContent()).toMatch(/^Offline/);
    await page.screenshot({ path: screenshotPath('quality-offline-idea'), fullPage: true });
    await page.goto(`${new URL(ts.url).origin}/`);
    await page.getByRole('link', { name: STREAM }).click();
    await page.getByRole('link', { name: IDEAS[1] }).waitFor();
  });

  it('the first screen renders from the device while the network hangs', async () => {
    ts = await startTestServer({ ...env(), PORT: String(port) }, dataDir);
    await context.setOffline(false);
    // Every API call hangs (a captive portal, one bar of signal): held unanswered until the screen
    // is up, so a screen that waited for any answer would never show. No clock involved.
    const held: Route[] = [];
    await context.route('**/api/**', (route) => void held.push(route));
    const fresh = await context.newPage();
    await fresh.goto(`${new URL(ts.url).origin}/`);
    await fresh.getByRole('link', { name: STREAM }).waitFor({ timeout: 20_000 });
    expect(held.length).toBeGreaterThan(0); // it did ask the server, in the background
    await context.unrouteAll({ behavior: 'ignoreErrors' });
    for (const route of held) await route.abort().catch(() => undefined);
    await fresh.close();
    await ts.close({ keepData: true });
    await context.setOffline(true);
  });

  it('a draft typed offline survives a reload', async () => {
    await page.getByRole('link', { name: 'Post an idea' }).click();
    await page.getByLabel('Title').fill('Lockers for agency staff');
    await page.getByLabel('Description').fill('They carry their bags all shift.');
    // Autosave is a Dexie write per keystroke: reload once the last one is on the device.
    await expect
      .poll(
        async () =>
          (await idbRecords<{ title?: string; body?: string }>(page, 'drafts')).some(
            (d) => d.title === 'Lockers for agency staff' && d.body === 'They carry their bags all shift.',
          ),
        { timeout: 10_000, message: 'the draft as typed to be saved on the device' },
      )
      .toBe(true);
    await page.reload();
    await expect
      .poll(() => page.getByLabel('Title').inputValue(), { timeout: 10_000 })
      .toBe('Lockers for agency staff');
    expect(await page.getByLabel('Description').inputValue()).toBe('They carry their bags all shift.');
    await page.screenshot({ path: screenshotPath('quality-offline-draft'), fullPage: true });
  });

  it('a vote changed three times offline ends as one vote with the last value on the server', async () => {
    await page.goto(`${new URL(ts.url).origin}/#/idea/${encodeURIComponent(seeded.ideas[1]!.id)}`);
    await page.getByRole('heading', { level: 1, name: IDEAS[1] }).waitFor();
    const like = page.getByRole('button', { name: 'Like', exact: true });
    const dislike = page.getByRole('button', { name: 'Dislike', exact: true });
    const waiting = () => status().getAttribute('data-waiting');
    const waitingBefore = Number(await waiting()); // the draft of the previous test is queued too
    for (const [button, pressed] of [
      [dislike, dislike],
      [like, like],
      [dislike, dislike],
    ] as const) {
      await button.click();
      await expect.poll(() => pressed.getAttribute('aria-pressed')).toBe('true');
    }
    // Three changes, one queued vote: later changes replace the unsent earlier one.
    await expect.poll(waiting).toBe(String(waitingBefore + 1));

    ts = await startTestServer({ ...env(), PORT: String(port) }, dataDir);
    await context.setOffline(false);
    await expect.poll(() => status().textContent(), { timeout: 30_000 }).toBe('All sent');
    await ts.close({ keepData: true });
    const storage = new PouchStorage({ dataDir });
    try {
      const votes = (await storage.db('votes').list({ includeDocs: true }))
        .map((r) => r.doc as StoredDoc)
        .filter((d) => d['type'] === 'vote' && d['itemId'] === seeded.ideas[1]!.id);
      expect(votes).toHaveLength(1);
      expect(votes[0]).toMatchObject({ value: 'dislike' });
      const tally = (await storage.db('public').list({ includeDocs: true }))
        .map((r) => r.doc as StoredDoc)
        .find((d) => d['type'] === 'tally' && d['itemId'] === seeded.ideas[1]!.id);
      expect(tally).toMatchObject({ likes: 0, dislikes: 1 });
    } finally {
      await storage.close();
    }
    ts = await startTestServer({ ...env(), PORT: String(port) }, dataDir);
  });
});
