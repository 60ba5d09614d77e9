/**
 * The naming warning on the server side: devices get the roster only as a salted hash set
 * (session required, never cached), and a post that seems to identify someone is flagged
 * for moderation on arrival, exactly once, without blocking it and without the account; an edit
 * refreshes that flag (new reasons and offsets, or no flag once the edit removed the problem).
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../shared/src/protocol.js';
import { buildRosterHashSet, hashedRoster } from '../../shared/src/text/roster.js';
import { detectIdentifyingText } from '../../shared/src/text/detector.js';
import { createApiClient, type FetchLike } from '../../pwa/src/data/api-client.js';
import { getMeta, HuddleDb } from '../../pwa/src/data/db.js';
import { refreshRosterHashes } from '../../pwa/src/data/roster-hashes.js';
import { loadConfig } from '../../sync-server/src/config.js';
import { loadSecrets } from '../../sync-server/src/secrets.js';
import { flagDocId, type FlagDoc } from '../../sync-server/src/moderation/flags.js';
import type { MutationInput } from '../../shared/src/mutations.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import {
  commentCreate,
  ideaCreate,
  pullAll,
  push,
  seedConversation,
  seedIdea,
  type Seeded,
} from './sync-fixtures.js';

const NAMES = ['Adaeze Okafor', 'Siobhan Byrne', 'Agnieszka Wiśniewska'];

let ts: TestServer;
let seeded: Seeded;
let account: TestAccount;
let client: HttpClient;

beforeAll(async () => {
  ts = await startTestServer();
  seeded = await seedConversation(ts.server.storage);
  account = await createTestAccount(ts.server.storage, ts.dataDir);
  client = HttpClient.as(ts.url, account);
  // Staff accounts with names, as an invite import leaves them (only the fields the roster reads matter).
  const secrets = loadSecrets(loadConfig({ HUDDLE_DATA_DIR: ts.dataDir }));
  for (const [i, name] of NAMES.entries()) {
    await ts.server.storage.db('accounts').put({
      _id: `account:${secrets.hmac('owner', 'email', `staff${i}@trust.example`)}`,
      type: 'account',
      schemaVersion: SCHEMA_VERSION,
      accountId: `acct-${i}-0123456789abcdef`,
      email: `staff${i}@trust.example`,
      name,
      roles: ['participant'],
      status: 'invited',
      invitedAt: new Date().toISOString(),
    });
  }
});

afterAll(async () => {
  await ts?.close();
});

describe('GET /api/text/roster-hashes', () => {
  it('requires a session', async () => {
    const res = await new HttpClient(ts.url).get('/api/text/roster-hashes');
    expect(res.status).toBe(401);
  });

  it('answers the salted hash set of staff name tokens, never a name in clear, never cacheable', async () => {
    const res = await client.get('/api/text/roster-hashes');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { salt, hashes } = res.body as { salt: string; hashes: string[] };
    expect(hashes).toEqual(buildRosterHashSet(salt, NAMES).hashes);
    for (const word of ['okafor', 'adaeze', 'siobhan', 'byrne', 'wisniewska', 'wiśniewska', 'trust.example'])
      expect(res.text.toLowerCase()).not.toContain(word);
    // The salt is per deployment and stable, so devices can keep the set offline.
    expect((await client.get('/api/text/roster-hashes')).body.salt).toBe(salt);
  });
});

describe('flags on arrival', () => {
  it('flags a post that names someone or singles them out, once, without the account, and still accepts it', async () => {
    const parentIdea = await seedIdea(ts.server.storage, seeded);
    const naming = ideaCreate(seeded, 'Breaks on nights', 'Dr Okafor never lets us take them.');
    const byRole = commentCreate(seeded, parentIdea, 'The new matron on Ward 7 banned sitting down.');
    const roster = commentCreate(seeded, parentIdea, 'thanks to siobhan for covering');
    const plain = ideaCreate(seeded, 'Hot food at night', 'The canteen at Northgate shuts at 7pm.');
    const results = (await push(client, [naming, byRole, roster, plain])).results;
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    const ids = results.map((r) => (r as { contentId: string }).contentId);

    const flags = await Promise.all(
      ids.map((id) => ts.server.storage.db('private').get<FlagDoc>(flagDocId(id))),
    );
    expect(flags[0]).toMatchObject({ reasons: ['names-person'], itemKind: 'idea', source: 'detector' });
    expect(flags[0]!.matches).toEqual([
      expect.objectContaining({ field: 'body', kind: 'names-person', start: 0, end: 9 }),
    ]);
    expect(flags[1]).toMatchObject({ reasons: ['identifies-by-role'], itemKind: 'comment' });
    expect(flags[2]).toMatchObject({ reasons: ['names-person'] });
    expect(flags[3]).toBeUndefined();

    // No account, no e-mail, no copy of the words in the flag.
    const stored = JSON.stringify(flags);
    for (const secret of [account.accountId, account.email, 'Okafor', 'siobhan', 'matron'])
      expect(stored).not.toContain(secret);

    // A replay (lost response, retry) leaves exactly one flag per post.
    expect((await push(client, [naming, byRole, roster, plain])).results.map((r) => r.status)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    const all = await ts.server.storage.db('private').list({ prefix: 'flag:' });
    expect(all.map((r) => r.id).sort()).toEqual(ids.slice(0, 3).map(flagDocId).sort());
  });

  it('never sends flags to clients', async () => {
    await client.post('/api/test/release', {});
    const { docs } = await pullAll(client);
    expect(docs.length).toBeGreaterThan(0);
    expect(docs.some((d: { type: string }) => d.type === 'flag')).toBe(false);
  });
});

describe('flags on edit', () => {
  const ideaEdit = (ideaId: string, title: string, body: string): MutationInput => ({
    id: crypto.randomUUID(),
    kind: 'idea.edit',
    conversationId: seeded.conversationId,
    ideaId,
    title,
    body,
  });
  const commentEdit = (commentId: string, body: string): MutationInput => ({
    id: crypto.randomUUID(),
    kind: 'comment.edit',
    conversationId: seeded.conversationId,
    commentId,
    body,
  });
  const applied = async (m: MutationInput): Promise<string> => {
    const [result] = (await push(client, [m])).results;
    expect(result, JSON.stringify(result)).toMatchObject({ status: 'applied' });
    return (result as { contentId: string }).contentId;
  };
  const flagOf = (id: string) => ts.server.storage.db('private').get<FlagDoc>(flagDocId(id));
  const expectNoWords = (flag: unknown, words: string[]) => {
    const stored = JSON.stringify(flag).toLowerCase();
    for (const word of [account.accountId, account.email, ...words])
      expect(stored).not.toContain(word.toLowerCase());
  };

  it('a released post edited to name someone gets a flag with the new offsets, never the words', async () => {
    const ideaId = await applied(ideaCreate(seeded, 'Night breaks', 'Nobody covers the breaks.'));
    await client.post('/api/test/release', {});
    expect(await flagOf(ideaId)).toBeUndefined();

    await applied(ideaEdit(ideaId, 'Night breaks', 'Nobody covers. Dr Okafor never lets us go.'));
    const flag = await flagOf(ideaId);
    expect(flag).toMatchObject({ reasons: ['names-person'], itemKind: 'idea', source: 'detector' });
    expect(flag!.matches).toEqual([
      expect.objectContaining({ field: 'body', kind: 'names-person', start: 15, end: 24 }),
    ]);
    expectNoWords(flag, ['Okafor', 'Nobody covers']);
  });

  it('a flagged post edited to name someone else is re-flagged with the new reasons and offsets', async () => {
    const ideaId = await applied(ideaCreate(seeded, 'Breaks', 'Dr Okafor never lets us take them.'));
    expect((await flagOf(ideaId))!.matches).toEqual([expect.objectContaining({ start: 0, end: 9 })]);

    await applied(ideaEdit(ideaId, 'Breaks', 'Breaks are short. The new matron on Ward 7 banned them.'));
    const flag = await flagOf(ideaId);
    expect(flag).toMatchObject({ reasons: ['identifies-by-role'] });
    expect(flag!.matches).toEqual([
      expect.objectContaining({ field: 'body', kind: 'identifies-by-role', start: 18 }),
    ]);
    expectNoWords(flag, ['Okafor', 'matron', 'Ward 7']);
  });

  it('a flagged post edited clean loses its flag; editing a name back in flags it again', async () => {
    const ideaId = await applied(ideaCreate(seeded, 'Cover at night', 'thanks to siobhan for covering'));
    await client.post('/api/test/release', {});
    expect(await flagOf(ideaId)).toMatchObject({ reasons: ['names-person'] });

    await applied(ideaEdit(ideaId, 'Cover at night', 'thanks to the night team for covering'));
    expect(await flagOf(ideaId)).toBeUndefined();

    await applied(ideaEdit(ideaId, 'Cover at night', 'honestly byrne covers every night'));
    expect(await flagOf(ideaId)).toMatchObject({ reasons: ['names-person'] });
    expectNoWords(await flagOf(ideaId), ['byrne', 'siobhan']);
  });

  it('refreshes comment flags the same way, released or still staged', async () => {
    const parentIdea = await seedIdea(ts.server.storage, seeded);
    const flagged = await applied(
      commentCreate(seeded, parentIdea, 'The new matron on Ward 7 banned sitting.'),
    );
    const clean = await applied(commentCreate(seeded, parentIdea, 'Agreed, breaks matter.'));
    await applied(commentEdit(flagged, 'Agreed: nobody can sit down on nights.'));
    await applied(commentEdit(clean, 'Agreed, Dr Okafor should hear this.'));
    expect(await flagOf(flagged)).toBeUndefined();
    expect(await flagOf(clean)).toMatchObject({ reasons: ['names-person'], itemKind: 'comment' });

    await client.post('/api/test/release', {});
    await applied(commentEdit(clean, 'Agreed, managers should hear this.'));
    expect(await flagOf(clean)).toBeUndefined();
  });

  it('a retry of an edit writes nothing new: one flag revision, no new flag on a clean post', async () => {
    const ideaId = await applied(ideaCreate(seeded, 'Rota gaps', 'Too few staff.'));
    const naming = ideaEdit(ideaId, 'Rota gaps', 'Too few staff since Dr Okafor left.');
    await applied(naming);
    const first = await flagOf(ideaId);
    expect(first).toMatchObject({ reasons: ['names-person'] });

    // The same mutation again (a lost response) is a duplicate; the same text under a new id
    // (the person saved the same edit twice) finds the flag already right.
    expect((await push(client, [naming])).results[0]?.status).toBe('duplicate');
    await applied({ ...naming, id: crypto.randomUUID() });
    await client.post('/api/test/release', {});
    await applied({ ...naming, id: crypto.randomUUID() });
    expect((await flagOf(ideaId))?._rev).toBe(first?._rev);

    const cleanEdit = ideaEdit(ideaId, 'Rota gaps', 'Too few staff.');
    await applied(cleanEdit);
    await applied({ ...cleanEdit, id: crypto.randomUUID() });
    expect(await flagOf(ideaId)).toBeUndefined();
  });
});

describe('on the device', () => {
  function device(cookie: string | null) {
    const db = new HuddleDb(`text-warnings-${crypto.randomUUID()}`);
    const withCookie: FetchLike = (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
      });
    return { db, api: createApiClient({ baseUrl: ts.url, fetch: withCookie }) };
  }

  it('keeps the hash set in meta and warns from it with no further request (offline)', async () => {
    const { db, api } = device(account.cookie);
    try {
      expect(await refreshRosterHashes(db, api)).toBe(true);
      const stored = await getMeta(db, 'rosterHashes');
      expect(stored?.hashes.length).toBeGreaterThan(0);
      // Fresh enough: no second request.
      expect(await refreshRosterHashes(db, api)).toBe(false);
      const warnings = detectIdentifyingText('honestly byrne never listens', {
        roster: hashedRoster(stored!),
      });
      expect(warnings).toEqual([
        expect.objectContaining({ kind: 'names-person', text: 'byrne', why: 'roster' }),
      ]);
    } finally {
      await db.delete();
    }
  });

  it('without a session keeps working without a roster instead of failing', async () => {
    const { db, api } = device(null);
    try {
      expect(await refreshRosterHashes(db, api)).toBe(false);
      expect(await getMeta(db, 'rosterHashes')).toBeUndefined();
    } finally {
      await db.delete();
    }
  });
});
