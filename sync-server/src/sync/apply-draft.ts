/**
 * draft.save and draft.delete: drafts synced between one person's devices as private documents
 * `draft:<ownerTag>:<draftId>`, readable only through that person's sessions (pull's ownDrafts).
 * Never copied to the public database or the releaser.
 *
 * Two devices editing one draft offline keep both texts: a save whose baseVersion is not the stored
 * version is stored as a new conflict copy (draftId derived from the mutation id, `conflictOf` set)
 * instead of overwriting. A delete whose baseVersion is older than the stored text keeps the draft.
 * A save of a draft that no longer exists recreates it: a draft is never silently dropped.
 * Drafts are accepted on closed conversations too: they are where rejected posts go back to.
 */
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { draftDocSchema, type DraftDoc } from '../../../shared/src/documents.js';
import type { DeleteDraftMutation, SaveDraftMutation } from '../../../shared/src/mutations.js';
import type { OwnDraft } from '../../../shared/src/api.js';
import type { Deps } from '../deps.js';
import { ConflictError } from '../storage/port.js';
import { conflictDraftId, draftDocId, draftPrefix, ownerTagFor } from './keys.js';
import type { ApplyContext, Outcome } from './outcome.js';

const MAX_ATTEMPTS = 8;

export async function applyDraftSave(
  deps: Deps,
  accountId: string,
  m: SaveDraftMutation,
  ctx: ApplyContext,
): Promise<Outcome> {
  const db = deps.storage.db('private');
  const id = draftDocId(deps.secrets, accountId, m.draftId);
  const copyId = conflictDraftId(m.id);
  const build = (draftId: string, conflictOf?: string): DraftDoc => ({
    _id: draftDocId(deps.secrets, accountId, draftId),
    type: 'draft',
    schemaVersion: SCHEMA_VERSION,
    ownerTag: ownerTagFor(deps.secrets, accountId),
    draftId,
    draftKind: m.draftKind,
    conversationId: m.conversationId,
    ...(m.streamId ? { streamId: m.streamId } : {}),
    ...(m.ideaId ? { ideaId: m.ideaId } : {}),
    ...(m.title !== undefined ? { title: m.title } : {}),
    body: m.body,
    version: m.id,
    ...(conflictOf ? { conflictOf } : {}),
  });
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = await db.get(id);
    const existing = draftDocSchema.safeParse(stored);
    if (existing.success && existing.data.version === m.id)
      return { status: 'applied', contentId: m.draftId };
    // An earlier attempt of this mutation already kept its text as a conflict copy.
    if (await db.get(draftDocId(deps.secrets, accountId, copyId)))
      return { status: 'applied', contentId: copyId };
    if (existing.success && existing.data.version !== m.baseVersion) {
      await db.create(build(copyId, m.draftId));
      return { status: 'applied', contentId: copyId };
    }
    if (await ctx.isSettled()) return { status: 'applied', contentId: m.draftId };
    try {
      const doc = build(m.draftId);
      await db.put(stored ? { ...doc, _rev: stored._rev } : doc);
      return { status: 'applied', contentId: m.draftId };
    } catch (err) {
      // Another device saved this draft meanwhile: judge again against its version.
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new Error('draft save kept conflicting');
}

export async function applyDraftDelete(
  deps: Deps,
  accountId: string,
  m: DeleteDraftMutation,
  ctx: ApplyContext,
): Promise<Outcome> {
  const db = deps.storage.db('private');
  const id = draftDocId(deps.secrets, accountId, m.draftId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = await db.get(id);
    if (!stored || (await ctx.isSettled())) return { status: 'applied' };
    const existing = draftDocSchema.safeParse(stored);
    // Another device saved newer text than this device knew: keep it.
    if (m.baseVersion && existing.success && existing.data.version !== m.baseVersion)
      return { status: 'applied' };
    try {
      // A deleted draft's old revision stays until compaction (CouchDB compacts automatically).
      await db.remove(id, stored._rev);
      return { status: 'applied' };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new Error('draft delete kept conflicting');
}

/** The caller's drafts, from all their devices; nobody else's (the prefix is their owner tag). */
export async function listOwnDrafts(
  deps: Pick<Deps, 'storage' | 'secrets'>,
  accountId: string,
): Promise<OwnDraft[]> {
  const ownerTag = ownerTagFor(deps.secrets, accountId);
  const drafts: OwnDraft[] = [];
  for (const row of await deps.storage
    .db('private')
    .list({ prefix: draftPrefix(deps.secrets, accountId), includeDocs: true })) {
    const parsed = draftDocSchema.safeParse(row.doc);
    if (!parsed.success || parsed.data.ownerTag !== ownerTag) continue;
    const d = parsed.data;
    drafts.push({
      draftId: d.draftId,
      draftKind: d.draftKind,
      conversationId: d.conversationId,
      ...(d.streamId ? { streamId: d.streamId } : {}),
      ...(d.ideaId ? { ideaId: d.ideaId } : {}),
      ...(d.title !== undefined ? { title: d.title } : {}),
      body: d.body,
      version: d.version,
      ...(d.conflictOf ? { conflictOf: d.conflictOf } : {}),
    });
  }
  return drafts;
}
