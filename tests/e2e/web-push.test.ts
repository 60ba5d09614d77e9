/**
 * Web push in real Chromium at 360x740, as far as a machine without a push service allows:
 * - "Notify me on this device" is shown where PushManager and Notification exist, and "not available"
 *   where they do not; turning it on asks permission only then (granted here through Playwright);
 * - subscribing: where headless Chromium cannot reach a push service the switch stays off and the
 *   screen explains why; where it can, the server holds the subscription;
 * - offline, the switch says it needs a connection;
 * - the service worker's push handler (pwa/public/push-sw.js) shows the daily notice ("Your daily
 *   Huddle notice…") when a push message is delivered to it (CDP ServiceWorker.deliverPushMessage), and a
 *   click on it closes it and opens "My activity".
 */
import { PUSH_MESSAGE } from '../../sync-server/src/notify/web-push.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import {
  assertPwaBuilt,
  launchChromium,
  phoneContext,
  PWA_DIST,
  signInWithCookie,
  waitForServiceWorker,
} from '../support/browser.js';
import { seedConversation } from '../support/seed.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('web push on the device', () => {
  let ts: TestServer;
  let person: TestAccount;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const theSwitch = () => page.getByRole('switch', { name: 'Notify me on this device' });

  beforeAll(async () => {
    assertPwaBuilt();
    ts = await startTestServer({
      PWA_DIST_DIR: PWA_DIST,
      RELEASE_INTERVAL_SECONDS: '0',
    });
    await seedConversation(ts.server.storage, { streamTitles: ['Wellbeing'], ideaTitles: ['Water'] });
    person = await createTestAccount(ts.server.storage, ts.dataDir);
    browser = await launchChromium();
    context = await phoneContext(browser);
    await signInWithCookie(context, ts.url, person.sessionToken);
    page = await context.newPage();
    await page.goto(`${ts.url}/#/notices`);
    await waitForServiceWorker(page);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await ts?.close();
  });

  it('shows the switch, never asks permission on load, and says "not available" where the browser has no push', async () => {
    await expect.poll(() => theSwitch().isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await theSwitch().isChecked()).toBe(false);
    expect(await page.evaluate(() => Notification.permission)).toBe('default');

    const other = await phoneContext(browser);
    try {
      await signInWithCookie(other, ts.url, person.sessionToken);
      await other.addInitScript(() => {
        delete (window as unknown as { PushManager?: unknown }).PushManager;
      });
      const p = await other.newPage();
      await p.goto(`${ts.url}/#/notices`);
      await expect
        .poll(() => p.getByTestId('push-unavailable').textContent(), { timeout: 15_000 })
        .toContain('not available on this device or browser');
      expect(await p.getByRole('switch').count()).toBe(0);
    } finally {
      await other.close();
    }
  }, 60_000);

  it('says it needs a connection while offline', async () => {
    await context.setOffline(true);
    try {
      await expect
        .poll(() => page.getByTestId('push-status').textContent())
        .toBe('Turning this on or off needs a connection.');
      expect(await theSwitch().isDisabled()).toBe(true);
    } finally {
      await context.setOffline(false);
    }
    await expect.poll(() => theSwitch().isDisabled()).toBe(false);
  });

  it('subscribes on the tap once permission is granted, or explains why this browser cannot', async () => {
    await context.grantPermissions(['notifications'], { origin: ts.url });
    await theSwitch().click();
    await expect
      .poll(() => page.getByTestId('push-status').textContent(), { timeout: 20_000 })
      .not.toBe('One moment…');
    const subscriptions = await ts.server.storage.db('accounts').list({ prefix: 'push-sub:' });
    if (await theSwitch().isChecked()) {
      // A push service was reachable: the server holds this device's subscription.
      expect(subscriptions).toHaveLength(1);
    } else {
      // Headless Chromium without a push service: the subscribe call fails and the screen says so.
      expect(await page.getByTestId('push-status').textContent()).toContain(
        'could not reach its notification service',
      );
      expect(subscriptions).toHaveLength(0);
    }
  }, 40_000);

  it('shows the fixed notice when a push message reaches the service worker', async () => {
    const cdp = await context.newCDPSession(page);
    const registrationId = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => {
        const reg = event.registrations.find((r) => r.scopeURL === `${ts.url}/` && !r.isDeleted);
        if (reg) resolve(reg.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: ts.url,
      registrationId: await registrationId,
      data: JSON.stringify(PUSH_MESSAGE),
    });
    const shown = () =>
      page.evaluate(async () => {
        const reg = await navigator.serviceWorker.ready;
        return (await reg.getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          tag: n.tag,
          icon: n.icon,
          // Chromium sets it when the notification is shown (not in the TypeScript DOM types).
          timestamp: (n as Notification & { timestamp?: number }).timestamp,
        }));
      });
    await expect.poll(shown, { timeout: 10_000 }).toHaveLength(1);
    const [notice] = await shown();
    expect(notice).toMatchObject(PUSH_MESSAGE);
    expect(notice!.icon).toContain('/icons/icon-192.png');

    // A repeat collapses under the same tag instead of piling up: once the repeat is shown (a
    // notification with a later timestamp), there is still one.
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: ts.url,
      registrationId: await registrationId,
      data: JSON.stringify(PUSH_MESSAGE),
    });
    await expect
      .poll(async () => (await shown()).some((n) => n.timestamp !== notice!.timestamp), {
        timeout: 10_000,
        message: 'the repeated push to be shown',
      })
      .toBe(true);
    expect(await shown()).toHaveLength(1);
    await cdp.detach();

    // Tapping it opens Huddle at "My activity" (the click is dispatched in the worker: no CDP for it).
    expect(page.url()).toContain('#/notices');
    const [worker] = context.serviceWorkers();
    await worker!.evaluate(async () => {
      const sw = self as unknown as {
        registration: ServiceWorkerRegistration;
        dispatchEvent(e: Event): boolean;
      };
      const [notification] = await sw.registration.getNotifications();
      const NotificationEventCtor = (
        globalThis as unknown as { NotificationEvent: new (t: string, i: object) => Event }
      ).NotificationEvent;
      sw.dispatchEvent(new NotificationEventCtor('notificationclick', { notification }));
    });
    await expect.poll(() => page.url(), { timeout: 10_000 }).toContain('#/activity');
    await expect.poll(shown).toHaveLength(0);
  }, 30_000);
});
