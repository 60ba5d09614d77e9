/**
 * One submit, one post, in real Chromium at a phone viewport: a double click, two quick taps or Enter
 * pressed twice on "Post idea" / "Post comment" leaves exactly one post on the server once everything
 * is sent, and no stray draft on the device.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { CommentDoc, IdeaDoc, StagedDoc } from '../../shared/src/documents.js';
import { createTestAccount } from '../support/accounts.js';
import { assertPwaBuilt, launchChromium, openSignedInPhone, PWA_DIST } from '../support/browser.js';
import { seedConversation, type SeededConversation } from '../support/seed.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';

const STREAM = 'Staff wellbeing';
const IDEA = 'Hot food after 8pm';

describe('a double tap posts once', () => {
  let ts: TestServer;
  let seeded: SeededConversation;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    assertPwaBuilt();
    const dataDir = makeTempDir('huddle-post-once-');
    ts = await startTestServer({ PWA_DIST_DIR: PWA_DIST, RELEASE_INTERVAL_SECONDS: '0' }, dataDir);
    seeded = await seedConversation(ts.server.storage, { streamTitles: [STREAM], ideaTitles: [IDEA] });
    const person = await createTestAccount(ts.server.storage, dataDir);
    browser = await launchChromium();
    ({ context, page } = await openSignedInPhone(browser, ts.url, person.sessionToken, STREAM));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await ts?.close();
  });

  const heading = (name: string) => page.getByRole('heading', { level: 1, name });
  const allSent = () =>
    expect.poll(() => page.getByTestId('sync-status').textContent(), { timeout: 20_000 }).toBe('All sent');
  /** Everything the server holds for a post: released (public) and still staged (private). */
  async function serverPosts(): Promise<Array<IdeaDoc | CommentDoc>> {
    const released = await ts.server.storage.db('public').list({ includeDocs: true });
    const staged = await ts.server.storage.db('private').list({ prefix: 'staged:', includeDocs: true });
    return [
      ...released.map((r) => r.doc as unknown as IdeaDoc | CommentDoc),
      ...staged.map((r) => (r.doc as unknown as StagedDoc).doc),
    ].filter((d) => d.type === 'idea' || d.type === 'comment');
  }
  /** Waits for the post to reach the server and for the app to have nothing left to send, then counts it. */
  async function countOnServer(matches: (d: IdeaDoc | CommentDoc) => boolean): Promise<number> {
    const ids = async () => new Set((await serverPosts()).filter(matches).map((d) => d.id)).size;
    await expect.poll(ids, { timeout: 20_000 }).toBeGreaterThan(0);
    await allSent();
    return ids();
  }
  async function draftsOnDevice(): Promise<number> {
    await page.goto(`${ts.url}/#/drafts`);
    await heading('Drafts').waitFor();
    return page.getByTestId('draft').count();
  }
  async function newIdea(title: string): Promise<Locator> {
    await page.goto(`${ts.url}/#/stream/${seeded.streams[0]!.id}`);
    await page.getByRole('link', { name: 'Post an idea' }).click();
    await heading('Post an idea').waitFor();
    await page.getByLabel('Title').fill(title);
    return page.getByRole('button', { name: 'Post idea' });
  }
  /** Two taps on the button's centre with no wait between them (no actionability checks). */
  async function tapTwice(button: Locator): Promise<void> {
    await button.scrollIntoViewIfNeeded();
    const box = (await button.boundingBox())!;
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    await Promise.all([page.touchscreen.tap(x, y), page.touchscreen.tap(x, y)]);
  }

  it('“Post idea” double-clicked: one idea', async () => {
    const title = 'Double clicked idea about parking';
    const post = await newIdea(title);
    await post.dblclick();
    // Exactly one: the screen calls the post action once for one submit.
    expect(await countOnServer((d) => d.type === 'idea' && d.title === title)).toBe(1);
  });

  it('“Post idea” tapped twice quickly: one idea', async () => {
    const title = 'Twice tapped idea about lockers';
    await tapTwice(await newIdea(title));
    expect(await countOnServer((d) => d.type === 'idea' && d.title === title)).toBe(1);
  });

  it('Enter pressed twice in the title: one idea', async () => {
    const title = 'Enter twice idea about rest rooms';
    await newIdea(title);
    const box = page.getByLabel('Title');
    await box.press('Enter');
    await page.keyboard.press('Enter');
    expect(await countOnServer((d) => d.type === 'idea' && d.title === title)).toBe(1);
  });

  it('“Post comment” double-clicked and tapped twice: one comment each; no draft left behind', async () => {
    await page.goto(`${ts.url}/#/idea/${seeded.ideas[0]!.id}`);
    await heading(IDEA).waitFor();
    const first = 'Double clicked comment: yes please';
    await page.getByLabel('Your comment').fill(first);
    await page.getByRole('button', { name: 'Post comment' }).dblclick();
    expect(await countOnServer((d) => d.type === 'comment' && d.body === first)).toBe(1);

    const second = 'Twice tapped comment: and on weekends';
    await page.getByLabel('Your comment').fill(second);
    await tapTwice(page.getByRole('button', { name: 'Post comment' }));
    expect(await countOnServer((d) => d.type === 'comment' && d.body === second)).toBe(1);

    expect(await draftsOnDevice()).toBe(0);
  });
});
