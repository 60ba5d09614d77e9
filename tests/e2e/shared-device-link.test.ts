/**
 * A shared ward PC, in Chromium (issue 6, defect 1): person A leaves a change queued without
 * logging out; person B then opens their e-mailed login link in the same browser. A's change must
 * never be sent with B's session (the vault would record B as its author): the app sends nothing
 * and asks. "Keep them" ends B's session and keeps A's change for A; "Delete them" clears A's work
 * and B carries on with an empty device.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { IdeaDoc } from '../../shared/src/documents.js';
import { loadConfig } from '../../sync-server/src/config.js';
import { loadSecrets } from '../../sync-server/src/secrets.js';
import { readAuthor } from '../../sync-server/src/sync/vault.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import {
  assertPwaBuilt,
  checkScreen,
  launchChromium,
  phoneContext,
  signInWithCookie,
  waitForServiceWorker,
} from '../support/browser.js';
import { startMailLoginWorld, STREAM_TITLE, type MailLoginWorld } from '../support/mail-login.js';
import { linkOf } from '../integration/auth-helpers.js';

let world: MailLoginWorld;
let browser: Browser;

beforeAll(async () => {
  assertPwaBuilt();
  world = await startMailLoginWorld();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const status = (page: Page) => page.getByTestId('sync-status');

/** Person A posts an idea with no signal and walks away without logging out. */
async function leaveAnIdeaQueued(context: BrowserContext, a: TestAccount, title: string): Promise<void> {
  await signInWithCookie(context, world.ts.url, a.sessionToken);
  const page = await context.newPage();
  await page.goto(world.ts.url);
  await page.getByRole('link', { name: STREAM_TITLE }).click();
  await waitForServiceWorker(page);
  await expect.poll(() => status(page).textContent(), { timeout: 20_000 }).toBe('All sent');
  await context.setOffline(true);
  await page.getByRole('link', { name: /post an idea/i }).click();
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByRole('button', { name: /post idea/i }).click();
  await expect.poll(() => status(page).textContent()).toBe('Offline — 1 waiting to send');
  await page.close();
}

/** Person B opens their invitation link in the same browser and presses the button. */
async function openLinkAsB(
  context: BrowserContext,
): Promise<{ page: Page; email: string; pushes: string[] }> {
  const { email, mail } = await world.invite('porter');
  const pushes: string[] = [];
  context.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/sync/push') pushes.push(r.postData() ?? '');
  });
  await context.setOffline(false);
  const page = await context.newPage();
  await page.goto(linkOf(mail));
  await page.getByRole('button', { name: 'Log in to Huddle' }).click();
  await page
    .getByRole('heading', { name: 'This device has changes from someone else' })
    .waitFor({ timeout: 20_000 });
  return { page, email, pushes };
}

const secrets = () => loadSecrets(loadConfig({ HUDDLE_DATA_DIR: world.ts.dataDir }));

/** Ideas on the server with this title, released or waiting, and who the vault says wrote them. */
async function serverIdeas(title: string): Promise<Array<{ id: string; author?: string }>> {
  const published = (await world.ts.server.storage.db('public').list({ prefix: 'idea:', includeDocs: true }))
    .map((r) => r.doc as unknown as IdeaDoc)
    .filter((d) => d.title === title);
  const staged = (await world.ts.server.storage.db('private').list({ prefix: 'staged:', includeDocs: true }))
    .map((r) => (r.doc as unknown as { doc: IdeaDoc }).doc)
    .filter((d) => d.title === title);
  const keys = secrets();
  return Promise.all(
    [...published, ...staged].map(async (d) => ({
      id: d.id,
      author: (await readAuthor({ storage: world.ts.server.storage, secrets: keys }, d.id))?.accountId,
    })),
  );
}

describe("a shared device: one person's queued work is never sent with another person's session", () => {
  it("opening B's e-mailed link sends nothing of A's and asks; keeping them logs B out and keeps A's change for A", async () => {
    const a = await createTestAccount(world.ts.server.storage, world.ts.dataDir, {
      email: 'ward.nurse.a@trust.example',
    });
    const context = await phoneContext(browser);
    await leaveAnIdeaQueued(context, a, 'Spare chargers at the nurses station');
    const { page, email, pushes } = await openLinkAsB(context);
    await checkScreen(page, 'shared-device-other-person');
    expect(await page.getByText(a.email).count()).toBeGreaterThan(0);
    expect(await page.getByText(email).count()).toBeGreaterThan(0);
    // Give the app every chance to sync: it asks whose session this is and stops there.
    await page.getByRole('link', { name: STREAM_TITLE }).waitFor();
    expect(pushes).toEqual([]);
    expect(await serverIdeas('Spare chargers at the nurses station')).toEqual([]);

    await page.getByRole('button', { name: `Keep them for ${a.email} and log me out` }).click();
    await expect
      .poll(() => status(page).textContent(), { timeout: 20_000 })
      .toContain('Log in again to send');
    expect(await page.evaluate(async () => (await fetch('/api/me')).status)).toBe(401);
    expect(pushes).toEqual([]);
    await context.close();
  });

  it('deleting them clears A’s work from the device; B syncs with an empty device and A’s idea never reaches the server', async () => {
    const a = await createTestAccount(world.ts.server.storage, world.ts.dataDir, {
      email: 'ward.nurse.b@trust.example',
    });
    const context = await phoneContext(browser);
    await leaveAnIdeaQueued(context, a, 'Quiet room after night shifts');
    const { page, email, pushes } = await openLinkAsB(context);
    await page.getByRole('button', { name: `Delete them and continue as ${email}` }).click();
    await expect.poll(() => status(page).textContent(), { timeout: 20_000 }).toBe('All sent');
    await page.getByRole('button', { name: 'Menu' }).click();
    expect(await page.getByText(`Logged in as ${email}`).count()).toBe(1);
    expect(pushes).toEqual([]);
    expect(await serverIdeas('Quiet room after night shifts')).toEqual([]);
    await context.close();
  });
});
