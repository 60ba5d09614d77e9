/**
 * The authorship vault: contribution -> account, one document `vault:<link('vault-entry', contentId)>`
 * in the vault database (keys.ts: only the linking key relates it to the post), AES-256-GCM under the
 * linking key (never stored in the data directory or the database). The content id is the AAD, so an entry cannot be moved to another post.
 * Destroying the key makes authorship unrecoverable for good.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { vaultDocSchema, type ItemKind, type VaultDoc } from '../../../shared/src/documents.js';
import type { Deps } from '../deps.js';
import { vaultDocId } from './keys.js';

const authorSchema = z.object({
  accountId: z.string(),
  kind: z.enum(['idea', 'comment']),
  contentId: z.string(),
});
export type VaultAuthor = z.infer<typeof authorSchema>;

type VaultDeps = {
  storage: Deps['storage'];
  secrets: Pick<Deps['secrets'], 'link' | 'vaultKey' | 'vaultKeyId'>;
};

/** The content id is bound to the entry as additional authenticated data. */
const aad = (contentId: string) => new Uint8Array(Buffer.from(contentId, 'utf8'));

export function sealAuthor(deps: Pick<VaultDeps, 'secrets'>, author: VaultAuthor): VaultDoc {
  const iv = new Uint8Array(crypto.randomBytes(12));
  const cipher = crypto.createCipheriv('aes-256-gcm', deps.secrets.vaultKey, iv);
  cipher.setAAD(aad(author.contentId));
  // String output goes through a StringDecoder, so the two base64 parts join correctly.
  const ciphertext = cipher.update(JSON.stringify(author), 'utf8', 'base64') + cipher.final('base64');
  return {
    _id: vaultDocId(deps.secrets, author.contentId),
    type: 'vault',
    schemaVersion: SCHEMA_VERSION,
    keyId: deps.secrets.vaultKeyId,
    iv: Buffer.from(iv).toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext,
  };
}

/** Idempotent: a retry finds the entry an earlier attempt wrote (same plaintext, other IV). */
export async function writeVaultEntry(
  deps: VaultDeps,
  accountId: string,
  kind: ItemKind,
  contentId: string,
): Promise<void> {
  await deps.storage.db('vault').create(sealAuthor(deps, { accountId, kind, contentId }));
}

export async function hasVaultEntry(deps: VaultDeps, contentId: string): Promise<boolean> {
  return (await deps.storage.db('vault').get(vaultDocId(deps.secrets, contentId))) !== undefined;
}

/**
 * Who wrote a post, for moderation (relay) and ownership checks (edit/withdraw).
 * undefined when there is no entry or the key that sealed it is gone.
 */
export async function readAuthor(deps: VaultDeps, contentId: string): Promise<VaultAuthor | undefined> {
  return openAuthor(deps, await deps.storage.db('vault').get(vaultDocId(deps.secrets, contentId)), contentId);
}

/** The author in a stored vault entry, if it opens under the current key and names this post. */
export function openAuthor(
  deps: Pick<VaultDeps, 'secrets'>,
  stored: unknown,
  contentId: string,
): VaultAuthor | undefined {
  const doc = vaultDocSchema.safeParse(stored);
  if (!doc.success || doc.data.keyId !== deps.secrets.vaultKeyId) return undefined;
  try {
    const iv = new Uint8Array(Buffer.from(doc.data.iv, 'base64'));
    const decipher = crypto.createDecipheriv('aes-256-gcm', deps.secrets.vaultKey, iv);
    decipher.setAAD(aad(contentId));
    decipher.setAuthTag(new Uint8Array(Buffer.from(doc.data.tag, 'base64')));
    const plain = decipher.update(doc.data.ciphertext, 'base64', 'utf8') + decipher.final('utf8');
    const author = authorSchema.safeParse(JSON.parse(plain));
    return author.success && author.data.contentId === contentId ? author.data : undefined;
  } catch {
    return undefined;
  }
}
