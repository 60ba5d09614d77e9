/**
 * Automatic moderation flags, written by the releaser as a batch goes out: for every new post and
 * every edit it publishes, the server runs the identifying-text detector (with the roster names in
 * clear) and writes, refreshes or clears `flag:<contentId>` in the private database. Reasons and
 * offsets only: never the account, never a copy of the words. The flag document itself is described
 * in moderation/flags.ts.
 *
 * Not at push time: a flag written by the push would sit in the private database's changes feed at the
 * position of that push, naming the public post, so a backup lined up with a proxy log would tie a
 * flagged post (or an author's edit of one) to the device that sent it. Written here, flags sit with
 * their batch, in shuffled order, just before the batch itself (a crash in between leaves a flag on a
 * post that goes out at the next run, which writes the same flag again).
 */
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import type { CommentDoc, IdeaDoc } from '../../../shared/src/documents.js';
import { detectIdentifyingText, WARNING_KINDS } from '../../../shared/src/text/detector.js';
import type { RosterLookup } from '../../../shared/src/text/roster.js';
import { flagDocId, flagDocSchema, type FlagDoc } from '../moderation/flags.js';
import type { DocStore, StoredDoc } from '../storage/port.js';

/** The flag this text needs, or undefined when it needs none. */
export function flagFor(roster: RosterLookup | undefined, doc: IdeaDoc | CommentDoc): FlagDoc | undefined {
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
    for (const w of detectIdentifyingText(text, { roster }).filter((w) => w.strength === 'strong'))
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
 * Makes each post's flag match its text as published: written (or rewritten with the new reasons and
 * offsets), or deleted when an edit removed the problem. `docs` must already be shuffled. A conflict
 * is another release writing the same flag: left to it.
 */
export async function writeFlags(
  privateDb: DocStore,
  roster: RosterLookup | undefined,
  docs: Array<IdeaDoc | CommentDoc>,
): Promise<void> {
  if (docs.length === 0) return;
  const existing = new Map(
    (await privateDb.list({ keys: docs.map((d) => flagDocId(d.id)), includeDocs: true })).map((r) => [
      r.id,
      r.doc,
    ]),
  );
  const writes: StoredDoc[] = [];
  for (const doc of docs) {
    const want = flagFor(roster, doc);
    const had = flagDocSchema.safeParse(existing.get(flagDocId(doc.id)));
    const rev = had.success ? had.data._rev : undefined;
    if (want) {
      const isSame = had.success && JSON.stringify(had.data.matches) === JSON.stringify(want.matches);
      if (!isSame) writes.push({ ...want, ...(rev ? { _rev: rev } : {}) });
    } else if (rev) {
      writes.push({ _id: flagDocId(doc.id), _rev: rev, _deleted: true });
    }
  }
  if (writes.length === 0) return;
  const written = await privateDb.bulkPut(writes);
  const failed = written.filter((r) => r.error && r.error !== 'conflict');
  if (failed.length > 0) throw new Error(`release: ${failed.length} flags not written`);
}
