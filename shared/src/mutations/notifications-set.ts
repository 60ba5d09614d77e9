/**
 * notifications.set: opt in or out of the daily notice e-mail (the same e-mail, at the same time, to
 * everyone opted in; sync-server/src/notify/daily-notice.ts). The field keeps its first name,
 * `commentDigest`, on the wire and at rest: renaming it would change the protocol for no one's benefit.
 */
import { z } from 'zod';
import { mutationIdSchema } from '../ids.js';
import { recordRefusal } from '../device.js';
import type { MutationDefinition } from './definition.js';

export const setNotificationsMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('notifications.set'),
  /** Opt in to the daily notice e-mail (never says whether there is news, never quotes content). */
  commentDigest: z.boolean(),
});
export type SetNotificationsMutation = z.infer<typeof setNotificationsMutationSchema>;

export const SETTINGS_SYNC_KEY = 'settings:notifications';

export const notificationsSet = {
  kind: 'notifications.set',
  schema: setNotificationsMutationSchema,
  permission: 'contribute',
  syncKey: () => SETTINGS_SYNC_KEY,
  collapses: true,
  applyLocal: (m, store) => store.setPref('commentDigest', m.commentDigest),
  onAccepted: async () => undefined,
  async onRejected(m, reason, store) {
    // The setting returns to what it was before this change (a newer pending change is applied again on top).
    await store.setPref('commentDigest', !m.commentDigest);
    await recordRefusal(store, m.kind, reason);
  },
} as const satisfies MutationDefinition<SetNotificationsMutation>;
