/**
 * The attacker suite's world (issue 7): a real Huddle server process (sync-server/src/main.ts, its real
 * pino output captured), a real SMTP sink, 32 people from the staff roster fixture, and a scripted
 * conversation over simulated days and nights, played over HTTP as devices would. Everything the Trust
 * could hold is recorded on the way:
 *   - the proxy log: for every request a person's device makes, (account e-mail, time, method, path,
 *     request and response bytes), never bodies (TLS);
 *   - the mail log: who got mail from Huddle, when, how large;
 *   - the server's log output, as the process wrote it;
 *   - the public app, watched by an observer after every release: which public documents each batch
 *     changed, in the public changes feed's order, and each tally before and after;
 *   - at the end, a copy of the data directory (the server stopped), HUDDLE_SECRET and every
 *     database dumped with every stored revision and each changes feed (at-rest-dump.ts).
 * Beside that, the ground truth only the harness knows: who made each post, edit, withdrawal and vote,
 * and which batch published it.
 *
 * Time: the server's routes run on a simulated clock (clocked-server.ts: one hour per release interval,
 * three days from Monday 07:00), so posts carry the simulated hour and the daily notice goes once per
 * simulated day; it releases only when told (POST /api/test/release, the interval timer set far away),
 * once per simulated hour. The rhythm: busy days, quiet nights with a lone poster, the notice at 18:00.
 * Every recorded time (proxy, server log, mail, releases) is the real one, so they are on one timeline,
 * as they would be for the Trust; the simulated hour labels each entry.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROTOCOL_VERSION } from '../../../shared/src/protocol.js';
import { padPushBody } from '../../../shared/src/sync/padding.js';
import type { PublicDoc } from '../../../shared/src/documents.js';
import type { MutationInput } from '../../../shared/src/mutations.js';
import type { AccountDoc } from '../../../shared/src/documents.js';
import { PouchStorage } from '../../../sync-server/src/storage/pouch-adapter.js';
import { createTestAccount, type TestAccount } from '../accounts.js';
import { dumpEmbeddedStore, dumpPouchDirectory, type DatabaseDump, type FeedRow } from '../at-rest-dump.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../child-server.js';
import { seedConversation } from '../seed.js';
import { startSmtpSink, type SmtpSink } from '../smtp-sink.js';
import { HttpClient } from '../test-server.js';
import { waitUntil } from '../wait.js';
import type { PullResponse } from '../../../shared/src/api.js';

// ---- what is recorded ---------------------------------------------------------------------------

export interface ProxyEntry {
  email: string;
  /** Real ms when the request left the device, and when its answer was in. */
  start: number;
  end: number;
  sim: string;
  method: string;
  path: string;
  reqBytes: number;
  resBytes: number;
}

export interface MailEntry {
  to: string;
  /** Real ms when the sink had it. */
  at: number;
  bytes: number;
  subject: string;
}

export interface PublicChange {
  docId: string;
  type: 'idea' | 'comment' | 'tally';
  /** The post's id, or the tallied item's id. */
  itemId: string;
  isNew: boolean;
  /** Position in the public changes feed within the batch. */
  position: number;
  /** Ideas and comments: title + body as published (what a size-matching attacker compares). */
  text?: string;
  status?: string;
  tally?: { before: [number, number]; after: [number, number]; itemKind: 'idea' | 'comment' };
}

export interface Batch {
  index: number;
  /** Real ms when the release was asked for and when it answered. */
  start: number;
  end: number;
  sim: string;
  changes: PublicChange[];
}

/** Ground truth, known to the harness only. */
export interface Truth {
  /** content id -> author e-mail */
  postAuthor: Map<string, string>;
  postKind: Map<string, 'idea' | 'comment'>;
  /** One per (voter, item, batch) whose vote changed the tally that batch published. */
  votes: Array<{ voter: string; itemId: string; batch: number }>;
  /** Batch index -> the distinct people whose contributions it published. */
  batchContributors: Map<number, Set<string>>;
  /** Each batch's contributions: post creations, edits, withdrawals, votes. */
  batchContributions: Map<number, Array<{ who: string; what: string }>>;
  optedIn: Set<string>;
}

export interface Person extends TestAccount {
  name: string;
}

