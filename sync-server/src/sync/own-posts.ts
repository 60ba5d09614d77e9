/**
 * The owner index behind "My activity": which posts are mine, readable only with the vault key.
 *
 * Stored in the vault database as numbered slots per person: slot n of an account is the document
 * `own:<HMAC(k, account, n)>`, where k is derived from the VAULT key (not from HUDDLE_SECRET), and its
 * body is {contentId, kind, conversationId} sealed with AES-256-GCM under the vault key (the slot id
 * is the AAD, so an entry cannot be moved to another slot). To list a person's posts the server
 * computes slot ids 0, 1, 2… and reads them in batches until the first missing one.
 *
 * Why slots and not the alternatives:
 * - one document per (owner tag, content id) listed by prefix would group a person's posts under
 *   one visible tag: anyone with a copy of the vault database could cluster posts by author (and
 *   one identified post would identify all the others), even without any key;
 * - one encrypted list per account would show the same grouping through its revision history.
 * Slot ids look unrelated to each other and to the posts; only the vault key links them, so
 * destroying the vault key (DESIGN.md) makes this index unreadable too, like the vault itself.
 *
 * Writes are idempotent like the vault entry: a retry finds its content id in an existing slot
 * and writes nothing. Two devices of one person taking the same free slot at once: the loser's
 * create answers 'exists' (or, in a cluster, loses the conflict, which the read-back detects)
 * and it moves to the next slot.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { OwnPost } from '../../../shared/src/api.js';
import {
  commentDocSchema,
  ideaDocSchema,
  stagedDocSchema,
  type ItemKind,
  type StagedDoc,
} from '../../../shared/src/documents.js';
import { docId } from '../../../shared/src/ids.js';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import type { Deps } from '../deps.js';
import type { StoredDoc } from '../storage/port.js';
import { stagedDocId } from './keys.js';

type IndexDeps = Pick<Deps, 'storage' | 'secrets'>;

const SLOT_BATCH = 32;
const MAX_ATTEMPTS = 20;

const entrySchema = z.object({
  contentId: z.string(),
  kind: z.enum(['idea', 'comment']),
  conversationId: z.string(),
});
export type OwnIndexEntry = z.infer<typeof entrySchema>;

const slotDocSchema = z.object({
  _id: z.string(),
  type: z.literal('own-index'),
  keyId: z.string(),
  iv: z.string(),
  tag: z.string(),
  ciphertext: z.string(),
});

const slotKeys = new WeakMap<crypto.KeyObject, crypto.KeyObject>();

/** The slot-id key, derived from the vault key so that it dies with it. */
function slotKey(deps: IndexDeps): crypto.KeyObject {
  let key = slotKeys.get(deps.secrets.vaultKey);
  if (!key) {
    const raw = new Uint8Array(deps.secrets.vaultKey.export());
    key = crypto.createSecretKey(new Uint8Array(crypto.hkdfSync('sha256', raw, 'huddle', 'owner-index', 32)));
    slotKeys.set(deps.secrets.vaultKey, key);
  }
  return key;
}

export function slotId(deps: IndexDeps, accountId: string, n: number): string {
  const h = crypto.createHmac('sha256', slotKey(deps));
  h.update(`${accountId.length}:${accountId}|${n}`);
  return `own:${h.digest('base64url')}`;
}

const aad = (id: string) => new Uint8Array(Buffer.from(id, 'utf8'));

function seal(deps: IndexDeps, id: string, entry: OwnIndexEntry): StoredDoc {
  const iv = new Uint8Array(crypto.randomBytes(12));
  const cipher = crypto.createCipheriv('aes-256-gcm', deps.secrets.vaultKey, iv);
  cipher.setAAD(aad(id));
  const ciphertext = cipher.update(JSON.stringify(entry), 'utf8', 'base64') + cipher.final('base64');
  return {
    _id: id,
    type: 'own-index',
    schemaVersion: SCHEMA_VERSION,
    keyId: deps.secrets.vaultKeyId,
    iv: Buffer.from(iv).toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext,
  };
}

