/** What applying one mutation decided; stored in its receipt and sent back to the client. */
import type { Rejection } from '../../../shared/src/rejections.js';
import type { BatchLookups } from './targets.js';

export type Outcome = { status: 'applied'; contentId?: string } | { status: 'rejected'; reason: Rejection };

/** What the push loop hands each mutation kind. */
export interface ApplyContext {
  lookups: BatchLookups;
  /**
   * Whether another delivery of this same mutation has already finished (its receipt exists).
   * Asked before overwriting a vote: that delivery may have gone on to apply a later mutation
   * of the same device, which this stale attempt must not overwrite.
   */
  isSettled(): Promise<boolean>;
}
