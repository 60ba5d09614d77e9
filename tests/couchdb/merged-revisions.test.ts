/**
 * The state a cluster leaves after two concurrent writes of one document were both accepted,
 * made on purpose instead of by chance: two copies of Huddle's databases (same secrets, as two
 * instances) each take one device's write of the same documents, then CouchDB replication merges
 * them, exactly as the cluster's nodes merge their copies: every document written on both sides
 * ends with two revisions, one of which wins. cluster-conflicts.test.ts provokes the same through
 * two nodes, but only some of the races end both-accepted; here every one does, so what the server
 * makes of such documents is checked every run: nothing a person wrote may vanish into the losing
 * revision, votes count once, one mutation has one effect.
 *
 * Runs in the 'couchdb-cluster' project (it needs one CouchDB only).
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationResult, OwnDraft, OwnPost, OwnVote } from '../../shared/src/api.js';
import type { IdeaDoc, TallyDoc } from '../../shared/src/documents.js';
import type { MutationInput } from '../../shared/src/mutations.js';
import { DB_NAMES } from '../../sync-server/src/storage/port.js';
import { createTestAccount, createTestSession } from '../support/accounts.js';
import { couchFetch } from '../support/couchdb-local.js';
import { couchUnderTest, freshPrefix } from '../support/couchdb-under-test.js';
import { startTestServer, type HttpClient, type TestServer } from '../support/test-server.js';
import {
  ideaCreate,
  pullAll,
  push,
  seedConversation,
  seedIdea,
  voteSet,
} from '../integration/sync-fixtures.js';
import { clientOf, contentIdOf } from './cluster-servers.js';

const couch = couchUnderTest();

const ideaEdit = (conversationId: string, ideaId: string, body: string): MutationInput => ({
  id: crypto.randomUUID(),
  kind: 'idea.edit',
  conversationId,
  ideaId,
  title: 'Edited on both sides',
  body,
});

/** One-shot replication of Huddle's four databases from one prefix to another (merging revision trees). */
async function replicate(url: string, from: string, to: string): Promise<void> {
  const endpoint = (db: string) => {
    const u = new URL(url);
    return {
      url: `${u.origin}/${db}`,
      auth: { basic: { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } },
    };
  };
  for (const name of DB_NAMES) {
    const res = await couchFetch(url, 'POST', '/_replicate', {
      source: endpoint(from + name),
      target: endpoint(to + name),
      create_target: true,
    });
    if (res.status !== 200)
      throw new Error(`replication of ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

describe.skipIf(!couch)('two copies that each took a write of the same documents, merged', () => {
  const secrets = {
    HUDDLE_SECRET: crypto.randomBytes(32).toString('base64url'),
    HUDDLE_LINKING_KEY: crypto.randomBytes(32).toString('hex'),
  };
  let first: TestServer;
  let second: TestServer;
  let firstPrefix: string;
  let phone: HttpClient;
  let desk: HttpClient;
  let draftId: string;
  let votedItem: string;
  let editedIdea: string;
  let same: MutationInput;
  const answers = new Map<string, MutationResult>();
  const fromPhone: MutationInput[] = [];
  const fromDesk: MutationInput[] = [];

  const serverOn = (prefix: string, url: string) =>
    startTestServer({
      RELEASE_INTERVAL_SECONDS: '3600',
      // Edits with every batch: the daily edit gate would make the outcome depend on the time of day.
      EDIT_RELEASE: 'every-batch',
      ...secrets,
      COUCHDB_URL: url,
      COUCHDB_DB_PREFIX: prefix,
    });

  beforeAll(async () => {
    firstPrefix = freshPrefix(couch!);
    const secondPrefix = freshPrefix(couch!);
    first = await serverOn(firstPrefix, couch!.url);
    const seeded = await seedConversation(first.server.storage);
    votedItem = await seedIdea(first.server.storage, seeded);
    const alice = await createTestAccount(first.server.storage, first.dataDir, { env: secrets });
    const deskSession = await createTestSession(first.server.storage, first.dataDir, alice, { env: secrets });
    phone = clientOf(first, alice);
    // A draft both devices know, at the same version.
    draftId = crypto.randomUUID();
    const base: MutationInput = {
      id: crypto.randomUUID(),
      kind: 'draft.save',
      draftId,
      draftKind: 'idea',
      conversationId: seeded.conversationId,
      body: 'first text',
    };
    expect((await push(phone, [base])).results[0]?.status).toBe('applied');
    // An idea of hers, released, that both devices will edit.
    const created = contentIdOf((await push(phone, [ideaCreate(seeded, 'Edited on both sides')])).results[0]);
    expect(created).toBeDefined();
    editedIdea = created!;
    expect((await phone.post('/api/test/release')).status).toBe(200);

    // The fork: a second copy of everything, served by a second instance.
    await replicate(couch!.url, firstPrefix, secondPrefix);
    second = await serverOn(secondPrefix, couch!.urls[1] ?? couch!.url);
    desk = clientOf(second, deskSession);

    const edit = (body: string): MutationInput => ({
      ...base,
      id: crypto.randomUUID(),
      body,
      baseVersion: base.id,
    });
    same = ideaCreate(seeded, 'The same idea, sent twice');
    fromPhone.push(
      edit('phone text'),
      ideaCreate(seeded, 'Phone idea'),
      voteSet(seeded, votedItem, 'like'),
      same,
      ideaEdit(seeded.conversationId, editedIdea, 'phone words'),
    );
    fromDesk.push(
      edit('desk text'),
      ideaCreate(seeded, 'Desk idea'),
      voteSet(seeded, votedItem, 'dislike'),
      same,
      ideaEdit(seeded.conversationId, editedIdea, 'desk words'),
    );
    for (const [client, mutations] of [
      [phone, fromPhone],
      [desk, fromDesk],
    ] as const) {
      for (const r of (await push(client, mutations)).results) {
        expect(r.status, JSON.stringify(r)).toBe('applied');
        answers.set(`${client === phone ? 'phone' : 'desk'}:${r.id}`, r);
      }
    }

    // The merge, both ways, then a release on the first copy.
    await replicate(couch!.url, secondPrefix, firstPrefix);
    await replicate(couch!.url, firstPrefix, secondPrefix);
    expect((await phone.post('/api/test/release')).status).toBe(200);
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('the merged copies hold both revisions of the documents both sides wrote', async () => {
    const res = await couchFetch(
      couch!.url,
      'GET',
      `/${firstPrefix}private/_all_docs?include_docs=true&conflicts=true`,
    );
    const rows = (res.body as { rows: Array<{ id: string; doc: { _conflicts?: string[] } }> }).rows;
    const conflicted = rows.filter((r) => r.doc._conflicts?.length).map((r) => r.id.split(':')[0]);
    expect(conflicted).toContain('draft');
  });

  it('a mutation applied on both sides is one post, and a replay on either is a duplicate', async () => {
    const onPhone = contentIdOf(answers.get(`phone:${same.id}`));
    expect(contentIdOf(answers.get(`desk:${same.id}`))).toBe(onPhone);
    const ideas = await first.server.storage.db('public').list({ prefix: 'idea:', includeDocs: true });
    expect(
      ideas.filter((r) => (r.doc as { title?: string }).title === 'The same idea, sent twice'),
    ).toHaveLength(1);
    for (const client of [phone, desk]) {
      expect((await push(client, [same])).results[0]).toMatchObject({
        status: 'duplicate',
        contentId: onPhone,
      });
    }
  });

  it('two devices voting on one item, one on each side: one vote counts, tally and own vote agree', async () => {
    const tally = await first.server.storage.db('public').get<TallyDoc>(`tally:${votedItem}`);
    const own = (await pullAll(phone)).ownVotes.find((v: OwnVote) => v.itemId === votedItem);
    expect(own).toBeDefined();
    expect(tally).toMatchObject(
      own!.value === 'like' ? { likes: 1, dislikes: 0 } : { likes: 0, dislikes: 1 },
    );
  });

  it('a draft saved on both sides from the same version keeps both texts', async () => {
    const drafts = (await pullAll(phone)).ownDrafts.map((d: OwnDraft) => d.body).sort();
    expect(drafts, `drafts of ${draftId}`).toEqual(['desk text', 'phone text']);
  });

  it('two posts made on each side at once are both in My activity', async () => {
    const phoneIdea = contentIdOf(answers.get(`phone:${fromPhone[1]!.id}`));
    const deskIdea = contentIdOf(answers.get(`desk:${fromDesk[1]!.id}`));
    const mine = (await pullAll(phone)).ownPosts.map((p: OwnPost) => p.contentId);
    expect(mine.sort(), 'posts in My activity').toEqual(
      [phoneIdea, deskIdea, editedIdea, contentIdOf(answers.get(`phone:${same.id}`))].sort(),
    );
  });

  it('an idea edited on both sides shows one of the two edits, and the other never comes back later', async () => {
    const publicDb = first.server.storage.db('public');
    const shown = (await publicDb.get<IdeaDoc>(`idea:${editedIdea}`))?.body;
    expect(['phone words', 'desk words']).toContain(shown);
    // Nothing of either edit waits any more: the losing revision went with the winning one.
    expect(await first.server.storage.db('private').list({ prefix: 'staged:' })).toEqual([]);
    expect((await phone.post('/api/test/release')).status).toBe(200);
    expect((await publicDb.get<IdeaDoc>(`idea:${editedIdea}`))?.body).toBe(shown);
  });
});
