/**
 * The push workload the sync benches share: a live conversation with one topic and released ideas
 * to vote on, written straight into the public database; many people, each a real account with a
 * session; and a mix of the three commonest changes (a new idea, a vote on a released idea, a new
 * draft saved) pushed through the real route over loopback HTTP in batches of 100, each batch from
 * the next person, as devices do.
 */
import crypto from 'node:crypto';
import { PROTOCOL_VERSION, SCHEMA_VERSION } from '../../shared/src/protocol.js';
import { docId, toCoarseHour } from '../../shared/src/ids.js';
import type { ConversationDoc, IdeaDoc, StreamDoc } from '../../shared/src/documents.js';
import type { PushResponse } from '../../shared/src/api.js';
import type { Mutation } from '../../shared/src/mutations.js';
import { DB_NAMES, type DbName, type Storage, type StoredDoc } from '../../sync-server/src/storage/port.js';
import { createTestAccount } from '../../tests/support/accounts.js';
import { HttpClient } from '../../tests/support/test-server.js';

export const BATCH = 100;
export const newId = () => crypto.randomBytes(16).toString('base64url');

const SENTENCES = [
  'The night shift handover on the ward takes too long because the notes live in three systems.',
  'Could we have a quiet room for breaks that is not also the store cupboard?',
  'Parking permits for part-time staff cost the same as for full-time staff, which feels unfair.',
  'Rotas published six weeks ahead would let people with children plan their childcare.',
  'The water fountain on level two has been broken since the spring.',
];
export const sampleText = (i: number, sentences = 2) =>
  Array.from({ length: sentences }, (_, k) => SENTENCES[(i + k) % SENTENCES.length]).join(' ');

export interface Conversation {
  conversationId: string;
  streamId: string;
}

/** A live conversation, one topic and `ideaCount` released ideas, straight into the public database. */
export async function seedConversation(
  storage: Storage,
  ideaCount: number,
): Promise<Conversation & { ideas: IdeaDoc[] }> {
  const conversationId = newId();
  const streamId = newId();
  const conversation: ConversationDoc = {
    _id: docId.conversation(conversationId),
    type: 'conversation',
    schemaVersion: SCHEMA_VERSION,
    id: conversationId,
    title: 'Bench conversation',
    description: 'Made by a benchmark.',
    status: 'live',
  };
  const stream: StreamDoc = {
    _id: docId.stream(streamId),
    type: 'stream',
    schemaVersion: SCHEMA_VERSION,
    id: streamId,
    conversationId,
    title: 'Bench topic',
    description: '',
    order: 1,
  };
  const ideas = Array.from({ length: ideaCount }, (_, i) => ideaDoc({ conversationId, streamId }, i));
  const publicDb = storage.db('public');
  await publicDb.bulkPut([conversation, stream]);
  for (let i = 0; i < ideas.length; i += 1000) await publicDb.bulkPut(ideas.slice(i, i + 1000));
  return { conversationId, streamId, ideas };
}

export function ideaDoc(c: Conversation, i: number): IdeaDoc {
  const id = newId();
  return {
    _id: docId.idea(id),
    type: 'idea',
    schemaVersion: SCHEMA_VERSION,
    id,
    conversationId: c.conversationId,
    streamId: c.streamId,
    title: `Idea ${i}: ${SENTENCES[i % SENTENCES.length]!.slice(0, 60)}`,
    body: sampleText(i),
    createdHour: toCoarseHour(new Date()),
    status: 'visible',
  };
}

export const ideaCreate = (c: Conversation, i: number): Mutation => ({
  id: crypto.randomUUID(),
  kind: 'idea.create',
  conversationId: c.conversationId,
  streamId: c.streamId,
  title: `Pushed idea ${i}`,
  body: sampleText(i),
});

export const voteSet = (c: Conversation, itemId: string): Mutation => ({
  id: crypto.randomUUID(),
  kind: 'vote.set',
  conversationId: c.conversationId,
  itemKind: 'idea',
  itemId,
  value: 'like',
});

