/**
 * The participant's private documents over real HTTP against the real embedded store: reports,
 * questionnaire answers (and their grouped counts), synced drafts and notification settings.
 * Each kind: applied, duplicate, rejected; and nothing of it reaches the public database or
 * carries an account id.
 */
import { LIMITS } from '../../shared/src/protocol.js';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationInput } from '../../shared/src/mutations.js';
import type { MutationResult } from '../../shared/src/api.js';
import type { ConversationDoc } from '../../shared/src/documents.js';
import { docId } from '../../shared/src/ids.js';
import { conflictDraftId } from '../../sync-server/src/sync/keys.js';
import { aggregateAnswers, foldSmallGroups } from '../../sync-server/src/sync/questionnaire-stats.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import { ideaCreate, pullAll, push, seedConversation, seedIdea, type Seeded } from './sync-fixtures.js';

let ts: TestServer;
let seeded: Seeded;
let alice: TestAccount;
let asAlice: HttpClient;
let asBob: HttpClient;

const QUESTIONNAIRE: NonNullable<ConversationDoc['questionnaire']> = [
  {
    id: 'staff-group',
    label: 'Staff group',
    options: [
      { id: 'nursing', label: 'Nursing' },
      { id: 'medical', label: 'Medical' },
      { id: 'estates', label: 'Estates' },
      { id: 'admin', label: 'Admin' },
    ],
  },
  {
    id: 'site',
    label: 'Site',
    options: [
      { id: 'north', label: 'North' },
      { id: 'south', label: 'South' },
    ],
  },
];

beforeAll(async () => {
  ts = await startTestServer();
  seeded = await seedConversation(ts.server.storage);
  const db = ts.server.storage.db('public');
  const conversation = (await db.get<ConversationDoc>(docId.conversation(seeded.conversationId)))!;
  await db.put({ ...conversation, questionnaire: QUESTIONNAIRE });
  alice = await createTestAccount(ts.server.storage, ts.dataDir);
  asAlice = HttpClient.as(ts.url, alice);
  asBob = HttpClient.as(ts.url, await createTestAccount(ts.server.storage, ts.dataDir));
});
afterAll(async () => {
  await ts?.close();
});

const one = async (client: HttpClient, m: MutationInput): Promise<MutationResult> =>
  (await push(client, [m])).results[0]!;
const uuid = () => crypto.randomUUID();
const allDocsText = async (db: 'public' | 'private' | 'vault' | 'votes', prefix = '') =>
  JSON.stringify(await ts.server.storage.db(db).list({ prefix, includeDocs: true }));

describe('reports', () => {
  const report = (itemId: string, note?: string): MutationInput => ({
    id: uuid(),
    kind: 'report.create',
    conversationId: seeded.conversationId,
    itemKind: 'idea',
    itemId,
    guideline: 'names-someone',
    ...(note !== undefined ? { note } : {}),
  });

  it('stores one report per person and item, for moderation, without the reporter in clear', async () => {
    const ideaId = await seedIdea(ts.server.storage, seeded);
    const first = report(ideaId, 'It names the ward manager');
    expect((await one(asAlice, first)).status).toBe('applied');
    expect((await one(asAlice, first)).status).toBe('duplicate');
    expect((await one(asAlice, report(ideaId, 'again'))).status).toBe('applied');
    expect((await one(asBob, report(ideaId))).status).toBe('applied');
    const reports = await ts.server.storage.db('private').list({ prefix: 'report:', includeDocs: true });
    const onIdea = reports.filter((r) => r.doc?.['itemId'] === ideaId);
    expect(onIdea).toHaveLength(2);
    expect(onIdea.map((r) => r.doc?.['note']).sort()).toEqual(['It names the ward manager', undefined]);
    const text = JSON.stringify(reports);
    expect(text).not.toContain(alice.accountId);
    expect(text).not.toContain(alice.email);
    expect(await allDocsText('public')).not.toContain('It names the ward manager');
  });

  it('rejects a report of a missing post, or with a note over 500 characters, with a reason', async () => {
    const missing = await one(asAlice, report(crypto.randomBytes(16).toString('base64url')));
    expect(missing).toMatchObject({ status: 'rejected', reason: { code: 'not-found' } });
    const long = await one(asAlice, report(await seedIdea(ts.server.storage, seeded), 'x'.repeat(501)));
    expect(long).toMatchObject({ status: 'rejected', reason: { code: 'invalid' } });
    expect((long as { reason: { message: string } }).reason.message).toContain('500');
  });
});

