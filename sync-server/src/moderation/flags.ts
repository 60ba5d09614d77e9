/**
 * Automatic moderation flags: when an idea or comment arrives, the server re-runs the
 * identifying-text detector (the same one devices run, with the roster names in clear here)
 * and, if it finds a name, a singling-out description, self-identification or abuse, writes
 * `flag:<contentId>` in the PRIVATE database for the moderation queue. The post is never
 * blocked. The flag holds the reasons and the offsets of what matched, never the account
 * and never a copy of the words (a name removed by moderators must not survive in a flag).
 * The id is a function of the content, so a retry after a crash finds the flag already there.
 */
import { z } from 'zod';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { itemKindSchema, type CommentDoc, type IdeaDoc } from '../../../shared/src/documents.js';
import { detectIdentifyingText, WARNING_KINDS, type TextWarning } from '../../../shared/src/text/detector.js';
import { rosterLookup, type RosterDeps } from './roster.js';

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

/** Strong warnings only: an unknown capitalised word alone warns the author but does not flag. */
const isFlagWorthy = (w: TextWarning) => w.strength === 'strong';

/** Runs the detector on a post that has just arrived and records a flag if it found anything. */
export async function flagOnArrival(deps: RosterDeps, doc: IdeaDoc | CommentDoc): Promise<boolean> {
  const roster = await rosterLookup(deps);
  const fields: Array<['title' | 'body', string]> =
    doc.type === 'idea'
      ? [
          ['title', doc.title],
          ['body', doc.body],
        ]
      : [['body', doc.body]];
  const matches: FlagDoc['matches'] = [];
  for (const [field, text] of fields) {
    for (const w of detectIdentifyingText(text, { roster }).filter(isFlagWorthy))
      matches.push({ field, kind: w.kind, start: w.start, end: w.end, why: w.why });
  }
  if (matches.length === 0) return false;
  const flag: FlagDoc = {
    _id: flagDocId(doc.id),
    type: 'flag',
    schemaVersion: SCHEMA_VERSION,
    source: 'detector',
    contentId: doc.id,
    itemKind: doc.type,
    reasons: WARNING_KINDS.filter((k) => matches.some((m) => m.kind === k)),
    matches,
    // the post's own hour, so every attempt writes the same document
    createdHour: doc.createdHour,
  };
  await deps.storage.db('private').create(flag);
  return true;
}
