/**
 * How the server's half of a kind of change is written: one module per kind in this folder, each a
 * pure decision over documents read in bulk for the whole batch (see ../push.ts):
 *   reads(m)          the documents it needs (ids derived from the mutation);
 *   decide(m, view)   the outcome, the writes, and what the person's other devices must hear of it
 *                     (events in their own change log); or `more` ids to read first.
 * No module talks to the store itself: the batch reads and writes once per database.
 */
import type { Role } from '../../../../shared/src/roles.js';
import type { Rejection } from '../../../../shared/src/rejections.js';
import type { Mutation, MutationKind, MutationOf } from '../../../../shared/src/mutations.js';
import type { Secrets } from '../../secrets.js';
import type { DbName, StoredDoc } from '../../storage/port.js';
import type { OwnEvent } from '../own-log.js';
import type { VaultAuthor } from '../vault.js';
import type { VaultDoc } from '../../../../shared/src/documents.js';

export interface DocRef {
  db: DbName;
  id: string;
}

/** What an effect may see: the documents it asked for, with the batch's earlier writes on top. */
export interface BatchView {
  /** undefined when the document does not exist. Throws if it was never asked for (a bug). */
  get(db: DbName, id: string): StoredDoc | undefined;
}

export type Write =
  /** Create if absent; the content is a function of the id, so 'already there' means done. */
  | { db: DbName; mode: 'ensure'; doc: StoredDoc }
  /** Create or replace at the revision that was read; a conflict decides the mutation again. */
  | { db: DbName; mode: 'put'; doc: StoredDoc }
  /** Delete at the revision that was read; a conflict decides the mutation again. */
  | { db: DbName; mode: 'delete'; id: string };

export type Outcome = { status: 'applied'; contentId?: string } | { status: 'rejected'; reason: Rejection };

export interface Decision {
  outcome: Outcome;
  writes?: Write[];
  /** What the person's other devices learn at their next pull (ids only; they read the current state). */
  events?: OwnEvent[];
  /** Stored in the receipt, so that a replay answers the same contentId (see `replayAnswer`). */
  receiptNote?: 'conflict-copy';
}

export interface EffectContext {
  accountId: string;
  roles: readonly Role[];
  secrets: Pick<Secrets, 'link' | 'vaultKey' | 'vaultKeyId'>;
  now: Date;
  sealAuthor(author: VaultAuthor): VaultDoc;
  openAuthor(doc: StoredDoc | undefined, contentId: string): VaultAuthor | undefined;
}

export interface ServerEffect<M extends Mutation> {
  reads(m: M, ctx: EffectContext): DocRef[];
  decide(m: M, view: BatchView, ctx: EffectContext): Decision | { more: DocRef[] };
  /** The answer to a replay of an applied mutation (its receipt holds no content id). */
  replayAnswer?(m: M, ctx: EffectContext, note: Decision['receiptNote']): { contentId?: string };
}

export type ServerEffects = { [K in MutationKind]: ServerEffect<MutationOf<K>> };

export const applied = (contentId?: string): Outcome =>
  contentId ? { status: 'applied', contentId } : { status: 'applied' };
export const rejected = (reason: Rejection): Decision => ({ outcome: { status: 'rejected', reason } });
