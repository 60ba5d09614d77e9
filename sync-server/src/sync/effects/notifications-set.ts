/** notifications.set: a person's notification preferences, one private document `settings:<link(person)>`. */
import { SCHEMA_VERSION } from '../../../../shared/src/protocol.js';
import { settingsDocSchema, type SettingsDoc } from '../../../../shared/src/documents.js';
import type { SetNotificationsMutation } from '../../../../shared/src/mutations.js';
import { settingsDocId } from '../keys.js';
import { applied, type ServerEffect } from './types.js';

export const notificationsSetEffect: ServerEffect<SetNotificationsMutation> = {
  reads: (_m, ctx) => [{ db: 'private', id: settingsDocId(ctx.secrets, ctx.accountId) }],
  decide(m, view, ctx) {
    const id = settingsDocId(ctx.secrets, ctx.accountId);
    const events = [{ t: 'settings' as const }];
    const existing = settingsDocSchema.safeParse(view.get('private', id));
    if (existing.success && existing.data.commentDigest === m.commentDigest)
      return { outcome: applied(), events };
    const doc: SettingsDoc = {
      _id: id,
      type: 'settings',
      schemaVersion: SCHEMA_VERSION,
      commentDigest: m.commentDigest,
    };
    return { outcome: applied(), writes: [{ db: 'private', mode: 'put', doc }], events };
  },
};
