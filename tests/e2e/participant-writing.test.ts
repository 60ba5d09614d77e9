/**
 * The participant's writing flows in real Chromium at 360x740: several drafts autosaved as typed and surviving
 * a reload, with "is this the same as …?" suggestions; editing one's own idea (offered only on one's own posts);
 * reporting someone else's post; "My activity" with each post's status and what waits to send; and a post
 * queued offline after the conversation closed coming back to drafts with that reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import {
  assertPwaBuilt,
  checkScreen,
  openSignedInPhone,
  launchChromium,
  PWA_DIST,
  signInWithCookie,
} from '../support/browser.js';
import { seedConversation, type SeededConversation } from '../support/seed.js';
import { HttpClient, makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';

const STREAM = 'Staff wellbeing';
const IDEAS = ['Free parking for night staff', 'Hot food after 8pm'];
const DRAFT_ONE = 'Parking spaces for the night staff';
const DRAFT_TWO = 'Water fountains on every floor';

describe('participant: drafts, own posts, reports and my activity', () => {
  let ts: TestServer;
  let seeded: SeededConversation;
  let admin: TestAccount;
  let person: TestAccount;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    assertPwaBuilt();
    const dataDir = makeTempDir('huddle-participant-write-');
    ts = await startTestServer(
      {
        PWA_DIST_DIR: PWA_DIST,
        RELEASE_INTERVAL_SECONDS: '0',
        // Not the default: the opt-in must say the server's time.
        NOTICE_TIME: '07:45',
        NOTICE_TIME_ZONE: 'Europe/Dublin',
      },
      dataDir,
    );
    seeded = await seedConversation(ts.server.storage, { streamTitles: [STREAM], ideaTitles: IDEAS });
    admin = await createTestAccount(ts.server.storage, dataDir, { roles: ['admin'] });
    person = await createTestAccount(ts.server.storage, dataDir);
    browser = await launchChromium();
    ({ context, page } = await openSignedInPhone(browser, ts.url, person.sessionToken, STREAM));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await ts?.close();
  });

  const status = () => page.getByTestId('sync-status');
  /** Every main screen: a screenshot for review, and no WCAG 2.2 AA violation found by axe-core. */
  const screen = (name: string) => checkScreen(page, name);
  const heading = (name: string) => page.getByRole('heading', { level: 1, name });
  const allSent = () => expect.poll(async () => status().textContent(), { timeout: 20_000 }).toBe('All sent');
  const streamHref = () => `${ts.url}/#/stream/${seeded.streams[0]!.id}`;

  it('keeps several drafts, autosaved as typed, across a reload; suggests a similar idea', async () => {
    await page.goto(streamHref());
    await page.getByRole('link', { name: 'Post an idea' }).click();
    await page.getByLabel('Title').fill(DRAFT_ONE);
    const similar = page.getByTestId('similar-ideas');
    await similar.waitFor();
    expect(await similar.getByRole('link').allTextContents()).toEqual([IDEAS[0]]);
    await page.getByLabel('Description').fill('Half written on a break');
    await screen('participant-post-similar');

    await page.reload();
    await heading('Post an idea').waitFor({ timeout: 20_000 });
    expect(await page.getByLabel('Title').inputValue()).toBe(DRAFT_ONE);
    expect(await page.getByLabel('Description').inputValue()).toBe('Half written on a break');

    // A second idea is a second draft, not a replacement.
    await page.goto(streamHref());
    await page.getByRole('link', { name: 'Post an idea' }).click();
    expect(await page.getByLabel('Title').inputValue()).toBe('');
    await page.getByLabel('Title').fill(DRAFT_TWO);
    await page.goto(`${ts.url}/#/drafts`);
    const drafts = page.getByTestId('draft');
    await expect.poll(() => drafts.count()).toBe(2);
    await screen('participant-drafts');
    await drafts.filter({ hasText: DRAFT_ONE }).getByRole('button', { name: 'Continue writing' }).click();
    await heading('Post an idea').waitFor();
    expect(await page.getByLabel('Title').inputValue()).toBe(DRAFT_ONE);
  });

  it('a draft started on the phone can be finished at a desk (synced as a private document)', async () => {
    await allSent();
    const desk = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    try {
      await signInWithCookie(desk, ts.url, person.sessionToken);
      const deskPage = await desk.newPage();
      await deskPage.goto(`${ts.url}/#/drafts`);
      const drafts = deskPage.getByTestId('draft');
      await expect.poll(() => drafts.count(), { timeout: 20_000 }).toBe(2);
      expect((await drafts.allTextContents()).join(' ')).toContain('Half written on a break');
    } finally {
      await desk.close();
    }
  });

  it('edits one’s own idea; other people’s ideas offer a report instead', async () => {
    await page.getByRole('button', { name: 'Post idea' }).click();
    await allSent();
    await page.getByRole('link', { name: DRAFT_ONE }).click();
    await heading(DRAFT_ONE).waitFor();
    expect(await page.getByText('Your idea', { exact: true }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Report this idea' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Edit your idea' }).click();
    await heading('Edit your idea').waitFor();
    await page.getByLabel('Title').fill(`${DRAFT_ONE} and porters`);
    await screen('participant-edit');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await heading(`${DRAFT_ONE} and porters`).waitFor();
    await allSent();

    await page.goto(`${ts.url}/#/idea/${seeded.ideas[1]!.id}`);
    await heading(IDEAS[1]!).waitFor();
    expect(await page.getByRole('link', { name: 'Edit your idea' }).count()).toBe(0);
  });

  it('reports someone else’s idea against a guideline', async () => {
    await page.getByRole('link', { name: 'Report this idea' }).click();
    await heading('Report this idea').waitFor();
    await page.getByLabel('It is off the topic').check();
    await page.getByLabel('Note for the team (optional)').fill('Not about wellbeing');
    await screen('participant-report');
    await page.getByRole('button', { name: 'Send report' }).click();
    await heading(IDEAS[1]!).waitFor();
    await page.getByText('You reported this idea. Thank you.').waitFor();
    await allSent();
  });

  it('“My activity” shows my posts with their status, and what waits to send', async () => {
    await context.route('**/api/**', (route) => route.abort());
    await context.setOffline(true);
    try {
      await page.getByLabel('Your comment').fill('Waiting for signal');
      await page.getByRole('button', { name: 'Post comment' }).click();
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('link', { name: 'My activity' }).click();
      await heading('My activity').waitFor();
      const posts = page.getByTestId('my-post');
      await expect.poll(() => posts.count()).toBe(2);
      expect(await posts.filter({ hasText: 'Waiting for signal' }).textContent()).toContain(
        'Waiting to send',
      );
      expect(await posts.filter({ hasText: `${DRAFT_ONE} and porters` }).textContent()).toContain(
        'Visible to everyone',
      );
      expect(await page.getByTestId('waiting-list').textContent()).toContain('New comment');
      await screen('participant-activity');
    } finally {
      await context.setOffline(false);
      await context.unroute('**/api/**');
    }
    await allSent();
  });

  it('withdraws one’s own comment after asking; My activity says so', async () => {
    await page.goto(`${ts.url}/#/idea/${seeded.ideas[1]!.id}`);
    const mine = page.getByTestId('comment').filter({ hasText: 'Waiting for signal' });
    await mine.getByRole('button', { name: 'Withdraw your comment' }).click();
    await screen('participant-withdraw-confirm');
    await mine.getByRole('button', { name: 'Withdraw', exact: true }).click();
    await mine.waitFor({ state: 'detached' });
    await allSent();
    await page.goto(`${ts.url}/#/activity`);
    const post = page.getByTestId('my-post').filter({ hasText: 'Waiting for signal' });
    await expect.poll(() => post.textContent()).toContain('Withdrawn by you');
  });

  it('notices: says where the team’s messages appear and exactly what the daily e-mail reveals, at the server’s time; the opt-in is kept by the server', async () => {
    await page.goto(`${ts.url}/#/notices`);
    await heading('Notices from the facilitation team').waitFor();
    await expect
      .poll(() => page.getByTestId('notice-reveals').textContent(), { timeout: 20_000 })
      .toBe(
        'Once a day at 07:45 (Dublin time) everyone who turned this on gets the same short e-mail, news or not. ' +
          'Your Trust’s mail server can see that you turned notices on, and nothing else.',
      );
    const optIn = page.getByLabel('E-mail me the daily notice');
    expect(await optIn.isChecked()).toBe(false);
    await optIn.check();
    await screen('participant-notices');
    await allSent();
    // After a reload the device pulls the setting back from the server.
    await page.reload();
    await heading('Notices from the facilitation team').waitFor({ timeout: 20_000 });
    await allSent();
    expect(await page.getByLabel('E-mail me the daily notice').isChecked()).toBe(true);
  });

  it('an idea queued offline after the conversation closed comes back to drafts with the reason', async () => {
    await context.route('**/api/**', (route) => route.abort());
    await context.setOffline(true);
    try {
      await page.goto(streamHref());
      await page.getByRole('link', { name: 'Post an idea' }).click();
      await page.getByLabel('Title').fill('Written on the last night');
      await page.getByRole('button', { name: 'Post idea' }).click();
      await page.getByText('Waiting to send').first().waitFor();
      const closed = await HttpClient.as(ts.url, admin).post(
        `/api/admin/conversations/${seeded.conversation.id}/status`,
        { status: 'closed' },
      );
      expect(closed.status).toBe(200);
    } finally {
      await context.setOffline(false);
      await context.unroute('**/api/**');
    }
    await allSent();
    await page.getByTestId('closed-banner').waitFor();
    await page.goto(`${ts.url}/#/drafts`);
    const rejected = page.getByTestId('rejected-draft');
    await rejected.waitFor();
    expect(await rejected.textContent()).toContain('Written on the last night');
    expect(await rejected.locator('.error-message').textContent()).toMatch(/closed/i);
    await screen('participant-closed-drafts');
  });
});
