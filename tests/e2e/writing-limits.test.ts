/**
 * Long text is never cut, in real Chromium at a phone viewport: text pasted past a limit stays whole in the
 * box and in the draft across a reload, a counter says how far over it is (shown as the limit nears,
 * announced politely, tied to the box), and posting is refused with a clear message until it is
 * shortened; at the limit it posts and the server holds every character. Editing one's own post shows
 * the same counters and the same calm naming warning as posting, and the server's flag follows the edit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { LIMITS } from '../../shared/src/protocol.js';
import type { CommentDoc, IdeaDoc } from '../../shared/src/documents.js';
import { flagDocId, type FlagDoc } from '../../sync-server/src/moderation/flags.js';
import { createTestAccount } from '../support/accounts.js';
import {
  assertPwaBuilt,
  checkScreen,
  launchChromium,
  openSignedInPhone,
  PWA_DIST,
} from '../support/browser.js';
import { seedConversation, type SeededConversation } from '../support/seed.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';

const STREAM = 'Staff wellbeing';
const IDEA = 'Hot food after 8pm';

/** `n` characters of ordinary prose (no names), ending in a full stop. */
function prose(n: number): string {
  const sentence = 'The night team needs a proper break room with a kettle and somewhere to sit. ';
  return `${sentence.repeat(Math.ceil(n / sentence.length)).slice(0, n - 1)}.`;
}
/** The text shortened to `n` characters, as a person would: cut and finished with a full stop. */
const shortened = (text: string, n: number) => `${text.slice(0, n - 1)}.`;

