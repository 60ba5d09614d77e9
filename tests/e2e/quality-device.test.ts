/**
 * The app on the device, in real Chromium at 360x740 (each notice also passes axe-core, WCAG 2.2 AA):
 * - "Install Huddle" is never offered on first load, is offered after the first contribution,
 *   and stays quiet once dismissed; persistent storage is requested at that first contribution;
 * - a new version (a changed sw.js, as a new build ships) is offered as "Update ready" but not
 *   applied while the outbox holds unsent work or the person is writing, and applied only when
 *   the person asks after everything was sent;
 * - an old tab whose database another tab upgrades says "reload" (and does not block the upgrade);
 * - a full storage quota (the DOMException IndexedDB throws, see the test) is shown
 *   to the person, and the warning goes once writes succeed again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestAccount } from '../support/accounts.js';
import {
  assertPwaBuilt,
  checkScreen,
  axeViolations,
  launchChromium,
  phoneContext,
  PWA_DIST,
  screenshotPath,
  signInWithCookie,
  waitForServiceWorker,
} from '../support/browser.js';
import { seedConversation, type SeededConversation } from '../support/seed.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';

const STREAM = 'Wellbeing';
const IDEAS = ['Water fountains on every floor', 'A quiet room on every ward'];

/**
 * Chromium's install event, as the page would receive it, with its prompt() recorded. Resolves
 * true if the app took it (preventDefault), after a macrotask: React flushes the offer it then
 * renders in a microtask, so the page shows its answer by then (no sleep needed to look).
 */
function fireInstallEvent(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const event = new Event('beforeinstallprompt', { cancelable: true }) as Event & {
      prompt: () => Promise<void>;
      userChoice: Promise<{ outcome: string }>;
    };
    event.prompt = async () => {
      (window as unknown as { promptCount: number }).promptCount =
        ((window as unknown as { promptCount?: number }).promptCount ?? 0) + 1;
    };
    event.userChoice = Promise.resolve({ outcome: 'accepted' });
    window.dispatchEvent(event);
    await new Promise((resolve) => setTimeout(resolve, 0));
    return event.defaultPrevented;
  });
}

/** What the page saw of a new version (see watchUpdate). */
interface UpdateWatch {
  /** The new worker's states, from 'installing'. */
  states: string[];
  /** What the page posted to any service worker (a message's `type`): 'SKIP_WAITING' applies an update. */
  posted: string[];
  controllerChanges: number;
}

/**
 * Records, from now on in this document, every way a new version could be applied behind the
 * person's back: a message posted to a service worker (workbox-window's SKIP_WAITING), the new
 * worker's state changes, and the page changing controller.
 */
function watchUpdate(page: Page): Promise<void> {
  return page.evaluate(async () => {
    const watch: UpdateWatch = { states: [], posted: [], controllerChanges: 0 };
    (window as unknown as { updateWatch: UpdateWatch }).updateWatch = watch;
    const post = ServiceWorker.prototype.postMessage as (this: ServiceWorker, ...args: unknown[]) => void;
    ServiceWorker.prototype.postMessage = function (this: ServiceWorker, ...args: unknown[]) {
      const message = args[0] as { type?: unknown } | null | undefined;
      watch.posted.push(String(message?.type ?? message));
      post.apply(this, args);
    };
    navigator.serviceWorker.addEventListener('controllerchange', () => watch.controllerChanges++);
    const registration = await navigator.serviceWorker.getRegistration();
    registration?.addEventListener('updatefound', () => {
      const worker = registration.installing;
      if (!worker) return;
      watch.states.push(worker.state);
      worker.addEventListener('statechange', () => watch.states.push(worker.state));
    });
  });
}

const updateWatch = (page: Page) =>
  page.evaluate(() => (window as unknown as { updateWatch: UpdateWatch }).updateWatch);

