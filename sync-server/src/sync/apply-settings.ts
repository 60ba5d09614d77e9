/**
 * notifications.set: a person's notification preferences (the comment digest, off by default), one
 * private document `settings:<HMAC(person)>`. Read by notify/comment-digest.ts.
 */
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { settingsDocSchema, type SettingsDoc } from '../../../shared/src/documents.js';
import type { SetNotificationsMutation } from '../../../shared/src/mutations.js';
import type { Deps } from '../deps.js';
import { settingsDocId } from './keys.js';
import { upsertPrivate } from './private-upsert.js';
import type { ApplyContext, Outcome } from './outcome.js';

export async function applyNotificationsSet(
  deps: Deps,
  accountId: string,
  m: SetNotificationsMutation,
  ctx: ApplyContext,
): Promise<Outcome> {
  const doc: SettingsDoc = {
    _id: settingsDocId(deps.secrets, accountId),
    type: 'settings',
    schemaVersion: SCHEMA_VERSION,
    commentDigest: m.commentDigest,
  };
  await upsertPrivate(deps, ctx.isSettled, doc, (existing) => {
    const parsed = settingsDocSchema.safeParse(existing);
    return parsed.success && parsed.data.commentDigest === m.commentDigest;
  });
  return { status: 'applied' };
}

export async function readSettings(
  deps: Pick<Deps, 'storage' | 'secrets'>,
  accountId: string,
): Promise<{ commentDigest: boolean }> {
  const parsed = settingsDocSchema.safeParse(
    await deps.storage.db('private').get(settingsDocId(deps.secrets, accountId)),
  );
  return { commentDigest: parsed.success ? parsed.data.commentDigest : false };
}
