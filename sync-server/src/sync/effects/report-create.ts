/**
 * report.create: a participant reports a post against a guideline. Stored in the private database as
 * `report:<link(person, item)>` with the item, guideline and optional note, for the moderation queue.
 * The reporter is never stored in clear: the id alone stops one person reporting the same item twice
 * (a second report is accepted and changes nothing), and it is a create of an id that is a function of
 * its inputs, so retries find it.
 */
import { SCHEMA_VERSION } from '../../../../shared/src/protocol.js';
import { toCoarseHour } from '../../../../shared/src/ids.js';
import type { ReportDoc } from '../../../../shared/src/documents.js';
import type { CreateReportMutation } from '../../../../shared/src/mutations.js';
import { REJECTION_CODES } from '../../../../shared/src/rejections.js';
import { reportDocId } from '../keys.js';
import { conversationProblem, conversationRef, findItem, itemRefs } from './targets.js';
import { applied, rejected, type ServerEffect } from './types.js';

const missing = { code: REJECTION_CODES.notFound, message: 'The post you reported is no longer available.' };

export const reportCreateEffect: ServerEffect<CreateReportMutation> = {
  reads: (m, ctx) => [
    conversationRef(m.conversationId),
    ...itemRefs(ctx.secrets, m.itemKind, m.itemId),
    { db: 'private', id: reportDocId(ctx.secrets, ctx.accountId, m.itemId) },
  ],
  decide(m, view, ctx) {
    const id = reportDocId(ctx.secrets, ctx.accountId, m.itemId);
    const events = [{ t: 'report' as const, itemId: m.itemId }];
    if (view.get('private', id)) return { outcome: applied(), events };
    const item = findItem(view, ctx, m.itemKind, m.itemId);
    if (!item || item.doc.conversationId !== m.conversationId) return rejected(missing);
    const closed = conversationProblem(view, m.conversationId);
    if (closed) return rejected(closed);
    const report: ReportDoc = {
      _id: id,
      type: 'report',
      schemaVersion: SCHEMA_VERSION,
      conversationId: m.conversationId,
      itemKind: m.itemKind,
      itemId: m.itemId,
      guideline: m.guideline,
      ...(m.note ? { note: m.note } : {}),
      reportedHour: toCoarseHour(ctx.now),
      status: 'open',
    };
    return { outcome: applied(), writes: [{ db: 'private', mode: 'ensure', doc: report }], events };
  },
};
