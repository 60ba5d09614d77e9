/**
 * Editing and withdrawing one's own posts, "My activity" and closed conversations, over real HTTP
 * against the real embedded store. The release interval is long here: batches are released only
 * when a test asks (POST /api/test/release), so "not yet released" can be observed.
 */
import crypto from 'node:crypto';
import type PouchDB from 'pouchdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationInput } from '../../shared/src/mutations.js';
import type { MutationResult, OwnPost } from '../../shared/src/api.js';
import type { CommentDoc, IdeaDoc } from '../../shared/src/documents.js';
import { coarseTimeSchema, docId } from '../../shared/src/ids.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import {
  commentCreate,
  ideaCreate,
  pullAll,
  push,
  seedConversation,
  seedIdea,
  voteSet,
  type Seeded,
} from './sync-fixtures.js';

let ts: TestServer;
let seeded: Seeded;
let alice: TestAccount;
let asAlice: HttpClient;
let asBob: HttpClient;
let asAdmin: HttpClient;

beforeAll(async () => {
  ts = await startTestServer({ RELEASE_INTERVAL_SECONDS: '3600' });
  seeded = await seedConversation(ts.server.storage);
  alice = await createTestAccount(ts.server.storage, ts.dataDir);
  asAlice = HttpClient.as(ts.url, alice);
  asBob = HttpClient.as(ts.url, await createTestAccount(ts.server.storage, ts.dataDir));
  asAdmin = HttpClient.as(
    ts.url,
    await createTestAccount(ts.server.storage, ts.dataDir, { roles: ['admin'] }),
  );
});
afterAll(async () => {
  await ts?.close();
});

const release = async () => expect((await asAlice.post('/api/test/release')).status).toBe(200);
const one = async (client: HttpClient, m: MutationInput): Promise<MutationResult> =>
  (await push(client, [m])).results[0]!;
const appliedId = async (client: HttpClient, m: MutationInput): Promise<string> => {
  const r = await one(client, m);
  expect(r, JSON.stringify(r)).toMatchObject({ status: 'applied' });
  return (r as { contentId: string }).contentId;
};
const ideaEdit = (s: Seeded, ideaId: string, title: string, body = 'Edited body'): MutationInput => ({
  id: crypto.randomUUID(),
  kind: 'idea.edit',
  conversationId: s.conversationId,
  ideaId,
  title,
  body,
});
const commentEdit = (s: Seeded, commentId: string, body: string): MutationInput => ({
  id: crypto.randomUUID(),
  kind: 'comment.edit',
  conversationId: s.conversationId,
  commentId,
  body,
});
const withdraw = (s: Seeded, kind: 'idea' | 'comment', id: string): MutationInput =>
  kind === 'idea'
    ? { id: crypto.randomUUID(), kind: 'idea.withdraw', conversationId: s.conversationId, ideaId: id }
    : { id: crypto.randomUUID(), kind: 'comment.withdraw', conversationId: s.conversationId, commentId: id };
const publicDoc = <T extends IdeaDoc | CommentDoc>(id: string) => ts.server.storage.db('public').get<T>(id);
const ownPostsOf = async (client: HttpClient): Promise<Map<string, OwnPost>> =>
  new Map((await pullAll(client)).ownPosts.map((p) => [p.contentId, p]));

