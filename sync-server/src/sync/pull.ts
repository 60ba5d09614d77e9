/**
 * Incremental pull from an opaque cursor: released public documents changed since the cursor (the
 * public database's update sequence), and the caller's own state that changed since it, read through
 * their own change log (own-log.ts): their current votes on the items they voted on, their posts and
 * those still waiting for release, their drafts, answers, settings and reports. The cost of a pull
 * depends on what changed since the cursor, not on everything the person ever did; nothing scans
 * other people's documents.
 */
import type { OwnChanges, OwnDraft, OwnPost, PullResponse } from '../../../shared/src/api.js';
import {
  answersDocSchema,
  commentDocSchema,
  draftDocSchema,
  ideaDocSchema,
  publicDocSchema,
  settingsDocSchema,
  voteDocSchema,
  type DraftDoc,
  type ItemKind,
  type PublicDoc,
  type StagedDoc,
} from '../../../shared/src/documents.js';
import { docId } from '../../../shared/src/ids.js';
import { LIMITS } from '../../../shared/src/protocol.js';
import type { Deps } from '../deps.js';
import { HttpError } from '../http/errors.js';
import {
  answersDocId,
  draftDocId,
  pendingVoteDocId,
  settingsDocId,
  stagedDocId,
  voteDocId,
  voterFor,
} from './keys.js';
import { openPendingVote, openStaged } from './pending.js';
import type { StoredDoc } from '../storage/port.js';
import { keepLosingDraftTexts } from './draft-conflicts.js';
import { appendOwnLog, readOwnLog, type OwnEvent } from './own-log.js';

type PullDeps = Pick<Deps, 'storage' | 'secrets'>;

/** What a cursor holds: the public update sequence and the first unread slot of the person's own log. */
export interface Cursor {
  seq: string | undefined;
  log: number;
}

/**
 * A cursor is base64url of `2:<own log slot>:<update seq>`: opaque to clients, versioned, and short
 * enough for CouchDB's long sequence tokens (pullQuerySchema caps cursors at 500 characters).
 */