describe('questionnaire answers', () => {
  const submit = (
    answers: Record<string, string>,
    conversationId = seeded.conversationId,
  ): MutationInput => ({
    id: uuid(),
    kind: 'questionnaire.submit',
    conversationId,
    answers,
  });

  it('keeps one answers document per person and conversation, replaced on re-submit, shown only to its author', async () => {
    const first = submit({ 'staff-group': 'nursing', site: 'north' });
    expect((await one(asAlice, first)).status).toBe('applied');
    expect((await one(asAlice, first)).status).toBe('duplicate');
    expect((await one(asAlice, submit({ 'staff-group': 'medical' }))).status).toBe('applied');
    expect((await pullAll(asAlice)).ownAnswers).toEqual([
      { conversationId: seeded.conversationId, answers: { 'staff-group': 'medical' } },
    ]);
    expect((await pullAll(asBob)).ownAnswers).toEqual([]);
    const stored = await ts.server.storage.db('private').list({ prefix: 'answers:', includeDocs: true });
    expect(stored.filter((r) => r.doc?.['conversationId'] === seeded.conversationId)).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(alice.accountId);
    for (const db of ['public', 'vault', 'votes'] as const)
      expect(await allDocsText(db)).not.toMatch(/"type":"answers"|"answers":\{"staff-group"/);
  });

  it('rejects answers to unknown questions or options, and conversations without a questionnaire', async () => {
    const results = (
      await push(asAlice, [
        submit({ 'staff-group': 'astronaut' }),
        submit({ shoe: 'nursing' }),
        submit({ site: 'north' }, (await seedConversation(ts.server.storage)).conversationId),
      ])
    ).results;
    for (const r of results) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'invalid' } });
    expect((await one(asAlice, submit({ site: 'Not A Slug!' }))).status).toBe('rejected');
  });

  it('reports only groups of at least K people, folding smaller ones into "other" so none can be worked out', async () => {
    const s = await seedConversation(ts.server.storage);
    const db = ts.server.storage.db('public');
    const conversation = (await db.get<ConversationDoc>(docId.conversation(s.conversationId)))!;
    await db.put({ ...conversation, questionnaire: QUESTIONNAIRE });
    const groups = [
      ...Array<string>(12).fill('nursing'),
      ...Array<string>(10).fill('medical'),
      'estates',
      'estates',
      'admin',
    ];
    const accounts = await Promise.all(groups.map(() => createTestAccount(ts.server.storage, ts.dataDir)));
    const answers = await Promise.all(
      accounts.map((a, i) =>
        push(HttpClient.as(ts.url, a), [
          submit({ 'staff-group': groups[i]!, site: i < 20 ? 'north' : 'south' }, s.conversationId),
        ]),
      ),
    );
    expect(answers.every((r) => r.results[0]?.status === 'applied')).toBe(true);

    const stats = await aggregateAnswers({ storage: ts.server.storage }, s.conversationId);
    expect(stats.respondents).toBe(25);
    const [staff, site] = stats.questions;
    // estates 2 + admin 1 = 3 < 10: the smallest shown group (medical, 10) folds in as well.
    expect(staff).toMatchObject({ groups: [{ optionId: 'nursing', count: 12 }], other: 13 });
    // south has 5 < 10 and north 20: folding north in leaves nothing to show by site.
    expect(site).toMatchObject({ groups: [], other: 25 });
    expect(await aggregateAnswers({ storage: ts.server.storage }, s.conversationId, 26)).toMatchObject({
      respondents: null,
      questions: [],
    });
    expect(foldSmallGroups('q', 'Q', [{ optionId: 'a', label: 'A', count: 4 }], 10).other).toBeNull();
    expect(
      foldSmallGroups(
        'q',
        'Q',
        [
          { optionId: 'a', label: 'A', count: 15 },
          { optionId: 'b', label: 'B', count: 11 },
          { optionId: 'c', label: 'C', count: 0 },
        ],
        10,
      ),
    ).toMatchObject({ groups: [{ optionId: 'a' }, { optionId: 'b' }], other: 0 });
  });
});

