/**
 * report.create: a participant reports a post against a guideline. Stored in the private database as
 * `report:<HMAC(person, item)>` with the item, guideline and optional note, for the moderation queue.
 * The reporter is never stored in clear: the id alone stops one person reporting the same item twice
 * (a second report of the same item by the same person is accepted and changes nothing), and it is a
 * create of an id that is a function of its inputs, so retries find it.
 */
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { toCoarseHour } from '../../../shared/src/ids.js';
import type { ReportDoc } from '../../../shared/src/documents.js';
import type { CreateReportMutation } from '../../../shared/src/mutations.js';
import { REJECTION_CODES } from '../../../shared/src/rejections.js';
import type { Deps } from '../deps.js';
import { reportDocId } from './keys.js';
import { findItem } from './targets.js';
import type { ApplyContext, Outcome } from './outcome.js';

const missing = { code: REJECTION_CODES.notFound, message: 'The post you reported is no longer available.' };

export async function applyReportCreate(
  deps: Deps,
  accountId: string,
  m: CreateReportMutation,
  ctx: ApplyContext,
): Promise<Outcome> {
  const id = reportDocId(deps.secrets, accountId, m.itemId);
  const privateDb = deps.storage.db('private');
  if (!(await privateDb.get(id))) {
    const item = await findItem(deps, accountId, m.itemKind, m.itemId);
    if (!item || item.conversationId !== m.conversationId) return { status: 'rejected', reason: missing };
    const closed = await ctx.lookups.conversationProblem(m.conversationId);
    if (closed) return { status: 'rejected', reason: closed };
    const report: ReportDoc = {
      _id: id,
      type: 'report',
      schemaVersion: SCHEMA_VERSION,
      conversationId: m.conversationId,
      itemKind: m.itemKind,
      itemId: m.itemId,
      guideline: m.guideline,
      ...(m.note ? { note: m.note } : {}),
      reportedHour: toCoarseHour(deps.now()),
      status: 'open',
    };
    await privateDb.create(report);
  }
  return { status: 'applied' };
}
