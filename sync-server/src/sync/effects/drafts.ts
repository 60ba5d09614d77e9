/**
 * draft.save and draft.delete: drafts synced between one person's devices as private documents
 * `draft:<link(person, draftId)>`, found only through the person's own change log. Never copied to the
 * public database or the releaser; no owner tag: nothing in a draft names its author.
 *
 * Two devices editing one draft offline keep both texts: a save whose baseVersion is not the stored
 * version is stored as a new conflict copy (draftId derived from the mutation id, `conflictOf` set)
 * instead of overwriting. A delete whose baseVersion is older than the stored text keeps the draft.
 * A save of a draft that no longer exists recreates it: a draft is never silently dropped.
 * Drafts are accepted on closed conversations too: they are where rejected posts go back to.
 */
import { SCHEMA_VERSION } from '../../../../shared/src/protocol.js';
import { draftDocSchema, type DraftDoc } from '../../../../shared/src/documents.js';
import type { DeleteDraftMutation, SaveDraftMutation } from '../../../../shared/src/mutations.js';
import { conflictDraftId, draftDocId } from '../keys.js';
import { applied, type ServerEffect } from './types.js';

export const draftSaveEffect: ServerEffect<SaveDraftMutation> = {
  reads: (m, ctx) => [
    { db: 'private', id: draftDocId(ctx.secrets, ctx.accountId, m.draftId) },
    { db: 'private', id: draftDocId(ctx.secrets, ctx.accountId, conflictDraftId(m.id)) },
  ],
  decide(m, view, ctx) {
    const id = draftDocId(ctx.secrets, ctx.accountId, m.draftId);
    const copyId = conflictDraftId(m.id);
    const build = (draftId: string, conflictOf?: string): DraftDoc => ({
      _id: draftDocId(ctx.secrets, ctx.accountId, draftId),
      type: 'draft',
      schemaVersion: SCHEMA_VERSION,
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
    const existing = draftDocSchema.safeParse(view.get('private', id));
    const asCopy = {
      outcome: applied(copyId),
      events: [{ t: 'draft' as const, draftId: copyId }],
      receiptNote: 'conflict-copy' as const,
    };
    // A retry: this save is already stored, or an earlier attempt kept it as a conflict copy.
    if (existing.success && existing.data.version === m.id)
      return { outcome: applied(m.draftId), events: [{ t: 'draft', draftId: m.draftId }] };
    if (view.get('private', draftDocId(ctx.secrets, ctx.accountId, copyId))) return asCopy;
    if (existing.success && existing.data.version !== m.baseVersion)
      return { ...asCopy, writes: [{ db: 'private', mode: 'ensure', doc: build(copyId, m.draftId) }] };
    return {
      outcome: applied(m.draftId),
      writes: [{ db: 'private', mode: 'put', doc: build(m.draftId) }],
      events: [{ t: 'draft', draftId: m.draftId }],
    };
  },
  replayAnswer: (m, _ctx, note) => ({
    contentId: note === 'conflict-copy' ? conflictDraftId(m.id) : m.draftId,
  }),
};

export const draftDeleteEffect: ServerEffect<DeleteDraftMutation> = {
  reads: (m, ctx) => [{ db: 'private', id: draftDocId(ctx.secrets, ctx.accountId, m.draftId) }],
  decide(m, view, ctx) {
    const id = draftDocId(ctx.secrets, ctx.accountId, m.draftId);
    const events = [{ t: 'draft' as const, draftId: m.draftId }];
    const stored = view.get('private', id);
    if (!stored) return { outcome: applied(), events };
    const existing = draftDocSchema.safeParse(stored);
    // Another device saved newer text than this device knew: keep it.
    if (m.baseVersion && existing.success && existing.data.version !== m.baseVersion)
      return { outcome: applied(), events };
    return { outcome: applied(), writes: [{ db: 'private', mode: 'delete', id }], events };
  },
};
