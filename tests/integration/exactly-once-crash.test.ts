/**
 * Exactly once across crashes: the real server runs as a child process with a fault hook
 * that SIGKILLs it right after the N-th database write of a push, for every kind of
 * mutation and every N up to the writes that kind makes. A clean restart then receives the
 * same batch again; every database must hold exactly one effect per mutation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationResult, PushResponse } from '../../shared/src/api.js';
import type { MutationInput } from '../../shared/src/mutations.js';
import { PROTOCOL_VERSION } from '../../shared/src/protocol.js';
import type { TallyDoc } from '../../shared/src/documents.js';
import { loadConfig } from '../../sync-server/src/config.js';
import { loadSecrets } from '../../sync-server/src/secrets.js';
import { PouchStorage } from '../../sync-server/src/storage/pouch-adapter.js';
import { readAuthor, writeVaultEntry } from '../../sync-server/src/sync/vault.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { makeTempDir } from '../support/test-server.js';
import {
  commentCreate,
  ideaCreate,
  seedConversation,
  seedIdea,
  voteSet,
  type Seeded,
} from './sync-fixtures.js';

const REPO = path.resolve(import.meta.dirname, '../..');
/** Database writes each kind makes while applying (vault, staged, owner index, receipt / vote, receipt). */
const WRITES = {
  'idea.create': 4,
  'comment.create': 4,
  'vote.set': 2,
  // staged change, receipt / draft, receipt
  'idea.edit': 2,
  'draft.save': 2,
} as const;
type Kind = keyof typeof WRITES;

interface Scenario {
  kind: Kind;
  killAfter: number;
  mutation: MutationInput;
  /** True when killAfter is one past the writes the kind makes: the push must survive. */
  survives: boolean;
}

