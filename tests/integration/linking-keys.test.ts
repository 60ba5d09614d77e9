/**
 * Linking keys (issue 7): with the data directory, HUDDLE_SECRET and every account id and e-mail but
 * not the linking key, nothing links a person to a post, comment, vote, draft, report, answers,
 * settings, push subscription or own-log slot; files are 0600 in 0700 folders; production refuses
 * keys inside the data directory and never generates keys; a secrets.json left in the data directory
 * stops the start until moved; close-out destroys the key, and no later start makes a new one.
 *
 * The single-machine default is run for real: the server entry point (main.ts) as a child process
 * under umask 022 on `<root>/data`, generating its keys into `<root>/keys`; the operator commands
 * through cli.ts. The attacker then reads every stored revision and the data directory (see
 * tests/support/at-rest-scan.ts for what they compute from each person with HUDDLE_SECRET), plus
 * every HMAC under HUDDLE_SECRET of every public id (to find the vault entry of a post). The same
 * scan with the linking key links every contribution (so it can fail), and documents planted as a
 * regression would write them (a vault id and a voter derived from HUDDLE_SECRET) are caught.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import PouchDB from 'pouchdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { voteDocSchema, type AccountDoc, type ConversationDoc } from '../../shared/src/documents.js';
import { docId } from '../../shared/src/ids.js';
import type { MutationInput } from '../../shared/src/mutations.js';
import { PouchStorage } from '../../sync-server/src/storage/pouch-adapter.js';
import { secretsFrom, keyIdOf, LINK_PURPOSES } from '../../sync-server/src/secrets.js';
import { vaultDocId, voteDocId } from '../../sync-server/src/sync/keys.js';
import { openValue } from '../../sync-server/src/sync/seal.js';
import { openAuthor, readAuthor } from '../../sync-server/src/sync/vault.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { dumpEmbeddedStore, filesUnder, type DatabaseDump } from '../support/at-rest-dump.js';
import {
  ContentMarkers,
  Knowledge,
  atomsOf,
  attackerHmac,
  knowledgeFromSecret,
  knowledgeWithVaultKey,
  scanAccounts,
  scanDataDir,
  scanFeeds,
  scanForPeople,
  type Finding,
  type Person,
} from '../support/at-rest-scan.js';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { seedConversation } from '../support/seed.js';
import { HttpClient, makeTempDir, startTestServer } from '../support/test-server.js';
import { push } from './sync-fixtures.js';

const uuid = () => crypto.randomUUID();
const show = (findings: Finding[]) =>
  findings.map((f) => `${f.where}: ${[...f.derived, ...f.content].join('; ')}`);

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.resolve('sync-server/src/cli.ts'), ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env } },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

/** Starts main.ts expecting it to refuse: answers what it said. */
async function refusal(env: Record<string, string>): Promise<string> {
  const started = await startChildServer(env).then(
    async (child) => {
      await child.stop();
      return undefined;
    },
    (err: Error) => err.message,
  );
  expect(started, 'the server should have refused to start').toBeDefined();
  return started!;
}

