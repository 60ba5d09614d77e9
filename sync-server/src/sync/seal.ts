/**
 * A short value sealed under the linking key's vault key (AES-256-GCM, a random IV each time, bound to
 * the id of the document that holds it): stored values that must stay readable to the server but must
 * not be the same from one document to the next, such as a vote's voter pseudonym (the releaser needs
 * it to count people; a backup must not be able to group one person's votes by it).
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Secrets } from '../secrets.js';

export const sealedSchema = z.object({
  keyId: z.string(),
  iv: z.string(),
  tag: z.string(),
  ciphertext: z.string(),
});
export type Sealed = z.infer<typeof sealedSchema>;

type SealSecrets = Pick<Secrets, 'vaultKey' | 'vaultKeyId'>;

const aad = (docId: string) => new Uint8Array(Buffer.from(docId, 'utf8'));

export function sealValue(secrets: SealSecrets, docId: string, value: string): Sealed {
  const iv = new Uint8Array(crypto.randomBytes(12));
  const cipher = crypto.createCipheriv('aes-256-gcm', secrets.vaultKey, iv);
  cipher.setAAD(aad(docId));
  const ciphertext = cipher.update(value, 'utf8', 'base64') + cipher.final('base64');
  return {
    keyId: secrets.vaultKeyId,
    iv: Buffer.from(iv).toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext,
  };
}

/** The value, or undefined when it was sealed under another key or for another document. */
export function openValue(secrets: SealSecrets, docId: string, sealed: Sealed): string | undefined {
  if (sealed.keyId !== secrets.vaultKeyId) return undefined;
  try {
    const decipher = crypto.createDecipheriv(
      'aes-256-gcm',
      secrets.vaultKey,
      new Uint8Array(Buffer.from(sealed.iv, 'base64')),
    );
    decipher.setAAD(aad(docId));
    decipher.setAuthTag(new Uint8Array(Buffer.from(sealed.tag, 'base64')));
    return decipher.update(sealed.ciphertext, 'base64', 'utf8') + decipher.final('utf8');
  } catch {
    return undefined;
  }
}