export interface AttackerHoldings {
  secret: string;
  /** The copy of the data directory, taken with the server stopped. */
  dataCopy: string;
  /**
   * Nightly backups of the private database taken while batches wait (each night hour someone pushed,
   * after their push, before that hour's release): its changes feed, and when it was taken.
   */
  backups: Array<{ sim: string; at: number; privateFeed: FeedRow[] }>;
  dumps: DatabaseDump[];
  serverLog: string;
  proxy: ProxyEntry[];
  mail: MailEntry[];
  batches: Batch[];
  /** The invite list: every address and name (account ids too, from the accounts database). */
  people: Array<{ email: string; name: string; accountId: string }>;
  conversationId: string;
}

export interface World {
  holdings: AttackerHoldings;
  truth: Truth;
  /** Where the server keeps what it generated beside the data: keys directory (once it exists). */
  keysDir: string;
  dataDir: string;
  /** The environment the server ran with. */
  env: Record<string, string>;
  stats: Record<string, number>;
  cleanup(): void;
}

// ---- the script ------------------------------------------------------------------------------------

export const SECRET = 'attacker-suite-secret-attacker-suite-secret-0123';
export const PEOPLE = 32;
export const DAYS = 3;
/** Release intervals per simulated day: 1 hour each from 07:00; the last ones are the night. */
export const TICKS_PER_DAY = 24;
const DAY_TICKS = 16; // 07:00-23:00
const NOTICE_TICK = 11; // 18:00: the daily notice run

/** Monday 7 December 2026, 07:00 in London (GMT): the first simulated hour. */
const SIM_START = Date.UTC(2026, 11, 7, 7);

interface ClockedServer {
  url: string;
  output(): string;
  /** Sets the server's clock (its routes' `now`) to `at`, from now on running at real speed. */
  setTime(at: number): Promise<void>;
  stop(): Promise<void>;
}

/** tests/support/attacker/clocked-server.ts as a child process, its output captured. */
async function startClockedServer(env: Record<string, string>): Promise<ClockedServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve('tests/support/attacker/clocked-server.ts')],
    {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '/tmp',
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_URL: `http://localhost:${port}`,
        HUDDLE_TEST_HOOKS: '1',
        PWA_DIST_DIR: '/nonexistent',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`the server exited during start-up:\n${out}`);
      return fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    'the attacker suite’s server to answer /healthz',
    { timeoutMs: 60_000 },
  );
  let nextId = 0;
  return {
    url,
    output: () => out,
    setTime(at) {
      const id = nextId++;
      return new Promise<void>((resolve) => {
        const onMessage = (m: { type?: string; id?: number }) => {
          if (m.type !== 'time-set' || m.id !== id) return;
          child.off('message', onMessage);
          resolve();
        };
        child.on('message', onMessage);
        child.send({ type: 'set-time', at, id });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** mulberry32: the script is the same on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'rota break room canteen parking locker night shift handover ward kettle fridge water bus rest ' +
  'staff training rota pager bleep porter theatre laundry uniform badge lift stairs clinic bank ' +
  'overtime payroll heating window chair sofa quiet noise lights patients visitors car share cycle'
).split(' ');

function sentence(rand: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]!);
  const s = out.join(' ');
  return s[0]!.toUpperCase() + s.slice(1) + '.';
}

function readRoster(): Array<{ name: string; email: string }> {
  const csv = fs.readFileSync(path.resolve('tests/fixtures/staff-roster.dev.csv'), 'utf8');
  return csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [name, email] = line.split(',');
      return { name: name!, email: email!.toLowerCase() };
    });
}

/** A device: a session, and the proxy sees every request it makes. */
class Device {
  private readonly client: HttpClient;
  cursor: string | undefined;
  queue: MutationInput[] = [];
  constructor(
    readonly person: Person,
    url: string,
    private readonly proxy: ProxyEntry[],
    private readonly clock: () => string,
  ) {
    this.client = HttpClient.as(url, person);
  }

  private async request(method: string, pathname: string, body?: unknown) {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const start = Date.now();
    const res = await this.client.request(method, pathname, body === undefined ? undefined : payload);
    this.proxy.push({
      email: this.person.email,
      start,
      end: Date.now(),
      sim: this.clock(),
      method,
      path: pathname.split('?')[0]!,
      reqBytes: Buffer.byteLength(payload) + Buffer.byteLength(pathname),
      resBytes: Buffer.byteLength(res.text),
    });
    return res;
  }

