/**
 * The naming warning in real Chromium at a phone viewport: after one online visit the
 * device holds the roster hash set, and with no server and no network, typing a colleague's
 * surname (in lower case, so only the roster can know it is a name) shows a polite status
 * note pointing to the guideline, which goes away when the name is removed. Posting is
 * never blocked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SCHEMA_VERSION } from '../../shared/src/protocol.js';
import { createTestAccount } from '../support/accounts.js';
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
import { makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';

describe('naming warning while writing, offline', () => {
  let ts: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let isServerClosed = false;

  beforeAll(async () => {
    assertPwaBuilt();
    const dataDir = makeTempDir('huddle-post-warnings-');
    ts = await startTestServer({ PWA_DIST_DIR: PWA_DIST, RELEASE_INTERVAL_SECONDS: '0' }, dataDir);
    await seedConversation(ts.server.storage, { streamTitles: ['Staff wellbeing'], ideaTitles: [] });
    await ts.server.storage.db('accounts').put({
      _id: 'account:roster-person-for-the-warning-test',
      type: 'account',
      schemaVersion: SCHEMA_VERSION,
      accountId: 'roster-person-0123456789',
      email: 'siobhan.byrne@trust.example',
      name: 'Siobhan Byrne',
      roles: ['participant'],
      status: 'invited',
      invitedAt: new Date().toISOString(),
    });
    const person = await createTestAccount(ts.server.storage, dataDir);
    browser = await launchChromium();
    context = await phoneContext(browser);
    await signInWithCookie(context, ts.url, person.sessionToken);
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (!isServerClosed) await ts?.close();
  });

  const hasRosterHashes = () =>
    page.evaluate(
      () =>
        new Promise<boolean>((resolve) => {
          const open = indexedDB.open('huddle');
          open.onerror = () => resolve(false);
          open.onsuccess = () => {
            const db = open.result;
            try {
              const get = db.transaction('meta').objectStore('meta').get('rosterHashes');
              get.onsuccess = () =>
                resolve(Boolean((get.result as { value?: { hashes?: string[] } })?.value?.hashes?.length));
              get.onerror = () => resolve(false);
            } catch {
              resolve(false);
            } finally {
              db.close();
            }
          };
        }),
    );

  it('warns as people type, with no server and no network, and never blocks posting', async () => {
    await page.goto(ts.url);
    await waitForServiceWorker(page);
    await expect.poll(hasRosterHashes, { timeout: 15_000 }).toBe(true);

    await ts.close();
    isServerClosed = true;
    await context.setOffline(true);
    await page.goto(`${ts.url}/#/post`);
    await page.getByRole('heading', { level: 1, name: 'Post an idea' }).waitFor({ timeout: 15_000 });

    await page.getByLabel('Title').fill('Breaks on nights');
    await page.getByLabel('Description').fill('honestly byrne never lets us take them');
    const status = page.getByRole('status').filter({ hasText: 'byrne' });
    await expect
      .poll(() => status.textContent(), { timeout: 10_000 })
      .toContain('looks like a person’s name');
    expect(await status.textContent()).toContain('Please don’t name colleagues');
    expect(await status.getByRole('link', { name: 'Read the rules' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Post idea' }).isEnabled()).toBe(true);
    await status.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('post-warning-360x740') });

    await page.getByLabel('Description').fill('they never let us take them');
    await expect
      .poll(() => page.getByText('looks like a person’s name').count(), { timeout: 10_000 })
      .toBe(0);
  });
});
