/**
 * Anonymity at rest (issue 6): "Nothing links a person to their words at rest, outside the vault."
 *
 * Threat: someone with a CouchDB backup (or the embedded store's files), the data directory and
 * HUDDLE_SECRET, and the list of accounts (ids, e-mails, names), but not HUDDLE_LINKING_KEY.
 *
 * A real server, with HUDDLE_SECRET and HUDDLE_LINKING_KEY set explicitly, runs a scripted conversation
 * over HTTP: several people post ideas and comments, vote and change their votes, edit and withdraw
 * posts (before and after release), save, edit and delete drafts (one conflict copy), report posts,
 * answer the conversation's questionnaire, change settings, subscribe to web push, get the daily
 * notice, and pull; batches are released in between and one post is left waiting for release. Then
 * the server stops ("the vault key is destroyed"), and the attacker reads everything raw: the PouchDB
 * directories opened directly, or CouchDB over HTTP, every stored revision (changes with
 * style=all_docs, open_revs=all with revs, each older revision), each changes feed in order, and the
 * data directory's files byte by byte. With everything they can compute from a person (see
 * tests/support/at-rest-scan.ts: account ids, e-mails, names, HMACs under HUDDLE_SECRET with every
 * purpose and label the server uses or used before the linking keys), they find:
 *   - outside the accounts database, no stored revision holding anything derived from a person;
 *   - in the accounts database, no post, comment or draft (ids or text), no owner or voter tag;
 *   - in each changes feed, nothing derived from a person at or next to someone's words;
 *   - in the data directory, no file with a person and their words, and the vault key nowhere.
 * The positive control shows the links are really there behind the vault key (readAuthor, the own
 * change log, and the linking-key derivations all find them), and planted documents in the shape of
 * the old owner and voter tags are reported, so the scan would catch such a regression.
 *
 * Order left in the changes feeds, and why it does not link without the vault key:
 *   - private: drafts, reports, answers, settings, flags, staged posts and receipts in arrival order
 *     (one push writes its documents, then its receipts). Receipts are keyed by link(account, mutation
 *     id) and hold no content id; draft, report, answers and settings ids are link(account, …): the
 *     feed says "this arrived, then that", never whose. Staged posts leave at release (CouchDB purges
 *     them; the embedded store keeps a content-free tombstone at the release's place in the feed).
 *   - vault: a new post's `vault:<link('vault-entry', contentId)>`, then the pusher's own-log slot
 *     `log:<link(account, n)>`. Which slot was written with which entry is visible; whose slot it is,
 *     and which public post an entry belongs to, is not without the linking key (issue 7; see
 *     tests/integration/linking-keys.test.ts). The own-log slots still mark where one push ends, and
 *     `flag:<contentId>` in the private feed keeps the arrival of a flagged post (release timing).
 *   - votes: by the last change of each (voter, item); the voter is link(conversation, account), one
 *     pseudonym per person and conversation (votes and key handling: the next issue).
 *   - public: released documents and tallies, in shuffled batches.
 *   - accounts: accounts, sessions, login challenges, push subscriptions; no content, and no sequence
 *     shared with the other databases.
 * What this does not claim: the text of old revisions (a vote's earlier values, a draft before its
 * edit or deletion until the next release compacts the private database) stays stored until
 * compaction, and purged staged posts stay in LevelDB files until LevelDB compacts its tables; such
 * text carries nothing derived from its author, which is what is checked here. Nor does it cover data
 * from outside Huddle's stores: mail server logs, proxy logs, CouchDB's own request log.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import PouchDB from 'pouchdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationResult } from '../../shared/src/api.js';
import type { AccountDoc, ConversationDoc } from '../../shared/src/documents.js';
import { docId } from '../../shared/src/ids.js';
import type { MutationInput } from '../../shared/src/mutations.js';
import { loadConfig, type Env } from '../../sync-server/src/config.js';
import { loadSecrets } from '../../sync-server/src/secrets.js';
import { NanoStorage } from '../../sync-server/src/storage/nano-adapter.js';
import { DB_NAMES, type DbName, type Storage, type StoredDoc } from '../../sync-server/src/storage/port.js';
import { PouchStorage } from '../../sync-server/src/storage/pouch-adapter.js';
import { conflictDraftId, voteDocId, voterFor } from '../../sync-server/src/sync/keys.js';
import { readOwnLog } from '../../sync-server/src/sync/own-log.js';
import { readAuthor } from '../../sync-server/src/sync/vault.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { dumpCouchStore, dumpEmbeddedStore, type DatabaseDump } from '../support/at-rest-dump.js';
import {
  ContentMarkers,
  atomsOf,
  attackerHmac,
  knowledgeFromSecret,
  knowledgeWithVaultKey,
  occurrences,
  scanAccounts,
  scanDataDir,
  scanFeeds,
  scanForPeople,
  type Finding,
  type Person,
} from '../support/at-rest-scan.js';
import { couchRequest, startCouchServer } from '../support/couch-server.js';
import { seedConversation } from '../support/seed.js';
import { HttpClient, makeTempDir, startTestServer } from '../support/test-server.js';
import { pullAll, push } from './sync-fixtures.js';

const SECRET = 'at-rest-test-secret-at-rest-test-secret-0123456789';

const STAFF = [
  { key: 'alice', name: 'Philippa Achterberg', email: 'philippa.achterberg@trust.example' },
  { key: 'bob', name: 'Ravindra Kulkarni', email: 'ravindra.kulkarni@trust.example' },
  { key: 'carol', name: 'Siobhan Fitzmaurice', email: 'siobhan.fitzmaurice@trust.example' },
  { key: 'dave', name: 'Tomasz Wierzbicki', email: 'tomasz.wierzbicki@trust.example' },
] as const;
type Key = (typeof STAFF)[number]['key'];

const QUESTIONNAIRE: NonNullable<ConversationDoc['questionnaire']> = [
  {
    id: 'staff-group',
    label: 'Staff group',
    options: [
      { id: 'nursing', label: 'Nursing' },
      { id: 'medical', label: 'Medical' },
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

// ---- storages -------------------------------------------------------------------------------

interface Backend {
  /** What the server is given on top of the secrets. */
  env: Partial<Record<keyof Env, string>>;
  /** Every database, raw, with the server stopped. */
  dump(): Promise<DatabaseDump[]>;
  /** The storage again, for the positive control (init() not needed: it only reads). */
  open(): Storage;
  /** Writes a document straight into a database (the scanner's own test). */
  plant(db: DbName, doc: StoredDoc): Promise<void>;
  close(): Promise<void>;
}

