/**
 * The author is told honestly that others cannot see their post yet: in a conversation whose batch
 * needs three people (k = 3), a lone person's idea is on their phone at once, marked "visible to
 * others once a few more colleagues have taken part" on the topic and in My activity, offline too,
 * with no axe-core violation; the server has not released it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PROTOCOL_VERSION } from '../../shared/src/protocol.js';
import { createTestAccount } from '../support/accounts.js';
import {
  assertPwaBuilt,
  checkScreen,
  launchChromium,
  openSignedInPhone,
  PWA_DIST,
  waitForLoaded,
} from '../support/browser.js';
import { seedConversation, type SeededConversation } from '../support/seed.js';
import { HttpClient, makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';

const STREAM = 'Night shifts';
const TITLE = 'A quiet room for breaks at night';
const WAITING = 'Sent — visible to others once a few more colleagues have taken part';

describe('a post waiting for colleagues', () => {
  let ts: TestServer;
  let seeded: SeededConversation;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    assertPwaBuilt();
    const dataDir = makeTempDir('huddle-release-waiting-');
    // Interval 0: the server releases after every push, and still holds a batch under k people.
    ts = await startTestServer({ PWA_DIST_DIR: PWA_DIST, RELEASE_INTERVAL_SECONDS: '0' }, dataDir);
    seeded = await seedConversation(ts.server.storage, {
      streamTitles: [STREAM],
      ideaTitles: ['Hot food after 8pm'],
      releaseMinContributors: 3,
    });
    const person = await createTestAccount(ts.server.storage, dataDir);
    const res = await HttpClient.as(ts.url, person).post('/api/sync/push', {
      protocolVersion: PROTOCOL_VERSION,
      mutations: [
        {
          id: crypto.randomUUID(),
          kind: 'idea.create',
          conversationId: seeded.conversation.id,
          streamId: seeded.streams[0]!.id,
          title: TITLE,
          body: 'Somewhere dark and quiet, away from the ward.',
        },
      ],
    });
    expect(res.status).toBe(200);
    browser = await launchChromium();
    ({ context, page } = await openSignedInPhone(browser, ts.url, person.sessionToken, STREAM));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await ts?.close();
  });

  it('shows the author their idea with the honest words, on the topic and in My activity, offline too', async () => {
    const released = await ts.server.storage.db('public').list({ prefix: 'idea:', includeDocs: true });
    expect(released.map((r) => (r.doc as { title?: string }).title)).not.toContain(TITLE);

    await page.goto(`${ts.url}/#/stream/${encodeURIComponent(seeded.streams[0]!.id)}`);
    await page.getByText(TITLE).waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByText(WAITING).count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await checkScreen(page, 'release-waiting-stream');

    await page.goto(`${ts.url}/#/activity`);
    await waitForLoaded(page);
    await expect
      .poll(() => page.getByTestId('my-post-status').allTextContents(), { timeout: 20_000 })
      .toContain(WAITING);
    await checkScreen(page, 'release-waiting-activity');

    await context.setOffline(true);
    try {
      await page.reload();
      await waitForLoaded(page);
      await expect
        .poll(() => page.getByTestId('my-post-status').allTextContents(), { timeout: 20_000 })
        .toContain(WAITING);
    } finally {
      await context.setOffline(false);
    }
  });
});