describe('synced drafts', () => {
  const save = (draftId: string, body: string, baseVersion?: string): MutationInput => ({
    id: uuid(),
    kind: 'draft.save',
    draftId,
    draftKind: 'idea',
    conversationId: seeded.conversationId,
    streamId: seeded.streamId,
    title: 'Draft title',
    body,
    ...(baseVersion ? { baseVersion } : {}),
  });
  const drafts = async (client: HttpClient) => (await pullAll(client)).ownDrafts;

  it("returns a person's drafts to all their sessions and to nobody else, and never publishes them", async () => {
    const draftId = uuid();
    const first = save(draftId, 'Started on the phone');
    expect(await one(asAlice, first)).toMatchObject({ status: 'applied', contentId: draftId });
    expect(await one(asAlice, first)).toMatchObject({ status: 'duplicate', contentId: draftId });
    const laptop = HttpClient.as(ts.url, alice); // another session of the same person
    const seen = (await drafts(laptop)).find((d) => d.draftId === draftId);
    expect(seen).toMatchObject({ body: 'Started on the phone', version: first.id, draftKind: 'idea' });
    expect((await drafts(asBob)).some((d) => d.draftId === draftId)).toBe(false);
    expect(await one(asAlice, save(draftId, 'Finished at the desk', first.id))).toMatchObject({
      status: 'applied',
      contentId: draftId,
    });
    expect((await drafts(laptop)).filter((d) => d.draftId === draftId).map((d) => d.body)).toEqual([
      'Finished at the desk',
    ]);
    expect(await allDocsText('public')).not.toContain('Finished at the desk');
    expect(await allDocsText('private', 'draft:')).not.toContain(alice.accountId);
  });

  it('keeps both texts when two devices edited the same draft offline', async () => {
    const draftId = uuid();
    const created = save(draftId, 'Common start');
    await one(asAlice, created);
    const phone = save(draftId, 'Phone version', created.id);
    const desk = save(draftId, 'Desk version', created.id);
    expect(await one(asAlice, phone)).toMatchObject({ status: 'applied', contentId: draftId });
    const copy = await one(asAlice, desk);
    expect(copy).toMatchObject({ status: 'applied', contentId: conflictDraftId(desk.id) });
    expect(await one(asAlice, desk)).toMatchObject({
      status: 'duplicate',
      contentId: conflictDraftId(desk.id),
    });
    const mine = (await drafts(asAlice)).filter((d) => d.draftId === draftId || d.conflictOf === draftId);
    expect(mine.map((d) => d.body).sort()).toEqual(['Desk version', 'Phone version']);
    expect(mine.find((d) => d.body === 'Desk version')).toMatchObject({
      draftId: conflictDraftId(desk.id),
      conflictOf: draftId,
    });
  });

  it('deletes a draft, but keeps it when another device saved newer text than the delete knew', async () => {
    const draftId = uuid();
    const v1 = save(draftId, 'version one');
    await one(asAlice, v1);
    const v2 = save(draftId, 'version two', v1.id);
    await one(asAlice, v2);
    const staleDelete: MutationInput = { id: uuid(), kind: 'draft.delete', draftId, baseVersion: v1.id };
    expect((await one(asAlice, staleDelete)).status).toBe('applied');
    expect((await drafts(asAlice)).find((d) => d.draftId === draftId)?.body).toBe('version two');
    const del: MutationInput = { id: uuid(), kind: 'draft.delete', draftId, baseVersion: v2.id };
    expect((await one(asAlice, del)).status).toBe('applied');
    expect((await one(asAlice, del)).status).toBe('duplicate');
    expect((await drafts(asAlice)).some((d) => d.draftId === draftId)).toBe(false);
    // Deleting a draft that is not there (or someone else's id) changes nothing.
    expect((await one(asBob, { id: uuid(), kind: 'draft.delete', draftId: uuid() })).status).toBe('applied');
  });

  it('rejects a draft with a malformed id or an over-long text', async () => {
    const { results } = await push(asAlice, [
      { ...save(uuid(), 'x'), draftId: 'not-a-uuid' },
      save(uuid(), 'x'.repeat(LIMITS.draftBodyMax + 1)),
    ]);
    for (const r of results) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'invalid' } });
  });
});

describe('notification settings', () => {
  it('keeps the comment digest off by default and remembers the choice per person', async () => {
    const on: MutationInput = { id: uuid(), kind: 'notifications.set', commentDigest: true };
    const carol = HttpClient.as(ts.url, await createTestAccount(ts.server.storage, ts.dataDir));
    expect((await pullAll(carol)).ownSettings).toEqual({ commentDigest: false });
    expect((await one(carol, on)).status).toBe('applied');
    expect((await one(carol, on)).status).toBe('duplicate');
    expect((await pullAll(carol)).ownSettings).toEqual({ commentDigest: true });
    expect((await pullAll(asBob)).ownSettings).toEqual({ commentDigest: false });
    expect((await one(carol, { id: uuid(), kind: 'notifications.set', commentDigest: false })).status).toBe(
      'applied',
    );
    expect((await pullAll(carol)).ownSettings).toEqual({ commentDigest: false });
    const bad = await push(carol, [{ id: uuid(), kind: 'notifications.set', commentDigest: 'yes' }]);
    expect(bad.results[0]?.status).toBe('rejected');
  });

  it('sends the ordinary create kinds through unchanged alongside the new ones', async () => {
    const { results } = await push(asAlice, [
      ideaCreate(seeded),
      { id: uuid(), kind: 'notifications.set', commentDigest: true },
      { id: uuid(), kind: 'no.such.kind' },
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected']);
  });
});
