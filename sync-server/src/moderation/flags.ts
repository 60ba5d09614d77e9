/**
 * Automatic moderation flags: when an idea or comment arrives, the server re-runs the
 * identifying-text detector (the same one devices run, with the roster names in clear here)
 * and, if it finds a name, a singling-out description, self-identification or abuse, writes
 * `flag:<contentId>` in the PRIVATE database for the moderation queue. The post is never
 * blocked. The flag holds the reasons and the offsets of what matched, never the account
 * and never a copy of the words (a name removed by moderators must not survive in a flag).
 * The id is a function of the content, so a retry after a crash finds the flag already there.
 *
 * Written by the push (sync/effects/flag-writes.ts). An edit refreshes the flag: rewritten with the new reasons and offsets when the
 * edited text still warrants one, deleted when the edit removed the problem. Deleted rather than
 * kept as "resolved": the queue is for what needs a moderator now, offsets into text that no longer
 * exists mean nothing, and a record that the author once wrote a name is a trace of their words.
 */
import { z } from 'zod';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { itemKindSchema } from '../../../shared/src/documents.js';
import { WARNING_KINDS } from '../../../shared/src/text/detector.js';

export const flagDocId = (contentId: string) => `flag:${contentId}`;

export const flagDocSchema = z.object({
  _id: z.string(),
  _rev: z.string().optional(),
  schemaVersion: z.literal(SCHEMA_VERSION),
  type: z.literal('flag'),
  source: z.literal('detector'),
  contentId: z.string(),
  itemKind: itemKindSchema,
  /** Warning kinds found (at least one). */
  reasons: z.array(z.enum(WARNING_KINDS)).min(1),
  matches: z.array(
    z.object({
      field: z.enum(['title', 'body']),
      kind: z.enum(WARNING_KINDS),
      start: z.number().int().nonnegative(),
      end: z.number().int().nonnegative(),
      why: z.string(),
    }),
  ),
  createdHour: z.string(),
});
export type FlagDoc = z.infer<typeof flagDocSchema>;