function open(deps: IndexDeps, stored: unknown): OwnIndexEntry | undefined {
  const doc = slotDocSchema.safeParse(stored);
  if (!doc.success || doc.data.keyId !== deps.secrets.vaultKeyId) return undefined;
  try {
    const decipher = crypto.createDecipheriv(
      'aes-256-gcm',
      deps.secrets.vaultKey,
      new Uint8Array(Buffer.from(doc.data.iv, 'base64')),
    );
    decipher.setAAD(aad(doc.data._id));
    decipher.setAuthTag(new Uint8Array(Buffer.from(doc.data.tag, 'base64')));
    const plain = decipher.update(doc.data.ciphertext, 'base64', 'utf8') + decipher.final('utf8');
    const entry = entrySchema.safeParse(JSON.parse(plain));
    return entry.success ? entry.data : undefined;
  } catch {
    return undefined;
  }
}

/** Every entry of one person, and the first free slot. */
export async function readOwnIndex(
  deps: IndexDeps,
  accountId: string,
): Promise<{ entries: OwnIndexEntry[]; nextFree: number }> {
  const vault = deps.storage.db('vault');
  const entries: OwnIndexEntry[] = [];
  for (let start = 0; ; start += SLOT_BATCH) {
    const ids = Array.from({ length: SLOT_BATCH }, (_, i) => slotId(deps, accountId, start + i));
    const found = new Map(
      (await vault.list({ keys: ids, includeDocs: true })).map((row) => [row.id, row.doc]),
    );
    for (const [i, id] of ids.entries()) {
      if (!found.has(id)) return { entries, nextFree: start + i };
      const entry = open(deps, found.get(id));
      if (entry) entries.push(entry);
    }
  }
}

/** Adds a post to its author's index; a no-op when an earlier attempt already did. */
export async function recordOwnPost(deps: IndexDeps, accountId: string, entry: OwnIndexEntry): Promise<void> {
  const vault = deps.storage.db('vault');
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { entries, nextFree } = await readOwnIndex(deps, accountId);
    if (entries.some((e) => e.contentId === entry.contentId)) return;
    const id = slotId(deps, accountId, nextFree);
    if ((await vault.create(seal(deps, id, entry))) === 'created') {
      // In a cluster a concurrent create of the same slot may win the conflict: check ours is readable.
      if (open(deps, await vault.get(id))?.contentId === entry.contentId) return;
    }
  }
  throw new Error('owner index: no free slot after repeated attempts');
}

/** "My activity": where each of the caller's posts stands now. */
export async function listOwnPosts(deps: IndexDeps, accountId: string): Promise<OwnPost[]> {
  const { entries } = await readOwnIndex(deps, accountId);
  if (entries.length === 0) return [];
  const publicRows = await deps.storage
    .db('public')
    .list({ keys: entries.map((e) => docId[e.kind](e.contentId)), includeDocs: true });
  const released = new Map(publicRows.map((row) => [row.id, row.doc]));
  const stagedRows = await deps.storage
    .db('private')
    .list({ keys: entries.map((e) => stagedDocId(e.contentId)), includeDocs: true });
  const staged = new Map<string, StagedDoc>();
  for (const row of stagedRows) {
    const parsed = stagedDocSchema.safeParse(row.doc);
    if (parsed.success) staged.set(parsed.data.doc.id, parsed.data);
  }
  return entries.map((e) =>
    ownPostStatus(e, released.get(docId[e.kind](e.contentId)), staged.get(e.contentId)),
  );
}

function ownPostStatus(entry: OwnIndexEntry, publicDoc: unknown, staged: StagedDoc | undefined): OwnPost {
  const base: Pick<OwnPost, 'contentId' | 'kind' | 'conversationId' | 'ideaId'> = {
    contentId: entry.contentId,
    kind: entry.kind as ItemKind,
    conversationId: entry.conversationId,
  };
  const parsed = (entry.kind === 'idea' ? ideaDocSchema : commentDocSchema).safeParse(publicDoc);
  const known = parsed.success ? parsed.data : staged?.doc;
  if (known?.type === 'comment') base.ideaId = known.ideaId;
  if (!parsed.success) {
    return { ...base, status: staged ? 'pending-release' : 'removed' };
  }
  const doc = parsed.data;
  const status =
    doc.status === 'visible' && doc.editedByModerator ? ('edited-by-moderator' as const) : doc.status;
  return {
    ...base,
    status,
    ...('mergedInto' in doc && doc.mergedInto ? { mergedInto: doc.mergedInto } : {}),
    ...(doc.moderationReason && (doc.status === 'hidden' || doc.status === 'removed')
      ? { reason: doc.moderationReason }
      : {}),
    ...(staged ? { changePending: true } : {}),
  };
}
