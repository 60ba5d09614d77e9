/**
 * Opt-in comment digest: one e-mail per person per run saying "There are new comments on an idea
 * you posted", for people who turned it on (notifications.set) and whose idea got a comment from
 * someone else since the last run. The e-mail never quotes content, titles or other people (mail
 * sits in mailboxes the Trust runs); the author is found through the vault, never through anything
 * published. Runs on a timer (DIGEST_INTERVAL_MINUTES) and from tests.
 *
 * New comments are the comment documents in the public changes feed since the checkpoint whose
 * revision is their first (released posts are created once; an author's later edit rewrites the
 * document and may count once more: harmless).
 *
 * Idempotent: the checkpoint (public update sequence) moves only after the run. Before each e-mail
 * a marker `digest-sent:<run>:<HMAC(person)>` is created, the run being named after the checkpoint
 * it started from: a run that crashed is redone from the same checkpoint and skips everyone already
 * marked (at most one e-mail per person per run; a crash between marker and send loses that one
 * notice rather than sending it twice). Markers are removed once the checkpoint has moved.
 * Web push (notify/web-push.ts): the same run also pushes "New comments on an idea you posted" to
 * every device the author subscribed, with its own marker `push-sent:<run>:<HMAC(person)>` (same
 * rules). A person can have e-mail, push, both or neither.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { accountDocSchema, commentDocSchema } from '../../../shared/src/documents.js';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { findAccountById } from '../auth/accounts.js';
import type { Deps } from '../deps.js';
import { ConflictError } from '../storage/port.js';
import { upsert } from '../storage/upsert.js';
import { readSettings } from '../sync/settings.js';
import { readAuthor } from '../sync/vault.js';
import { listSubscriptions, pushToPerson } from './web-push.js';

const CHECKPOINT_ID = 'digest-checkpoint';
const CHANGES_PAGE = 1000;

export const DIGEST_SUBJECT = 'New comments in Huddle';

const checkpointSchema = z.object({ _id: z.string(), _rev: z.string(), publicSeq: z.string() });

export type DigestDeps = Pick<Deps, 'storage' | 'secrets' | 'mailer' | 'config' | 'log'>;

export interface DigestSummary {
  ideas: number;
  mailed: number;
}

export function digestText(publicUrl: string): string {
  return [
    'There are new comments on an idea you posted. Open Huddle to read them.',
    '',
    publicUrl,
    '',
    'You get this e-mail because you turned on comment notices in Huddle. You can turn them off in the app.',
  ].join('\n');
}

export async function sendCommentDigests(deps: DigestDeps): Promise<DigestSummary> {
  const privateDb = deps.storage.db('private');
  const checkpoint = checkpointSchema.safeParse(await privateDb.get(CHECKPOINT_ID));
  const since = checkpoint.success ? checkpoint.data.publicSeq : undefined;
  const { commentsByIdea, lastSeq } = await newCommentsSince(deps, since);
  const run = crypto
    .createHash('sha256')
    .update(since ?? '')
    .digest('base64url')
    .slice(0, 16);

  const recipients = new Set<string>();
  for (const [ideaId, commentIds] of commentsByIdea) {
    const author = await readAuthor(deps, ideaId);
    if (!author || author.kind !== 'idea' || recipients.has(author.accountId)) continue;
    const wantsMail = (await readSettings(deps, author.accountId)).commentDigest;
    if (!wantsMail && (await listSubscriptions(deps, author.accountId)).length === 0) continue;
    // Only comments by someone else: an author's own comments are no news to them.
    for (const commentId of commentIds) {
      if ((await readAuthor(deps, commentId))?.accountId !== author.accountId) {
        recipients.add(author.accountId);
        break;
      }
    }
  }

  let mailed = 0;
  let pushed = 0;
  for (const accountId of recipients) {
    const account = accountDocSchema.safeParse(await findAccountById(deps, accountId));
    if (!account.success || account.data.status === 'disabled') continue;
    const person = deps.secrets.link('digest', accountId);
    if ((await listSubscriptions(deps, accountId)).length > 0) {
      const pushMarker = {
        _id: `push-sent:${run}:${person}`,
        type: 'push-sent',
        schemaVersion: SCHEMA_VERSION,
      };
      if ((await privateDb.create(pushMarker)) === 'created') pushed += await pushToPerson(deps, accountId);
    }
    if (!(await readSettings(deps, accountId)).commentDigest) continue;
    const marker = {
      _id: `digest-sent:${run}:${person}`,
      type: 'digest-sent',
      schemaVersion: SCHEMA_VERSION,
    };
    if ((await privateDb.create(marker)) === 'exists') continue;
    await deps.mailer.send({
      to: account.data.email,
      subject: DIGEST_SUBJECT,
      text: digestText(deps.config.publicUrl),
    });
    mailed++;
  }

  if (lastSeq !== since) await saveCheckpoint(deps, lastSeq);
  const markers = [
    ...(await privateDb.list({ prefix: `digest-sent:${run}:` })),
    ...(await privateDb.list({ prefix: `push-sent:${run}:` })),
  ];
  if (markers.length > 0)
    await privateDb.bulkPut(markers.map((m) => ({ _id: m.id, _rev: m.rev, _deleted: true })));
  if (mailed > 0 || pushed > 0)
    deps.log.info({ mailed, pushed, ideas: commentsByIdea.size }, 'comment digests sent');
  return { ideas: commentsByIdea.size, mailed };
}

async function newCommentsSince(deps: DigestDeps, since: string | undefined) {
  const commentsByIdea = new Map<string, string[]>();
  let seq = since;
  for (;;) {
    const page = await deps.storage
      .db('public')
      .changes({ since: seq, limit: CHANGES_PAGE, includeDocs: true });
    for (const row of page.results) {
      if (row.deleted || !row.doc || !String(row.doc._rev ?? '').startsWith('1-')) continue;
      const comment = commentDocSchema.safeParse(row.doc);
      if (!comment.success || comment.data.status !== 'visible') continue;
      const list = commentsByIdea.get(comment.data.ideaId) ?? [];
      list.push(comment.data.id);
      commentsByIdea.set(comment.data.ideaId, list);
    }
    seq = page.lastSeq;
    if (page.results.length < CHANGES_PAGE) break;
  }
  return { commentsByIdea, lastSeq: seq ?? '' };
}

async function saveCheckpoint(deps: DigestDeps, publicSeq: string): Promise<void> {
  // Another instance may finish the same run meanwhile: either checkpoint is right.
  await upsert(deps.storage.db('private'), CHECKPOINT_ID, () => ({
    type: 'digest-checkpoint',
    schemaVersion: SCHEMA_VERSION,
    publicSeq,
  })).catch((err: unknown) => {
    if (!(err instanceof ConflictError)) throw err;
  });
}