  /** Sends the queue in one push (as an outbox does when it comes online); answers the results. */
  async flush() {
    if (this.queue.length === 0) return [];
    const mutations = this.queue;
    this.queue = [];
    // Padded to its size bucket with the PWA's own function (pwa/src/data/api-client.ts): the proxy log
    // records what a real device's push weighs on the wire.
    const res = await this.request(
      'POST',
      '/api/sync/push',
      padPushBody({
        protocolVersion: PROTOCOL_VERSION,
        mutations,
        cursor: this.cursor,
        person: this.person.email,
      }),
    );
    if (res.status !== 200) throw new Error(`push answered ${res.status}: ${res.text}`);
    return (
      res.body as { results: Array<{ status: string; contentId?: string; reason?: unknown }> }
    ).results.map((r, i) => ({ mutation: mutations[i]!, ...r }));
  }

  async pull() {
    for (;;) {
      const params = new URLSearchParams({ protocol: String(PROTOCOL_VERSION) });
      if (this.cursor) params.set('cursor', this.cursor);
      const res = await this.request('GET', `/api/sync/pull?${params}`);
      if (res.status !== 200) throw new Error(`pull answered ${res.status}: ${res.text}`);
      const page = res.body as PullResponse;
      this.cursor = page.cursor;
      if (!page.hasMore) return;
    }
  }
}

/** The public app watched after every release (not a person: not in the proxy log). */
class Observer {
  private cursor: string | undefined;
  readonly known = new Map<string, PublicDoc>();
  constructor(private readonly client: HttpClient) {}

  async changes(): Promise<PublicChange[]> {
    const out: PublicChange[] = [];
    for (;;) {
      const params = new URLSearchParams({ protocol: String(PROTOCOL_VERSION) });
      if (this.cursor) params.set('cursor', this.cursor);
      const res = await this.client.get(`/api/sync/pull?${params}`);
      if (res.status !== 200) throw new Error(`observer pull answered ${res.status}: ${res.text}`);
      const page = res.body as PullResponse;
      for (const doc of page.docs) {
        const before = this.known.get(doc._id);
        this.known.set(doc._id, doc);
        if (doc.type === 'idea' || doc.type === 'comment') {
          const text = doc.type === 'idea' ? `${doc.title}${doc.body}` : doc.body;
          if (before && JSON.stringify({ ...before, _rev: 0 }) === JSON.stringify({ ...doc, _rev: 0 }))
            continue;
          out.push({
            docId: doc._id,
            type: doc.type,
            itemId: doc.id,
            isNew: !before,
            position: out.length,
            text,
            status: doc.status,
          });
        } else if (doc.type === 'tally') {
          const prev =
            before?.type === 'tally' ? ([before.likes, before.dislikes] as [number, number]) : [0, 0];
          const after: [number, number] = [doc.likes, doc.dislikes];
          if (prev[0] === after[0] && prev[1] === after[1]) continue;
          out.push({
            docId: doc._id,
            type: 'tally',
            itemId: doc.itemId,
            isNew: !before,
            position: out.length,
            tally: { before: prev as [number, number], after, itemKind: doc.itemKind },
          });
        }
      }
      this.cursor = page.cursor;
      if (!page.hasMore) return out;
    }
  }
}

export interface WorldOptions {
  /** Extra server environment (e.g. a linking key passed in). */
  env?: Record<string, string>;
  seed?: number;
}