describe('editing and withdrawing own posts', () => {
  it('releases an edit of a released idea only with the next batch, and purges the old text from the public database', async () => {
    const ideaId = await appliedId(asAlice, ideaCreate(seeded, 'Original title here', 'Original body'));
    await release();
    const before = await publicDoc<IdeaDoc>(docId.idea(ideaId));
    expect(before?.title).toBe('Original title here');
    const bobCursor = (await pullAll(asBob)).cursor;

    await appliedId(asAlice, ideaEdit(seeded, ideaId, 'Better title', 'Better body'));
    // Not released yet: others still see the old text, the author sees the edit at once.
    expect((await pullAll(asBob, bobCursor)).docs.filter((d) => d.type === 'idea')).toEqual([]);
    const mine = await pullAll(asAlice);
    expect(mine.ownPending.find((d) => d.id === ideaId)).toMatchObject({ title: 'Better title' });
    expect(mine.ownPosts.find((p) => p.contentId === ideaId)).toMatchObject({
      status: 'visible',
      changePending: true,
    });

    await release();
    const seen = (await pullAll(asBob, bobCursor)).docs.find(
      (d): d is IdeaDoc => d.type === 'idea' && d.id === ideaId,
    );
    expect(seen).toMatchObject({ title: 'Better title', body: 'Better body', status: 'visible' });
    expect(coarseTimeSchema.safeParse(seen?.editedHour).success).toBe(true);
    // The old revision's body is gone, not just superseded.
    const pouch = (ts.server.storage.db('public') as unknown as { pouch: PouchDB.Database }).pouch;
    await expect(pouch.get(docId.idea(ideaId), { rev: before!._rev })).rejects.toMatchObject({ status: 404 });
    const all = await pouch.get(docId.idea(ideaId), { revs_info: true });
    expect(JSON.stringify(all)).not.toContain('Original');
    expect(
      (await pullAll(asAlice)).ownPosts.find((p) => p.contentId === ideaId)?.changePending,
    ).toBeUndefined();
  });

  it('rewrites a post still waiting for release in place: the first release shows only the new text, not marked as edited', async () => {
    const ideaId = await appliedId(asAlice, ideaCreate(seeded, 'Draft-ish title', 'first words'));
    const commentId = await appliedId(asAlice, commentCreate(seeded, ideaId, 'first comment words'));
    await appliedId(asAlice, ideaEdit(seeded, ideaId, 'Final title', 'final words'));
    await appliedId(asAlice, commentEdit(seeded, commentId, 'final comment words'));
    expect((await ownPostsOf(asAlice)).get(ideaId)?.status).toBe('pending-release');
    await release();
    const idea = await publicDoc<IdeaDoc>(docId.idea(ideaId));
    expect(idea).toMatchObject({ title: 'Final title', body: 'final words' });
    expect(idea?.editedHour).toBeUndefined();
    expect(await publicDoc<CommentDoc>(docId.comment(commentId))).toMatchObject({
      body: 'final comment words',
    });
  });

  it('leaves a withdrawn post as a tombstone with empty text, keeps comments on it, and refuses later edits', async () => {
    const ideaId = await appliedId(asAlice, ideaCreate(seeded, 'To be withdrawn', 'soon gone'));
    await release();
    const bobComment = await appliedId(asBob, commentCreate(seeded, ideaId, 'A comment by Bob'));
    await release();
    await appliedId(asAlice, withdraw(seeded, 'idea', ideaId));
    await release();
    expect(await publicDoc<IdeaDoc>(docId.idea(ideaId))).toMatchObject({
      status: 'withdrawn',
      title: '',
      body: '',
    });
    expect(await publicDoc<CommentDoc>(docId.comment(bobComment))).toMatchObject({
      ideaId,
      status: 'visible',
    });
    expect((await ownPostsOf(asAlice)).get(ideaId)?.status).toBe('withdrawn');
    // Withdrawing again is a no-op; editing a withdrawn post is refused with a reason.
    expect((await one(asAlice, withdraw(seeded, 'idea', ideaId))).status).toBe('applied');
    expect(await one(asAlice, ideaEdit(seeded, ideaId, 'Back again'))).toMatchObject({
      status: 'rejected',
      reason: { code: 'forbidden' },
    });
  });

  it("refuses to change someone else's post as 'forbidden', with the same words whether it exists or not", async () => {
    const ideaId = await appliedId(asAlice, ideaCreate(seeded, 'Alice owns this', 'hers'));
    await release();
    const seededIdea = await seedIdea(ts.server.storage, seeded);
    const attempts = [
      ideaEdit(seeded, ideaId, 'Bob was here'),
      withdraw(seeded, 'idea', ideaId),
      withdraw(seeded, 'comment', ideaId),
      ideaEdit(seeded, seededIdea, 'No vault entry'),
      ideaEdit(seeded, crypto.randomBytes(16).toString('base64url'), 'Does not exist'),
    ];
    const { results } = await push(asBob, attempts);
    const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : r));
    expect(new Set(reasons.map((r) => JSON.stringify(r)))).toEqual(
      new Set([JSON.stringify({ code: 'forbidden', message: 'You can only change your own posts.' })]),
    );
    await release();
    expect(await publicDoc<IdeaDoc>(docId.idea(ideaId))).toMatchObject({
      title: 'Alice owns this',
      status: 'visible',
    });
  });

  it('checks edited text like new text: an edit that names someone is flagged for moderation', async () => {
    const ideaId = await appliedId(asAlice, ideaCreate(seeded, 'Rota gaps at night', 'Too few staff'));
    await release();
    expect(await ts.server.storage.db('private').get(`flag:${ideaId}`)).toBeUndefined();
    await appliedId(
      asAlice,
      ideaEdit(seeded, ideaId, 'Rota gaps at night', 'Dr Smith never answers the bleep'),
    );
    // Flagged when the edit goes out with the batch (a flag written by the push would mark it in a backup).
    expect(await ts.server.storage.db('private').get(`flag:${ideaId}`)).toBeUndefined();
    await release();
    expect(await ts.server.storage.db('private').get(`flag:${ideaId}`)).toMatchObject({ type: 'flag' });
  });

  it('answers a repeated edit as a duplicate and applies it once', async () => {
    const ideaId = await appliedId(asAlice, ideaCreate(seeded, 'Edited twice?', 'x'));
    await release();
    const edit = ideaEdit(seeded, ideaId, 'Edited once');
    const { results } = await push(asAlice, [edit, edit]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'duplicate']);
    expect((await push(asAlice, [edit])).results[0]?.status).toBe('duplicate');
    await release();
    expect((await publicDoc<IdeaDoc>(docId.idea(ideaId)))?.title).toBe('Edited once');
  });
});

