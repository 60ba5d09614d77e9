/**
 * Anonymity: "no one within the Trust will be able to identify you".
 * (a) Leak scan: after a scripted session through the real auth and sync routes,
 *     no public document, no API response a participant or sponsor can fetch, no
 *     e-mail to anyone but the person concerned and no log line contains an account
 *     id, an e-mail address, a name or an IP.
 * (b) Authorship swap: the same script run twice with the authors permuted gives the
 *     same public database and the same responses to other people.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/src/protocol.js';
import type { AccountDoc } from '../../shared/src/documents.js';
import { PouchStorage } from '../../sync-server/src/storage/pouch-adapter.js';
import type { DbName, Storage, StoredDoc } from '../../sync-server/src/storage/port.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { seedConversation, type SeededConversation } from '../support/seed.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { HttpClient, makeTempDir, startTestServer } from '../support/test-server.js';

const STAFF = [
  { name: 'Gemma Whitfield', email: 'gemma.whitfield@trust.example' },
  { name: 'Siobhan Byrne', email: 'siobhan.byrne@trust.example' },
  { name: 'Rajesh Patel', email: 'rajesh.patel@trust.example' },
  { name: 'Tomasz Nowak', email: 'tomasz.nowak@trust.example' },
];

async function dumpDb(storage: Storage, name: DbName): Promise<StoredDoc[]> {
  const rows = await storage.db(name).list({ includeDocs: true });
  return rows.map((r) => r.doc!).filter((d) => !d._id.startsWith('_design/'));
}

function findLeaks(text: string, secrets: string[]): string[] {
  const lower = text.toLowerCase();
  const leaks = secrets.filter((s) => s.length >= 3 && lower.includes(s.toLowerCase()));
  if (/\b127\.0\.0\.1\b|::ffff:|::1\b/.test(text)) leaks.push('an IP address');
  return leaks;
}

async function loginThroughMail(url: string, sink: SmtpSink, email: string): Promise<HttpClient> {
  const client = new HttpClient(url);
  const mine = () => sink.messages.filter((m) => m.to.includes(email));
  const before = mine().length;
  const asked = await client.post('/api/auth/request-code', { email });
  expect(asked.status).toBe(202);
  const deadline = Date.now() + 10_000;
  while (mine().length <= before) {
    if (Date.now() > deadline) throw new Error(`no login mail for ${email}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const mail = mine().at(-1)!;
  const code = /\b(\d{8})\b/.exec(mail.text)?.[1];
  expect(code, 'login mail carries an 8-digit code').toBeTruthy();
  const verified = await client.post('/api/auth/verify', { email, code });
  expect(verified.status).toBe(200);
  return client;
}

const push = (client: HttpClient, mutations: unknown[]) =>
  client.post('/api/sync/push', { protocolVersion: PROTOCOL_VERSION, mutations });

describe('anonymity (a): nothing public, fetched, mailed or logged ties a contribution to a person', () => {
  let sink: SmtpSink;
  let child: ChildServer;
  let dataDir: string;
  let seeded: SeededConversation;
  let logs = '';
  const responses: Array<{ who: string; path: string; text: string }> = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    dataDir = makeTempDir('huddle-anon-');
    const env = { HUDDLE_DATA_DIR: dataDir, SMTP_URL: sink.url, LOG_LEVEL: 'debug' };
    const storage = new PouchStorage({ dataDir });
    await storage.init();
    seeded = await seedConversation(storage, { ideaTitles: ['Free parking for night staff'] });
    const admin = await createTestAccount(storage, dataDir, {
      email: 'it.admin@trust.example',
      roles: ['admin'],
      env,
    });
    await createTestAccount(storage, dataDir, {
      email: 'board.sponsor@trust.example',
      roles: ['sponsor'],
      env,
    });
    await storage.close();

    child = await startChildServer(env);
    const adminClient = HttpClient.as(child.url, admin);
    const csv = ['email,name', ...STAFF.map((s) => `${s.email},${s.name}`)].join('\n');
    const imported = await adminClient.post('/api/admin/invites', {
      csv,
      role: 'participant',
      sendEmails: true,
    });
    expect(imported.status).toBe(200);
    expect(imported.body.invited).toBe(STAFF.length);
    // Invitations go out in the background with codes of their own: let them all arrive
    // before asking for login codes, so the newest mail to each person is the login code.
    for (const s of STAFF) await sink.waitFor(s.email);

    const clients: HttpClient[] = [];
    for (const s of STAFF) clients.push(await loginThroughMail(child.url, sink, s.email));
    const [gemma, siobhan, rajesh, observer] = clients as [HttpClient, HttpClient, HttpClient, HttpClient];
    const sponsor = await loginThroughMail(child.url, sink, 'board.sponsor@trust.example');
    const conversationId = seeded.conversation.id;
    const streamId = seeded.streams[0]!.id;
    const uuid = () => crypto.randomUUID();

    const posted = await push(gemma, [
      {
        id: uuid(),
        kind: 'idea.create',
        conversationId,
        streamId,
        title: 'Rota published six weeks ahead',
        body: 'Please.',
      },
    ]);
    expect(posted.body.results[0].status).toBe('applied');
    const ideaId = posted.body.results[0].contentId as string;
    for (const [client, value] of [
      [siobhan, 'like'],
      [rajesh, 'dislike'],
      [observer, 'like'],
    ] as const) {
      const voted = await push(client, [
        { id: uuid(), kind: 'vote.set', conversationId, itemKind: 'idea', itemId: ideaId, value },
        {
          id: uuid(),
          kind: 'vote.set',
          conversationId,
          itemKind: 'idea',
          itemId: seeded.ideas[0]!.id,
          value,
        },
      ]);
      expect(voted.body.results.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied']);
    }
    const commented = await push(siobhan, [
      { id: uuid(), kind: 'comment.create', conversationId, ideaId, body: 'Yes, and swaps agreed online.' },
    ]);
    expect(commented.body.results[0].status).toBe('applied');

    for (const [who, client] of [
      ['observer', observer],
      ['sponsor', sponsor],
      ['author', gemma],
    ] as const) {
      for (const path of ['/api/sync/pull', '/api/openapi.json', '/healthz']) {
        const res = await client.get(path);
        expect(res.status, `${who} ${path}`).toBe(200);
        responses.push({ who, path, text: res.text });
      }
    }
    const me = await observer.get('/api/me');
    responses.push({ who: 'observer', path: '/api/me', text: me.text });
    await child.stop();
    logs = child.output();
  }, 120_000);

  afterAll(async () => {
    await child?.stop();
    await sink?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function identifiers(): Promise<string[]> {
    const storage = new PouchStorage({ dataDir });
    try {
      const accounts = (await dumpDb(storage, 'accounts')).filter(
        (d) => d['type'] === 'account',
      ) as unknown as AccountDoc[];
      expect(accounts.length).toBe(STAFF.length + 2);
      return accounts.flatMap((a) => [
        a.accountId,
        a.email,
        ...(a.name ? [a.name, ...a.name.split(' ')] : []),
      ]);
    } finally {
      await storage.close();
    }
  }

  it('public documents, vote documents, receipts and the vault name no one', async () => {
    const ids = await identifiers();
    const storage = new PouchStorage({ dataDir });
    try {
      const publicDocs = await dumpDb(storage, 'public');
      expect(
        publicDocs.some((d) => d['type'] === 'idea' && d['title'] === 'Rota published six weeks ahead'),
      ).toBe(true);
      expect(publicDocs.some((d) => d['type'] === 'comment')).toBe(true);
      expect(findLeaks(JSON.stringify(publicDocs), ids)).toEqual([]);
      const votes = await dumpDb(storage, 'votes');
      expect(votes.length).toBeGreaterThanOrEqual(6);
      expect(findLeaks(JSON.stringify(votes), ids)).toEqual([]);
      const receipts = (await dumpDb(storage, 'private')).filter((d) => d['type'] === 'receipt');
      expect(receipts.length).toBeGreaterThan(0);
      expect(findLeaks(JSON.stringify(receipts), ids)).toEqual([]);
      expect(findLeaks(JSON.stringify(await dumpDb(storage, 'vault')), ids)).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  it('responses a participant or a sponsor can fetch name no one (but a person may see their own address)', async () => {
    const ids = await identifiers();
    expect(responses.length).toBe(10);
    for (const r of responses) {
      // /api/me tells a person their own address (which holds their own name): only that.
      const own = r.path === '/api/me' ? [STAFF[3]!.email, ...STAFF[3]!.name.split(' ')] : [];
      expect(
        findLeaks(
          r.text,
          ids.filter((id) => !own.includes(id)),
        ),
        `${r.who} ${r.path}`,
      ).toEqual([]);
    }
  });

  it('each e-mail mentions only the person it is sent to, and never quotes a post', () => {
    expect(sink.messages.length).toBeGreaterThanOrEqual(STAFF.length * 2);
    for (const mail of sink.messages) {
      const recipient = mail.to[0]!;
      const others = STAFF.filter((s) => s.email !== recipient).flatMap((s) => [s.email, s.name]);
      expect(findLeaks(mail.text + mail.html + mail.subject, others), `mail to ${recipient}`).toEqual([]);
      expect(mail.text).not.toContain('Rota published');
    }
  });

  it('log lines carry no account id, e-mail address, name or IP', async () => {
    const ids = await identifiers();
    expect(logs.split('\n').length).toBeGreaterThan(10);
    const leaking = logs.split('\n').filter((line) => findLeaks(line, ids).length > 0);
    expect(leaking).toEqual([]);
    expect(logs).not.toMatch(/[a-z0-9.]+@trust\.example/i);
  });
});

describe('anonymity (b): swapping who wrote what changes nothing anyone else can see', () => {
  const FIXED = {
    conversation: 'swap-conversation-00001',
    streams: ['swap-stream-000000001', 'swap-stream-000000002'],
  };
  const secretEnv = {
    HUDDLE_SECRET: 'swap-test-secret-swap-test-secret-0123456789',
    HUDDLE_LINKING_KEY: 'a'.repeat(64),
  };
  const conversationId = FIXED.conversation;
  const mid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

  async function runScript(order: [number, number, number]) {
    const dataDir = makeTempDir('huddle-swap-');
    const server = await startTestServer({ ...secretEnv }, dataDir);
    try {
      await seedConversation(server.server.storage, { ids: FIXED, streamTitles: ['Food', 'Facilities'] });
      const people: TestAccount[] = [];
      for (let i = 0; i < 3; i++)
        people.push(await createTestAccount(server.server.storage, dataDir, { env: secretEnv }));
      const observer = await createTestAccount(server.server.storage, dataDir, { env: secretEnv });
      const clients = people.map((p) => HttpClient.as(server.url, p));
      const as = (role: number) => clients[order[role]!]!;
      const authorResponses: unknown[] = [];
      const send = async (role: number, mutation: Record<string, unknown>) => {
        const res = await push(as(role), [mutation]);
        authorResponses.push(res.body);
        return res.body.results[0].contentId as string | undefined;
      };
      const ideas = [
        await send(0, {
          id: mid(1),
          kind: 'idea.create',
          conversationId,
          streamId: FIXED.streams[0],
          title: 'Hot food after 8pm',
          body: 'Canteen shuts at 8.',
        }),
        await send(1, {
          id: mid(2),
          kind: 'idea.create',
          conversationId,
          streamId: FIXED.streams[1],
          title: 'Lockers for bank staff',
          body: '',
        }),
        await send(2, {
          id: mid(3),
          kind: 'idea.create',
          conversationId,
          streamId: FIXED.streams[0],
          title: 'Protected time for training',
          body: '',
        }),
      ];
      await send(1, {
        id: mid(10),
        kind: 'vote.set',
        conversationId,
        itemKind: 'idea',
        itemId: ideas[0],
        value: 'like',
      });
      await send(2, {
        id: mid(11),
        kind: 'vote.set',
        conversationId,
        itemKind: 'idea',
        itemId: ideas[0],
        value: 'dislike',
      });
      await send(0, {
        id: mid(12),
        kind: 'vote.set',
        conversationId,
        itemKind: 'idea',
        itemId: ideas[1],
        value: 'like',
      });
      await send(0, {
        id: mid(13),
        kind: 'comment.create',
        conversationId,
        ideaId: ideas[2],
        body: 'Agreed, and cover it.',
      });
      const observerPull = await HttpClient.as(server.url, observer).get('/api/sync/pull');
      expect(observerPull.status).toBe(200);
      const publicDocs = await dumpDb(server.server.storage, 'public');
      return { observerPull: observerPull.body, publicDocs, authorResponses };
    } finally {
      await server.close();
    }
  }

  /**
   * Removes what is random by design: revisions, cursors, the coarse hour, and content
   * ids (replaced by a label made from the content itself, so that "the same idea" in
   * both runs compares equal whatever id it was given).
   */
  function normaliser(publicDocs: StoredDoc[]) {
    const labels = new Map<string, string>();
    for (const d of publicDocs) {
      if (d['type'] === 'idea') labels.set(d['id'] as string, `IDEA<${d['title']}>`);
      if (d['type'] === 'comment') labels.set(d['id'] as string, `COMMENT<${d['body']}>`);
    }
    return (value: unknown): unknown => {
      let json = JSON.stringify(value, (key, v) => {
        if (key === '_rev' || key === 'cursor') return undefined;
        if (key === 'createdHour') return 'HOUR';
        return v;
      });
      for (const [id, label] of labels) json = json.split(id).join(label);
      const parsed = JSON.parse(json);
      const sortDocs = (docs: Array<{ _id: string }>) => [...docs].sort((a, b) => (a._id < b._id ? -1 : 1));
      if (Array.isArray(parsed) && parsed.every((d) => typeof d?._id === 'string')) return sortDocs(parsed);
      if (parsed && Array.isArray(parsed.docs)) parsed.docs = sortDocs(parsed.docs);
      return parsed;
    };
  }

  it('gives the same public database and the same responses with the authors permuted', async () => {
    const first = await runScript([0, 1, 2]);
    const second = await runScript([2, 0, 1]);
    expect(first.publicDocs.filter((d) => d['type'] === 'idea').length).toBe(3);
    expect(first.publicDocs.filter((d) => d['type'] === 'comment').length).toBe(1);
    expect(first.publicDocs.filter((d) => d['type'] === 'tally').length).toBe(2);
    const [n1, n2] = [normaliser(first.publicDocs), normaliser(second.publicDocs)];
    expect(n2(second.publicDocs)).toEqual(n1(first.publicDocs));
    expect(n2(second.observerPull)).toEqual(n1(first.observerPull));
    expect(n2(second.authorResponses)).toEqual(n1(first.authorResponses));
    // The labels really replaced every id (nothing random left to compare).
    expect(JSON.stringify(n1(first.publicDocs))).toContain('IDEA<Hot food after 8pm>');
  });
});
