import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { HuddleDb, getMeta } from '../../../pwa/src/data/db.js';
import {
  InvalidInputError,
  discardDraft,
  draftSyncKey,
  editPost,
  newDraftId,
  postIdea,
  reportPost,
  saveDraft,
  setCommentDigest,
  withdrawPost,
} from '../../../pwa/src/data/actions.js';
import { createApiClient } from '../../../pwa/src/data/api-client.js';
import { pushOutbox } from '../../../pwa/src/data/push.js';
import { pullChanges } from '../../../pwa/src/data/pull.js';
import { createFakeSyncServer, publicId, type FakeSyncServer } from './fake-sync-server.js';

const dbs: HuddleDb[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

function device(server: FakeSyncServer = createFakeSyncServer()) {
  const db = new HuddleDb(`participant-${crypto.randomUUID()}`);
  dbs.push(db);
  return { db, server, api: createApiClient({ baseUrl: 'http://fake.invalid', fetch: server.fetch }) };
}

const conversationId = publicId();
const streamId = publicId();

const ideaDraft = (id: string, title: string, body = '') => ({
  id,
  kind: 'idea' as const,
  conversationId,
  streamId,
  title,
  body,
});

describe('a person keeps several drafts, autosaved and synced as private documents', () => {
  it('keeps every draft, and queues one draft.save per draft however many keystrokes', async () => {
    const { db } = device();
    const a = newDraftId();
    const b = newDraftId();
    for (const title of ['P', 'Pa', 'Parking']) await saveDraft(db, ideaDraft(a, title));
    for (const body of ['Q', 'Quiet room']) await saveDraft(db, ideaDraft(b, 'Rest', body));
    expect((await db.drafts.toArray()).map((d) => d.id).sort()).toEqual([a, b].sort());
    const saves = (await db.outbox.toArray()).map((e) => e.mutation);
    expect(saves).toHaveLength(2);
    expect(saves).toContainEqual(
      expect.objectContaining({ kind: 'draft.save', draftId: a, title: 'Parking' }),
    );
    expect(saves).toContainEqual(
      expect.objectContaining({ kind: 'draft.save', draftId: b, body: 'Quiet room' }),
    );
  });

  it('a draft never sent leaves nothing behind when posted; a synced one is deleted on the server too', async () => {
    const { db, server, api } = device();
    const unsent = newDraftId();
    await saveDraft(db, ideaDraft(unsent, 'Water fountains'));
    await postIdea(db, { conversationId, streamId, title: 'Water fountains', body: '', draftId: unsent });
    expect((await db.outbox.toArray()).map((e) => e.mutation.kind)).toEqual(['idea.create']);

    const synced = newDraftId();
    await saveDraft(db, ideaDraft(synced, 'Hot food at night'));
    await pushOutbox(db, api);
    const version = (await db.drafts.get(synced))?.serverVersion;
    expect(version).toBe(server.drafts.get(synced)?.version);
    await discardDraft(db, synced);
    const [entry] = await db.outbox.toArray();
    expect(entry?.mutation).toMatchObject({ kind: 'draft.delete', draftId: synced, baseVersion: version });
    await pushOutbox(db, api);
    expect(server.drafts.has(synced)).toBe(false);
  });

  it('the next save of a synced draft says which version it was derived from', async () => {
    const { db, api } = device();
    const id = newDraftId();
    await saveDraft(db, ideaDraft(id, 'Lockers'));
    await pushOutbox(db, api);
    const version = (await db.drafts.get(id))?.serverVersion;
    await saveDraft(db, ideaDraft(id, 'Lockers for night staff'));
    const [entry] = await db.outbox.where('itemId').equals(draftSyncKey(id)).toArray();
    expect(entry?.mutation).toMatchObject({ kind: 'draft.save', baseVersion: version });
  });

  it('two devices editing one draft offline keep both versions, on both devices', async () => {
    const server = createFakeSyncServer();
    const phone = device(server);
    const desk = device(server);
    const id = newDraftId();
    await saveDraft(phone.db, ideaDraft(id, 'Rota changes', 'first words'));
    await pushOutbox(phone.db, phone.api);
    await pullChanges(desk.db, desk.api);
    expect((await desk.db.drafts.get(id))?.body).toBe('first words');

    // Both offline: each edits its copy of the same draft.
    await saveDraft(phone.db, ideaDraft(id, 'Rota changes', 'written on the phone'));
    await saveDraft(desk.db, ideaDraft(id, 'Rota changes', 'written at the desk'));
    await pushOutbox(phone.db, phone.api);
    await pushOutbox(desk.db, desk.api);
    await pullChanges(phone.db, phone.api);
    await pullChanges(desk.db, desk.api);

    for (const { db } of [phone, desk]) {
      const bodies = (await db.drafts.toArray()).map((d) => d.body).sort();
      expect(bodies).toEqual(['written at the desk', 'written on the phone']);
      expect((await db.drafts.toArray()).filter((d) => d.isConflictCopy)).toHaveLength(1);
    }
  });

  it('a draft deleted on another device goes here too, unless it changed here meanwhile', async () => {
    const server = createFakeSyncServer();
    const phone = device(server);
    const desk = device(server);
    const kept = newDraftId();
    const gone = newDraftId();
    await saveDraft(phone.db, ideaDraft(kept, 'Kept'));
    await saveDraft(phone.db, ideaDraft(gone, 'Gone'));
    await pushOutbox(phone.db, phone.api);
    await pullChanges(desk.db, desk.api);
    await discardDraft(desk.db, kept);
    await discardDraft(desk.db, gone);
    await saveDraft(phone.db, ideaDraft(kept, 'Kept and changed on the phone'));
    await pushOutbox(desk.db, desk.api);
    await pullChanges(phone.db, phone.api);
    expect((await phone.db.drafts.toArray()).map((d) => d.title)).toEqual(['Kept and changed on the phone']);
  });
});

describe('own posts: edit and withdraw only one’s own, and nothing is lost when refused', () => {
  async function ownIdea(d: ReturnType<typeof device>) {
    await postIdea(d.db, { conversationId, streamId, title: 'Quiet room', body: 'Please' });
    await pushOutbox(d.db, d.api);
    const [own] = await d.db.ownPosts.toArray();
    return own!.contentId;
  }

  it('the device learns which posts are its person’s own when the server accepts them', async () => {
    const d = device();
    const contentId = await ownIdea(d);
    expect(await d.db.ownPosts.get(contentId)).toMatchObject({ kind: 'idea', conversationId });
    await expect(
      editPost(d.db, { conversationId, itemKind: 'idea', itemId: publicId(), title: 'Not mine', body: '' }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      withdrawPost(d.db, { conversationId, itemKind: 'comment', itemId: publicId() }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    expect(await d.db.outbox.count()).toBe(0);
  });

  it('an edit is queued with the post shown edited here at once, and applied once sent', async () => {
    const d = device();
    const contentId = await ownIdea(d);
    await editPost(d.db, {
      conversationId,
      itemKind: 'idea',
      itemId: contentId,
      title: 'Quiet rooms',
      body: 'x',
    });
    expect((await d.db.ownPosts.get(contentId))?.pendingEdit).toEqual({ title: 'Quiet rooms', body: 'x' });
    expect((await d.db.outbox.toArray()).map((e) => e.mutation)).toMatchObject([
      { kind: 'idea.edit', ideaId: contentId, title: 'Quiet rooms' },
    ]);
    await pushOutbox(d.db, d.api);
    expect((await d.db.ideas.get(contentId))?.title).toBe('Quiet rooms');
    expect((await d.db.ownPosts.get(contentId))?.pendingEdit).toBeUndefined();
  });

  it('a refused edit comes back to drafts with the reason, and the post shows its old text', async () => {
    const d = device();
    const contentId = await ownIdea(d);
    await editPost(d.db, {
      conversationId,
      itemKind: 'idea',
      itemId: contentId,
      title: 'Quiet rooms on every ward',
      body: 'My edit',
    });
    d.server.rejectNextWith = { code: 'conversation-closed', message: 'The conversation has closed.' };
    expect(await pushOutbox(d.db, d.api)).toEqual({ kind: 'done', sent: 0, rejected: 1 });
    const [draft] = await d.db.drafts.toArray();
    expect(draft).toMatchObject({
      kind: 'idea',
      title: 'Quiet rooms on every ward',
      body: 'My edit',
      editOf: { itemKind: 'idea', itemId: contentId },
      rejection: { code: 'conversation-closed' },
    });
    expect((await d.db.ownPosts.get(contentId))?.pendingEdit).toBeUndefined();
  });

  it('a refused withdrawal shows the post again; a refused report keeps its note, with the reason', async () => {
    const d = device();
    const contentId = await ownIdea(d);
    await withdrawPost(d.db, { conversationId, itemKind: 'idea', itemId: contentId });
    expect((await d.db.ownPosts.get(contentId))?.isWithdrawn).toBe(true);
    d.server.rejectNextWith = { code: 'conversation-closed', message: 'The conversation has closed.' };
    await pushOutbox(d.db, d.api);
    expect((await d.db.ownPosts.get(contentId))?.isWithdrawn).toBe(false);

    const other = publicId();
    await reportPost(d.db, {
      conversationId,
      itemKind: 'idea',
      itemId: other,
      guideline: 'abusive',
      note: 'Rude',
    });
    expect(await getMeta(d.db, 'reportedItems')).toEqual([other]);
    d.server.rejectNextWith = { code: 'not-found', message: 'That idea was removed.' };
    await pushOutbox(d.db, d.api);
    expect(await getMeta(d.db, 'reportedItems')).toEqual([]);
    const refused = (await getMeta(d.db, 'refusedActions')) ?? [];
    expect(refused.map((r) => [r.kind, r.message, r.text])).toEqual([
      ['idea.withdraw', 'The conversation has closed.', undefined],
      ['report.create', 'That idea was removed.', 'Rude'],
    ]);
  });

  it('an idea queued offline after the close comes back to drafts with that reason', async () => {
    const d = device();
    await postIdea(d.db, { conversationId, streamId, title: 'Too late', body: 'Queued offline' });
    d.server.rejectNextWith = { code: 'conversation-closed', message: 'The conversation has closed.' };
    await pushOutbox(d.db, d.api);
    expect(await d.db.drafts.toArray()).toMatchObject([
      { kind: 'idea', title: 'Too late', rejection: { code: 'conversation-closed' } },
    ]);
    expect(await d.db.localPosts.count()).toBe(0);
  });

  it('the comment e-mail setting is one queued change, whatever the toggling, and the last value wins', async () => {
    const d = device();
    await setCommentDigest(d.db, true);
    await setCommentDigest(d.db, false);
    await setCommentDigest(d.db, true);
    expect((await d.db.outbox.toArray()).map((e) => e.mutation)).toMatchObject([
      { kind: 'notifications.set', commentDigest: true },
    ]);
    expect(await getMeta(d.db, 'commentDigest')).toBe(true);
  });

  it('pull tells the author where each of their posts stands', async () => {
    const d = device();
    const contentId = await ownIdea(d);
    const into = publicId();
    d.server.ownPosts = [{ contentId, kind: 'idea', conversationId, status: 'merged', mergedInto: into }];
    await pullChanges(d.db, d.api);
    expect(await d.db.ownPosts.get(contentId)).toMatchObject({ status: 'merged', mergedInto: into });
  });
});

describe('schema version 2 keeps version 1 drafts', () => {
  it('renames the old fixed draft ids to UUIDs, keeping the text', async () => {
    const { Dexie } = await import('dexie');
    const name = `upgrade-${crypto.randomUUID()}`;
    const v1 = new Dexie(name);
    v1.version(1).stores({ drafts: 'id' });
    await v1
      .table('drafts')
      .put({ id: 'idea:new', kind: 'idea', title: 'Half', body: 'written', updatedAt: 'x' });
    v1.close();
    const db = new HuddleDb(name);
    dbs.push(db);
    const [draft] = await db.drafts.toArray();
    expect(draft).toMatchObject({ kind: 'idea', title: 'Half', body: 'written' });
    expect(draft!.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