describe('my activity', () => {
  it("lists each of the author's posts with its current status, and nobody else's", async () => {
    const db = ts.server.storage.db('public');
    const moderate = async (id: string, change: Partial<IdeaDoc>) => {
      const doc = (await db.get<IdeaDoc>(docId.idea(id)))!;
      await db.put({ ...doc, ...change });
    };
    const ids = {
      visible: await appliedId(asAlice, ideaCreate(seeded, 'Stays visible')),
      hidden: await appliedId(asAlice, ideaCreate(seeded, 'Gets hidden')),
      merged: await appliedId(asAlice, ideaCreate(seeded, 'Gets merged')),
      edited: await appliedId(asAlice, ideaCreate(seeded, 'Gets edited by mods')),
      withdrawn: await appliedId(asAlice, ideaCreate(seeded, 'Gets withdrawn')),
    };
    await release();
    await moderate(ids.hidden, { status: 'hidden', moderationReason: 'Names a member of staff' });
    await moderate(ids.merged, { status: 'merged', mergedInto: ids.visible });
    await moderate(ids.edited, { editedByModerator: true });
    await appliedId(asAlice, withdraw(seeded, 'idea', ids.withdrawn));
    await release();
    const pending = await appliedId(asAlice, ideaCreate(seeded, 'Waits for release'));
    const comment = await appliedId(asAlice, commentCreate(seeded, ids.visible, 'My own comment'));

    const posts = await ownPostsOf(asAlice);
    expect(posts.get(ids.visible)).toMatchObject({
      kind: 'idea',
      status: 'visible',
      conversationId: seeded.conversationId,
    });
    expect(posts.get(ids.hidden)).toMatchObject({ status: 'hidden', reason: 'Names a member of staff' });
    expect(posts.get(ids.merged)).toMatchObject({ status: 'merged', mergedInto: ids.visible });
    expect(posts.get(ids.edited)?.status).toBe('edited-by-moderator');
    expect(posts.get(ids.withdrawn)?.status).toBe('withdrawn');
    expect(posts.get(pending)?.status).toBe('pending-release');
    expect(posts.get(comment)).toMatchObject({
      kind: 'comment',
      status: 'pending-release',
      ideaId: ids.visible,
    });

    // Nothing public carries the author: not the account id, not the e-mail.
    const everythingPublic = JSON.stringify(await ts.server.storage.db('public').list({ includeDocs: true }));
    expect(everythingPublic).not.toContain(alice.accountId);
    expect(everythingPublic).not.toContain(alice.email);

    const bobs = await ownPostsOf(asBob);
    for (const id of [...Object.values(ids), pending, comment]) expect(bobs.has(id)).toBe(false);
  });

  it('keeps the own change log unreadable without the vault key: no account id, no content id, no shared tag', async () => {
    const rows = await ts.server.storage.db('vault').list({ prefix: 'log:', includeDocs: true });
    expect(rows.length).toBeGreaterThan(5);
    const text = JSON.stringify(rows);
    expect(text).not.toContain(alice.accountId);
    const ownPosts = [...(await ownPostsOf(asAlice)).keys()];
    for (const id of ownPosts) expect(text).not.toContain(id);
    // Slot ids share nothing but the prefix.
    const tails = rows.map((r) => r.id.slice('log:'.length, 'log:'.length + 6));
    expect(new Set(tails).size).toBe(tails.length);
  });
});

