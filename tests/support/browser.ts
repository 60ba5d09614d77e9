/** Debian's Chromium driven by playwright-core (never `playwright install`: no downloads here). */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless as root on a closed network: without the networking flags it floods it with refused connections. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: apt-get install -y --no-install-recommends chromium`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** A phone-sized context (360x740), as the participants use it. */
export async function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    hasTouch: true,
    isMobile: true,
  });
}

/** Screenshots go to test-results/screenshots (artifacts, not committed). */
export function screenshotPath(name: string): string {
  const dir = path.resolve('test-results/screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}

export const PWA_DIST = path.resolve('pwa/dist');
export function assertPwaBuilt(): void {
  if (!fs.existsSync(path.join(PWA_DIST, 'index.html')) || !fs.existsSync(path.join(PWA_DIST, 'sw.js'))) {
    throw new Error('pwa/dist is not built: run `npm run build` first (npm test does it)');
  }
}

// ---- additions for the PWA-quality and accessibility tests --------------------------------

/** Logs a browser context in with a session made by tests/support/accounts.ts (no e-mail round trip). */
export async function signInWithCookie(
  context: BrowserContext,
  baseUrl: string,
  sessionToken: string,
): Promise<void> {
  await context.addCookies([
    { name: 'huddle_session', value: sessionToken, url: baseUrl, httpOnly: true, sameSite: 'Lax' },
  ]);
}

/** Waits until the service worker controls the page, so a later load works offline. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
    timeout: 20_000,
  });
}

/** WCAG 2.2 AA, as the issue asks: the rule tags axe-core runs. */
export const AXE_WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] as const;

export interface AxeViolationSummary {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

const AXE_SOURCE_PATH = path.resolve('node_modules/axe-core/axe.min.js');

/**
 * Runs axe-core (WCAG 2.2 AA tags) on the page as it is now and returns the violations in
 * a readable form. axe is evaluated through the DevTools protocol, which the app's CSP does not block.
 */
export async function axeViolations(page: Page): Promise<AxeViolationSummary[]> {
  const hasAxe = await page.evaluate(() => typeof (window as { axe?: unknown }).axe !== 'undefined');
  if (!hasAxe) await page.evaluate(fs.readFileSync(AXE_SOURCE_PATH, 'utf8'));
  return page.evaluate(
    async (tags) => {
      const axe = (
        window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<AxeResults> } }
      ).axe;
      interface AxeResults {
        violations: Array<{
          id: string;
          impact: string | null;
          help: string;
          nodes: Array<{ target: unknown[] }>;
        }>;
      }
      const results = await axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      });
      return results.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => n.target.map(String).join(' ')),
      }));
    },
    [...AXE_WCAG_TAGS],
  );
}

/**
 * A phone-sized context signed in with `sessionToken`, on the app's first screen once
 * `readyLink` (e.g. a topic title) shows, with the service worker in control (so later
 * offline reloads work).
 */
export async function openSignedInPhone(
  browser: Browser,
  baseUrl: string,
  sessionToken: string,
  readyLink: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await phoneContext(browser);
  await signInWithCookie(context, baseUrl, sessionToken);
  const page = await context.newPage();
  await page.goto(baseUrl);
  await page.getByRole('link', { name: readyLink }).waitFor({ timeout: 20_000 });
  await waitForServiceWorker(page);
  return { context, page };
}

/** A main screen as it is now: a screenshot for review, and zero axe-core WCAG 2.2 AA violations. */
export async function checkScreen(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
  expect(await axeViolations(page)).toEqual([]);
}

/** Waits until no screen part in `main` still says "Loading…" (every live query on the page has answered). */
export async function waitForLoaded(page: Page, timeout = 20_000): Promise<void> {
  await page
    .waitForFunction(() => !document.querySelector('main')?.textContent?.includes('Loading…'), undefined, {
      timeout,
    })
    .catch((err: Error) => {
      throw new Error(`the page still says "Loading…" after ${timeout} ms: ${err.message}`);
    });
}

/** Every record of one object store of the app's IndexedDB database ('huddle'), as the device holds it now. */
export function idbRecords<T = Record<string, unknown>>(page: Page, store: string): Promise<T[]> {
  return page.evaluate(
    (name) =>
      new Promise<T[]>((resolve, reject) => {
        const open = indexedDB.open('huddle');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          try {
            const all = db.transaction(name).objectStore(name).getAll();
            all.onsuccess = () => resolve(all.result as T[]);
            all.onerror = () => reject(all.error);
          } finally {
            db.close();
          }
        };
      }),
    store,
  );
}
