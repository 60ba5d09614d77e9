/**
 * The participant's reading and voting flows in real Chromium at 360x740: the rules shown once after first
 * login; the four sorting tabs; full-text search across ideas and comments with no network; "quick break"
 * (one unvoted idea at a time, progress, like / dislike / skip, votes sent once); and a closed conversation
 * turning read-only with a clear banner. Each screen is screenshotted (test-results/screenshots) and checked
 * with axe-core (WCAG 2.2 AA).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SCHEMA_VERSION } from '../../shared/src/protocol.js';
import { toCoarseHour } from '../../shared/src/ids.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import {
  assertPwaBuilt,
  checkScreen,
  openSignedInPhone,
  launchChromium,
  PWA_DIST,
} from '../support/browser.js';
import { seedConversation, type SeededConversation } from '../support/seed.js';
import { HttpClient, makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';

const STREAM = 'Staff wellbeing';
const IDEAS = ['Free parking for night staff', 'Hot food after 8pm', 'A quiet room on every ward'];
const COMMENT = 'A microwave in the staff room would already help.';

describe('participant: reading, searching and voting', () => {
  let ts: TestServer;
  let dataDir: string;
  let seeded: SeededConversation;
  let admin: TestAccount;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    assertPwaBuilt();
    dataDir = makeTempDir('huddle-participant-read-');
    ts = await startTestServer({ PWA_DIST_DIR: PWA_DIST, RELEASE_INTERVAL_SECONDS: '0' }, dataDir);
    seeded = await seedConversation(ts.server.storage, { streamTitles: [STREAM], ideaTitles: IDEAS });
    const commentId = 'seededCommentOnHotFood01';
    await ts.server.storage.db('public').put({
      _id: `comment:${commentId}`,
      type: 'comment',
      schemaVersion: SCHEMA_VERSION,
      id: commentId,
      conversationId: seeded.conversation.id,
      ideaId: seeded.ideas[1]!.id,
      body: COMMENT,
      createdHour: toCoarseHour(new Date()),
      status: 'visible',
    });
    await ts.server.storage.db('public').put({
      ...seeded.conversation,
      _rev: (await ts.server.storage.db('public').get(seeded.conversation._id))?._rev,
      questionnaire: [
        {
          id: 'staff-group',
          label: 'Which staff group are you in?',
          options: [
            { id: 'nursing', label: 'Nursing and midwifery' },
            { id: 'medical', label: 'Medical and dental' },
            { id: 'other', label: 'Another group' },
          ],
        },
      ],
    });
    admin = await createTestAccount(ts.server.storage, dataDir, { roles: ['admin'] });
    const person = await createTestAccount(ts.server.storage, dataDir);
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

  it('shows the rules of engagement once after first login, and keeps them in the menu', async () => {
    const welcome = page.getByTestId('welcome');
    await welcome.waitFor();
    expect(await welcome.textContent()).toContain('Do not name anyone');
    await screen('participant-welcome');
    await page.getByRole('button', { name: 'I understand' }).click();
    await welcome.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('link', { name: STREAM }).waitFor();
    expect(await welcome.count()).toBe(0);

    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Rules and questions' }).click();
    await heading('How Huddle works').waitFor();
    expect(await page.getByText('What does anonymous mean here?').count()).toBe(1);
    await screen('participant-rules');
  });

  it('offers the optional “about you” questions once, explains their use, and sends the answers', async () => {
    await page.goto(`${ts.url}/#/`);
    await page.getByRole('link', { name: 'Answer the questions' }).click();
    await heading('About you (optional)').waitFor();
    expect(await page.getByText('10 or more people').count()).toBe(1);
    await page.getByLabel('Nursing and midwifery').check();
    await screen('participant-about-you');
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await page.getByRole('link', { name: STREAM }).waitFor();
    expect(await page.getByRole('link', { name: 'Answer the questions' }).count()).toBe(0);
    await expect.poll(async () => status().textContent(), { timeout: 20_000 }).toBe('All sent');
  });

  it('sorts a topic by Top, Newest, Most discussed and Controversial', async () => {
    await page.goto(`${ts.url}/#/stream/${seeded.streams[0]!.id}`);
    const tabs = page.getByRole('navigation', { name: 'Sort ideas' }).getByRole('link');
    await tabs.last().waitFor({ timeout: 20_000 });
    expect(await tabs.allTextContents()).toEqual(['Top', 'Newest', 'Most discussed', 'Controversial']);
    await page.getByRole('link', { name: 'Most discussed' }).click();
    await expect
      .poll(() => page.getByRole('link', { name: 'Most discussed' }).getAttribute('aria-current'))
      .toBe('page');
    // The only idea with a comment comes first.
    await expect.poll(() => page.getByTestId('idea-card').first().textContent()).toContain(IDEAS[1]);
    await screen('participant-sorted');
  });

  it('searches ideas and comments on the device with no network, and opens the idea', async () => {
    await expect.poll(async () => status().textContent(), { timeout: 20_000 }).toBe('All sent');
    await context.route('**/api/**', (route) => route.abort());
    await context.setOffline(true);
    try {
      await page.goto(`${ts.url}/#/`);
      await page.reload();
      await page.getByRole('link', { name: STREAM }).waitFor({ timeout: 20_000 });
      await page.getByLabel('Search ideas and comments').fill('microwave');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await heading('Search').waitFor();
      const results = page.getByTestId('search-result');
      await expect.poll(() => results.count()).toBe(1);
      expect(await results.first().textContent()).toContain(IDEAS[1]);
      // Typing refines the results as you go, still offline.
      await page.getByLabel('Search ideas and comments').fill('quiet war');
      await expect.poll(() => results.first().textContent()).toContain(IDEAS[2]);
      await screen('participant-search-offline');
      await results.first().getByRole('link').click();
      await heading(IDEAS[2]!).waitFor();
    } finally {
      await context.setOffline(false);
      await context.unroute('**/api/**');
    }
  });

  it('quick break: one unvoted idea at a time with progress; votes are sent once', async () => {
    await page.goto(`${ts.url}/#/`);
    await page.getByRole('link', { name: 'Quick break: vote on ideas one at a time' }).click();
    const progress = page.getByTestId('quick-break-progress');
    await expect.poll(() => progress.textContent()).toBe('1 of 3');
    await screen('participant-quick-break');
    const first = await page.getByRole('heading', { level: 1 }).textContent();
    await page.getByRole('button', { name: 'Like', exact: true }).click();
    await expect.poll(() => progress.textContent()).toBe('2 of 3');
    await page.getByRole('button', { name: 'Skip', exact: true }).click();
    await expect.poll(() => progress.textContent()).toBe('3 of 3');
    const third = await page.getByRole('heading', { level: 1 }).textContent();
    await page.getByRole('button', { name: 'Dislike', exact: true }).click();
    await heading('That’s all for now').waitFor();

    // The last vote is written to the device just after the click; wait for the server to hold
    // both votes (each exactly once), and for the app to say so.
    const titleOf = (id: string) => seeded.ideas.find((i) => i.id === id)?.title;
    const serverVotes = async () =>
      (await ts.server.storage.db('votes').list({ includeDocs: true }))
        .map((v) => v.doc as unknown as { type?: string; itemId: string; value: string })
        .filter((v) => v.type === 'vote' && v.value !== 'none')
        .map((v) => [titleOf(v.itemId), v.value])
        .sort();
    await expect.poll(serverVotes, { timeout: 20_000 }).toEqual(
      [
        [first, 'like'],
        [third, 'dislike'],
      ].sort(),
    );
    await expect.poll(async () => status().textContent(), { timeout: 20_000 }).toBe('All sent');

    // The skipped idea is the only one left for the next break.
    await page.goto(`${ts.url}/#/`);
    await page.getByRole('link', { name: 'Quick break: vote on ideas one at a time' }).click();
    await expect.poll(() => progress.textContent()).toBe('1 of 1');
  });

  it('likes, changes and undoes a vote on a comment, the current choice always shown', async () => {
    await page.goto(`${ts.url}/#/idea/${seeded.ideas[1]!.id}`);
    const comment = page.getByTestId('comment').filter({ hasText: COMMENT });
    const like = comment.getByRole('button', { name: 'Like', exact: true });
    const dislike = comment.getByRole('button', { name: 'Dislike', exact: true });
    await like.click();
    await expect.poll(() => like.getAttribute('aria-pressed')).toBe('true');
    expect(await comment.textContent()).toContain('You liked this');
    await like.click();
    await expect.poll(() => like.getAttribute('aria-pressed')).toBe('false');
    expect(await comment.textContent()).not.toContain('You liked this');
    await dislike.click();
    await expect.poll(() => dislike.getAttribute('aria-pressed')).toBe('true');
    expect(await comment.textContent()).toContain('You disliked this');
    await screen('participant-comment-vote');
    await expect.poll(async () => status().textContent(), { timeout: 20_000 }).toBe('All sent');
    const votes = await ts.server.storage.db('votes').list({ includeDocs: true });
    const onComment = votes
      .map((v) => v.doc as unknown as { type?: string; itemId: string; itemKind: string; value: string })
      .filter((v) => v.type === 'vote' && v.itemKind === 'comment');
    expect(onComment.map((v) => v.value)).toEqual(['dislike']);
  });

  it('user text is shown in bidi isolation, and an override stored in a comment does not reach the screen', async () => {
    // As if stored before overrides were stripped on the way in: "evil" behind U+202E reads "live".
    const spoofId = 'seededSpoofCommentOnFood1';
    await ts.server.storage.db('public').put({
      _id: `comment:${spoofId}`,
      type: 'comment',
      schemaVersion: SCHEMA_VERSION,
      id: spoofId,
      conversationId: seeded.conversation.id,
      ideaId: seeded.ideas[1]!.id,
      body: 'Night shift is \u202Eevil\u202C',
      createdHour: toCoarseHour(new Date()),
      status: 'visible',
    });
    await page.goto(`${ts.url}/#/idea/${seeded.ideas[1]!.id}`);
    await page.reload();
    const spoof = page.getByTestId('comment').filter({ hasText: 'Night shift is evil' });
    await spoof.waitFor({ timeout: 20_000 });
    const isolation = await page.evaluate(() => {
      const bidiOf = (el: Element | null | undefined) => (el ? getComputedStyle(el).unicodeBidi : 'missing');
      const bodies = [...document.querySelectorAll('.comment__body')];
      return {
        title: bidiOf(document.querySelector('#idea-title bdi')),
        comments: bodies.map((el) => bidiOf(el)),
        hasOverride: bodies.some((el) => /[\u202A-\u202E\u2066-\u2069]/.test(el.textContent ?? '')),
      };
    });
    expect(isolation.title).toBe('isolate');
    expect(isolation.comments.length).toBeGreaterThanOrEqual(2);
    for (const c of isolation.comments) expect(['isolate', 'plaintext']).toContain(c);
    expect(isolation.hasOverride).toBe(false);
    // The topic list too: every idea title is isolated.
    await page.goto(`${ts.url}/#/stream/${seeded.streams[0]!.id}`);
    await page.getByTestId('idea-card').first().waitFor();
    const cardTitles = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="idea-card"] a bdi')].map(
        (el) => getComputedStyle(el).unicodeBidi,
      ),
    );
    expect(cardTitles).toEqual(IDEAS.map(() => 'isolate'));
  });

  it('a closed conversation is read-only, with a clear banner', async () => {
    const closed = await HttpClient.as(ts.url, admin).post(
      `/api/admin/conversations/${seeded.conversation.id}/status`,
      { status: 'closed' },
    );
    expect(closed.status).toBe(200);
    await page.goto(`${ts.url}/#/`);
    await page.reload();
    const banner = page.getByTestId('closed-banner');
    await banner.waitFor({ timeout: 20_000 });
    expect(await page.getByRole('link', { name: /Quick break/ }).count()).toBe(0);
    await screen('participant-closed');

    await page.getByRole('link', { name: STREAM }).click();
    await banner.waitFor();
    expect(await page.getByRole('link', { name: 'Post an idea' }).count()).toBe(0);
    await page.getByRole('link', { name: IDEAS[0] }).click();
    await heading(IDEAS[0]!).waitFor();
    await banner.waitFor();
    expect(await page.getByRole('button', { name: 'Like', exact: true }).count()).toBe(0);
    expect(await page.getByLabel('Your comment').count()).toBe(0);
  });
});
