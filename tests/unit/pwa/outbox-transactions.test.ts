import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { HuddleDb } from '../../../pwa/src/data/db.js';
import { InvalidInputError, postComment, postIdea, saveDraft, vote } from '../../../pwa/src/data/actions.js';
import { publicId } from './fake-sync-server.js';

const dbs: HuddleDb[] = [];
function freshDb(): HuddleDb {
  const db = new HuddleDb(`outbox-${crypto.randomUUID()}`);
  dbs.push(db);
  return db;
}
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

const conversationId = publicId();
const streamId = publicId();

/** Makes the next outbox write fail, as a full disk or a crash would. */
function breakOutbox(db: HuddleDb): void {
  db.outbox.hook('creating', () => {
    throw new Error('disk full');
  });
}

describe('every user change writes its local effect and its outbox entry together', () => {
  it('posting an idea stores the pending idea and its outbox entry, and clears the draft', async () => {
    const db = freshDb();
    await saveDraft(db, { id: 'idea:new', kind: 'idea', streamId, title: 'Quiet room', body: 'Please' });
    const id = await postIdea(db, {
      conversationId,
      streamId,
      title: '  Quiet room  ',
      body: 'Please',
      draftId: 'idea:new',
    });
    const [post] = await db.localPosts.toArray();
    const [entry] = await db.outbox.toArray();
    expect(post).toMatchObject({ mutationId: id, kind: 'idea', title: 'Quiet room' });
    expect(entry).toMatchObject({
      id,
      state: 'queued',
      mutation: { kind: 'idea.create', id, title: 'Quiet room' },
    });
    expect(await db.drafts.get('idea:new')).toBeUndefined();
  });

  it('a failed outbox write leaves no pending idea behind and keeps the draft', async () => {
    const db = freshDb();
    await saveDraft(db, { id: 'idea:new', kind: 'idea', streamId, title: 'Quiet room', body: 'Please' });
    breakOutbox(db);
    await expect(
      postIdea(db, { conversationId, streamId, title: 'Quiet room', body: 'x', draftId: 'idea:new' }),
    ).rejects.toThrow();
    expect(await db.localPosts.count()).toBe(0);
    expect(await db.outbox.count()).toBe(0);
    expect(await db.drafts.get('idea:new')).toBeDefined();
  });

  it('a failed outbox write leaves the vote as it was', async () => {
    const db = freshDb();
    const itemId = publicId();
    await vote(db, { conversationId, itemKind: 'idea', itemId, value: 'like' });
    breakOutbox(db);
    await expect(vote(db, { conversationId, itemKind: 'idea', itemId, value: 'dislike' })).rejects.toThrow();
    expect((await db.myVotes.get(itemId))?.value).toBe('like');
    const entries = await db.outbox.toArray();
    expect(entries.map((e) => e.mutation)).toMatchObject([{ kind: 'vote.set', value: 'like' }]);
  });

  it('a failed outbox write leaves no pending comment behind', async () => {
    const db = freshDb();
    breakOutbox(db);
    await expect(postComment(db, { conversationId, ideaId: publicId(), body: 'Agree' })).rejects.toThrow();
    expect(await db.localPosts.count()).toBe(0);
  });

  it('input the server would refuse is refused on the device with a readable reason, and nothing is queued', async () => {
    const db = freshDb();
    await expect(postIdea(db, { conversationId, streamId, title: ' a ', body: '' })).rejects.toThrow(
      InvalidInputError,
    );
    await expect(postComment(db, { conversationId, ideaId: publicId(), body: '   ' })).rejects.toThrow(
      /comment needs/,
    );
    expect(await db.outbox.count()).toBe(0);
  });

  it('outbox entries keep the order the changes were made in', async () => {
    const db = freshDb();
    const ideaId = publicId();
    const a = await postIdea(db, { conversationId, streamId, title: 'First idea', body: '' });
    const b = await postComment(db, { conversationId, ideaId, body: 'Second' });
    const c = await vote(db, { conversationId, itemKind: 'idea', itemId: ideaId, value: 'like' });
    const d = await postIdea(db, { conversationId, streamId, title: 'Fourth idea', body: '' });
    expect((await db.outbox.orderBy('seq').toArray()).map((e) => e.id)).toEqual([a, b, c, d]);
  });
});
