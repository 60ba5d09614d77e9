/**
 * Several copies of the app for one person, in real Chromium at 360x740:
 * - two tabs (one browser context, one IndexedDB) with offline changes made in both push
 *   each change exactly once when the connection returns: no mutation id is ever sent by
 *   both tabs (Web Locks around the push), and the server holds one effect each;
 * - two devices (two contexts, two sessions of the same person) voting offline on the same
 *   idea end with the last change made on the device that synced last, shown on both.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SCHEMA_VERSION } from '../../shared/src/protocol.js';
import { loadConfig } from '../../sync-server/src/config.js';
import { loadSecrets } from '../../sync-server/src/secrets.js';
import { PouchStorage } from '../../sync-server/src/storage/pouch-adapter.js';
import type { StoredDoc } from '../../sync-server/src/storage/port.js';
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
import { seedConversation, type SeededConversation } from '../support/seed.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';
import { waitUntil } from '../support/wait.js';

const STREAM = 'Car parking';
const IDEAS = ['Night staff park free', 'Shuttle from the overflow car park'];

describe('two tabs and two devices', () => {
  let ts: TestServer;
  let dataDir: string;
  let port: number;
  let seeded: SeededConversation;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const env = () => ({ PWA_DIST_DIR: PWA_DIST, RELEASE_INTERVAL_SECONDS: '0' });
  const status = (p: Page) => p.getByTestId('sync-status');
  const origin = () => new URL(ts.url).origin;

  beforeAll(async () => {
    assertPwaBuilt();
    dataDir = makeTempDir('huddle-quality-sync-');
    ts = await startTestServer(env(), dataDir);
    port = Number(new URL(ts.url).port);
    seeded = await seedConversation(ts.server.storage, { streamTitles: [STREAM], ideaTitles: IDEAS });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await ts?.close();
  });

  async function device(sessionToken: string): Promise<BrowserContext> {
    const context = await phoneContext(browser);
    contexts.push(context);
    await signInWithCookie(context, ts.url, sessionToken);
    return context;
  }

  async function openIdea(page: Page, index: number): Promise<void> {
    await page.goto(`${origin()}/#/idea/${encodeURIComponent(seeded.ideas[index]!.id)}`);
    await page.getByRole('heading', { level: 1, name: IDEAS[index] }).waitFor({ timeout: 20_000 });
  }

  async function serverDocs(): Promise<{
    publicDocs: StoredDoc[];
    votes: StoredDoc[];
    privateDocs: StoredDoc[];
  }> {
    await ts.close({ keepData: true });
    const storage = new PouchStorage({ dataDir });
    try {
      const all = async (db: 'public' | 'private' | 'votes') =>
        (await storage.db(db).list({ includeDocs: true })).map((r) => r.doc as StoredDoc);
      return {
        publicDocs: await all('public'),
        votes: await all('votes'),
        privateDocs: await all('private'),
      };
    } finally {
      await storage.close();
      ts = await startTestServer({ ...env(), PORT: String(port) }, dataDir);
    }
  }

  /** A second session for the same person: their other device. */
  async function secondSession(account: TestAccount): Promise<string> {
    const secrets = loadSecrets(loadConfig({ HUDDLE_DATA_DIR: dataDir }));
    const token = crypto.randomBytes(32).toString('base64url');
    const now = new Date();
    await ts.server.storage.db('accounts').put({
      _id: `session:${secrets.hmac('session', token)}`,
      type: 'session',
      schemaVersion: SCHEMA_VERSION,
      accountId: account.accountId,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
    });
    return token;
  }

  it('two tabs with offline changes in both send each change once, never twice', async () => {
    const person = await createTestAccount(ts.server.storage, dataDir);
    const context = await device(person.sessionToken);
    const pushedIds: string[] = [];
    context.on('request', (request) => {
      if (!request.url().endsWith('/api/sync/push')) return;
      const body = JSON.parse(request.postData() ?? '{}') as { mutations?: Array<{ id: string }> };
      for (const m of body.mutations ?? []) pushedIds.push(m.id);
    });
    // While the tabs race, each push is held until the other tab is either waiting for the device's sync
    // lock or pushing too: the moment two tabs that both pushed would overlap (without the lock they do).
    let isRacing = false;
    let inFlight = 0;
    const isOtherTabWaiting = async () => {
      if (inFlight > 1) return true;
      const page = context.pages()[0];
      return page
        ? page.evaluate(async () => ((await navigator.locks.query()).pending ?? []).length > 0)
        : false;
    };
    await context.route('**/api/sync/push', async (route) => {
      inFlight++;
      try {
        if (isRacing)
          await waitUntil(isOtherTabWaiting, 'the other tab to wait for the sync lock or push', {
            timeoutMs: 10_000,
          }).catch(() => undefined); // the other tab found nothing left to send: nothing to overlap
      } finally {
        inFlight--;
      }
      await route.continue();
    });
    const tab1 = await context.newPage();
    await openIdea(tab1, 0);
    await waitForServiceWorker(tab1);
    const tab2 = await context.newPage();
    await openIdea(tab2, 1);
    for (const tab of [tab1, tab2])
      await expect.poll(() => status(tab).textContent(), { timeout: 20_000 }).toBe('All sent');

    await ts.close({ keepData: true });
    await context.setOffline(true);
    await tab1.getByRole('button', { name: 'Like', exact: true }).click();
    await tab2.getByRole('button', { name: 'Dislike', exact: true }).click();
    await tab2.getByLabel('Your comment').fill('The shuttle stops at 8pm: too early.');
    await tab2.getByRole('button', { name: /post comment/i }).click();
    for (const tab of [tab1, tab2])
      await expect.poll(() => status(tab).getAttribute('data-waiting')).toBe('3');

    ts = await startTestServer({ ...env(), PORT: String(port) }, dataDir);
    isRacing = true;
    await context.setOffline(false); // both tabs hear 'online' at once and race to push
    for (const tab of [tab1, tab2])
      await expect.poll(() => status(tab).textContent(), { timeout: 30_000 }).toBe('All sent');
    await tab2.screenshot({ path: screenshotPath('quality-two-tabs'), fullPage: true });

    expect(pushedIds).toHaveLength(3);
    expect(new Set(pushedIds).size).toBe(3);
    const { publicDocs, votes, privateDocs } = await serverDocs();
    const voterVotes = votes.filter(
      (v) => v['type'] === 'vote' && IDEAS.some((_, i) => v['itemId'] === seeded.ideas[i]!.id),
    );
    expect(voterVotes.map((v) => v['value']).sort()).toEqual(['dislike', 'like']);
    const comments = [
      ...publicDocs.filter((d) => d['type'] === 'comment' && d['ideaId'] === seeded.ideas[1]!.id),
      // A comment still waiting for its batch is sealed: any staged document is it.
      ...privateDocs.filter((d) => d['type'] === 'staged'),
    ];
    expect(comments).toHaveLength(1);
    await context.close();
    contexts.splice(contexts.indexOf(context), 1);
  });

  it('two devices voting offline on one idea end with the change of the device that synced last, shown on both', async () => {
    const person = await createTestAccount(ts.server.storage, dataDir);
    const phone = await (await device(person.sessionToken)).newPage();
    const desk = await (await device(await secondSession(person))).newPage();
    for (const page of [phone, desk]) {
      await openIdea(page, 0);
      await waitForServiceWorker(page);
      await expect.poll(() => status(page).textContent(), { timeout: 20_000 }).toBe('All sent');
    }
    await ts.close({ keepData: true });
    for (const c of contexts) await c.setOffline(true);
    const like = (p: Page) => p.getByRole('button', { name: 'Like', exact: true });
    const dislike = (p: Page) => p.getByRole('button', { name: 'Dislike', exact: true });
    // The desk votes first, the phone later: what counts is which device syncs last.
    await dislike(desk).click();
    await like(phone).click();
    await dislike(phone).click();
    await like(phone).click();

    ts = await startTestServer({ ...env(), PORT: String(port) }, dataDir);
    await phone.context().setOffline(false);
    await expect.poll(() => status(phone).textContent(), { timeout: 30_000 }).toBe('All sent');
    await desk.context().setOffline(false);
    await expect.poll(() => status(desk).textContent(), { timeout: 30_000 }).toBe('All sent');
    // The phone hears about its person's newer vote on its next sync.
    await phone.getByRole('button', { name: 'Send now' }).click();
    for (const page of [phone, desk]) {
      await expect.poll(() => dislike(page).getAttribute('aria-pressed'), { timeout: 20_000 }).toBe('true');
      expect(await like(page).getAttribute('aria-pressed')).toBe('false');
    }
    await phone.screenshot({ path: screenshotPath('quality-two-devices-phone'), fullPage: true });

    const { votes } = await serverDocs();
    const onIdea = votes.filter(
      (v) => v['type'] === 'vote' && v['itemId'] === seeded.ideas[0]!.id && v['value'] !== 'none',
    );
    // The first test's person liked this idea too; this person's vote is the one dislike.
    expect(onIdea.map((v) => v['value']).sort()).toEqual(['dislike', 'like']);
  });
});
