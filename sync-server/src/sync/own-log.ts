/**
 * A person's own change log: what their other devices must hear about at their next pull (a vote
 * changed, a post accepted or changed, a draft saved or deleted, settings, answers, a report). It is
 * how a pull returns the person's own state as changes since their cursor, at a cost that does not
 * grow with everything they ever did.
 *
 * Stored in the vault database as numbered slots per person: slot n is the document
 * `log:<link(account, n)>` (keys.ts: derived from the linking key, never from HUDDLE_SECRET) holding
 * one push's events sealed with AES-256-GCM under the linking key (the slot id is the AAD). Events are
 * pointers ("draft X changed"), never content: the pull reads the current documents, so a duplicate
 * or late event is harmless. Slot ids look unrelated to each other and to the person; only the vault
 * key links them, so destroying it makes the log unreadable like the vault itself.
 *
 * Appending: the push starts at the slot the device has already read (its cursor) and takes the first
 * free one. Two devices of one person pushing at the same instant may pick the same slot: the loser's
 * create answers 'exists' (or, in a cluster, loses the conflict, which the read-back detects) and it
 * takes the next one. If both creates were accepted anyway (two cluster nodes, neither seeing the
 * other yet), the read-back may not notice: readers then also read the slot's conflicting revision.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { itemKindSchema } from '../../../shared/src/documents.js';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import type { Secrets } from '../secrets.js';
import type { DocStore, StoredDoc } from '../storage/port.js';
import { ownLogSlotId } from './keys.js';
import { paddedSize } from '../../../shared/src/sync/padding.js';

export const ownEventSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('vote'),
    conversationId: z.string(),
    itemId: z.string(),
    /** Absent in slots written before votes waited sealed. */
    itemKind: itemKindSchema.optional(),
  }),
  z.object({ t: z.literal('post'), contentId: z.string(), kind: itemKindSchema, conversationId: z.string() }),
  z.object({ t: z.literal('draft'), draftId: z.string() }),
  z.object({ t: z.literal('settings') }),
  z.object({ t: z.literal('answers'), conversationId: z.string() }),
  z.object({ t: z.literal('report'), itemId: z.string() }),
]);
export type OwnEvent = z.infer<typeof ownEventSchema>;

const slotDocSchema = z.object({
  _id: z.string(),
  type: z.literal('own-log'),
  keyId: z.string(),
  iv: z.string(),
  tag: z.string(),
  ciphertext: z.string(),
});

type LogSecrets = Pick<Secrets, 'link' | 'vaultKey' | 'vaultKeyId'>;

/**
 * A slot's sealed events are padded to a multiple of this: one push's events (a few ids each) fit in
 * one bucket, so in a backup the vault's slots for a vote and for a post look the same.
 */
export const SLOT_BUCKET_BYTES = 1024;

/** Slots read per request when catching up. */
export const SLOT_BATCH = 32;
const MAX_APPEND_ATTEMPTS = 20;

const aad = (id: string) => new Uint8Array(Buffer.from(id, 'utf8'));

function seal(secrets: LogSecrets, id: string, events: OwnEvent[]): StoredDoc {
  const iv = new Uint8Array(crypto.randomBytes(12));
  const cipher = crypto.createCipheriv('aes-256-gcm', secrets.vaultKey, iv);
  cipher.setAAD(aad(id));
  // Padded (spaces after the JSON, inside the ciphertext): a slot's size must not tell a vote from a post.
  const json = JSON.stringify(events);
  const padded =
    json +
    ' '.repeat(
      paddedSize(Buffer.byteLength(json, 'utf8'), SLOT_BUCKET_BYTES) - Buffer.byteLength(json, 'utf8'),
    );
  const ciphertext = cipher.update(padded, 'utf8', 'base64') + cipher.final('base64');
  return {
    _id: id,
    type: 'own-log',
    schemaVersion: SCHEMA_VERSION,
    keyId: secrets.vaultKeyId,
    iv: Buffer.from(iv).toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext,
  };
}

/** The events of one slot; [] for a slot sealed under another key (unreadable: the key is gone). */
function open(secrets: LogSecrets, stored: unknown): OwnEvent[] {
  const doc = slotDocSchema.safeParse(stored);
  if (!doc.success || doc.data.keyId !== secrets.vaultKeyId) return [];
  try {
    const decipher = crypto.createDecipheriv(
      'aes-256-gcm',
      secrets.vaultKey,
      new Uint8Array(Buffer.from(doc.data.iv, 'base64')),
    );
    decipher.setAAD(aad(doc.data._id));
    decipher.setAuthTag(new Uint8Array(Buffer.from(doc.data.tag, 'base64')));
    const plain = decipher.update(doc.data.ciphertext, 'base64', 'utf8') + decipher.final('utf8');
    const events = z.array(ownEventSchema).safeParse(JSON.parse(plain));
    return events.success ? events.data : [];
  } catch {
    return [];
  }
}

export interface LogRead {
  events: OwnEvent[];
  /** The first slot not read: the next read starts here. */
  next: number;
  /** False when it stopped at `maxSlots` with more slots written after. */
  isComplete: boolean;
}

/** The events in slots from..(first missing slot), reading at most maxSlots. */
export async function readOwnLog(
  vault: DocStore,
  secrets: LogSecrets,
  accountId: string,
  from: number,
  maxSlots = SLOT_BATCH * 8,
): Promise<LogRead> {
  const events: OwnEvent[] = [];
  let n = from;
  while (n - from < maxSlots) {
    const ids = Array.from({ length: SLOT_BATCH }, (_, i) => ownLogSlotId(secrets, accountId, n + i));
    const found = new Map(
      (await vault.list({ keys: ids, includeDocs: true, conflicts: true })).map((r) => [r.id, r.doc]),
    );
    for (const id of ids) {
      const doc = found.get(id);
      if (!doc) return { events, next: n, isComplete: true };
      events.push(...open(secrets, doc));
      // Two devices that took this slot at once through two cluster nodes: the losing push's events
      // live on as a conflicting revision and are read too (events are pointers: order does not matter).
      const conflicts = doc['_conflicts'];
      if (Array.isArray(conflicts) && conflicts.length > 0)
        for (const other of await vault.getRevisions(id, conflicts as string[]))
          events.push(...open(secrets, other));
      n++;
    }
  }
  return { events, next: n, isComplete: false };
}

/** Appends one push's events at the first free slot from `hint` on. */
export async function appendOwnLog(
  vault: DocStore,
  secrets: LogSecrets,
  accountId: string,
  hint: number,
  events: OwnEvent[],
): Promise<void> {
  if (events.length === 0) return;
  let from = hint;
  for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
    const free = await firstFreeSlot(vault, secrets, accountId, from);
    const id = ownLogSlotId(secrets, accountId, free);
    const doc = seal(secrets, id, events);
    if ((await vault.create(doc)) === 'created') {
      // In a cluster a concurrent create of the same slot may win the conflict: check ours is the one read.
      const winner = await vault.get(id);
      if (winner?.['iv'] === doc['iv']) return;
    }
    from = free + 1;
  }
  throw new Error('own log: no free slot after repeated attempts');
}

async function firstFreeSlot(vault: DocStore, secrets: LogSecrets, accountId: string, from: number) {
  for (let n = from; ; n += SLOT_BATCH) {
    const ids = Array.from({ length: SLOT_BATCH }, (_, i) => ownLogSlotId(secrets, accountId, n + i));
    const taken = new Set((await vault.list({ keys: ids })).map((r) => r.id));
    const i = ids.findIndex((id) => !taken.has(id));
    if (i >= 0) return n + i;
  }
}