/** Every file and folder under `dir` (itself included) whose mode gives group or others anything. */
function openModes(dir: string): string[] {
  const found: string[] = [];
  const visit = (p: string) => {
    const stat = fs.lstatSync(p);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0)
      found.push(`${path.relative(dir, p) || '.'} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  visit(dir);
  return found;
}

/** Makes everything under `dir` as an older Huddle under umask 022 left it: 0755 folders, 0644 files. */
function widen(dir: string): void {
  const visit = (p: string) => {
    const stat = fs.statSync(p);
    fs.chmodSync(p, stat.isDirectory() ? 0o755 : 0o644);
    if (stat.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  visit(dir);
}

async function startPushService() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(201).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const STAFF = ['amara.okonkwo', 'bartholomew.quist', 'cordelia.vasquez', 'dariusz.lewandowski'];
const QUESTIONNAIRE: NonNullable<ConversationDoc['questionnaire']> = [
  {
    id: 'site',
    label: 'Site',
    options: [
      { id: 'north', label: 'North' },
      { id: 'south', label: 'South' },
    ],
  },
];

interface Run {
  root: string;
  dataDir: string;
  keysDir: string;
  env: Record<string, string>;
  people: Array<TestAccount>;
  posts: Map<string, string>;
  votes: Array<{ accountId: string; itemId: string }>;
  draftIds: Map<string, string>;
  texts: string[];
  conversationId: string;
  strayFile: string;
  /** Everything the server process wrote (its request log included). */
  logs: string;
}

/** A small conversation through the real server (main.ts, umask 022) on `<root>/data`, keys generated. */
async function runConversation(): Promise<Run> {
  const root = makeTempDir('huddle-linking-');
  const dataDir = path.join(root, 'data');
  const keysDir = path.join(root, 'keys');
  const env = { HUDDLE_DATA_DIR: dataDir, DIGEST_INTERVAL_MINUTES: '0', RELEASE_INTERVAL_SECONDS: '3600' };
  const storage = new PouchStorage({ dataDir });
  await storage.init();
  const seeded = await seedConversation(storage, { ideaTitles: ['Seeded idea for the night shift'] });
  const publicDb = storage.db('public');
  const conversation = (await publicDb.get<ConversationDoc>(docId.conversation(seeded.conversation.id)))!;
  await publicDb.put({ ...conversation, questionnaire: QUESTIONNAIRE });
  const people: TestAccount[] = [];
  for (const name of STAFF)
    people.push(await createTestAccount(storage, dataDir, { email: `${name}@trust.example`, env }));
  await storage.close();
  // As an older Huddle under umask 022 would have left them; plus a stray readable file.
  const strayFile = path.join(dataDir, 'notes-from-an-older-run.txt');
  fs.writeFileSync(strayFile, 'left by hand\n');
  widen(root);

  const conversationId = seeded.conversation.id;
  const streamId = seeded.streams[0]!.id;
  const posts = new Map<string, string>();
  const votes: Run['votes'] = [];
  const draftIds = new Map<string, string>();
  const texts: string[] = [];
  const child: ChildServer = await startChildServer(env, undefined, { umask: '022' });
  const pushService = await startPushService();
  try {
    const as = (i: number) => HttpClient.as(child.url, people[i]!);
    const send = async (i: number, ...mutations: MutationInput[]) => {
      const { results } = await push(as(i), mutations);
      for (const [n, r] of results.entries())
        expect(r.status, `${mutations[n]!.kind}: ${JSON.stringify(r)}`).toBe('applied');
      return results.map((r) => (r.status === 'applied' ? r.contentId : undefined));
    };
    const said = (t: string) => (texts.push(t), t);
    const ideas: string[] = [];
    for (const [i] of people.entries()) {
      const [id] = await send(i, {
        id: uuid(),
        kind: 'idea.create',
        conversationId,
        streamId,
        title: said(`Idea number ${i} about rest breaks`),
        body: said(`Details of idea ${i}: a quiet room near ward ${i + 3}.`),
      });
      posts.set(id!, people[i]!.accountId);
      ideas.push(id!);
    }
    expect((await new HttpClient(child.url).post('/api/test/release')).status).toBe(200);
    for (const [i] of people.entries()) {
      const target = ideas[(i + 1) % ideas.length]!;
      const [comment] = await send(i, {
        id: uuid(),
        kind: 'comment.create',
        conversationId,
        ideaId: target,
        body: said(`Comment ${i}: yes, and weekends too.`),
      });
      posts.set(comment!, people[i]!.accountId);
      await send(
        i,
        { id: uuid(), kind: 'vote.set', conversationId, itemKind: 'idea', itemId: target, value: 'like' },
        {
          id: uuid(),
          kind: 'vote.set',
          conversationId,
          itemKind: 'idea',
          itemId: seeded.ideas[0]!.id,
          value: i % 2 ? 'like' : 'dislike',
        },
        {
          id: uuid(),
          kind: 'questionnaire.submit',
          conversationId,
          answers: { site: i % 2 ? 'north' : 'south' },
        },
        { id: uuid(), kind: 'notifications.set', commentDigest: true },
      );
      votes.push({ accountId: people[i]!.accountId, itemId: target });
      votes.push({ accountId: people[i]!.accountId, itemId: seeded.ideas[0]!.id });
      const draftId = uuid();
      draftIds.set(draftId, people[i]!.accountId);
      await send(i, {
        id: uuid(),
        kind: 'draft.save',
        draftId,
        draftKind: 'idea',
        conversationId,
        streamId,
        title: said(`Draft ${i} not sent yet`),
        body: said(`Draft body ${i}: lockers for bank staff.`),
      });
      await send(i, {
        id: uuid(),
        kind: 'report.create',
        conversationId,
        itemKind: 'idea',
        itemId: ideas[(i + 2) % ideas.length]!,
        guideline: 'other',
      });
      const ecdh = crypto.createECDH('prime256v1');
      ecdh.generateKeys();
      const subscribed = await as(i).post('/api/push/subscribe', {
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
    }
    expect((await new HttpClient(child.url).post('/api/test/release')).status).toBe(200);
  } finally {
    await pushService.close();
    await child.stop();
  }
  const logs = child.output();
  return {
    root,
    dataDir,
    keysDir,
    env,
    people,
    posts,
    votes,
    draftIds,
    texts,
    conversationId,
    strayFile,
    logs,
  };
}

/** Every value derivable from each public id with HUDDLE_SECRET: what would find a post's vault entry. */
function publicIdKnowledge(secret: string, contentIds: string[]): Knowledge {
  const k = new Knowledge();
  const purposes = ['owner', 'session', 'roster', 'login-code', ...LINK_PURPOSES, 'vault'];
  for (const c of contentIds) {
    const d = (what: string) => ({ what, person: `post ${c}`, isIdentity: false });
    k.addToken(c, d('the public id'));
    for (const p of purposes) {
      k.addToken(attackerHmac(secret, p, c), d(`HMAC(HUDDLE_SECRET) '${p}' [content id]`));
      k.addToken(attackerHmac(secret, p, 'vault', c), d(`HMAC(HUDDLE_SECRET) '${p}' ['vault', content id]`));
    }
    k.addToken(crypto.createHash('sha256').update(c).digest('base64url'), d('SHA-256(content id)'));
  }
  return k;
}

/** Vault database revisions holding something derived from a public id. */
function scanVaultForPublicIds(dumps: DatabaseDump[], k: Knowledge): string[] {
  return dumps
    .filter((d) => d.db === 'vault')
    .flatMap((d) => d.revisions)
    .flatMap((r) => {
      const found = k.find(`${r.id} ${JSON.stringify(r.body ?? {})}`);
      return found.length > 0 ? [`${r.id}: ${found.map((f) => `${f.what} of ${f.person}`).join('; ')}`] : [];
    });
}

describe('linking keys on a single machine (real server, keys generated beside the data)', () => {
  let run: Run;
  let dumps: DatabaseDump[];
  let people: Person[];
  let secret: string;
  let linkingKey: string;
  let content: ContentMarkers;

  beforeAll(async () => {
    run = await runConversation();
    dumps = await dumpEmbeddedStore(run.dataDir);
    people = dumps
      .filter((d) => d.db === 'accounts')
      .flatMap((d) => d.revisions)
      .flatMap((r) => (r.isLeaf && r.body?.['type'] === 'account' ? [r.body as unknown as AccountDoc] : []))
      .map((a) => ({ accountId: a.accountId, email: a.email }));
    secret = fs.readFileSync(path.join(run.keysDir, 'huddle-secret'), 'utf8').trim();
    linkingKey = fs.readFileSync(path.join(run.keysDir, 'linking-key'), 'utf8').trim();
    content = new ContentMarkers(new Set(run.posts.keys()), new Set(run.draftIds.keys()), run.texts);
  }, 180_000);

  afterAll(() => {
    if (run) fs.rmSync(run.root, { recursive: true, force: true });
  });

  it('keeps both keys in their own 0700 folder beside the data, files 0600, and nothing of them in the data', () => {
    expect(fs.readdirSync(run.keysDir).sort()).toEqual(['huddle-secret', 'linking-key']);
    expect(fs.statSync(run.keysDir).mode & 0o777).toBe(0o700);
    for (const f of fs.readdirSync(run.keysDir))
      expect(fs.statSync(path.join(run.keysDir, f)).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(run.dataDir, 'secrets.json'))).toBe(false);
    const raw = Buffer.from(linkingKey, 'hex');
    const spellings = [
      linkingKey,
      linkingKey.toUpperCase(),
      raw.toString('base64'),
      raw.toString('base64url'),
    ];
    const holding = filesUnder(run.dataDir).filter(({ file }) => {
      const bytes = fs.readFileSync(file);
      return spellings.some((s) => bytes.includes(s)) || bytes.includes(raw);
    });
    expect(holding.map((h) => h.rel)).toEqual([]);
  });

  it('leaves no file or folder under the data or keys directory readable by group or others (server under umask 022)', () => {
    expect(filesUnder(run.dataDir).length).toBeGreaterThan(10);
    expect(
      fs.existsSync(path.join(run.dataDir, 'mailbox')) || fs.existsSync(path.join(run.dataDir, 'db')),
    ).toBe(true);
    expect(openModes(run.dataDir)).toEqual([]);
    expect(openModes(run.keysDir)).toEqual([]);
    // The stray file from "an older run" was widened before the start: the start tightened it.
    expect(fs.statSync(run.strayFile).mode & 0o777).toBe(0o600);
  });

  it('without the linking key, nothing stored is derived from a person, and no vault entry from its post', () => {
    const atoms = atomsOf(dumps);
    const knowledge = knowledgeFromSecret(secret, people, atoms);
    expect(knowledge.size).toBeGreaterThan(10_000);
    expect(show(scanForPeople(dumps, knowledge, content))).toEqual([]);
    expect(show(scanAccounts(dumps, knowledge, content))).toEqual([]);
    expect(show(scanFeeds(dumps, knowledge, content))).toEqual([]);
    expect(show(scanDataDir(run.dataDir, knowledge, content).findings)).toEqual([]);
    expect(scanVaultForPublicIds(dumps, publicIdKnowledge(secret, [...run.posts.keys()]))).toEqual([]);
    // Nor the server's own output (request lines and all): not even an account id or an e-mail.
    expect(run.logs.split('\n').length).toBeGreaterThan(20);
    expect(knowledge.find(run.logs).map((d) => `${d.what} of ${d.person}`)).toEqual([]);
  });

  it('with the linking key, every post, vote, draft, report, answers, settings, push subscription and own log links', () => {
    const secrets = secretsFrom(secret, linkingKey, {
      secret: 'keys directory',
      linkingKey: 'keys directory',
    });
    const vault = dumps.find((d) => d.db === 'vault')!;
    const leaf = (id: string) => vault.revisions.find((r) => r.id === id && r.isLeaf && !r.isDeleted)?.body;
    // Posts: the vault entry of each public id, opened, names its author.
    for (const [contentId, accountId] of run.posts) {
      const entry = leaf(`vault:${secrets.link('vault-entry', contentId)}`);
      expect(openAuthor({ secrets }, entry, contentId)?.accountId, `author of ${contentId}`).toBe(accountId);
    }
    // Votes: each voter pseudonym is the person's.
    const voteIds = new Set(dumps.find((d) => d.db === 'votes')!.revisions.map((r) => r.id));
    for (const v of run.votes)
      expect(
        voteIds.has(
          `vote:${secrets.link('vote', secrets.link('voter', run.conversationId, v.accountId), v.itemId)}`,
        ),
      ).toBe(true);
    // Everything else through the scan with the linking keys.
    const withKey = knowledgeWithVaultKey(linkingKey, people, atomsOf(dumps));
    const findings = [...scanForPeople(dumps, withKey, content), ...scanAccounts(dumps, withKey, content)];
    for (const purpose of [
      'draft',
      'report',
      'answers',
      'settings',
      'own-log',
      'receipt',
      'push-subscription',
    ])
      for (const p of people)
        expect(
          findings.some((f) =>
            f.derived.some((d) => d.startsWith(`link '${purpose}'`) && d.endsWith(p.email)),
          ),
          `${purpose} of ${p.email}`,
        ).toBe(true);
  });

  it('catches a regression: a vault id or a voter derived from HUDDLE_SECRET is found', async () => {
    const copy = makeTempDir('huddle-linking-regression-');
    try {
      fs.cpSync(run.dataDir, copy, { recursive: true });
      // What a vaultDocId or voterFor written with Secrets.hmac instead of Secrets.link would store.
      const regressedVaultDocId = (contentId: string) =>
        `vault:${attackerHmac(secret, 'vault-entry', contentId)}`;
      const regressedVoter = (accountId: string) =>
        attackerHmac(secret, 'voter', run.conversationId, accountId);
      const [contentId] = [...run.posts.keys()];
      const alice = run.people[0]!;
      for (const [db, doc] of [
        [
          'vault',
          {
            _id: regressedVaultDocId(contentId!),
            type: 'vault',
            keyId: 'x',
            iv: '',
            tag: '',
            ciphertext: '',
          },
        ],
        [
          'votes',
          { _id: `vote:${regressedVoter(alice.accountId)}:${contentId}`, type: 'vote', value: 'like' },
        ],
      ] as const) {
        const pouch = new PouchDB(path.join(copy, 'db', db));
        await pouch.put(doc);
        await pouch.close();
      }
      const planted = await dumpEmbeddedStore(copy);
      const knowledge = knowledgeFromSecret(secret, people, atomsOf(planted));
      expect(scanVaultForPublicIds(planted, publicIdKnowledge(secret, [...run.posts.keys()]))).toEqual([
        expect.stringContaining(`HMAC(HUDDLE_SECRET) 'vault-entry' [content id] of post ${contentId}`),
      ]);
      const inVotes = scanForPeople(planted, knowledge, content).filter((f) => f.where.startsWith('votes/'));
      expect(inVotes.map((f) => f.derived.join())).toEqual([
        expect.stringContaining(`HMAC(HUDDLE_SECRET) 'voter'`),
      ]);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('refuses to start with another linking key, or without it, instead of stranding the vault', async () => {
    const other = await refusal({ ...run.env, HUDDLE_LINKING_KEY: 'e'.repeat(64) });
    expect(other).toContain('is not the one these databases were written with');
    const hidden = `${run.keysDir}.away`;
    fs.renameSync(path.join(run.keysDir, 'linking-key'), hidden);
    try {
      const missing = await refusal(run.env);
      expect(missing).toContain('Huddle does not generate a new linking key for these databases');
      expect(fs.existsSync(path.join(run.keysDir, 'linking-key'))).toBe(false);
    } finally {
      fs.renameSync(hidden, path.join(run.keysDir, 'linking-key'));
    }
  });

  it('close-out destroys the linking key and no later start makes a new one; nothing links after it', async () => {
    const asked = await cli(['close-out'], run.env);
    expect(asked.code).toBe(1);
    expect(asked.out).toContain('--yes');
    expect(fs.existsSync(path.join(run.keysDir, 'linking-key'))).toBe(true);

    const done = await cli(['close-out', '--yes'], run.env);
    expect(done.out).toContain('Destroyed the linking key');
    expect(done.code).toBe(0);
    expect(fs.readdirSync(run.keysDir)).toEqual(['huddle-secret']);

    const after = await refusal(run.env);
    expect(after).toContain('was closed out on');
    expect(fs.existsSync(path.join(run.keysDir, 'linking-key'))).toBe(false);
    // Not even with the old key put back into the configuration.
    expect(await refusal({ ...run.env, HUDDLE_LINKING_KEY: linkingKey })).toContain('was closed out on');

    // Everything left (data directory, keys directory, HUDDLE_SECRET) links nothing.
    const left = await dumpEmbeddedStore(run.dataDir);
    const record = left
      .find((d) => d.db === 'vault')!
      .revisions.find((r) => r.id === 'linking-key' && r.isLeaf);
    expect(record?.body).toMatchObject({ keyId: keyIdOf(linkingKey), closedOutAt: expect.any(String) });
    const knowledge = knowledgeFromSecret(secret, people, atomsOf(left));
    expect(show(scanForPeople(left, knowledge, content))).toEqual([]);
    expect(show(scanAccounts(left, knowledge, content))).toEqual([]);
    const keysLeft = filesUnder(run.keysDir).map(({ file }) => fs.readFileSync(file, 'utf8'));
    expect(keysLeft.some((k) => k.includes(linkingKey))).toBe(false);
  });
});

describe('keys placement: production, an old secrets.json, a key from the environment', () => {
  const roots: string[] = [];
  const fresh = () => {
    const root = makeTempDir('huddle-keys-');
    roots.push(root);
    return { root, dataDir: path.join(root, 'data'), keysDir: path.join(root, 'keys') };
  };
  afterAll(() => {
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });

  it('production refuses keys inside the data directory, and never generates keys', async () => {
    const { dataDir, keysDir } = fresh();
    const inside = await refusal({
      NODE_ENV: 'production',
      HUDDLE_DATA_DIR: dataDir,
      HUDDLE_KEYS_DIR: path.join(dataDir, 'keys'),
    });
    expect(inside).toContain('is inside the data directory');
    expect(inside).toContain('NODE_ENV=production refuses this');
    const generate = await refusal({ NODE_ENV: 'production', HUDDLE_DATA_DIR: dataDir });
    expect(generate).toContain('production never generates keys');
    expect(fs.existsSync(keysDir)).toBe(false);
    // Keys made once by the operator: production starts with them.
    const made = await cli(['generate-keys'], { HUDDLE_DATA_DIR: dataDir });
    expect(made.code).toBe(0);
    expect(openModes(keysDir)).toEqual([]);
    const child = await startChildServer({ NODE_ENV: 'production', HUDDLE_DATA_DIR: dataDir });
    await child.stop();
    expect(fs.readdirSync(keysDir).sort()).toEqual(['huddle-secret', 'linking-key']);
  });

  it('a secrets.json in the data directory stops the start until move-keys moves it out', async () => {
    const { dataDir, keysDir } = fresh();
    fs.mkdirSync(dataDir, { recursive: true });
    const old = {
      secret: crypto.randomBytes(32).toString('base64url'),
      vaultKey: crypto.randomBytes(32).toString('hex'),
    };
    fs.writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify(old), { mode: 0o600 });
    const refused = await refusal({ HUDDLE_DATA_DIR: dataDir });
    expect(refused).toContain('npm run huddle -- move-keys');
    expect(fs.existsSync(keysDir)).toBe(false);
    const moved = await cli(['move-keys'], { HUDDLE_DATA_DIR: dataDir });
    expect(moved.code).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'secrets.json'))).toBe(false);
    expect(fs.readFileSync(path.join(keysDir, 'linking-key'), 'utf8').trim()).toBe(old.vaultKey);
    expect(fs.readFileSync(path.join(keysDir, 'huddle-secret'), 'utf8').trim()).toBe(old.secret);
    expect(openModes(keysDir)).toEqual([]);
    const child = await startChildServer({ HUDDLE_DATA_DIR: dataDir });
    await child.stop();
  });

  it('HUDDLE_VAULT_KEY still works with a warning; close-out with a key from the environment says to remove it', async () => {
    const { dataDir, keysDir } = fresh();
    const key = crypto.randomBytes(32).toString('hex');
    const env = {
      HUDDLE_DATA_DIR: dataDir,
      HUDDLE_SECRET: crypto.randomBytes(32).toString('base64url'),
      HUDDLE_VAULT_KEY: key,
    };
    const child = await startChildServer(env);
    await child.stop();
    expect(child.output()).toContain('HUDDLE_VAULT_KEY is deprecated');
    expect(fs.existsSync(keysDir)).toBe(false);
    const done = await cli(['close-out', '--yes'], env);
    expect(done.code).toBe(0);
    expect(done.out).toContain('Remove it now from the configuration and from every copy');
    const { HUDDLE_VAULT_KEY: _old, ...renamed } = env;
    expect(await refusal({ ...renamed, HUDDLE_LINKING_KEY: key })).toContain('was closed out on');
  });
});

describe('a store written before linking-key ids', () => {
  it('moves old vault entries and push subscriptions to their linking-key ids at start: authors keep their posts, devices their notices', async () => {
    const env = {
      HUDDLE_SECRET: crypto.randomBytes(32).toString('base64url'),
      HUDDLE_LINKING_KEY: crypto.randomBytes(32).toString('hex'),
    };
    const secrets = secretsFrom(env.HUDDLE_SECRET, env.HUDDLE_LINKING_KEY, {
      secret: 'configuration',
      linkingKey: 'configuration',
    });
    let ts = await startTestServer(env);
    const dataDir = ts.dataDir;
    try {
      const seeded = await seedConversation(ts.server.storage);
      const author = await createTestAccount(ts.server.storage, dataDir, { env });
      const [result] = (
        await push(HttpClient.as(ts.url, author), [
          {
            id: uuid(),
            kind: 'idea.create',
            conversationId: seeded.conversation.id,
            streamId: seeded.streams[0]!.id,
            title: 'Written before the upgrade',
            body: '',
          },
        ])
      ).results;
      const contentId = (result as { contentId: string }).contentId;
      // Rewrite them as the older Huddle stored them.
      const vault = ts.server.storage.db('vault');
      const entry = (await vault.get(vaultDocId(secrets, contentId)))!;
      const { _rev, ...sealed } = entry;
      await vault.put({ ...sealed, _id: `vault:${contentId}` });
      await vault.remove(entry._id, _rev);
      const oldSub = `push-sub:${secrets.hmac('owner', 'push', author.accountId)}:${'e'.repeat(22)}`;
      const subscription = {
        endpoint: 'http://127.0.0.1:9/send/old',
        expirationTime: null,
        keys: { p256dh: 'p', auth: 'a' },
      };
      await ts.server.storage.db('accounts').put({
        _id: oldSub,
        type: 'push-subscription',
        schemaVersion: 1,
        subscription,
        createdAt: new Date().toISOString(),
      });
      // A vote as stored before its voter was sealed: the pseudonym in the id and in clear.
      const oldVoter = secrets.link('voter', seeded.conversation.id, author.accountId);
      await ts.server.storage.db('votes').put({
        _id: `vote:${oldVoter}:${contentId}`,
        type: 'vote',
        schemaVersion: 1,
        voter: oldVoter,
        conversationId: seeded.conversation.id,
        itemId: contentId,
        itemKind: 'idea',
        value: 'like',
      });
      await ts.close({ keepData: true });

      ts = await startTestServer(env, dataDir);
      const storage = ts.server.storage;
      expect(await storage.db('vault').get(`vault:${contentId}`)).toBeUndefined();
      // The vote moved: no pseudonym at rest any more, the same vote (the server opens its seal).
      expect(await storage.db('votes').get(`vote:${oldVoter}:${contentId}`)).toBeUndefined();
      const vote = voteDocSchema.parse(
        await storage.db('votes').get(voteDocId(secrets, oldVoter, contentId)),
      );
      expect(vote.value).toBe('like');
      expect(JSON.stringify(vote)).not.toContain(oldVoter);
      expect(openValue(secrets, vote._id, vote.voterSeal)).toBe(oldVoter);
      expect(await readAuthor({ storage, secrets }, contentId)).toMatchObject({
        accountId: author.accountId,
      });
      expect(await storage.db('accounts').get(oldSub)).toBeUndefined();
      const moved = await storage.db('accounts').list({
        prefix: `push-sub:${secrets.link('push-subscription', author.accountId)}:`,
        includeDocs: true,
      });
      expect(moved.map((r) => r.doc?.['subscription'])).toEqual([subscription]);
      // The author can still withdraw their post (the server finds them in the vault).
      const [withdrawn] = (
        await push(HttpClient.as(ts.url, author), [
          { id: uuid(), kind: 'idea.withdraw', conversationId: seeded.conversation.id, ideaId: contentId },
        ])
      ).results;
      expect(withdrawn?.status).toBe('applied');
    } finally {
      await ts.close();
    }
  });
});
