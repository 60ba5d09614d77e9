/** Test fixture: a live conversation with streams (and optionally released ideas), written straight to the public db. */
import crypto from 'node:crypto';
import { SCHEMA_VERSION } from '../../shared/src/protocol.js';
import { toCoarseHour } from '../../shared/src/ids.js';
import {
  conversationDocSchema,
  ideaDocSchema,
  streamDocSchema,
  type ConversationDoc,
  type IdeaDoc,
  type StreamDoc,
} from '../../shared/src/documents.js';
import type { Storage } from '../../sync-server/src/storage/port.js';

const rid = () => crypto.randomBytes(16).toString('base64url');

export interface SeededConversation {
  conversation: ConversationDoc;
  streams: StreamDoc[];
  ideas: IdeaDoc[];
}

export async function seedConversation(
  storage: Storage,
  options: {
    status?: ConversationDoc['status'];
    streamTitles?: string[];
    ideaTitles?: string[];
    /** Fixed ids (for tests that compare two runs); random otherwise. */
    ids?: { conversation: string; streams: string[] };
    /**
     * k of the batch release. 1 unless a test is about k: most tests push one person's post and wait
     * for its release, which with the product's default (3) would wait for two more people.
     */
    releaseMinContributors?: number;
  } = {},
): Promise<SeededConversation> {
  const db = storage.db('public');
  const conversationId = options.ids?.conversation ?? rid();
  const conversation = conversationDocSchema.parse({
    _id: `conversation:${conversationId}`,
    type: 'conversation',
    schemaVersion: SCHEMA_VERSION,
    id: conversationId,
    title: 'Test conversation',
    description: 'A conversation made by the tests.',
    status: options.status ?? 'live',
    releaseMinContributors: options.releaseMinContributors ?? 1,
  });
  await db.put(conversation);
  const streams = (options.streamTitles ?? ['Staffing', 'Facilities']).map((title, order) => {
    const id = options.ids?.streams[order] ?? rid();
    return streamDocSchema.parse({
      _id: `stream:${id}`,
      type: 'stream',
      schemaVersion: SCHEMA_VERSION,
      id,
      conversationId,
      title,
      description: `Ideas about ${title.toLowerCase()}`,
      order,
    });
  });
  for (const s of streams) await db.put(s);
  const ideas = (options.ideaTitles ?? []).map((title, i) => {
    const id = rid();
    return ideaDocSchema.parse({
      _id: `idea:${id}`,
      type: 'idea',
      schemaVersion: SCHEMA_VERSION,
      id,
      conversationId,
      streamId: streams[i % streams.length]!.id,
      title,
      body: `Seeded idea number ${i + 1}.`,
      createdHour: toCoarseHour(new Date()),
      status: 'visible',
    });
  });
  for (const idea of ideas) await db.put(idea);
  return { conversation, streams, ideas };
}