let dataDir: string;
let account: TestAccount;
const scenarios: Scenario[] = [];
const votedItems: string[] = [];
const editedIdeas: string[] = [];
const editOf = (s: Seeded, ideaId: string, title: string): MutationInput => ({
  id: crypto.randomUUID(),
  kind: 'idea.edit',
  conversationId: s.conversationId,
  ideaId,
  title,
  body: 'edited body',
});
const draftOf = (s: Seeded, body: string): MutationInput => ({
  id: crypto.randomUUID(),
  kind: 'draft.save',
  draftId: crypto.randomUUID(),
  draftKind: 'idea',
  conversationId: s.conversationId,
  body,
});
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dataDir = makeTempDir('huddle-crash-');
  // Seed with the storage opened here, and close it before any child opens it (LevelDB lock).
  const storage = new PouchStorage({ dataDir });
  await storage.init();
  const seeded = await seedConversation(storage);
  const parentIdea = await seedIdea(storage, seeded);
  account = await createTestAccount(storage, dataDir);
  const secrets = loadSecrets(loadConfig({ HUDDLE_DATA_DIR: dataDir }));
  for (const kind of Object.keys(WRITES) as Kind[]) {
    for (let killAfter = 1; killAfter <= WRITES[kind] + 1; killAfter++) {
      let mutation: MutationInput;
      if (kind === 'idea.create') mutation = ideaCreate(seeded, `Crash idea ${killAfter}`);
      else if (kind === 'comment.create')
        mutation = commentCreate(seeded, parentIdea, `Crash comment ${killAfter}`);
      else if (kind === 'idea.edit') {
        // An idea of this account (vault entry written as idea.create would) to edit.
        const ideaId = await seedIdea(storage, seeded);
        await writeVaultEntry({ storage, secrets }, account.accountId, 'idea', ideaId);
        editedIdeas.push(ideaId);
        mutation = editOf(seeded, ideaId, `Edited after crash ${killAfter}`);
      } else if (kind === 'draft.save') {
        mutation = draftOf(seeded, `Draft ${killAfter}`);
      } else {
        const itemId = await seedIdea(storage, seeded);
        votedItems.push(itemId);
        mutation = voteSet(seeded, itemId, 'like');
      }
      scenarios.push({ kind, killAfter, mutation, survives: killAfter > WRITES[kind] });
    }
  }
  await storage.close();
});

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('exactly once across crashes', () => {
  it('leaves exactly one effect per mutation when the server dies after any write and the batch is retried', async () => {
    const finalAnswers = new Map<string, MutationResult>();
    for (const s of scenarios) {
      const server = await startChild({ HUDDLE_FAULT_KILL_AFTER_WRITES: String(s.killAfter) });
      const answer = await pushOver(server.port, [s.mutation]).catch((err: Error) => err);
      if (s.survives) {
        // One write more than the kind makes: nothing is killed, so the table above is exact.
        expect(answer, `${s.kind} made more writes than expected`).not.toBeInstanceOf(Error);
        expect((answer as PushResponse).results[0]?.status).toBe('applied');
        expect(await server.stop()).toEqual({ code: 0, signal: null });
      } else {
        expect(answer, `${s.kind} after write ${s.killAfter}`).toBeInstanceOf(Error);
        expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });
      }
    }

    const clean = await startChild({});
    try {
      for (const s of scenarios) {
        const [retry] = (await pushOver(clean.port, [s.mutation])).results;
        expect(['applied', 'duplicate'], `${s.kind} after write ${s.killAfter}`).toContain(retry?.status);
        finalAnswers.set(s.mutation.id, retry!);
      }
      for (const s of scenarios) {
        const [again] = (await pushOver(clean.port, [s.mutation])).results;
        expect(again).toEqual({ ...finalAnswers.get(s.mutation.id), status: 'duplicate' });
      }
    } finally {
      expect(await clean.stop()).toEqual({ code: 0, signal: null });
    }

    const storage = new PouchStorage({ dataDir });
    try {
      const secrets = loadSecrets(loadConfig({ HUDDLE_DATA_DIR: dataDir }));
      const creates = scenarios.filter((s) => s.kind === 'idea.create' || s.kind === 'comment.create');
      const votes = scenarios.filter((s) => s.kind === 'vote.set');
      const others = (kind: Kind) => scenarios.filter((s) => s.kind === kind).length;
      const count = async (db: 'public' | 'private' | 'vault' | 'votes', prefix: string) =>
        (await storage.db(db).list({ prefix })).length;
      expect(await count('vault', 'vault:')).toBe(creates.length + others('idea.edit'));
      expect(await count('vault', 'own:')).toBe(creates.length);
      expect(await count('private', 'draft:')).toBe(others('draft.save'));
      for (const [i, ideaId] of editedIdeas.entries()) {
        expect(await storage.db('public').get(`idea:${ideaId}`)).toMatchObject({
          title: `Edited after crash ${i + 1}`,
        });
      }
      expect(await count('private', 'staged:')).toBe(0);
      expect(await count('public', 'comment:')).toBe(
        creates.filter((s) => s.kind === 'comment.create').length,
      );
      // seeded: one parent idea and one idea per vote and edit scenario
      expect(await count('public', 'idea:')).toBe(
        1 + votes.length + others('idea.edit') + creates.filter((s) => s.kind === 'idea.create').length,
      );
      expect(await count('votes', 'vote:')).toBe(votes.length);
      expect(await count('private', 'receipt:')).toBe(scenarios.length);
      for (const s of creates) {
        const contentId = (finalAnswers.get(s.mutation.id) as { contentId?: string }).contentId!;
        const prefix = s.kind === 'idea.create' ? 'idea' : 'comment';
        expect(
          await storage.db('public').get(`${prefix}:${contentId}`),
          `${s.kind} ${s.killAfter}`,
        ).toBeDefined();
        expect(await readAuthor({ storage, secrets }, contentId)).toMatchObject({
          accountId: account.accountId,
        });
      }
      for (const itemId of votedItems) {
        expect(await storage.db('public').get<TallyDoc>(`tally:${itemId}`)).toMatchObject({
          likes: 1,
          dislikes: 0,
        });
      }
    } finally {
      await storage.close();
    }
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The real server (`node --import tsx sync-server/src/main.ts`) on the shared data dir. */
async function startChild(extraEnv: Record<string, string>) {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    HUDDLE_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    HUDDLE_TEST_HOOKS: '1',
    RELEASE_INTERVAL_SECONDS: '0',
    PWA_DIST_DIR: path.join(dataDir, 'no-pwa'),
    ...extraEnv,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/src/main.ts'], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await requestJson(port, 'GET', '/healthz').then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    exited,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function pushOver(port: number, mutations: unknown[]): Promise<PushResponse> {
  const res = await requestJson(port, 'POST', '/api/sync/push', {
    protocolVersion: PROTOCOL_VERSION,
    mutations,
  });
  if (res.status !== 200) throw new Error(`push answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as PushResponse;
}

/** Plain one-connection HTTP: no pooled sockets left behind when a server dies. */
function requestJson(port: number, method: string, pathname: string, body?: unknown) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: pathname,
        agent: false,
        headers: {
          'x-huddle-csrf': '1',
          cookie: account.cookie,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.end(payload);
  });
}
