import { z } from 'zod';

/** Public content ids: 22+ url-safe random characters, never time-ordered. */
export const publicIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be a Huddle id (16-64 url-safe characters)');
export type PublicId = z.infer<typeof publicIdSchema>;

/** Client-made mutation ids are UUIDs (crypto.randomUUID on the device). */
export const mutationIdSchema = z.uuid({ message: 'mutation id must be a UUID' });

/** Public times are coarse: an ISO timestamp truncated to the hour. */
export const coarseTimeSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/, 'must be an ISO time truncated to the hour');

export function toCoarseHour(date: Date): string {
  const d = new Date(date.getTime());
  d.setUTCMinutes(0, 0, 0);
  return d.toISOString();
}

export const docId = {
  conversation: (id: string) => `conversation:${id}`,
  stream: (id: string) => `stream:${id}`,
  idea: (id: string) => `idea:${id}`,
  comment: (id: string) => `comment:${id}`,
  tally: (itemId: string) => `tally:${itemId}`,
} as const;
