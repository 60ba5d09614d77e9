/**
 * Every role, in Chromium (issue 6, defect 5): a sponsor or an admin reads the conversation but the
 * screens offer nothing their role cannot send (no votes, comments, reports, drafts, "about you" or
 * comment notices), so their device never queues a change the server would refuse; a participant and
 * a moderator get all of it. And when a refused change does reach the server, the device is not stuck.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Role } from '../../shared/src/roles.js';
import { createTestAccount } from '../support/accounts.js';
import {
  assertPwaBuilt,
  checkScreen,
  launchChromium,
  openSignedInPhone,
  PWA_DIST,
} from '../support/browser.js';
import { seedConversation } from '../support/seed.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const STREAM = 'Rotas and leave';
const IDEA = 'Swap shifts in the app';

let ts: TestServer;
let browser: Browser;
beforeAll(async () => {
  assertPwaBuilt();
  ts = await startTestServer({ PWA_DIST_DIR: PWA_DIST, RELEASE_INTERVAL_SECONDS: '0' });
  await seedConversation(ts.server.storage, { streamTitles: [STREAM], ideaTitles: [IDEA] });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await ts?.close();
});

async function outboxCount(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const req = indexedDB.open('huddle');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const count = req.result.transaction('outbox').objectStore('outbox').count();
          count.onsuccess = () => {
            resolve(count.result);
            req.result.close();
          };
        };
      }),
  );
}

async function menuLinks(page: Page): Promise<string[]> {
  await page.getByRole('button', { name: 'Menu' }).click();
  const links = await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link').allTextContents();
  await page.getByRole('button', { name: 'Menu' }).click();
  return links;
}

describe('each role is offered only what it can send', () => {
  it.each<Role>(['sponsor', 'admin'])(
    'a %s reads everything and is offered no change the server would refuse',
    async (role) => {
      const account = await createTestAccount(ts.server.storage, ts.dataDir, { roles: [role] });
      const { context, page } = await openSignedInPhone(browser, ts.url, account.sessionToken, STREAM);
      expect(await menuLinks(page)).toEqual(['Topics', 'Search', 'Notices', 'Rules and questions']);

      await page.getByRole('link', { name: STREAM }).click();
      expect(await page.getByRole('link', { name: /post an idea/i }).count()).toBe(0);
      await page.getByRole('link', { name: IDEA }).click();
      await page.getByRole('heading', { name: IDEA }).waitFor();
      for (const name of ['Like', 'Dislike'])
        expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
      expect(await page.getByRole('link', { name: /report this/i }).count()).toBe(0);
      expect(await page.getByLabel('Your comment').count()).toBe(0);
      await checkScreen(page, `role-${role}-idea`);

      await page.goto(`${ts.url}/#/notices`);
      await page.getByRole('heading', { name: 'Notices from the facilitation team' }).waitFor();
      expect(await page.getByRole('checkbox').count()).toBe(0);
      for (const screen of ['drafts', 'about-you', 'activity']) {
        await page.goto(`${ts.url}/#/${screen}`);
        await page.getByRole('heading', { name: 'You can read but not post' }).waitFor();
      }
      expect(await outboxCount(page)).toBe(0);
      await expect
        .poll(() => page.getByTestId('sync-status').textContent(), { timeout: 20_000 })
        .toBe('All sent');
      await context.close();
    },
  );

  it.each<Role>(['participant', 'moderator'])(
    'a %s is offered votes, comments, reports, drafts and notices',
    async (role) => {
      const account = await createTestAccount(ts.server.storage, ts.dataDir, { roles: [role] });
      const { context, page } = await openSignedInPhone(browser, ts.url, account.sessionToken, STREAM);
      expect(await menuLinks(page)).toEqual([
        'Topics',
        'Search',
        'Quick break',
        'My activity',
        'Drafts',
        'Notices',
        'Rules and questions',
        'About you',
      ]);
      await page.getByRole('link', { name: STREAM }).click();
      await page.getByRole('link', { name: IDEA }).click();
      await page.getByRole('button', { name: 'Like', exact: true }).waitFor();
      expect(await page.getByRole('link', { name: /report this/i }).count()).toBe(1);
      expect(await page.getByLabel('Your comment').count()).toBe(1);
      await page.goto(`${ts.url}/#/notices`);
      await page.getByRole('checkbox', { name: /e-mail me/i }).check();
      await expect
        .poll(() => page.getByTestId('sync-status').textContent(), { timeout: 20_000 })
        .toBe('All sent');
      await context.close();
    },
  );

  it("a sponsor's device holding a change from an older app version is not stuck: the refusal comes back and sync carries on", async () => {
    const sponsor = await createTestAccount(ts.server.storage, ts.dataDir, { roles: ['sponsor'] });
    const { context, page } = await openSignedInPhone(browser, ts.url, sponsor.sessionToken, STREAM);
    // What an older version of the app let a sponsor queue: a notices setting.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const req = indexedDB.open('huddle');
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const tx = req.result.transaction('outbox', 'readwrite');
            const id = crypto.randomUUID();
            tx.objectStore('outbox').add({
              id,
              mutation: { id, kind: 'notifications.set', commentDigest: true },
              state: 'queued',
              itemId: 'settings:notifications',
              createdAt: new Date().toISOString(),
            });
            tx.oncomplete = () => {
              req.result.close();
              resolve();
            };
          };
        }),
    );
    await page.getByRole('button', { name: 'Send now' }).click();
    // The entry was written behind the app's back, so "All sent" may still show from before it:
    // wait for the refusal to take it out of the outbox, then for the bar to say so.
    await expect.poll(() => outboxCount(page), { timeout: 20_000 }).toBe(0);
    await expect
      .poll(() => page.getByTestId('sync-status').textContent(), { timeout: 20_000 })
      .toBe('All sent');
    await context.close();
  });
});