describe('install, update and storage on the device', () => {
  let ts: TestServer;
  let dataDir: string;
  let distCopy: string;
  let seeded: SeededConversation;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const status = () => page.getByTestId('sync-status');
  const installPrompt = () => page.getByTestId('install-prompt');
  const banner = () => page.getByTestId('update-banner');

  beforeAll(async () => {
    assertPwaBuilt();
    dataDir = makeTempDir('huddle-quality-device-');
    // A copy of the build, so the test can ship "a new version" by changing its sw.js.
    distCopy = path.join(dataDir, 'dist');
    fs.cpSync(PWA_DIST, distCopy, { recursive: true });
    ts = await startTestServer({ PWA_DIST_DIR: distCopy, RELEASE_INTERVAL_SECONDS: '0' }, dataDir);
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

  const openIdea = async (index: number) => {
    await page.goto(`${ts.url}/#/idea/${encodeURIComponent(seeded.ideas[index]!.id)}`);
    await page.getByRole('heading', { level: 1, name: IDEAS[index] }).waitFor({ timeout: 20_000 });
  };

  it('offers installing only after a first contribution, and stays quiet once dismissed', async () => {
    await openIdea(0);
    await waitForServiceWorker(page);
    expect(await fireInstallEvent(page)).toBe(true); // kept for later...
    expect(await installPrompt().count()).toBe(0); // ...but never offered on first load
    const persistAskedAt = () => page.evaluate(() => localStorage.getItem('huddle.persistRequested'));
    expect(await persistAskedAt()).toBeNull(); // nor is persistent storage requested before a contribution

    await page.getByRole('button', { name: 'Like', exact: true }).click();
    await installPrompt().waitFor();
    expect(await persistAskedAt()).not.toBeNull();
    await checkScreen(page, 'quality-install-offer');
    await installPrompt().getByRole('button', { name: 'Install' }).click();
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { promptCount?: number }).promptCount))
      .toBe(1);
    await expect.poll(() => installPrompt().count()).toBe(0);

    await fireInstallEvent(page);
    await installPrompt().waitFor();
    await installPrompt().getByRole('button', { name: 'Not now' }).click();
    await expect.poll(() => installPrompt().count()).toBe(0);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: IDEAS[0] }).waitFor();
    expect(await fireInstallEvent(page)).toBe(true);
    expect(await installPrompt().count()).toBe(0); // no nagging
    await expect.poll(() => status().textContent(), { timeout: 20_000 }).toBe('All sent');
  });

  it('offers a new version but does not apply it while changes wait to be sent', async () => {
    await openIdea(1);
    await waitForServiceWorker(page);
    // The server cannot be reached for pushes: the vote stays in the outbox.
    await context.route('**/api/sync/push', (route) => route.abort());
    await page.getByRole('button', { name: 'Dislike', exact: true }).click();
    await expect.poll(() => status().getAttribute('data-waiting')).toBe('1');
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    await watchUpdate(page);

    // Ship a new version: a byte-different service worker script.
    fs.appendFileSync(path.join(distCopy, 'sw.js'), `\n// test release ${Date.now()}\n`);
    // The build's precompressed copies are of the old script: drop them, so the new bytes are served.
    for (const ext of ['.br', '.gz']) fs.rmSync(path.join(distCopy, `sw.js${ext}`), { force: true });
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await banner().waitFor({ timeout: 20_000 });
    expect(await banner().textContent()).toMatch(
      /Update ready\..*once your 1 change waiting to send has been sent/,
    );
    expect(await banner().getByRole('button', { name: 'Update now' }).count()).toBe(0);
    await checkScreen(page, 'quality-update-waiting');
    // Not applied behind the person's back. The new worker has installed and the app has answered it
    // (the banner); one message round trip later every task React queued for that answer has run, so
    // the app has had its chance to apply the update: it did not ask the worker to take over, the
    // worker is still waiting, and the page kept its document and its controller.
    await expect.poll(() => updateWatch(page).then((w) => w.states.at(-1))).toBe('installed');
    await page.evaluate(
      () =>
        new Promise((resolve) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = resolve;
          channel.port2.postMessage('after the app answered');
        }),
    );
    expect(await updateWatch(page)).toEqual({
      states: ['installing', 'installed'],
      posted: [],
      controllerChanges: 0,
    });
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );
    expect(
      await page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.waiting)),
    ).toBe(true);

    await context.unroute('**/api/sync/push');
    await page.getByRole('button', { name: 'Send now' }).click();
    await expect.poll(() => status().textContent(), { timeout: 20_000 }).toBe('All sent');
    // Nothing unsent, but the person is writing: still not offered as a restart.
    await page.goto(`${ts.url}/#/post`);
    await expect.poll(() => banner().textContent()).toMatch(/when you leave the page you are writing on/);
    expect(await banner().getByRole('button', { name: 'Update now' }).count()).toBe(0);
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: IDEAS[1] }).waitFor();
    await banner().getByRole('button', { name: 'Update now' }).click();
    await expect
      .poll(
        () => page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument ?? false),
        {
          timeout: 20_000,
        },
      )
      .toBe(false);
    await page.getByRole('heading', { level: 1, name: IDEAS[1] }).waitFor({ timeout: 20_000 });
    expect(
      await page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.waiting)),
    ).toBe(false);
    expect(await banner().count()).toBe(0);
  });

  it('tells the person when the device is out of storage space', async () => {
    // Chromium headless ignores Storage.overrideQuotaForOrigin for IndexedDB here (measured: a 5 MB write
    // still commits under a 1-byte quota), so the browser's refusal is reproduced at the IndexedDB API:
    // while the flag is set, writes throw the DOMException a full quota throws.
    await context.addInitScript(() => {
      const w = window as unknown as { isDiskFull?: boolean };
      for (const method of ['put', 'add'] as const) {
        const original = IDBObjectStore.prototype[method];
        IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
          if (w.isDiskFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          return original.apply(this, args);
        };
      }
    });
    await page.goto(`${ts.url}/#/post`);
    await page.reload();
    await page.getByLabel('Title').waitFor({ timeout: 20_000 });
    await page.evaluate(() => ((window as unknown as { isDiskFull: boolean }).isDiskFull = true));
    await page.getByLabel('Title').fill('Somewhere to dry wet coats');
    const alert = page.getByRole('alert').filter({ hasText: 'out of storage space' });
    await alert.waitFor({ timeout: 10_000 });
    await page.screenshot({ path: screenshotPath('quality-storage-full'), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);

    await page.evaluate(() => ((window as unknown as { isDiskFull: boolean }).isDiskFull = false));
    await page.getByLabel('Title').fill('Somewhere to dry wet coats, please');
    await expect.poll(() => alert.count()).toBe(0);
  });

  it('an old tab is told to reload when another tab upgrades the database, instead of breaking', async () => {
    await openIdea(0);
    const other = await context.newPage();
    try {
      await other.goto(`${ts.url}/#/`);
      await other.getByRole('link', { name: STREAM }).waitFor({ timeout: 20_000 });
      // The other tab runs a newer Huddle: it opens the database at a higher schema version.
      await other.evaluate(async () => {
        const current = (await indexedDB.databases()).find((d) => d.name === 'huddle')!.version!;
        await new Promise<void>((resolve, reject) => {
          const req = indexedDB.open('huddle', current + 1);
          req.onsuccess = () => (req.result.close(), resolve());
          req.onerror = () => reject(req.error);
          req.onblocked = () => reject(new Error('the old tab blocked the upgrade'));
        });
      });
      const notice = page.getByRole('alert').filter({ hasText: 'Huddle was updated in another tab' });
      await notice.first().waitFor({ timeout: 10_000 });
      // Using the old tab now does not leave a blank page.
      await page
        .getByRole('button', { name: 'Dislike', exact: true })
        .click()
        .catch(() => undefined);
      await page.getByRole('button', { name: 'Reload' }).first().waitFor({ timeout: 10_000 });
      await page.screenshot({ path: screenshotPath('quality-updated-in-another-tab'), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('on an iPhone, offers "Add to Home Screen" steps after a first contribution', async () => {
    const iphone = await browser.newContext({
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      userAgent:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
    });
    try {
      const person = await createTestAccount(ts.server.storage, dataDir);
      await signInWithCookie(iphone, ts.url, person.sessionToken);
      const phone = await iphone.newPage();
      await phone.goto(`${ts.url}/#/idea/${encodeURIComponent(seeded.ideas[1]!.id)}`);
      await phone.getByRole('heading', { level: 1, name: IDEAS[1] }).waitFor({ timeout: 20_000 });
      expect(await phone.getByTestId('install-prompt').count()).toBe(0);
      await phone.getByRole('button', { name: 'Like', exact: true }).click();
      const steps = phone.getByTestId('install-prompt');
      await steps.waitFor();
      expect(await steps.textContent()).toMatch(/Add Huddle to your Home Screen.*Share.*Add to Home Screen/);
      await phone.screenshot({ path: screenshotPath('quality-install-ios'), fullPage: true });
      expect(await axeViolations(phone)).toEqual([]);
      await steps.getByRole('button', { name: 'Got it' }).click();
      await expect.poll(() => steps.count()).toBe(0);
    } finally {
      await iphone.close();
    }
  });
});
