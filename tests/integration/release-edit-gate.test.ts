/**
 * The daily edit gate (EDIT_RELEASE=daily, the default; sync-server/src/sync/releaser.ts, EditPolicy):
 * an edit or withdrawal of a post already published reaches other people only at the first release of
 * its conversation after the day's notice time, so a post that changes in two batches cannot be named by
 * intersecting who pushed before each. New posts are not held by it. The server runs on a fake clock
 * (the routes' `now`), so a whole day is played in a few calls.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ideaDocSchema } from '../../shared/src/documents.js';
import { docId } from '../../shared/src/ids.js';
import { createTestAccount } from '../support/accounts.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import { ideaCreate, push, seedConversation, type Seeded } from './sync-fixtures.js';

let ts: TestServer;
let author: HttpClient;
let reader: HttpClient;
let seeded: Seeded;
// Winter: London is on UTC, so 17:00 on the wall is 17:00Z.
let clock = new Date('2026-12-07T09:00:00Z');

beforeAll(async () => {
  ts = await startTestServer(
    {
      RELEASE_INTERVAL_SECONDS: '3600',
      EDIT_RELEASE: 'daily',
      NOTICE_TIME: '17:00',
      NOTICE_TIME_ZONE: 'Europe/London',
    },
    undefined,
    { now: () => clock },
  );
  author = HttpClient.as(ts.url, await createTestAccount(ts.server.storage, ts.dataDir));
  reader = HttpClient.as(ts.url, await createTestAccount(ts.server.storage, ts.dataDir));
  // k = 1: this suite is about the gate, not about k (release-k-anonymity.test.ts).
  seeded = await seedConversation(ts.server.storage, 'live', { releaseMinContributors: 1 });
});
afterAll(async () => {
  await ts?.close();
});

const at = (iso: string) => {
  clock = new Date(iso);
};
const release = async () => {
  const res = await reader.post('/api/test/release');
  expect(res.status).toBe(200);
  return res.body as { released: number; tallies: number };
};
const published = async (ideaId: string) => {
  const parsed = ideaDocSchema.safeParse(await ts.server.storage.db('public').get(docId.idea(ideaId)));
  return parsed.success ? parsed.data : undefined;
};
const edit = (ideaId: string, title: string) =>
  push(author, [
    {
      id: crypto.randomUUID(),
      kind: 'idea.edit',
      conversationId: seeded.conversationId,
      ideaId,
      title,
      body: 'More tea breaks',
    },
  ]);

describe('the daily edit gate', () => {
  it('publishes new posts with every batch, and edits and withdrawals of published posts once a day after the notice time', async () => {
    at('2026-12-07T09:00:00Z');
    const created = await push(author, [ideaCreate(seeded, 'Morning title')]);
    const ideaId = (created.results[0] as { contentId: string }).contentId;
    expect(await release()).toEqual({ released: 1, tallies: 0 });
    expect((await published(ideaId))?.title).toBe('Morning title');

    // An edit in the morning waits however often the conversation is released before 17:00...
    at('2026-12-07T11:00:00Z');
    await edit(ideaId, 'Edited before lunch');
    expect(await release()).toEqual({ released: 0, tallies: 0 });
    at('2026-12-07T16:59:00Z');
    await push(author, [ideaCreate(seeded, 'A new post still goes at once')]);
    expect(await release()).toEqual({ released: 1, tallies: 0 });
    expect((await published(ideaId))?.title).toBe('Morning title');

    // ...and goes with the first release after it.
    at('2026-12-07T17:05:00Z');
    expect(await release()).toEqual({ released: 1, tallies: 0 });
    expect((await published(ideaId))?.title).toBe('Edited before lunch');

    // The gate has opened for today: an evening edit and a withdrawal wait until tomorrow's.
    at('2026-12-07T18:00:00Z');
    await edit(ideaId, 'Edited in the evening');
    expect(await release()).toEqual({ released: 0, tallies: 0 });
    at('2026-12-08T09:00:00Z');
    expect(await release()).toEqual({ released: 0, tallies: 0 });
    expect((await published(ideaId))?.title).toBe('Edited before lunch');
    at('2026-12-08T17:00:00Z');
    expect(await release()).toEqual({ released: 1, tallies: 0 });
    expect((await published(ideaId))?.title).toBe('Edited in the evening');

    at('2026-12-08T20:00:00Z');
    await push(author, [
      { id: crypto.randomUUID(), kind: 'idea.withdraw', conversationId: seeded.conversationId, ideaId },
    ]);
    expect(await release()).toEqual({ released: 0, tallies: 0 });
    expect((await published(ideaId))?.status).toBe('visible');
    at('2026-12-09T17:30:00Z');
    expect(await release()).toEqual({ released: 1, tallies: 0 });
    expect((await published(ideaId))?.status).toBe('withdrawn');
  });
});

describe('what the app is told', () => {
  it('the schedule answer says edits go daily, so the edit and withdraw screens promise the notice time', async () => {
    const res = await reader.get('/api/notices/schedule');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ time: '17:00', timeZone: 'Europe/London', editRelease: 'daily' });
  });
});