interface Mode {
  label: string;
  /** Why this storage cannot run here, if it cannot. */
  unavailable?: string;
  start(dataDir: string): Promise<Backend>;
}

const require = createRequire(import.meta.url);
const hasExpressPouchDb = (() => {
  try {
    require.resolve('express-pouchdb');
    return true;
  } catch {
    return false;
  }
})();
/** A real CouchDB 3: the one a couchdb-* project gives (tests/support on branch couchci), or COUCHDB_URL. */
const realCouchUrl =
  process.env['HUDDLE_TEST_COUCHDB_NODES']?.split(',')[0] ||
  process.env['HUDDLE_TEST_COUCHDB_URL'] ||
  process.env['COUCHDB_URL'];

function couchBackend(url: string, prefix: string, stop: () => Promise<void>): Backend {
  return {
    env: { COUCHDB_URL: url, COUCHDB_DB_PREFIX: prefix },
    dump: () => dumpCouchStore(url, prefix),
    open: () => new NanoStorage({ url, prefix }),
    async plant(db, doc) {
      const res = await couchRequest(url, 'PUT', `/${prefix}${db}/${encodeURIComponent(doc._id)}`, doc);
      if (res.status !== 201 && res.status !== 202) throw new Error(`plant answered ${res.status}`);
    },
    close: stop,
  };
}

const randomPrefix = () =>
  `${process.env['HUDDLE_TEST_COUCHDB_PREFIX'] ?? 'huddle_'}atrest_${crypto.randomBytes(4).toString('hex')}_`;