const CURSOR_VERSION = '2';

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${CURSOR_VERSION}:${cursor.log}:${cursor.seq ?? ''}`, 'utf8').toString('base64url');
}

/** The position inside a cursor, or a 400 for anything this server did not make. */
export function decodeCursor(cursor: string): Cursor {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^2:(\d{1,9}):([\x21-\x7e]*)$/.exec(decoded);
  const parsed = match ? { log: Number(match[1]), seq: match[2] === '' ? undefined : match[2] } : undefined;
  if (!parsed || encodeCursor(parsed) !== cursor)
    throw new HttpError(400, 'invalid-cursor', 'Invalid cursor: pull again without a cursor.');
  return parsed;
}

export async function pull(
  deps: PullDeps,
  accountId: string,
  query: { cursor?: string; limit?: number },
): Promise<PullResponse> {
  const from = query.cursor === undefined ? { seq: undefined, log: 0 } : decodeCursor(query.cursor);
  const limit = query.limit ?? LIMITS.pullPageMax;
  const [page, log] = await Promise.all([
    deps.storage.db('public').changes({ since: from.seq, limit, includeDocs: true }),
    readOwnLog(deps.storage.db('vault'), deps.secrets, accountId, from.log),
  ]);
  const docs: PublicDoc[] = [];
  const deleted: string[] = [];
  for (const row of page.results) {
    if (row.id.startsWith('_design/')) continue;
    if (row.deleted) {
      deleted.push(row.id);
      continue;
    }
    const doc = publicDocSchema.safeParse(row.doc);
    if (doc.success) docs.push(doc.data);
  }
  return {
    cursor: encodeCursor({ seq: page.lastSeq, log: log.next }),
    hasMore: page.results.length >= limit || !log.isComplete,
    docs,
    deleted,
    own: await ownChanges(deps, accountId, log.events, log.next),
  };
}

/** The current state of everything the events point at (events are pointers, read in bulk). */
async function ownChanges(
  deps: PullDeps,
  accountId: string,
  events: OwnEvent[],
  logEnd: number,
): Promise<OwnChanges> {
  const votes = new Map<string, { itemId: string; itemKind?: ItemKind; pendingId: string }>(); // vote doc id -> item
  const posts = new Map<string, Extract<OwnEvent, { t: 'post' }>>();
  const drafts = new Set<string>();
  const answers = new Set<string>();
  const reported = new Set<string>();
  let isSettingsChanged = false;
  for (const e of events) {
    if (e.t === 'vote') {
      const voter = voterFor(deps.secrets, e.conversationId, accountId);
      votes.set(voteDocId(deps.secrets, voter, e.itemId), {
        itemId: e.itemId,
        ...(e.itemKind ? { itemKind: e.itemKind } : {}),
        pendingId: pendingVoteDocId(deps.secrets, voter, e.itemId),
      });
    } else if (e.t === 'post') posts.set(e.contentId, e);
    else if (e.t === 'draft') drafts.add(e.draftId);
    else if (e.t === 'answers') answers.add(e.conversationId);
    else if (e.t === 'report') reported.add(e.itemId);
    else isSettingsChanged = true;
  }
  const read = async (db: 'votes' | 'private' | 'public', ids: string[]) =>
    ids.length === 0
      ? new Map<string, StoredDoc | undefined>()
      : new Map((await deps.storage.db(db).list({ keys: ids, includeDocs: true })).map((r) => [r.id, r.doc]));
  const draftIds = [...drafts].map((d) => draftDocId(deps.secrets, accountId, d));
  const answerIds = [...answers].map((c) => answersDocId(deps.secrets, accountId, c));
  const settingsId = settingsDocId(deps.secrets, accountId);
  const postList = [...posts.values()];
  const [voteDocs, privateDocs, draftDocs, publicDocs] = await Promise.all([
    read('votes', [...votes.keys()]),
    read('private', [
      ...postList.map((p) => stagedDocId(deps.secrets, p.contentId)),
      ...[...votes.values()].map((v) => v.pendingId),
      ...answerIds,
      ...(isSettingsChanged ? [settingsId] : []),
    ]),
    draftIds.length === 0
      ? new Map<string, StoredDoc>()
      : new Map(
          (await deps.storage.db('private').list({ keys: draftIds, includeDocs: true, conflicts: true })).map(
            (r) => [r.id, r.doc!],
          ),
        ),
    read(
      'public',
      postList.map((p) => docId[p.kind](p.contentId)),
    ),
  ]);
  const own: OwnChanges = {
    votes: [],
    posts: [],
    pending: [],
    drafts: [],
    deletedDrafts: [],
    answers: [],
    reported: [...reported],
  };
  for (const [id, { itemId, itemKind, pendingId }] of votes) {
    // A vote waiting for its batch is the person's latest word on the item. Neither waiting nor
    // released: it was set back to nothing before its batch (the releaser dropped it).
    const pending = openPendingVote(deps.secrets, privateDocs.get(pendingId));
    const vote = voteDocSchema.safeParse(voteDocs.get(id));
    const latest = pending ?? (vote.success ? vote.data : undefined);
    if (latest) own.votes.push({ itemId, itemKind: latest.itemKind, value: latest.value });
    else if (itemKind) own.votes.push({ itemId, itemKind, value: 'none' });
  }
  for (const post of postList) {
    const staged = openStaged(deps.secrets, privateDocs.get(stagedDocId(deps.secrets, post.contentId)));
    if (staged) own.pending.push(staged.doc);
    own.posts.push(ownPostStatus(post, publicDocs.get(docId[post.kind](post.contentId)), staged));
  }
  for (const [i, draftId] of [...drafts].entries()) {
    const stored = draftDocs.get(draftIds[i]!);
    const copies = stored
      ? await keepLosingDraftTexts(deps.storage.db('private'), deps.secrets, accountId, stored)
      : [];
    for (const copy of copies) own.drafts.push(toOwnDraft(copy));
    // The person's other devices hear of the copy like of any draft saved: through their own log.
    if (copies.length > 0)
      await appendOwnLog(
        deps.storage.db('vault'),
        deps.secrets,
        accountId,
        logEnd,
        copies.map((c) => ({ t: 'draft' as const, draftId: c.draftId })),
      );
    const draft = draftDocSchema.safeParse(stored);
    if (!draft.success) {
      own.deletedDrafts.push(draftId);
      continue;
    }
    own.drafts.push(toOwnDraft(draft.data));
  }
  for (const id of answerIds) {
    const doc = answersDocSchema.safeParse(privateDocs.get(id));
    if (doc.success) own.answers.push({ conversationId: doc.data.conversationId, answers: doc.data.answers });
  }
  if (isSettingsChanged) {
    const settings = settingsDocSchema.safeParse(privateDocs.get(settingsId));
    own.settings = { commentDigest: settings.success ? settings.data.commentDigest : false };
  }
  return own;
}

function toOwnDraft(d: DraftDoc): OwnDraft {
  return {
    draftId: d.draftId,
    draftKind: d.draftKind,
    conversationId: d.conversationId,
    ...(d.streamId ? { streamId: d.streamId } : {}),
    ...(d.ideaId ? { ideaId: d.ideaId } : {}),
    ...(d.title !== undefined ? { title: d.title } : {}),
    body: d.body,
    version: d.version,
    ...(d.conflictOf ? { conflictOf: d.conflictOf } : {}),
  };
}

/** "My activity": where one of the caller's posts stands now. */
export function ownPostStatus(
  post: { contentId: string; kind: 'idea' | 'comment'; conversationId: string },
  publicDoc: unknown,
  staged: StagedDoc | undefined,
): OwnPost {
  const parsed = (post.kind === 'idea' ? ideaDocSchema : commentDocSchema).safeParse(publicDoc);
  const known = parsed.success ? parsed.data : staged?.doc;
  const base: OwnPost = {
    contentId: post.contentId,
    kind: post.kind,
    conversationId: post.conversationId,
    status: 'pending-release',
    ...(known?.type === 'comment' ? { ideaId: known.ideaId } : {}),
  };
  if (!parsed.success) return staged ? base : { ...base, status: 'removed' };
  const doc = parsed.data;
  const status =
    doc.status === 'visible' && doc.editedByModerator ? ('edited-by-moderator' as const) : doc.status;
  return {
    ...base,
    status,
    ...('mergedInto' in doc && doc.mergedInto ? { mergedInto: doc.mergedInto } : {}),
    ...(doc.moderationReason && (doc.status === 'hidden' || doc.status === 'removed')
      ? { reason: doc.moderationReason }
      : {}),
    ...(staged ? { changePending: true } : {}),
  };
}