export async function runWorld(options: WorldOptions = {}): Promise<World> {
  const rand = prng(options.seed ?? 7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'huddle-attacker-'));
  const dataDir = path.join(root, 'data');
  // Where a single machine keeps generated keys apart from the data (the `keys` work): never copied.
  const keysDir = path.join(root, 'keys');
  const dataCopy = path.join(root, 'trust-copy-of-data');
  fs.mkdirSync(dataDir, { recursive: true });
  const env: Record<string, string> = {
    HUDDLE_DATA_DIR: dataDir,
    HUDDLE_KEYS_DIR: keysDir,
    HUDDLE_SECRET: SECRET,
    ...options.env,
  };

  // People and the conversation, written before the server starts (LevelDB allows one process).
  const roster = readRoster().slice(0, PEOPLE);
  const storage = new PouchStorage({ dataDir });
  await storage.init();
  const people: Person[] = [];
  let conversationId: string;
  let streams: string[];
  let observerAccount: TestAccount;
  try {
    const seeded = await seedConversation(storage, { streamTitles: ['Breaks and rest', 'Getting to work'] });
    conversationId = seeded.conversation.id;
    // The conversation as an admin makes it: no k of its own, so the default applies (the test
    // fixture sets k = 1 for tests that release one person's post).
    const { releaseMinContributors: _fixtureK, ...conversation } =
      seeded.conversation as typeof seeded.conversation & {
        releaseMinContributors?: number;
      };
    const stored = await storage.db('public').get(conversation._id);
    await storage.db('public').put({ ...conversation, _rev: stored!['_rev'] as string });
    streams = seeded.streams.map((s) => s.id);
    const accounts = storage.db('accounts');
    for (const r of roster) {
      const account = await createTestAccount(storage, dataDir, { email: r.email, env });
      const [row] = (await accounts.list({ prefix: 'account:', includeDocs: true })).filter(
        (x) => x.doc?.['accountId'] === account.accountId,
      );
      await accounts.put({ ...(row!.doc as AccountDoc), name: r.name });
      people.push({ ...account, name: r.name });
    }
    observerAccount = await createTestAccount(storage, dataDir, {
      email: 'dashboard@trust.example',
      roles: ['sponsor'],
      env,
    });
  } finally {
    await storage.close();
  }

  const sink: SmtpSink = await startSmtpSink();
  let server: ClockedServer | undefined;
  const proxy: ProxyEntry[] = [];
  const mail: MailEntry[] = [];
  const batches: Batch[] = [];
  const backupDirs: Array<{ sim: string; at: number; dir: string }> = [];
  const stats: Record<string, number> = {};
  const count = (k: string, n = 1) => (stats[k] = (stats[k] ?? 0) + n);
  let tick = 0;
  const simNow = () => {
    const day = Math.floor(tick / TICKS_PER_DAY);
    const hour = (7 + (tick % TICKS_PER_DAY)) % 24;
    return `day ${day + 1} ${String(hour).padStart(2, '0')}:00`;
  };
  const truth: Truth = {
    postAuthor: new Map(),
    postKind: new Map(),
    votes: [],
    batchContributors: new Map(),
    batchContributions: new Map(),
    optedIn: new Set(),
  };

  try {
    server = await startClockedServer({
      ...env,
      SMTP_URL: sink.url,
      LOG_LEVEL: 'info',
      RELEASE_INTERVAL_SECONDS: '86400',
      DIGEST_INTERVAL_MINUTES: '0',
      NOTICE_TIME: '18:00',
      NOTICE_TIME_ZONE: 'Europe/London',
    });
    const url = server.url;
    const devices = people.map((p) => new Device(p, url, proxy, simNow));
    const observer = new Observer(HttpClient.as(url, observerAccount));

    // What the script knows of the public state (what a person sees) and what is still unreleased.
    const visibleIdeas: string[] = [];
    const visibleComments: string[] = [];
    const withdrawn = new Set<string>();
    const createdOrder = new Map<string, number>();
    const ownReleased = new Map<string, string[]>(); // email -> own released content ids
    /** Mutations pushed and not yet seen published: content id -> who and what. */
    const unpublished = new Map<string, Array<{ who: string; what: string }>>();
    /** (voter|item) -> the value as last published, and now. */
    const voteState = new Map<string, { published: string; now: string; itemId: string; voter: string }>();

    const mutation = (fields: Record<string, unknown>) =>
      ({ id: crypto.randomUUID(), conversationId, ...fields }) as unknown as MutationInput;

    const act = (d: Device) => {
      const email = d.person.email;
      const r = rand();
      const mine = (ownReleased.get(email) ?? []).filter((id) => !withdrawn.has(id));
      if (r < 0.16 || visibleIdeas.filter((id) => !withdrawn.has(id)).length === 0) {
        d.queue.push(
          mutation({
            kind: 'idea.create',
            streamId: pick(streams),
            title: sentence(rand, 2 + Math.floor(rand() * 6)),
            body: sentence(rand, 4 + Math.floor(rand() * 40)),
          }),
        );
      } else if (r < 0.38) {
        d.queue.push(
          mutation({
            kind: 'comment.create',
            ideaId: pick(visibleIdeas.filter((id) => !withdrawn.has(id))),
            body: sentence(rand, 3 + Math.floor(rand() * 30)),
          }),
        );
      } else if (r < 0.86) {
        const votable = [...visibleIdeas, ...visibleComments].filter((id) => !withdrawn.has(id));
        const itemId = pick(votable);
        const itemKind = visibleIdeas.includes(itemId) ? 'idea' : 'comment';
        const key = `${email}|${itemId}`;
        const current = voteState.get(key)?.now ?? 'none';
        const value =
          current === 'none' ? (rand() < 0.7 ? 'like' : 'dislike') : pick(['none', 'like', 'dislike']);
        d.queue.push(mutation({ kind: 'vote.set', itemKind, itemId, value }));
      } else if (r < 0.92 && mine.length > 0) {
        const id = pick(mine);
        d.queue.push(
          visibleIdeas.includes(id)
            ? mutation({
                kind: 'idea.edit',
                ideaId: id,
                title: sentence(rand, 3),
                body: sentence(rand, 5 + Math.floor(rand() * 30)),
              })
            : mutation({
                kind: 'comment.edit',
                commentId: id,
                body: sentence(rand, 4 + Math.floor(rand() * 20)),
              }),
        );
      } else if (r < 0.94 && mine.length > 1) {
        const id = pick(mine);
        d.queue.push(
          visibleIdeas.includes(id)
            ? mutation({ kind: 'idea.withdraw', ideaId: id })
            : mutation({ kind: 'comment.withdraw', commentId: id }),
        );
      } else {
        d.queue.push({
          id: crypto.randomUUID(),
          kind: 'draft.save',
          draftId: crypto.randomUUID(),
          draftKind: 'idea',
          conversationId,
          streamId: pick(streams),
          title: sentence(rand, 3),
          body: sentence(rand, 8),
        } as unknown as MutationInput);
      }
    };

    const send = async (d: Device) => {
      const email = d.person.email;
      for (const r of await d.flush()) {
        const m = r.mutation as unknown as Record<string, string>;
        if (r.status !== 'applied') {
          count(`refused ${m['kind']}`);
          continue;
        }
        count(`push ${m['kind']}`);
        const note = (id: string, what: string) =>
          unpublished.set(id, [...(unpublished.get(id) ?? []), { who: email, what }]);
        switch (m['kind']) {
          case 'idea.create':
          case 'comment.create':
            truth.postAuthor.set(r.contentId!, email);
            createdOrder.set(r.contentId!, createdOrder.size);
            truth.postKind.set(r.contentId!, m['kind'] === 'idea.create' ? 'idea' : 'comment');
            note(r.contentId!, m['kind']);
            break;
          case 'idea.edit':
          case 'idea.withdraw':
            note(m['ideaId']!, m['kind']);
            if (m['kind'] === 'idea.withdraw') withdrawn.add(m['ideaId']!);
            break;
          case 'comment.edit':
          case 'comment.withdraw':
            note(m['commentId']!, m['kind']);
            if (m['kind'] === 'comment.withdraw') withdrawn.add(m['commentId']!);
            break;
          case 'vote.set': {
            const key = `${email}|${m['itemId']}`;
            const s = voteState.get(key) ?? {
              published: 'none',
              now: 'none',
              itemId: m['itemId']!,
              voter: email,
            };
            s.now = m['value']!;
            voteState.set(key, s);
            break;
          }
        }
      }
      // The app pulls after sending when the live channel says so; not every time here.
      if (rand() < 0.5) await d.pull();
    };

    const release = async () => {
      const start = Date.now();
      const res = await new HttpClient(url).post('/api/test/release');
      if (res.status !== 200) throw new Error(`release answered ${res.status}: ${res.text}`);
      const end = Date.now();
      const changes = await observer.changes();
      if (changes.length === 0) return;
      const index = batches.length;
      batches.push({ index, start, end, sim: simNow(), changes });
      const contributions: Array<{ who: string; what: string }> = [];
      for (const c of changes) {
        if (c.type === 'tally') {
          for (const s of voteState.values()) {
            if (s.itemId !== c.itemId || s.published === s.now) continue;
            contributions.push({ who: s.voter, what: `vote ${s.published}->${s.now} on ${c.itemId}` });
            truth.votes.push({ voter: s.voter, itemId: c.itemId, batch: index });
            s.published = s.now;
          }
          continue;
        }
        contributions.push(
          ...(unpublished.get(c.itemId) ?? []).map((x) => ({ ...x, what: `${x.what} ${c.itemId}` })),
        );
        unpublished.delete(c.itemId);
        if (c.isNew) {
          // In push order, not the (shuffled) published order: the script must not depend on the shuffle.
          const list = c.type === 'idea' ? visibleIdeas : visibleComments;
          list.push(c.itemId);
          list.sort((a, b) => (createdOrder.get(a) ?? 0) - (createdOrder.get(b) ?? 0));
          const author = truth.postAuthor.get(c.itemId);
          if (author)
            ownReleased.set(
              author,
              [...(ownReleased.get(author) ?? []), c.itemId].sort(
                (a, b) => (createdOrder.get(a) ?? 0) - (createdOrder.get(b) ?? 0),
              ),
            );
        }
      }
      truth.batchContributions.set(index, contributions);
      truth.batchContributors.set(index, new Set(contributions.map((c) => c.who)));
    };

    const notices = async () => {
      const before = sink.messages.length;
      // The daily notice's hook (branch mail); before it, the comment digest's.
      let res = await new HttpClient(url).post('/api/test/notice');
      if (res.status === 404) res = await new HttpClient(url).post('/api/test/digest');
      if (res.status !== 200) throw new Error(`notice run answered ${res.status}: ${res.text}`);
      const expected = Number(res.body?.mailed ?? res.body?.sent ?? 0);
      await waitUntil(() => sink.messages.length >= before + expected, `${expected} notice e-mails`);
      const at = Date.now();
      for (const m of sink.messages.slice(before))
        for (const to of m.to) mail.push({ to, at, bytes: Buffer.byteLength(m.raw), subject: m.subject });
      count('notice runs');
      if (sink.messages.length > before) count('notice runs that mailed');
    };

    // Day 1, first hour: about a third turn the e-mail notices on (one push each).
    for (const d of devices) {
      if (rand() < 0.35) {
        d.queue.push({
          id: crypto.randomUUID(),
          kind: 'notifications.set',
          commentDigest: true,
        } as unknown as MutationInput);
        truth.optedIn.add(d.person.email);
        await send(d);
      }
    }

    for (tick = 0; tick < DAYS * TICKS_PER_DAY; tick++) {
      await server.setTime(SIM_START + tick * 3_600_000);
      const hourOfDay = tick % TICKS_PER_DAY;
      const isNight = hourOfDay >= DAY_TICKS;
      let active: Device[];
      if (isNight) {
        // A quiet night: most hours nobody, sometimes one nurse on a break.
        active = rand() < 0.5 ? [pick(devices)] : [];
      } else {
        const n = 3 + Math.floor(rand() * 4);
        active = [...devices].sort(() => rand() - 0.5).slice(0, n);
      }
      for (const d of active) {
        const actions = isNight ? 1 : 1 + Math.floor(rand() * 2);
        for (let i = 0; i < actions; i++) act(d);
        // Mostly online: each change goes at once. Sometimes the phone is offline: it all goes later.
        if (!isNight && rand() < 0.15) {
          count('offline queues');
          continue;
        }
        await send(d);
      }
      // Offline queues come back within the next couple of hours.
      for (const d of devices) if (d.queue.length > 0 && !active.includes(d) && rand() < 0.6) await send(d);
      // The Trust's nightly backup runs while the night's few contributions wait for k people. The
      // server is idle between requests, so a copy of its files is what a backup tool would take.
      if (isNight && active.length > 0) {
        const dir = path.join(root, `backup-${tick}`);
        fs.cpSync(path.join(dataDir, 'db', 'private'), dir, { recursive: true });
        backupDirs.push({ sim: simNow(), at: Date.now(), dir });
      }
      await release();
      if (hourOfDay === NOTICE_TICK) await notices();
    }
    for (const d of devices) if (d.queue.length > 0) await send(d);
    await release();
    stats['batches'] = batches.length;
    stats['people'] = people.length;
    stats['requests seen by the proxy'] = proxy.length;
    stats['e-mails'] = mail.length;
    stats['posts'] = truth.postAuthor.size;
    stats['votes published'] = truth.votes.length;
  } finally {
    await server?.stop();
    await sink.close();
  }

  fs.cpSync(dataDir, dataCopy, { recursive: true });
  const dumps = await dumpEmbeddedStore(dataCopy);
  const backups = [];
  for (const b of backupDirs)
    backups.push({ sim: b.sim, at: b.at, privateFeed: (await dumpPouchDirectory('private', b.dir)).feed });
  return {
    holdings: {
      secret: SECRET,
      dataCopy,
      backups,
      dumps,
      serverLog: server.output(),
      proxy,
      mail,
      batches,
      people: people.map((p) => ({ email: p.email, name: p.name, accountId: p.accountId })),
      conversationId,
    },
    truth,
    keysDir,
    dataDir,
    env,
    stats,
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** Loads a data directory's databases read-only for the positive control (server code, given the key). */
export function openCopy(dataCopy: string): PouchStorage {
  return new PouchStorage({ dataDir: dataCopy });
}