const MODES: Mode[] = [
  {
    label: 'embedded store (PouchDB files)',
    async start(dataDir) {
      return {
        env: { COUCHDB_URL: undefined },
        dump: () => dumpEmbeddedStore(dataDir),
        open: () => new PouchStorage({ dataDir }),
        async plant(db, doc) {
          const pouch = new PouchDB(path.join(dataDir, 'db', db));
          try {
            await pouch.put(doc);
          } finally {
            await pouch.close();
          }
        },
        close: async () => undefined,
      };
    },
  },
  {
    label: 'nano adapter over express-pouchdb',
    ...(hasExpressPouchDb ? {} : { unavailable: 'express-pouchdb is not installed' }),
    async start() {
      const couch = await startCouchServer({ admin: { name: 'huddle', password: 'at rest' } });
      return couchBackend(couch.url, randomPrefix(), () => couch.close());
    },
  },
  {
    label: 'nano adapter over a real CouchDB',
    ...(realCouchUrl
      ? {}
      : { unavailable: 'no real CouchDB: set COUCHDB_URL (a CouchDB 3, credentials in the URL)' }),
    async start() {
      const url = realCouchUrl!;
      const prefix = randomPrefix();
      return couchBackend(url, prefix, async () => {
        for (const db of DB_NAMES) await couchRequest(url, 'DELETE', `/${prefix}${db}`);
      });
    },
  },
];

// ---- the scripted conversation -----------------------------------------------------------------

interface Script {
  people: Record<Key, TestAccount & { name: string }>;
  /** content id -> author */
  posts: Map<string, Key>;
  draftIds: Map<string, Key>;
  texts: string[];
  conversationId: string;
}

const uuid = () => crypto.randomUUID();

