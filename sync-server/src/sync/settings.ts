/** A person's notification preferences (notifications.set writes them; the digest reads them). */
import { settingsDocSchema } from '../../../shared/src/documents.js';
import type { Deps } from '../deps.js';
import { settingsDocId } from './keys.js';

export async function readSettings(
  deps: Pick<Deps, 'storage' | 'secrets'>,
  accountId: string,
): Promise<{ commentDigest: boolean }> {
  const parsed = settingsDocSchema.safeParse(
    await deps.storage.db('private').get(settingsDocId(deps.secrets, accountId)),
  );
  return { commentDigest: parsed.success ? parsed.data.commentDigest : false };
}
