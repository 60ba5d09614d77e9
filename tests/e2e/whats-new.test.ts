/**
 * "What is new", shown by the app because the daily e-mail says nothing: in real Chromium at phone size, with
 * a real server whose batches need two distinct people (k = 2, released through the test hook). Person A's
 * idea gets a comment from B; A sees "1 new comment" on My activity and "N new ideas" on the topic, the
 * comment and the ideas marked "New" in words; opening them clears the counts, which stay cleared after a
 * reload. What A has seen is kept on A's device only (no request carries it). No axe-core violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PROTOCOL_VERSION } from '../../shared/src/protocol.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import {
  assertPwaBuilt,
  checkScreen,
  idbRecords,
  launchChromium,
  openSignedInPhone,
  PWA_DIST,
  waitForLoaded,
} from '../support/browser.js';
import { seedConversation, type SeededConversation } from '../support/seed.js';
import { HttpClient, makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';

const STREAM = 'Night shifts';
const SEEDED = 'Hot food after 8pm';
const MINE = 'A quiet room for breaks at night';
const B_IDEA = 'Lockers that fit a coat';
const C_IDEA = 'Water fountains on every floor';
const COMMENT = 'Yes, and a dimmer switch so it can be dark.';

describe('what is new, shown on the device', () => {
  let ts: TestServer;
  let seeded: SeededConversation;
  let b: TestAccount;
  let c: TestAccount;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const requestBodies: string[] = [];

  beforeAll(async () => {
    assertPwaBuilt();
    const dataDir = makeTempDir('huddle-whats-new-');
    // A long interval: batches go out only when the test asks (POST /api/test/release), and only with k = 2
    // distinct people in them.
    ts = await startTestServer({ PWA_DIST_DIR: PWA_DIST, RELEASE_INTERVAL_SECONDS: '3600' }, dataDir);
    seeded = await seedConversation(ts.server.storage, {
      streamTitles: [STREAM],
      ideaTitles: [SEEDED],
      releaseMinContributors: 2,
    });
    const a = await createTestAccount(ts.server.storage, dataDir);
    b = await createTestAccount(ts.server.storage, dataDir);
    c = await createTestAccount(ts.server.storage, dataDir);
    browser = await launchChromium();
    ({ context, page } = await openSignedInPhone(browser, ts.url, a.sessionToken, STREAM));
    page.on('request', (req) => {
      const body = req.postData();
      if (body) requestBodies.push(body);
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await ts?.close();
  });

  const heading = (name: string) => page.getByRole('heading', { level: 1, name });
  const status = () => page.getByTestId('sync-status');
  const allSent = () => expect.poll(async () => status().textContent(), { timeout: 20_000 }).toBe('All sent');
  const push = async (who: TestAccount, mutation: Record<string, unknown>) => {
    const res = await HttpClient.as(ts.url, who).post('/api/sync/push', {
      protocolVersion: PROTOCOL_VERSION,
      mutations: [{ id: crypto.randomUUID(), conversationId: seeded.conversation.id, ...mutation }],
    });
    expect(res.status).toBe(200);
  };
  const release = async () =>
    expect((await HttpClient.as(ts.url, b).post('/api/test/release')).status).toBe(200);
  const publicIdea = async (title: string) => {
    const rows = await ts.server.storage.db('public').list({ prefix: 'idea:', includeDocs: true });
    return (rows.map((r) => r.doc) as unknown as Array<{ id: string; title: string }>).find(
      (d) => d.title === title,
    );
  };

  it('shows a new comment on my idea and new ideas in the topic, and forgets them once opened', async () => {
    // First sync is done: what was there (the seeded idea) is not "new".
    await page.getByRole('button', { name: 'I understand' }).click();
    expect(await page.getByTestId('stream-news').count()).toBe(0);

    // A posts an idea; B posts one too, so the batch holds two people and is released.
    await page.goto(`${ts.url}/#/stream/${seeded.streams[0]!.id}`);
    await page.getByRole('link', { name: 'Post an idea' }).click();
    await page.getByLabel('Title').fill(MINE);
    await page.getByRole('button', { name: 'Post idea' }).click();
    // Sent: the server answered (the device now knows it as an own post, nothing waits to send).
    await expect.poll(async () => (await idbRecords(page, 'ownPosts')).length, { timeout: 20_000 }).toBe(1);
    await expect.poll(async () => (await idbRecords(page, 'localPosts')).length).toBe(0);
    await allSent();
    // Away from the topic: an idea that arrives while the topic is open is shown there, so it counts as seen.
    await page.goto(`${ts.url}/#/activity`);
    await heading('My activity').waitFor();
    await push(b, { kind: 'idea.create', streamId: seeded.streams[0]!.id, title: B_IDEA, body: '' });
    await release();
    const mine = await publicIdea(MINE);
    expect(mine).toBeDefined();

    // B comments on A's idea and C posts an idea: the next batch, two people again.
    await push(b, { kind: 'comment.create', ideaId: mine!.id, body: COMMENT });
    await push(c, { kind: 'idea.create', streamId: seeded.streams[0]!.id, title: C_IDEA, body: '' });
    await release();

    await page.goto(`${ts.url}/#/activity`);
    await heading('My activity').waitFor();
    const news = page.getByTestId('my-post-news');
    await expect.poll(() => news.allTextContents(), { timeout: 20_000 }).toEqual(['1 new comment']);
    await waitForLoaded(page);
    await checkScreen(page, 'whats-new-activity');

    // The topic list counts the two ideas by others that arrived since A last opened it.
    await page.goto(`${ts.url}/#/`);
    await expect
      .poll(() => page.getByTestId('stream-news').allTextContents(), { timeout: 20_000 })
      .toEqual(['2 new ideas']);
    await checkScreen(page, 'whats-new-topics');

    // Opening the idea shows the comment marked "New" in words, then My activity no longer counts it.
    await page.goto(`${ts.url}/#/activity`);
    await page.getByRole('link', { name: MINE }).click();
    await heading(MINE).waitFor();
    const comment = page.getByTestId('comment').filter({ hasText: COMMENT });
    await expect.poll(() => comment.getByText('New', { exact: true }).count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByTestId('idea-news-summary').textContent()).toContain('1 new comment');
    await waitForLoaded(page);
    await checkScreen(page, 'whats-new-idea');
    await page.goBack();
    await heading('My activity').waitFor();
    await waitForLoaded(page);
    await expect.poll(() => news.count()).toBe(0);

    // B's idea opened on its own (as from search) is no longer new in its topic.
    await page.goto(`${ts.url}/#/idea/${(await publicIdea(B_IDEA))!.id}`);
    await heading(B_IDEA).waitFor({ timeout: 20_000 });
    await page.goto(`${ts.url}/#/`);
    await expect
      .poll(() => page.getByTestId('stream-news').allTextContents(), { timeout: 20_000 })
      .toEqual(['1 new idea']);

    // Opening the topic marks C's idea "New" (not A's own, not B's already opened), then the topic list is quiet.
    await page.goto(`${ts.url}/#/stream/${seeded.streams[0]!.id}`);
    const cards = page.getByTestId('idea-card');
    await expect.poll(() => cards.filter({ hasText: C_IDEA }).count(), { timeout: 20_000 }).toBe(1);
    const markedNew = cards.filter({ has: page.getByText('New', { exact: true }) });
    await expect.poll(() => markedNew.count()).toBe(1);
    expect(await markedNew.textContent()).toContain(C_IDEA);
    expect(await page.getByTestId('stream-news-summary').textContent()).toContain('1 new idea');
    await checkScreen(page, 'whats-new-stream');
    await page.getByRole('link', { name: 'All topics' }).click();
    await page.getByRole('link', { name: STREAM }).waitFor();
    await waitForLoaded(page);
    await expect.poll(() => page.getByTestId('stream-news').count()).toBe(0);

    // Survives a reload; and what was seen never left the device.
    await page.reload();
    await page.getByRole('link', { name: STREAM }).waitFor({ timeout: 20_000 });
    await waitForLoaded(page);
    expect(await page.getByTestId('stream-news').count()).toBe(0);
    const seen = await idbRecords<{ key: string; ids: string[] }>(page, 'seen');
    expect(seen.map((r) => r.key)).toContain(`idea:${mine!.id}`);
    const commentId = seen.find((r) => r.key === `idea:${mine!.id}`)!.ids[0]!;
    expect(requestBodies.filter((body) => body.includes(commentId) || body.includes('"seen"'))).toEqual([]);
  });
});
