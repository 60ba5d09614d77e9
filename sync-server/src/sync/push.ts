/**
 * Applies a pushed batch, each mutation on its own and in order, at most once ever per
 * (account, mutation id), across crashes and instances:
 *   1. a receipt exists -> answer from it (no effect);
 *   2. validate and check the target -> a permanent failure gets a 'rejected' receipt;
 *   3. write the effects, each to an id derived from the mutation (creates answer 'exists'
 *      when an earlier attempt got there first);
 *   4. write the 'applied' receipt last.
 * A crash between any two writes leaves state that the retry completes to exactly one effect.
 * Receipts carry no account id: their id is HMAC(account, mutation id).
 */
import type { z } from 'zod';
import type { MutationResult } from '../../../shared/src/api.js';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { receiptDocSchema, type ReceiptDoc } from '../../../shared/src/documents.js';
import { mutationSchema, type Mutation } from '../../../shared/src/mutations.js';
import { REJECTION_CODES } from '../../../shared/src/rejections.js';
import type { Deps } from '../deps.js';
import { applyCommentCreate } from './apply-comment.js';
import { applyIdeaCreate } from './apply-idea.js';
import { applyVoteSet } from './apply-vote.js';
import { applyCommentEdit, applyIdeaEdit } from './apply-edit.js';
import { applyCommentWithdraw, applyIdeaWithdraw } from './apply-withdraw.js';
import { applyReportCreate } from './apply-report.js';
import { applyQuestionnaireSubmit } from './apply-questionnaire.js';
import { applyDraftDelete, applyDraftSave } from './apply-draft.js';
import { applyNotificationsSet } from './apply-settings.js';
import { receiptDocId } from './keys.js';
import type { ApplyContext, Outcome } from './outcome.js';
import { createBatchLookups, type BatchLookups } from './targets.js';

export async function applyMutations(
  deps: Deps,
  accountId: string,
  raw: readonly unknown[],
): Promise<MutationResult[]> {
  const parsed = raw.map((item) => mutationSchema.safeParse(item));
  const receipts = deps.storage.db('private');
  // One read for the receipts of the whole batch: a replayed batch costs one request.
  const receiptIds = parsed.map((p) => (p.success ? receiptDocId(deps.secrets, accountId, p.data.id) : ''));
  const known = new Map<string, ReceiptDoc>();
  const wanted = receiptIds.filter((id) => id !== '');
  if (wanted.length > 0) {
    for (const row of await receipts.list({ keys: wanted, includeDocs: true })) {
      const receipt = receiptDocSchema.safeParse(row.doc);
      if (receipt.success) known.set(row.id, receipt.data);
    }
  }
  const lookups = createBatchLookups(deps);
  const results: MutationResult[] = [];
  for (const [i, p] of parsed.entries()) {
    if (!p.success) {
      results.push(invalid(raw[i], p.error));
      continue;
    }
    const earlier = known.get(receiptIds[i]!);
    results.push(
      earlier
        ? fromReceipt(p.data.id, earlier, true)
        : await applyOne(deps, receiptIds[i]!, accountId, p.data, lookups),
    );
  }
  return results;
}

/** Deterministic: the same bytes are rejected the same way on every retry, so no receipt. */
function invalid(raw: unknown, error: z.ZodError): MutationResult {
  const first = error.issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  return {
    id: usableId(raw),
    status: 'rejected',
    reason: { code: REJECTION_CODES.invalid, message: `${where}${first?.message ?? 'invalid mutation'}` },
  };
}

async function applyOne(
  deps: Deps,
  receiptId: string,
  accountId: string,
  mutation: Mutation,
  lookups: BatchLookups,
): Promise<MutationResult> {
  const receipts = deps.storage.db('private');
  const isSettled = async () => (await receipts.get(receiptId)) !== undefined;
  const outcome = await applyByKind(deps, accountId, mutation, { lookups, isSettled });
  const receipt: ReceiptDoc = {
    _id: receiptId,
    type: 'receipt',
    schemaVersion: SCHEMA_VERSION,
    status: outcome.status,
    ...(outcome.status === 'rejected' ? { reason: outcome.reason } : {}),
    ...(outcome.status === 'applied' && outcome.contentId ? { contentId: outcome.contentId } : {}),
  };
  if ((await receipts.create(receipt)) === 'created') return fromReceipt(mutation.id, receipt, false);
  // A concurrent delivery of the same mutation finished first: answer what it decided.
  const winner = receiptDocSchema.safeParse(await receipts.get(receiptId));
  return fromReceipt(mutation.id, winner.success ? winner.data : receipt, true);
}

function applyByKind(deps: Deps, accountId: string, mutation: Mutation, ctx: ApplyContext): Promise<Outcome> {
  switch (mutation.kind) {
    case 'idea.create':
      return applyIdeaCreate(deps, accountId, mutation, ctx);
    case 'comment.create':
      return applyCommentCreate(deps, accountId, mutation, ctx);
    case 'vote.set':
      return applyVoteSet(deps, accountId, mutation, ctx);
    case 'idea.edit':
      return applyIdeaEdit(deps, accountId, mutation, ctx);
    case 'comment.edit':
      return applyCommentEdit(deps, accountId, mutation, ctx);
    case 'idea.withdraw':
      return applyIdeaWithdraw(deps, accountId, mutation, ctx);
    case 'comment.withdraw':
      return applyCommentWithdraw(deps, accountId, mutation, ctx);
    case 'report.create':
      return applyReportCreate(deps, accountId, mutation, ctx);
    case 'questionnaire.submit':
      return applyQuestionnaireSubmit(deps, accountId, mutation, ctx);
    case 'draft.save':
      return applyDraftSave(deps, accountId, mutation, ctx);
    case 'draft.delete':
      return applyDraftDelete(deps, accountId, mutation, ctx);
    case 'notifications.set':
      return applyNotificationsSet(deps, accountId, mutation, ctx);
  }
}

/**
 * A replayed rejection is answered as a rejection again, not as 'duplicate': a client whose
 * first answer was lost must still get its content back into drafts with the reason.
 */
function fromReceipt(id: string, receipt: ReceiptDoc, isReplay: boolean): MutationResult {
  if (receipt.status === 'rejected') {
    return {
      id,
      status: 'rejected',
      reason: receipt.reason ?? { code: REJECTION_CODES.invalid, message: 'Rejected.' },
    };
  }
  return {
    id,
    status: isReplay ? 'duplicate' : 'applied',
    ...(receipt.contentId ? { contentId: receipt.contentId } : {}),
  };
}

function usableId(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return '';
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= 100 ? id : '';
}
