/**
 * Demo mode: demo accounts for every role log in with fixed codes, only while the server
 * runs in demo mode; the demo conversation is seeded once, valid and self-consistent.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { publicDocSchema, voteDocSchema, type PublicDoc, type TallyDoc } from '../../shared/src/documents.js';
import { DEMO_LOGINS } from '../../sync-server/src/demo/seed.js';
import type { Storage } from '../../sync-server/src/storage/port.js';
import { openValue } from '../../sync-server/src/sync/seal.js';
import { HttpClient, makeTempDir, startTestServer, type TestServer } from '../support/test-server.js';

const dataDir = makeTempDir();
let ts: TestServer | undefined;
afterAll(async () => {
  await ts?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function publicDocs(storage: Storage): Promise<PublicDoc[]> {
  const rows = await storage.db('public').list({ includeDocs: true });
  return rows.filter((r) => !r.id.startsWith('_design/')).map((r) => publicDocSchema.parse(r.doc));
}

async function restart(env: Record<string, string>) {
  await ts?.close({ keepData: true });
  ts = await startTestServer(env, dataDir);
  return ts;
}

describe('demo mode', () => {
  let firstSnapshot: string[] = [];

  it('every demo role logs in with its fixed code', async () => {
    const server = await restart({ HUDDLE_DEMO: '1' });
    expect(DEMO_LOGINS.map((l) => l.role).sort()).toEqual(['admin', 'moderator', 'participant', 'sponsor']);
    for (const login of DEMO_LOGINS) {
      const client = new HttpClient(server.url);
      const res = await client.post('/api/auth/verify', { email: login.email, code: login.code });
      expect(res.status, login.email).toBe(200);
      expect(res.body).toEqual({ email: login.email, roles: [login.role], isDemo: true });
      expect((await client.get('/api/me')).status).toBe(200);
    }
  });

  it('seeds one live conversation with streams, ideas, comments and tallies that match the votes', async () => {
    const storage = ts!.server.storage;
    const docs = await publicDocs(storage);
    const count = (type: PublicDoc['type']) => docs.filter((d) => d.type === type).length;
    expect(count('conversation')).toBe(1);
    const conversation = docs.find((d) => d.type === 'conversation')!;
    expect(conversation).toMatchObject({ title: 'Our hospital, our ideas', status: 'live' });
    expect(count('stream')).toBeGreaterThanOrEqual(4);
    expect(count('stream')).toBeLessThanOrEqual(5);
    expect(count('idea')).toBeGreaterThanOrEqual(20);
    expect(count('comment')).toBeGreaterThanOrEqual(30);
    for (const d of docs) if ('conversationId' in d) expect(d.conversationId).toBe(conversation.id);
    const now = Date.now();
    for (const d of docs) {
      if (d.type === 'idea' || d.type === 'comment') {
        expect(now - new Date(d.createdHour).getTime()).toBeLessThan(6 * 86_400_000);
        expect(new Date(d.createdHour).getTime()).toBeLessThanOrEqual(now);
      }
    }

    const votes = (await storage.db('votes').list({ prefix: 'vote:', includeDocs: true })).map((r) =>
      voteDocSchema.parse(r.doc),
    );
    // Voters are sealed at rest (a fresh IV per vote); the server's key opens them.
    const voters = votes.map((v) => openValue(ts!.server.secrets, v._id, v.voterSeal));
    expect(voters.every((v) => v !== undefined)).toBe(true);
    expect(new Set(voters).size).toBeGreaterThanOrEqual(50);
    expect(new Set(votes.map((v) => v.voterSeal.ciphertext)).size).toBe(votes.length);
    const tallies = docs.filter((d): d is TallyDoc => d.type === 'tally');
    expect(tallies).toHaveLength(count('idea') + count('comment'));
    const view = await storage.db('votes').query('tally/byItem', { group: true });
    const fromView = new Map(view.map((r) => [r.key as string, r.value as [number, number]]));
    for (const t of tallies) {
      const [likes, dislikes] = fromView.get(t.itemId) ?? [0, 0];
      expect({ likes: t.likes, dislikes: t.dislikes }).toEqual({ likes, dislikes });
    }
    expect(tallies.reduce((n, t) => n + t.likes + t.dislikes, 0)).toBe(votes.length);
    firstSnapshot = docs.map((d) => d._id).sort();
  });

  it('uses no staff names from the roster in the demo content', async () => {
    const roster = fs.readFileSync('tests/fixtures/staff-roster.dev.csv', 'utf8').split('\n').slice(1);
    const names = roster.flatMap((l) => (l.split(',')[0] ?? '').split(' ')).filter((n) => n.length > 2);
    const text = JSON.stringify(await publicDocs(ts!.server.storage));
    for (const name of names) expect(text).not.toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('starting again in demo mode does not seed twice', async () => {
    const server = await restart({ HUDDLE_DEMO: '1' });
    expect((await publicDocs(server.server.storage)).map((d) => d._id).sort()).toEqual(firstSnapshot);
  });

  it('outside demo mode the demo codes are refused and demo accounts get no code', async () => {
    const server = await restart({});
    for (const login of DEMO_LOGINS) {
      const res = await new HttpClient(server.url).post('/api/auth/verify', {
        email: login.email,
        code: login.code,
      });
      expect(res.status, login.email).toBe(400);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    const asked = await new HttpClient(server.url).post('/api/auth/request-code', {
      email: DEMO_LOGINS[0]!.email,
    });
    expect(asked.status).toBe(202);
    // The mail would go out after the answer: look once the server says it has done that work.
    expect((await new HttpClient(server.url).post('/api/test/login-mail-idle')).status).toBe(200);
    expect(fs.existsSync(`${dataDir}/mailbox`) ? fs.readdirSync(`${dataDir}/mailbox`) : []).toEqual([]);
  });
});
