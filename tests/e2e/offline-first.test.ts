/**
 * The foundation promise, end to end in real Chromium at a phone viewport:
 * log in with the code from a real SMTP sink; lose the connection (the browser is
 * offline AND the server is down); post an idea and like two ideas; reload while still
 * offline and find everything there, shown as waiting; bring the server back: it holds
 * exactly one of each, and only then does the app say "All sent".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PouchStorage } from '../../sync-server/src/storage/pouch-adapter.js';
import type { StoredDoc } from '../../sync-server/src/storage/port.js';
import { createTestAccount } from '../support/accounts.js';
import {
  assertPwaBuilt,
  launchChromium,
  phoneContext,
  PWA_DIST,
  screenshotPath,
} from '../support/browser.js';
import { seedConversation, type SeededConversation } from '../support/seed.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { HttpClient, makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';

const EMAIL = 'night.nurse@trust.example';
const IDEAS = ['Free parking for night staff', 'Hot food after 8pm', 'A quiet room on every ward'];
const NEW_IDEA = 'Water fountains on every floor <b>please</b>';

describe('offline-first, end to end', () => {
  let sink: SmtpSink;
  let ts: TestServer;
  let dataDir: string;
  let port: number;
  let seeded: SeededConversation;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const serverEnv = () => ({ SMTP_URL: sink.url, PWA_DIST_DIR: PWA_DIST, RELEASE_INTERVAL_SECONDS: '0' });

  beforeAll(async () => {
    assertPwaBuilt();
    sink = await startSmtpSink();
    dataDir = makeTempDir('huddle-e2e-');
    ts = await startTestServer(serverEnv(), dataDir);
    port = Number(new URL(ts.url).port);
    seeded = await seedConversation(ts.server.storage, {
      streamTitles: ['Staff wellbeing'],
      ideaTitles: IDEAS,
    });
    const admin = await createTestAccount(ts.server.storage, dataDir, { roles: ['admin'] });
    const invited = await HttpClient.as(ts.url, admin).post('/api/admin/invites', { csv: `email\n${EMAIL}` });
    expect(invited.status).toBe(200);
    await sink.waitFor(EMAIL); // the invitation (sent in the background) is not the login code
    browser = await launchChromium();
    context = await phoneContext(browser);
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await ts?.close();
    await sink?.close();
  });

  const status = () => page.getByTestId('sync-status');

  async function openIdea(title: string) {
    await page.getByRole('link', { name: title }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: title }).count()).toBe(1);
  }

  it('logs in with the code from the e-mail and installs the service worker', async () => {
    await page.goto(ts.url);
    await page.getByLabel('E-mail address').fill(EMAIL);
    const before = sink.messages.filter((m) => m.to.includes(EMAIL)).length;
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await expect
      .poll(() => sink.messages.filter((m) => m.to.includes(EMAIL)).length, { timeout: 10_000 })
      .toBeGreaterThan(before);
    const mail = sink.messages.filter((m) => m.to.includes(EMAIL)).at(-1)!;
    const code = /\b(\d{8})\b/.exec(mail.text)?.[1];
    expect(code).toBeTruthy();
    await page.getByLabel('Code').fill(code!);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: 'Staff wellbeing' }).waitFor({ timeout: 20_000 });
    // The service worker controls the page (clientsClaim) so a reload works offline.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
      timeout: 20_000,
    });
    await page.getByRole('link', { name: 'Staff wellbeing' }).click();
    await page.getByRole('link', { name: IDEAS[0] }).waitFor();
    await expect.poll(async () => status().textContent(), { timeout: 20_000 }).toBe('All sent');
    await page.screenshot({ path: screenshotPath('stream-online'), fullPage: true });
  });

  it('keeps an idea and two likes made offline, across a reload, shown as waiting', async () => {
    await ts.close({ keepData: true });
    await context.setOffline(true);

    await page.getByRole('link', { name: 'Post an idea' }).click();
    await page.getByLabel('Title').fill(NEW_IDEA);
    await page.getByLabel('Description').fill('Especially on the night shift.');
    await page.getByRole('button', { name: 'Post idea' }).click();
    await page.getByText(NEW_IDEA).waitFor();

    for (const title of [IDEAS[0]!, IDEAS[1]!]) {
      await openIdea(title);
      await page.getByRole('button', { name: 'Like', exact: true }).click();
      await expect
        .poll(() => page.getByRole('button', { name: 'Like', exact: true }).getAttribute('aria-pressed'))
        .toBe('true');
      await page.goBack();
    }
    await expect.poll(async () => status().textContent()).toBe('Offline — 3 waiting to send');
    await page.screenshot({ path: screenshotPath('offline-waiting'), fullPage: true });

    await page.reload();
    await expect
      .poll(async () => status().textContent(), { timeout: 20_000 })
      .toBe('Offline — 3 waiting to send');
    // User text is rendered as text, never as HTML.
    await page.getByText(NEW_IDEA).waitFor();
    expect(await page.locator('.card__title b').count()).toBe(0);
    await openIdea(IDEAS[1]!);
    expect(await page.getByRole('button', { name: 'Like', exact: true }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await page.goBack();
  });

  it('sends everything exactly once when the connection comes back, then says "All sent"', async () => {
    ts = await startTestServer({ ...serverEnv(), PORT: String(port) }, dataDir);
    await context.setOffline(false);
    await expect.poll(async () => status().textContent(), { timeout: 30_000 }).toBe('All sent');
    await page.screenshot({ path: screenshotPath('all-sent'), fullPage: true });

    // Press "Send now" again: a retry must not create a second effect.
    await page.getByRole('button', { name: 'Send now' }).click();
    await expect.poll(async () => status().textContent(), { timeout: 30_000 }).toBe('All sent');
    await ts.close({ keepData: true });

    const storage = new PouchStorage({ dataDir });
    try {
      const all = async (db: 'public' | 'private' | 'votes') =>
        (await storage.db(db).list({ includeDocs: true })).map((r) => r.doc as StoredDoc);
      const publicDocs = await all('public');
      const privateDocs = await all('private');
      const newIdeas = [
        ...publicDocs.filter((d) => d['type'] === 'idea' && d['title'] === NEW_IDEA),
        ...privateDocs.filter(
          (d) => d['type'] === 'staged' && (d['doc'] as { title?: string }).title === NEW_IDEA,
        ),
      ];
      expect(newIdeas).toHaveLength(1);
      const likes = (await all('votes')).filter((d) => d['type'] === 'vote' && d['value'] === 'like');
      expect(likes.map((v) => v['itemId']).sort()).toEqual([seeded.ideas[0]!.id, seeded.ideas[1]!.id].sort());
      const tallies = publicDocs.filter((d) => d['type'] === 'tally');
      for (const idea of seeded.ideas.slice(0, 2)) {
        expect(tallies.find((t) => t['itemId'] === idea.id)).toMatchObject({ likes: 1, dislikes: 0 });
      }
      expect(privateDocs.filter((d) => d['type'] === 'receipt')).toHaveLength(3);
    } finally {
      await storage.close();
    }
    ts = await startTestServer({ ...serverEnv(), PORT: String(port) }, dataDir);
  });
});