describe('writing past a length limit: nothing cut, a counter, posting refused until shortened', () => {
  let ts: TestServer;
  let seeded: SeededConversation;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    assertPwaBuilt();
    const dataDir = makeTempDir('huddle-writing-limits-');
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
  /** As a paste does: the whole text inserted at once into the focused box (the browser would apply maxlength). */
  const paste = async (box: Locator, text: string) => {
    await box.fill('');
    await box.focus();
    await page.keyboard.insertText(text);
  };
  const describedBy = (box: Locator) =>
    box.evaluate((el) =>
      (el.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
  const serverIdeas = async () =>
    (await ts.server.storage.db('public').list({ prefix: 'idea:', includeDocs: true })).map(
      (r) => r.doc as unknown as IdeaDoc,
    );
  const serverComments = async () =>
    (await ts.server.storage.db('public').list({ prefix: 'comment:', includeDocs: true })).map(
      (r) => r.doc as unknown as CommentDoc,
    );
  const hasNoHorizontalScroll = () =>
    page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

  it('an idea’s description: 5,100 pasted characters stay, in the box and the draft; posting waits for 5,000', async () => {
    await page.goto(`${ts.url}/#/stream/${seeded.streams[0]!.id}`);
    await page.getByRole('link', { name: 'Post an idea' }).click();
    await heading('Post an idea').waitFor();
    const title = 'A break room for the night team';
    await page.getByLabel('Title').fill(title);
    const description = page.getByLabel('Description');
    const counter = page.locator('#idea-body-count');

    // Far from the limit: no counter. Nearing it: the count, tied to the box and said politely.
    await paste(description, prose(1000));
    expect(await counter.isVisible()).toBe(false);
    await paste(description, prose(4870));
    await expect.poll(() => counter.textContent()).toBe('4,870 / 5,000 characters');
    expect(await describedBy(description)).toContain('4,870 / 5,000 characters');
    const announced = page.getByRole('status').filter({ hasText: '130 characters left of 5,000' });
    await expect.poll(() => announced.count(), { timeout: 5_000 }).toBe(1);

    const long = prose(5100);
    await paste(description, long);
    expect(await description.inputValue()).toBe(long);
    await expect.poll(() => counter.textContent()).toContain('100 characters over the limit of 5,000');
    expect(await description.getAttribute('aria-invalid')).toBe('true');
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: '100 characters over the limit' }).count(), {
        timeout: 5_000,
      })
      .toBe(1);
    const post = page.getByRole('button', { name: 'Post idea' });
    expect(await post.getAttribute('aria-disabled')).toBe('true');
    expect(await page.locator('#idea-post-blocked').textContent()).toContain(
      'Shorten the description by 100 characters to post it.',
    );
    await checkScreen(page, 'writing-limit-over');

    // Still refused when pressed anyway (force: the button is aria-disabled, which Playwright honours).
    await post.click({ force: true });
    const refusal = page.getByRole('alert').filter({ hasText: 'Not posted' });
    await expect
      .poll(() => refusal.textContent())
      .toContain('the description is longer than 5,000 characters');
    await expect.poll(() => description.evaluate((el) => el === document.activeElement)).toBe(true);
    await heading('Post an idea').waitFor();
    expect(await description.inputValue()).toBe(long);

    // A 320 px wide screen reflows: no sideways scrolling with the counter and the message shown.
    await page.setViewportSize({ width: 320, height: 740 });
    expect(await hasNoHorizontalScroll()).toBe(true);
    await page.setViewportSize({ width: 360, height: 740 });

    // The draft holds all of it: a reload resumes the full text, still over, still refused.
    await page.reload();
    await heading('Post an idea').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByLabel('Description').inputValue()).toBe(long);
    expect(await page.getByLabel('Title').inputValue()).toBe(title);
    await expect.poll(() => counter.textContent()).toContain('100 characters over the limit');

    // Trimmed to the limit it posts, and the server holds every character.
    const atLimit = shortened(long, LIMITS.ideaBodyMax);
    await page.getByLabel('Description').fill(atLimit);
    await expect.poll(() => counter.textContent()).toBe('5,000 / 5,000 characters');
    expect(await post.getAttribute('aria-disabled')).toBeNull();
    expect(await page.getByRole('alert').filter({ hasText: 'Not posted' }).count()).toBe(0);
    await post.click();
    await page.getByRole('link', { name: title }).waitFor();
    await allSent();
    await expect
      .poll(async () => (await serverIdeas()).find((i) => i.title === title)?.body, { timeout: 20_000 })
      .toBe(atLimit);
  });

  it('an idea’s title: 150 characters stay whole and are refused; 140 post in full', async () => {
    await page.goto(`${ts.url}/#/stream/${seeded.streams[0]!.id}`);
    await page.getByRole('link', { name: 'Post an idea' }).click();
    await heading('Post an idea').waitFor();
    const titleBox = page.getByLabel('Title');
    const long = prose(150);
    await paste(titleBox, long);
    expect(await titleBox.inputValue()).toBe(long);
    const counter = page.locator('#idea-title-count');
    await expect.poll(() => counter.textContent()).toContain('10 characters over the limit of 140');
    expect(await describedBy(titleBox)).toContain('10 characters over the limit of 140');

    // Enter in the title submits the form: refused, with the reason.
    await titleBox.press('Enter');
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'Not posted' }).textContent())
      .toContain('the title is longer than 140 characters');

    await page.reload();
    await heading('Post an idea').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByLabel('Title').inputValue()).toBe(long);

    const atLimit = shortened(long, LIMITS.ideaTitleMax);
    await page.getByLabel('Title').fill(atLimit);
    await expect.poll(() => counter.textContent()).toBe('140 / 140 characters');
    await page.getByRole('button', { name: 'Post idea' }).click();
    await allSent();
    await expect
      .poll(async () => (await serverIdeas()).some((i) => i.title === atLimit), { timeout: 20_000 })
      .toBe(true);
  });

  it('a comment: 3,100 pasted characters stay, in the box and the draft; 3,000 post in full', async () => {
    await page.goto(`${ts.url}/#/idea/${seeded.ideas[0]!.id}`);
    await heading(IDEA).waitFor();
    const box = page.getByLabel('Your comment');
    const long = prose(3100);
    await paste(box, long);
    expect(await box.inputValue()).toBe(long);
    const counter = page.locator('#comment-body-count');
    await expect.poll(() => counter.textContent()).toContain('100 characters over the limit of 3,000');
    const post = page.getByRole('button', { name: 'Post comment' });
    expect(await post.getAttribute('aria-disabled')).toBe('true');
    await post.click({ force: true });
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'Not posted' }).textContent())
      .toContain('the comment is longer than 3,000 characters');
    await checkScreen(page, 'writing-limit-comment-over');

    await page.reload();
    await heading(IDEA).waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByLabel('Your comment').inputValue()).toBe(long);

    const atLimit = shortened(long, LIMITS.commentBodyMax);
    await page.getByLabel('Your comment').fill(atLimit);
    await expect.poll(() => counter.textContent()).toBe('3,000 / 3,000 characters');
    await post.click();
    await page.getByText('Your comment is saved on this device and will be sent.').waitFor();
    await allSent();
    await expect
      .poll(async () => (await serverComments()).filter((c) => c.body === atLimit).length, {
        timeout: 20_000,
      })
      .toBe(1);
  });

  it('editing one’s own idea: the same counter and refusal, and the calm naming warning; the flag follows', async () => {
    const idea = (await serverIdeas()).find((i) => i.title === 'A break room for the night team')!;
    await page.goto(`${ts.url}/#/idea/${idea.id}`);
    await page.getByRole('link', { name: 'Edit your idea' }).click();
    await heading('Edit your idea').waitFor();
    const body = page.getByLabel('Description');
    await expect.poll(() => page.locator('#edit-body-count').textContent()).toBe('5,000 / 5,000 characters');

    const long = prose(5050);
    await paste(body, long);
    expect(await body.inputValue()).toBe(long);
    await expect
      .poll(() => page.locator('#edit-body-count').textContent())
      .toContain('50 characters over the limit of 5,000');
    const save = page.getByRole('button', { name: 'Save changes' });
    await save.click({ force: true });
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'Not saved' }).textContent())
      .toContain('the description is longer than 5,000 characters');

    // An edit that names someone gets the same warning as a new post; saving is not blocked.
    await body.fill('Dr Okafor never lets the night team take a break.');
    const warning = page.getByRole('status').filter({ hasText: 'Okafor' });
    await expect
      .poll(() => warning.textContent(), { timeout: 5_000 })
      .toContain('looks like a person’s name');
    expect(await warning.getByRole('link', { name: 'Read the rules' }).count()).toBe(1);
    await checkScreen(page, 'writing-edit-warning');
    expect(await save.getAttribute('aria-disabled')).toBeNull();
    await save.click();
    await allSent();
    const flag = () => ts.server.storage.db('private').get<FlagDoc>(flagDocId(idea.id));
    await expect.poll(async () => (await flag())?.reasons, { timeout: 20_000 }).toEqual(['names-person']);
    expect(JSON.stringify(await flag())).not.toContain('Okafor');

    // Edited clean again: the warning goes and so does the flag.
    await page.getByRole('link', { name: 'Edit your idea' }).click();
    await heading('Edit your idea').waitFor();
    await page.getByLabel('Description').fill('The night team never gets a proper break.');
    await expect.poll(() => page.getByText('looks like a person’s name').count(), { timeout: 5_000 }).toBe(0);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await allSent();
    await expect.poll(flag, { timeout: 20_000 }).toBeUndefined();
  });
});