describe('closed conversations', () => {
  it('lets only an admin open or close a conversation, with clear 4xx answers', async () => {
    const s = await seedConversation(ts.server.storage);
    const url = `/api/admin/conversations/${s.conversationId}/status`;
    expect((await asAlice.post(url, { status: 'closed' })).status).toBe(403);
    expect((await asAdmin.post(url, { status: 'ended' })).status).toBe(400);
    expect((await asAdmin.post('/api/admin/conversations/short/status', { status: 'closed' })).status).toBe(
      400,
    );
    const missing = await asAdmin.post(
      `/api/admin/conversations/${crypto.randomBytes(16).toString('base64url')}/status`,
      { status: 'closed' },
    );
    expect(missing.status).toBe(404);
    const closed = await asAdmin.post(url, { status: 'closed' });
    expect(closed.body).toEqual({ id: s.conversationId, status: 'closed' });
    expect((await asAdmin.post(url, { status: 'live' })).body).toEqual({
      id: s.conversationId,
      status: 'live',
    });
  });

  it("rejects every kind of mutation on a closed conversation with 'conversation-closed', but keeps drafts", async () => {
    const s = await seedConversation(ts.server.storage);
    const ideaId = await appliedId(asAlice, ideaCreate(s, 'Before the close'));
    const commentId = await appliedId(asAlice, commentCreate(s, ideaId, 'also before'));
    await release();
    const pendingIdea = await appliedId(asAlice, ideaCreate(s, 'Queued just before the close'));
    expect(
      (await asAdmin.post(`/api/admin/conversations/${s.conversationId}/status`, { status: 'closed' }))
        .status,
    ).toBe(200);
    const kinds: MutationInput[] = [
      ideaCreate(s, 'After the close'),
      commentCreate(s, ideaId, 'after'),
      voteSet(s, ideaId, 'like'),
      ideaEdit(s, ideaId, 'Edited after close'),
      ideaEdit(s, pendingIdea, 'Edited after close'),
      commentEdit(s, commentId, 'edited after'),
      withdraw(s, 'idea', ideaId),
      withdraw(s, 'comment', commentId),
      {
        id: crypto.randomUUID(),
        kind: 'report.create',
        conversationId: s.conversationId,
        itemKind: 'idea',
        itemId: ideaId,
        guideline: 'off-topic',
      },
      {
        id: crypto.randomUUID(),
        kind: 'questionnaire.submit',
        conversationId: s.conversationId,
        answers: {},
      },
    ];
    const { results } = await push(asAlice, kinds);
    for (const [i, r] of results.entries()) {
      expect(r, kinds[i]!.kind).toMatchObject({
        status: 'rejected',
        reason: { code: 'conversation-closed' },
      });
    }
    const draft = await one(asAlice, {
      id: crypto.randomUUID(),
      kind: 'draft.save',
      draftId: crypto.randomUUID(),
      draftKind: 'idea',
      conversationId: s.conversationId,
      title: 'After the close',
      body: 'kept as a draft',
    });
    expect(draft.status).toBe('applied');
  });
});
