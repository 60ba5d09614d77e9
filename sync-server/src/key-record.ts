/**
 * The store remembers which linking key it was written with, and whether it was closed out: one
 * document `linking-key` in the vault database holding the key's id (12 hex characters of its
 * SHA-256: names the key, reveals nothing of it) and, after close-out, when. So a start never
 * silently generates a new linking key for a store that holds authorship (that would cut every
 * author off from their posts and strand the vault), never runs with a different key than the one
 * that sealed the vault, and never starts again after close-out.
 *
 * After close-out Huddle refuses to start at all (the closest real thing to "read-only": nothing
 * could be written, no one could edit or withdraw, and a participant's own change log no longer
 * opens). The public content stays in the `public` database for whoever keeps the record of the
 * conversation; the report is made before close-out.
 */
import { z } from 'zod';
import type { Config } from './config.js';
import { KeysError, keyFiles, loadSecrets, type Secrets } from './secrets.js';
import type { Storage } from './storage/port.js';

export const KEY_RECORD_ID = 'linking-key';

const recordSchema = z.object({
  _id: z.literal(KEY_RECORD_ID),
  _rev: z.string(),
  type: z.literal('linking-key'),
  keyId: z.string(),
  closedOutAt: z.string().optional(),
});
export type KeyRecord = z.infer<typeof recordSchema>;

export class ClosedOutError extends KeysError {
  constructor(closedOutAt: string) {
    super(
      `This Huddle was closed out on ${closedOutAt.slice(0, 10)}: its linking key was destroyed, so nothing ` +
        'can tie anyone to what they wrote any more, and Huddle does not start on these databases again (a ' +
        'new key would only strand the vault). The released posts, comments and tallies stay in the public ' +
        'database. To run another conversation, start with a fresh HUDDLE_DATA_DIR or COUCHDB_DB_PREFIX.',
    );
    this.name = 'ClosedOutError';
  }
}

export async function readKeyRecord(storage: Storage): Promise<KeyRecord | undefined> {
  const doc = await storage.db('vault').get(KEY_RECORD_ID);
  if (!doc) return undefined;
  const parsed = recordSchema.safeParse(doc);
  if (!parsed.success) throw new KeysError(`The vault database's ${KEY_RECORD_ID} document is malformed.`);
  return parsed.data;
}

/** The key id of any sealed entry already in the vault (a store written before the record existed). */
async function sealedWith(storage: Storage): Promise<string | undefined> {
  for (const prefix of ['vault:', 'log:']) {
    const [row] = await storage.db('vault').list({ prefix, limit: 1, includeDocs: true });
    const keyId = row?.doc?.['keyId'];
    if (typeof keyId === 'string') return keyId;
  }
  return undefined;
}

/**
 * The secrets for a server or an operator command on this store: refuses a closed-out store, a
 * missing linking key for a store that holds authorship, and a linking key other than the store's.
 * Records the key on a store's first start.
 */
export async function openStoreSecrets(config: Config, storage: Storage): Promise<Secrets> {
  const record = await readKeyRecord(storage);
  if (record?.closedOutAt) throw new ClosedOutError(record.closedOutAt);
  const expected = record?.keyId ?? (await sealedWith(storage));
  const secrets = loadSecrets(
    config,
    expected
      ? {
          mustNotGenerate: {
            linkingKey:
              `These databases hold authorship sealed with a linking key (id ${expected}), but HUDDLE_LINKING_KEY ` +
              `is unset and ${keyFiles(config).linkingKey} is missing. Restore the keys directory from its ` +
              'backup, or set HUDDLE_LINKING_KEY. Huddle does not generate a new linking key for these ' +
              'databases: it would cut every author off from their posts.',
          },
        }
      : {},
  );
  if (expected && expected !== secrets.vaultKeyId) throw mismatch(expected, secrets.vaultKeyId);
  if (!record) {
    const fresh = { _id: KEY_RECORD_ID, type: 'linking-key', keyId: secrets.vaultKeyId };
    if ((await storage.db('vault').create(fresh)) === 'exists') {
      // Another instance recorded it first: it must be the same key.
      const theirs = await readKeyRecord(storage);
      if (theirs?.closedOutAt) throw new ClosedOutError(theirs.closedOutAt);
      if (theirs && theirs.keyId !== secrets.vaultKeyId) throw mismatch(theirs.keyId, secrets.vaultKeyId);
    }
  }
  return secrets;
}

const mismatch = (expected: string, given: string) =>
  new KeysError(
    `The linking key given (id ${given}) is not the one these databases were written with (id ${expected}). ` +
      'Restore the keys directory (or HUDDLE_LINKING_KEY) from its backup. Huddle does not start with another ' +
      'key: every author would lose their posts.',
  );

/** Close-out, step 1 (before the key is destroyed): from now on no start generates a new key. */
export async function recordCloseOut(
  storage: Storage,
  keyId: string | undefined,
  at: Date,
): Promise<KeyRecord> {
  const db = storage.db('vault');
  for (;;) {
    const current = await readKeyRecord(storage);
    if (current?.closedOutAt) return current;
    const next = {
      _id: KEY_RECORD_ID as typeof KEY_RECORD_ID,
      type: 'linking-key' as const,
      keyId: current?.keyId ?? keyId ?? 'unknown',
      closedOutAt: at.toISOString(),
    };
    try {
      const { rev } = await db.put(current ? { ...next, _rev: current._rev } : next);
      return { ...next, _rev: rev };
    } catch (err) {
      if ((err as { status?: number }).status !== 409) throw err;
      // Someone else wrote the record meanwhile: read it again.
    }
  }
}