/** A push service on loopback that accepts every notice. */
async function startPushService() {
  let received = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function runConversation(url: string, storage: Storage, dataDir: string, env: Record<string, string>) {
  const seeded = await seedConversation(storage, { ideaTitles: ['Free parking for night staff'] });
  const publicDb = storage.db('public');
  const conversationDoc = (await publicDb.get<ConversationDoc>(docId.conversation(seeded.conversation.id)))!;
  await publicDb.put({ ...conversationDoc, questionnaire: QUESTIONNAIRE });
  const conversationId = seeded.conversation.id;
  const [s1, s2] = seeded.streams.map((s) => s.id) as [string, string];
  const seededIdea = seeded.ideas[0]!.id;

  const people = {} as Script['people'];
  const accountsDb = storage.db('accounts');
  for (const s of STAFF) {
    const account = await createTestAccount(storage, dataDir, { email: s.email, env });
    // Names as an invite CSV gives them (used only by the naming detector).
    const [row] = (await accountsDb.list({ prefix: 'account:', includeDocs: true })).filter(
      (r) => r.doc?.['accountId'] === account.accountId,
    );
    await accountsDb.put({ ...(row!.doc as AccountDoc), name: s.name });
    people[s.key] = { ...account, name: s.name };
  }
  const as = (key: Key) => HttpClient.as(url, people[key]);
  const posts = new Map<string, Key>();
  const draftIds = new Map<string, Key>();
  const texts: string[] = [];
  const said = (text: string) => {
    texts.push(text);
    return text;
  };

  /** Pushes as one device would; every change must be applied. Answers the content ids. */
  const send = async (key: Key, ...mutations: MutationInput[]): Promise<Array<string | undefined>> => {
    const { results } = await push(as(key), mutations);
    for (const [i, r] of results.entries())
      expect(r.status, `${key}: ${mutations[i]!.kind} ${JSON.stringify(r)}`).toBe('applied');
    return results.map((r: MutationResult) => (r.status === 'rejected' ? undefined : r.contentId));
  };
  const post = async (key: Key, m: MutationInput) => {
    const contentId = (await send(key, m))[0]!;
    posts.set(contentId, key);
    return contentId;
  };
  const idea = (streamId: string, title: string, body: string): MutationInput => ({
    id: uuid(),
    kind: 'idea.create',
    conversationId,
    streamId,
    title: said(title),
    body: said(body),
  });
  const comment = (ideaId: string, body: string): MutationInput => ({
    id: uuid(),
    kind: 'comment.create',
    conversationId,
    ideaId,
    body: said(body),
  });
  const vote = (itemId: string, value: 'like' | 'dislike' | 'none', itemKind: 'idea' | 'comment' = 'idea') =>
    ({ id: uuid(), kind: 'vote.set', conversationId, itemKind, itemId, value }) satisfies MutationInput;
  const answers = (group: string, site: string) =>
    ({
      id: uuid(),
      kind: 'questionnaire.submit',
      conversationId,
      answers: { 'staff-group': group, site },
    }) satisfies MutationInput;
  const settings = (commentDigest: boolean) =>
    ({ id: uuid(), kind: 'notifications.set', commentDigest }) satisfies MutationInput;
  const draft = (
    key: Key,
    draftId: string,
    fields: { title?: string; body: string; baseVersion?: string; ideaId?: string },
  ): MutationInput => {
    draftIds.set(draftId, key);
    return {
      id: uuid(),
      kind: 'draft.save',
      draftId,
      draftKind: fields.ideaId ? 'comment' : 'idea',
      conversationId,
      ...(fields.ideaId ? { ideaId: fields.ideaId } : { streamId: s1 }),
      ...(fields.title !== undefined ? { title: said(fields.title) } : {}),
      body: said(fields.body),
      ...(fields.baseVersion ? { baseVersion: fields.baseVersion } : {}),
    };
  };
  const release = async () => {
    const res = await new HttpClient(url).post('/api/test/release');
    expect(res.status).toBe(200);
  };

  // 1. First posts, votes on the released idea, questionnaire answers, settings.
  const aliceIdea = await post(
    'alice',
    idea(s1, 'Rest room on the third floor', 'The old linen store is empty.'),
  );
  const bobIdea = await post('bob', idea(s2, 'Water coolers on every corridor', 'Bottles run out by noon.'));
  const carolComment = await post(
    'carol',
    comment(seededIdea, 'Permits should follow the rota, not the grade.'),
  );
  await send('bob', vote(seededIdea, 'like'), answers('medical', 'south'));
  await send('carol', vote(seededIdea, 'dislike'));
  await send('dave', vote(seededIdea, 'like'));
  await send('alice', answers('nursing', 'north'), settings(true));
  await release();

  // 2. Comments, votes changed several times, edits and withdrawals before and after release,
  //    drafts (with a conflict copy), reports, answers and settings changed.
  const bobComment = await post('bob', comment(aliceIdea, 'A kettle in there would help too.'));
  await send('carol', vote(aliceIdea, 'like'));
  await send('carol', vote(aliceIdea, 'dislike'), vote(aliceIdea, 'none'));
  await send('dave', vote(carolComment, 'like', 'comment'), vote(aliceIdea, 'like'));
  await send('alice', {
    id: uuid(),
    kind: 'idea.edit',
    conversationId,
    ideaId: aliceIdea,
    title: said('Quiet room on the third floor'),
    body: said('The old linen store is empty and has a window.'),
  });
  await send('alice', answers('nursing', 'south'));
  const daveIdea = await post(
    'dave',
    idea(s1, 'Lockers that fit a rucksack', 'Ours take a handbag at most.'),
  );
  await send('dave', { id: uuid(), kind: 'idea.withdraw', conversationId, ideaId: daveIdea });
  const carolIdea = await post('carol', idea(s2, 'Hot meals after eight', 'The canteen shuts at seven.'));
  await send('carol', {
    id: uuid(),
    kind: 'idea.edit',
    conversationId,
    ideaId: carolIdea,
    title: said('Hot meals after eight in the evening'),
    body: said('The canteen shuts at seven, the night shift starts at eight.'),
  });
  const d1 = uuid();
  const v1 = draft('alice', d1, { title: 'Night bus', body: 'A night bus from the main entrance.' });
  await send('alice', v1);
  const v2 = draft('alice', d1, {
    title: 'Night bus to town',
    body: 'A night bus from the main entrance to the town centre.',
    baseVersion: v1.id,
  });
  await send('alice', v2);
  const onOtherDevice = draft('alice', d1, {
    title: 'Night bus',
    body: 'A night bus, written offline on the ward computer.',
    baseVersion: v1.id,
  });
  const [copy] = await send('alice', onOtherDevice);
  expect(copy).toBe(conflictDraftId(onOtherDevice.id));
  draftIds.set(copy!, 'alice');
  await send('alice', { id: uuid(), kind: 'draft.delete', draftId: d1, baseVersion: v2.id });
  const d2 = uuid();
  await send('bob', draft('bob', d2, { body: 'Half a reply about kettles.', ideaId: aliceIdea }));
  await send('bob', { id: uuid(), kind: 'draft.delete', draftId: d2 });
  await send(
    'carol',
    draft('carol', uuid(), { title: 'Car share board', body: 'A board by the staff entrance.' }),
  );
  await send('dave', {
    id: uuid(),
    kind: 'report.create',
    conversationId,
    itemKind: 'idea',
    itemId: bobIdea,
    guideline: 'other',
    note: said('This one was already tried on the day unit.'),
  });
  await send('bob', settings(true), settings(false));
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const pushService = await startPushService();
  try {
    const subscribed = await as('alice').post('/api/push/subscribe', {
      subscription: {
        endpoint: `${pushService.url}/send/${crypto.randomBytes(6).toString('hex')}`,
        expirationTime: null,
        keys: {
          p256dh: ecdh.getPublicKey().toString('base64url'),
          auth: crypto.randomBytes(16).toString('base64url'),
        },
      },
    });
    expect(subscribed.status).toBe(200);
    await release();
    for (const s of STAFF) await pullAll(as(s.key));
    // The daily notice: Alice (e-mail notices on, one device subscribed) gets it by mail and by push.
    const notice = await new HttpClient(url).post('/api/test/notice');
    expect(notice.status).toBe(200);
    expect(notice.body.mailed).toBe(1);
    expect(pushService.received()).toBe(1);

    // 3. Changes to released posts, a report, a flagged comment.
    await send('bob', {
      id: uuid(),
      kind: 'comment.edit',
      conversationId,
      commentId: bobComment,
      body: said('A kettle and a fridge in there would help too.'),
    });
    await send('carol', { id: uuid(), kind: 'comment.withdraw', conversationId, commentId: carolComment });
    await send('carol', {
      id: uuid(),
      kind: 'report.create',
      conversationId,
      itemKind: 'comment',
      itemId: bobComment,
      guideline: 'off-topic',
    });
    await post('dave', comment(bobIdea, 'Dr Smith asked for the same on the day unit.'));
    await send('carol', vote(aliceIdea, 'like'), vote(bobIdea, 'dislike'));
    await release();
  } finally {
    await pushService.close();
  }

  // 4. After the last release: one post left waiting, a vote changed, everyone pulls.
  const lateIdea = await post(
    'bob',
    idea(s1, 'Flu jabs at the night clinic', 'So night staff need not come in by day.'),
  );
  await send('carol', vote(bobIdea, 'like'));
  const pulled = Object.fromEntries(
    await Promise.all(STAFF.map(async (s) => [s.key, await pullAll(as(s.key))] as const)),
  ) as Record<Key, Awaited<ReturnType<typeof pullAll>>>;
  expect(pulled.alice.ownPosts.map((p) => p.contentId)).toContain(aliceIdea);
  expect(pulled.bob.ownPending.map((p) => p.id)).toEqual([lateIdea]);
  expect(pulled.alice.ownDrafts.map((d) => d.draftId)).toEqual([conflictDraftId(onOtherDevice.id)]);
  expect(pulled.carol.docs.some((d) => d.type === 'idea' && d.id === lateIdea)).toBe(false);

  return { people, posts, draftIds, texts, conversationId } satisfies Script;
}

// ---- the suites ------------------------------------------------------------------------------

const show = (findings: Finding[]) =>
  findings.map((f) => `${f.where}: ${[...f.derived, ...f.content].join('; ')}`);

for (const mode of MODES) {
  if (mode.unavailable) {
    describe(`anonymity at rest: ${mode.label}`, () => {
      console.info(`anonymity at rest: ${mode.label} skipped: ${mode.unavailable}`);
      it.skip(`skipped: ${mode.unavailable}`, () => undefined);
    });
    continue;
  }

  describe(`anonymity at rest: ${mode.label}`, () => {
    const vaultKeyHex = crypto.randomBytes(32).toString('hex');
    const env = { HUDDLE_SECRET: SECRET, HUDDLE_LINKING_KEY: vaultKeyHex };
    let dataDir: string;
    /** The attacker's copy of the data directory, taken before anything reopens the databases. */
    let snapshot: string;
    let backend: Backend;
    let script: Script;
    let dumps: DatabaseDump[];
    let people: Person[];
    let atoms: string[];
    let knowledge: ReturnType<typeof knowledgeFromSecret>;
    let content: ContentMarkers;
    const started = Date.now();

    beforeAll(async () => {
      dataDir = makeTempDir('huddle-at-rest-');
      snapshot = makeTempDir('huddle-at-rest-copy-');
      backend = await mode.start(dataDir);
      const ts = await startTestServer({ ...env, ...backend.env, RELEASE_INTERVAL_SECONDS: '3600' }, dataDir);
      try {
        script = await runConversation(ts.url, ts.server.storage, dataDir, env);
      } finally {
        await ts.close({ keepData: true });
      }
      // The vault key is gone from here on: the attacker has the data directory, every database,
      // HUDDLE_SECRET and the accounts list.
      fs.cpSync(dataDir, snapshot, { recursive: true });
      dumps = await backend.dump();
      people = dumps
        .filter((d) => d.db === 'accounts')
        .flatMap((d) => d.revisions)
        .flatMap((r) => (r.isLeaf && r.body?.['type'] === 'account' ? [r.body as unknown as AccountDoc] : []))
        .map((a) => ({ accountId: a.accountId, email: a.email, ...(a.name ? { name: a.name } : {}) }));
      atoms = atomsOf(dumps);
      knowledge = knowledgeFromSecret(SECRET, people, atoms);
      content = new ContentMarkers(
        new Set(script.posts.keys()),
        new Set(script.draftIds.keys()),
        script.texts,
      );
      const oldBodies = dumps
        .flatMap((d) => d.revisions)
        .filter((r) => !r.isLeaf && r.body && !r.isDeleted)
        .map((r) => `${r.db}/${String(r.body!['type'] ?? r.id.split(':')[0])}`);
      const counted = [...new Set(oldBodies)].map((k) => `${k}×${oldBodies.filter((o) => o === k).length}`);
      console.info(
        `anonymity at rest (${mode.label}): script and dump ${Math.round((Date.now() - started) / 1000)} s; ` +
          `${dumps.reduce((n, d) => n + d.revisions.length, 0)} stored revisions in ${dumps.length} databases; ` +
          `${knowledge.size} values derived from ${people.length} people over ${atoms.length} ids; ` +
          `older revisions whose body is still stored: ${counted.join(', ') || 'none'}`,
      );
    }, 300_000);

    afterAll(async () => {
      await backend?.close();
      for (const dir of [dataDir, snapshot]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
      console.info(
        `anonymity at rest (${mode.label}): ${Math.round((Date.now() - started) / 1000)} s in all`,
      );
    });

    it('the attacker model is the server’s own derivation, and the script left every kind of document at rest', () => {
      // The scanner's HMAC is the code's: same keys, same framing (checked against loadSecrets,
      // with a vault key the attacker made up).
      const fake = loadSecrets(loadConfig({ HUDDLE_SECRET: SECRET, HUDDLE_LINKING_KEY: 'f'.repeat(64) }));
      const someone = people[0]!;
      expect(attackerHmac(SECRET, 'owner', 'email', someone.email)).toBe(
        fake.hmac('owner', 'email', someone.email),
      );
      expect(attackerHmac(SECRET, 'owner', 'push', someone.accountId)).toBe(
        fake.hmac('owner', 'push', someone.accountId),
      );
      expect(people.map((p) => p.email).sort()).toEqual(STAFF.map((s) => s.email).sort());
      expect(people.every((p) => p.name)).toBe(true);

      const types = (db: string) =>
        new Set(
          dumps
            .filter((d) => d.db === db)
            .flatMap((d) => d.revisions)
            .map((r) => String(r.body?.['type'] ?? (r.isDeleted ? `deleted ${r.id.split(':')[0]}` : '?'))),
        );
      for (const t of [
        'receipt',
        'staged',
        'draft',
        'report',
        'answers',
        'settings',
        'flag',
        'release-checkpoint',
      ])
        expect(types('private'), `private holds ${t}`).toContain(t);
      for (const t of ['vault', 'own-log']) expect(types('vault'), `vault holds ${t}`).toContain(t);
      expect(types('votes')).toContain('vote');
      for (const t of ['idea', 'comment', 'tally']) expect(types('public'), `public holds ${t}`).toContain(t);
      for (const t of ['account', 'session', 'push-subscription'])
        expect(types('accounts'), `accounts holds ${t}`).toContain(t);
      const privateRevs = dumps.filter((d) => d.db === 'private').flatMap((d) => d.revisions);
      expect(privateRevs.some((r) => r.body?.['conflictOf'])).toBe(true);
      expect(privateRevs.some((r) => r.id.startsWith('draft:') && r.isDeleted)).toBe(true);
      // Every changes feed was read in full (style=all_docs), one row per document.
      for (const d of dumps) expect(new Set(d.feed.map((r) => r.id)).size).toBe(d.feed.length);
    });

    it('outside the accounts database, no stored revision holds anything derived from a person', () => {
      expect(show(scanForPeople(dumps, knowledge, content))).toEqual([]);
    });

    it('the accounts database holds no post, comment or draft, and no owner or voter tag', () => {
      expect(show(scanAccounts(dumps, knowledge, content))).toEqual([]);
    });

    it('no changes feed puts anything derived from a person next to someone’s words', () => {
      expect(show(scanFeeds(dumps, knowledge, content))).toEqual([]);
    });

    it('the data directory holds no person beside their words, and the vault key nowhere', () => {
      const { findings, files } = scanDataDir(snapshot, knowledge, content);
      expect(files).toBeGreaterThan(0);
      expect(show(findings)).toEqual([]);
      expect(fs.existsSync(path.join(snapshot, 'secrets.json'))).toBe(false);
      // The dev mailbox holds Alice's daily notice: a person, and (rightly) none of anyone's words.
      const mails = fs.readdirSync(path.join(snapshot, 'mailbox'));
      expect(
        mails.some((m) =>
          fs.readFileSync(path.join(snapshot, 'mailbox', m), 'utf8').includes(script.people.alice.email),
        ),
      ).toBe(true);
      const key = Buffer.from(vaultKeyHex, 'hex');
      expect(
        occurrences(dumps, snapshot, [
          vaultKeyHex,
          vaultKeyHex.toUpperCase(),
          key.toString('base64'),
          key.toString('base64url'),
        ]),
      ).toEqual([]);
    });

    it('with the vault key the links are there: the vault names each author, the own log opens, the linking keys find drafts, votes and answers', async () => {
      const storage = backend.open();
      const secrets = loadSecrets(loadConfig(env));
      try {
        for (const [contentId, key] of script.posts) {
          const author = await readAuthor({ storage, secrets }, contentId);
          expect(author?.accountId, `author of ${contentId}`).toBe(script.people[key].accountId);
        }
        const log = await readOwnLog(storage.db('vault'), secrets, script.people.alice.accountId, 0);
        const alicePosts = [...script.posts].filter(([, k]) => k === 'alice').map(([id]) => id);
        expect(log.events.flatMap((e) => (e.t === 'post' ? [e.contentId] : []))).toEqual(
          expect.arrayContaining(alicePosts),
        );
        expect(log.events.some((e) => e.t === 'draft')).toBe(true);
        // Without the key the same log is unreadable.
        const other = loadSecrets(loadConfig({ HUDDLE_SECRET: SECRET, HUDDLE_LINKING_KEY: 'f'.repeat(64) }));
        expect(
          (await readOwnLog(storage.db('vault'), other, script.people.alice.accountId, 0)).events,
        ).toEqual([]);
      } finally {
        await storage.close();
      }
      // The same scan, with the linking keys the vault key gives, finds each person's documents.
      const withKey = scanForPeople(dumps, knowledgeWithVaultKey(vaultKeyHex, people, atoms), content);
      const found = (purpose: string, key: Key) =>
        withKey.some((f) =>
          f.derived.some((d) => d.startsWith(`link '${purpose}'`) && d.endsWith(script.people[key].email)),
        );
      expect(found('draft', 'alice')).toBe(true);
      expect(found('draft', 'carol')).toBe(true);
      expect(found('receipt', 'alice')).toBe(true); // draft.save receipts: the mutation id is the draft's version
      // Votes hold no pseudonym at rest; with the key, a person's vote ids can be computed again.
      const voteIds = new Set(dumps.find((d) => d.db === 'votes')!.revisions.map((r) => r.id));
      const carolVoter = voterFor(secrets, script.conversationId, script.people.carol.accountId);
      expect([...script.posts.keys()].some((id) => voteIds.has(voteDocId(secrets, carolVoter, id)))).toBe(
        true,
      );
      expect(found('answers', 'bob')).toBe(true);
      expect(found('settings', 'alice')).toBe(true);
      expect(found('report', 'dave')).toBe(true);
      expect(found('own-log', 'bob')).toBe(true);
    });

    it('the scan reports documents shaped like the old owner and voter tags (it would catch such a regression)', async () => {
      const alice = script.people.alice;
      const [aliceIdea] = [...script.posts].find(([, k]) => k === 'alice')!;
      const planted = {
        staged: {
          _id: `staged:${crypto.randomBytes(16).toString('base64url')}`,
          type: 'staged',
          owner: attackerHmac(SECRET, 'owner', alice.accountId),
          doc: { id: aliceIdea, title: 'planted' },
        },
        vote: {
          _id: `vote:${attackerHmac(SECRET, 'voter', script.conversationId, alice.accountId)}:${aliceIdea}`,
          type: 'vote',
          value: 'like',
        },
        session: { _id: `session:planted`, type: 'session', lastContent: aliceIdea },
      };
      await backend.plant('private', planted.staged);
      await backend.plant('votes', planted.vote);
      await backend.plant('accounts', planted.session);
      const again = await backend.dump();
      const k = knowledgeFromSecret(SECRET, people, atomsOf(again));
      const inPrivate = scanForPeople(again, k, content).find((f) =>
        f.where.startsWith(`private/${planted.staged._id}`),
      );
      expect(inPrivate?.derived).toContain(`HMAC(HUDDLE_SECRET) 'owner' [account] of ${alice.email}`);
      expect(inPrivate?.content).toContain(`content id ${aliceIdea}`);
      const inVotes = scanForPeople(again, k, content).find((f) =>
        f.where.startsWith(`votes/${planted.vote._id}`),
      );
      expect(inVotes?.derived.some((d) => d.startsWith(`HMAC(HUDDLE_SECRET) 'voter' [`))).toBe(true);
      expect(scanFeeds(again, k, content).some((f) => f.where.includes(planted.staged._id))).toBe(true);
      expect(scanAccounts(again, k, content).map((f) => f.where)).toEqual([
        expect.stringContaining(`accounts/${planted.session._id}`),
      ]);
      // The raw file scan sees it too: in the embedded store's LevelDB files, and in any other file.
      if (fs.existsSync(path.join(dataDir, 'db'))) {
        const raw = scanDataDir(dataDir, k, content).findings.map((f) => f.where);
        expect(raw.some((w) => w.startsWith(path.join('db', 'private')))).toBe(true);
        expect(raw.some((w) => w.startsWith(path.join('db', 'votes')))).toBe(true);
      }
      fs.writeFileSync(path.join(snapshot, 'planted.eml'), `To: ${alice.email}\n\n${script.texts[0]}\n`);
      expect(scanDataDir(snapshot, k, content).findings.map((f) => f.where)).toContain('planted.eml');
    });
  });
}
