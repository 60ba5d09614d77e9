/**
 * Automatic moderation flags as writes of a batch: when a post arrives or its author edits it, the
 * server runs the identifying-text detector (with the roster names in clear) and writes, refreshes or
 * clears `flag:<contentId>` in the private database. Reasons and offsets only: never the account,
 * never a copy of the words. The flag document itself is described in moderation/flags.ts.
 */
import { SCHEMA_VERSION } from '../../../../shared/src/protocol.js';
import type { CommentDoc, IdeaDoc } from '../../../../shared/src/documents.js';
import { detectIdentifyingText, WARNING_KINDS } from '../../../../shared/src/text/detector.js';
import { flagDocId, type FlagDoc } from '../../moderation/flags.js';
import type { DocRef, EffectContext, Write } from './types.js';

export const flagRef = (contentId: string): DocRef => ({ db: 'private', id: flagDocId(contentId) });

function flagDoc(ctx: EffectContext, doc: IdeaDoc | CommentDoc): FlagDoc | undefined {
  const fields: Array<['title' | 'body', string]> =
    doc.type === 'idea'
      ? [
          ['title', doc.title],
          ['body', doc.body],
        ]
      : [['body', doc.body]];
  const matches: FlagDoc['matches'] = [];
  for (const [field, text] of fields) {
    // Strong warnings only: an unknown capitalised word alone warns the author but does not flag.
    for (const w of detectIdentifyingText(text, { roster: ctx.roster }).filter(
      (w) => w.strength === 'strong',
    ))
      matches.push({ field, kind: w.kind, start: w.start, end: w.end, why: w.why });
  }
  if (matches.length === 0) return undefined;
  return {
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
}

/**
 * 'arrival': a flag if the text needs one (created once). 'edit': the flag made to match the new
 * text: rewritten with the new reasons and offsets, or cleared when the edit removed the problem
 * (the flag document must then have been read: include flagRef in the kind's reads).
 */
export function flagWrite(
  ctx: EffectContext,
  doc: IdeaDoc | CommentDoc,
  when: 'arrival' | 'edit',
  existing?: unknown,
): Write | undefined {
  const flag = flagDoc(ctx, doc);
  if (when === 'arrival') return flag ? { db: 'private', mode: 'ensure', doc: flag } : undefined;
  if (!flag) return existing ? { db: 'private', mode: 'delete', id: flagDocId(doc.id) } : undefined;
  const same =
    existing !== undefined && JSON.stringify((existing as FlagDoc).matches) === JSON.stringify(flag.matches);
  return same ? undefined : { db: 'private', mode: 'put', doc: flag };
}
