/**
 * Shared ward computers, in Chromium: "Log out and clear this device" warns about unsent
 * changes and then leaves no Huddle data behind; and when the last person's session has
 * ended with changes unsent, the next person is asked before logging in deletes them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import {
  assertPwaBuilt,
  launchChromium,
  phoneContext,
  PWA_DIST,
  screenshotPath,
  signInWithCookie,
  waitForServiceWorker,
} from '../support/browser.js';
import { seedConversation } from '../support/seed.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const IDEA = 'Lockers for bank staff';

/** Rows left in the device's Huddle database, read with the raw IndexedDB API. */
async function huddleRows(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes('huddle')) return 0;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('huddle');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    let total = 0;
    for (const store of Array.from(db.objectStoreNames)) {
      total += await new Promise<number>((resolve) => {
        const req = db.transaction(store).objectStore(store).count();
        req.onsuccess = () => resolve(req.result);
      });
    }
    db.close();
    return total;
  });
}

describe('shared devices', () => {
  let ts: TestServer;
  let browser: Browser;
  let nurse: TestAccount;

  beforeAll(async () => {
    assertPwaBuilt();
    ts = await startTestServer({ PWA_DIST_DIR: PWA_DIST });
    await seedConversation(ts.server.storage, { streamTitles: ['Facilities'], ideaTitles: [IDEA] });
    nurse = await createTestAccount(ts.server.storage, ts.dataDir, { email: 'night.nurse@trust.example' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await ts?.close();
  });

  async function likeOffline(page: Page) {
    await page.goto(ts.url);
    await page.getByRole('link', { name: 'Facilities' }).click();
    await page.getByRole('link', { name: IDEA }).waitFor({ timeout: 20_000 });
    await waitForServiceWorker(page);
    await page.context().setOffline(true);
    await page.getByRole('link', { name: IDEA }).click();
    await page.getByRole('button', { name: 'Like', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('sync-status').textContent())
      .toBe('Offline — 1 waiting to send');
  }

  it('warns about unsent changes, then logging out leaves no Huddle data on the device', async () => {
    const context = await phoneContext(browser);
    await signInWithCookie(context, ts.url, nurse.sessionToken);
    const page = await context.newPage();
    await likeOffline(page);

    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('button', { name: 'Log out and clear this device' }).click();
    const warning = page.getByRole('alertdialog');
    await expect.poll(() => warning.textContent()).toContain('1 change not sent yet');
    await page.screenshot({ path: screenshotPath('logout-warning'), fullPage: true });
    await page.getByRole('button', { name: 'Log out anyway' }).click();

    await page.getByRole('heading', { name: 'Log in to Huddle' }).waitFor({ timeout: 20_000 });
    expect(await page.getByText(IDEA).count()).toBe(0);
    expect(await huddleRows(page)).toBe(0);
    await context.close();
  });

  it('asks the next person before deleting the last person’s unsent changes', async () => {
    const other = await createTestAccount(ts.server.storage, ts.dataDir, {
      email: 'night.nurse.2@trust.example',
    });
    const context = await phoneContext(browser);
    await signInWithCookie(context, ts.url, other.sessionToken);
    const page = await context.newPage();
    await likeOffline(page);

    // Their session ends (expired or revoked) before the change could be sent; back online,
    // the push is refused with 401 and everything is kept.
    await context.clearCookies();
    await context.setOffline(false);
    await expect
      .poll(() => page.getByTestId('sync-status').textContent(), { timeout: 20_000 })
      .toContain('Log in again to send');

    await page.getByRole('link', { name: 'Log in again' }).click();
    await page.getByLabel('E-mail address').fill('day.porter@trust.example');
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByRole('heading', { name: 'Unsent changes from someone else' }).waitFor();
    await page.screenshot({ path: screenshotPath('login-other-person-warning'), fullPage: true });
    await page.getByRole('button', { name: 'Go back' }).click();
    // Nothing was deleted: the change is still waiting for its owner.
    await page.getByLabel('E-mail address').waitFor();
    expect(await huddleRows(page)).toBeGreaterThan(0);
    await context.close();
  });
});