export const draftSave = (c: Conversation, i: number): Mutation => ({
  id: crypto.randomUUID(),
  kind: 'draft.save',
  draftId: crypto.randomUUID(),
  draftKind: 'idea',
  conversationId: c.conversationId,
  streamId: c.streamId,
  title: `Draft ${i}`,
  body: sampleText(i + 1, 1),
});

/**
 * n mutations, a third of each kind in turn: idea.create, vote.set (each on another released idea,
 * so every vote is a new document) and draft.save (a new draft). Needs ceil(n / 3) ideas to vote on.
 */
export function mixedMutations(c: Conversation, ideas: IdeaDoc[], n: number): Mutation[] {
  return Array.from({ length: n }, (_, i) => {
    const k = Math.floor(i / 3);
    if (i % 3 === 0) return ideaCreate(c, i);
    if (i % 3 === 1) return voteSet(c, ideas[k]!.id);
    return draftSave(c, i);
  });
}

/** `people` logged-in clients of new participant accounts. */
export async function people(baseUrl: string, storage: Storage, dataDir: string, count: number) {
  const clients: HttpClient[] = [];
  for (let p = 0; p < count; p++)
    clients.push(HttpClient.as(baseUrl, await createTestAccount(storage, dataDir)));
  return clients;
}

/** Pushes in batches of BATCH, batch b from person b (mod the number of people); every one must apply. */
export async function pushAll(clients: HttpClient[], mutations: Mutation[], firstPerson = 0): Promise<void> {
  for (let i = 0, b = firstPerson; i < mutations.length; i += BATCH, b++) {
    await pushBatch(clients[b % clients.length]!, mutations.slice(i, i + BATCH));
  }
}

export async function pushBatch(client: HttpClient, mutations: Mutation[], cursor?: string): Promise<void> {
  const res = await client.post('/api/sync/push', {
    protocolVersion: PROTOCOL_VERSION,
    mutations,
    ...(cursor ? { cursor } : {}),
  });
  const body = res.body as PushResponse;
  if (res.status !== 200 || body.results.some((r) => r.status !== 'applied'))
    throw new Error(`push failed: ${res.status} ${res.text.slice(0, 300)}`);
}

/** The databases a push writes to. */
export const WRITTEN_DBS = DB_NAMES.filter((db) => db !== 'accounts');

export async function updateSeqs(storage: Storage): Promise<Map<DbName, string>> {
  return new Map(
    await Promise.all(WRITTEN_DBS.map(async (db) => [db, await storage.db(db).updateSeq()] as const)),
  );
}

/**
 * Every document written since `seqs`, as it is now, per database: what a push wrote (effects, own
 * log slots, receipts), read back from the changes feeds.
 */
export async function docsWrittenSince(
  storage: Storage,
  seqs: Map<DbName, string>,
): Promise<Map<DbName, StoredDoc[]>> {
  const out = new Map<DbName, StoredDoc[]>();
  for (const db of WRITTEN_DBS) {
    const docs: StoredDoc[] = [];
    let since = seqs.get(db);
    for (;;) {
      const page = await storage.db(db).changes({ since, limit: 1000, includeDocs: true });
      for (const row of page.results) if (row.doc && !row.deleted) docs.push(row.doc);
      since = page.lastSeq;
      if (page.results.length < 1000) break;
    }
    out.set(db, docs);
  }
  return out;
}

/** "private 2000 (receipt 1500, draft 500), vault 520 (…)": what a set of written documents holds. */
export function describeDocs(byDb: Map<DbName, StoredDoc[]>): string {
  return [...byDb.entries()]
    .filter(([, docs]) => docs.length > 0)
    .map(([db, docs]) => {
      const kinds = new Map<string, number>();
      for (const d of docs) {
        const kind = d._id.split(':')[0]!;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
      return `${db} ${docs.length} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`;
    })
    .join('; ');
}

/** A copy without the revision: what a fresh store would be given. */
export const withoutRev = ({ _rev: _ignored, ...doc }: StoredDoc): StoredDoc => doc;
