/** notifications.set: opt in or out of the comment digest (an e-mail that never quotes content). */
import { z } from 'zod';
import { mutationIdSchema } from '../ids.js';
import { recordRefusal } from '../device.js';
import type { MutationDefinition } from './definition.js';

export const setNotificationsMutationSchema = z.object({
  id: mutationIdSchema,
  kind: z.literal('notifications.set'),
  /** Opt in to an e-mail digest when someone comments on an idea I posted (never quotes content). */
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
