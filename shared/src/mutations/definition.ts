/**
 * The shape of one kind of change, defined once and imported by both sides (the registry is
 * shared/src/mutations.ts). A definition says what the change is (its zod schema), who may send it
 * (checked by the server for each mutation), how the outbox keeps it, what it does on the device at
 * once, and what the person gets back when the server answers. The server's effect lives beside the
 * server's code (sync-server/src/sync/effects/), one module per kind, typed against this union.
 */
import { z } from 'zod';
import type { Action } from '../authorization.js';
import type { DeviceStore, Rejection } from '../device.js';
import { stripBidiControls } from '../text/bidi.js';

export interface MutationDefinition<M extends { kind: string; id: string }> {
  kind: M['kind'];
  schema: z.ZodType<M, unknown>;
  /** Who may send it: the server checks each mutation against the session's roles. */
  permission: Action;
  /**
   * The thing a change is about (a vote's item, a draft, an own post), for the outbox: pending
   * changes with the same key are sent in the order they were made, and with `collapses` a newer
   * change replaces an older one that has not started sending (only the last choice matters).
   */
  syncKey?: (m: M) => string;
  collapses?: boolean;
  /**
   * The effect on the device, written with the outbox entry in one transaction, and applied again
   * on top of every server state the device receives until the server has answered (so a pull can
   * never undo a pending change). Must be idempotent.
   */
  applyLocal(m: M, store: DeviceStore): Promise<void>;
  /** The server applied it (or had already): `contentId` is the public id a create made. */
  onAccepted(m: M, answer: { contentId?: string }, store: DeviceStore): Promise<void>;
  /**
   * The server refused it for good: nothing the person wrote is lost. Text goes back to drafts with
   * the reason; a choice without text (a vote, a setting) returns to what the server holds.
   */
  onRejected(m: M, reason: Rejection, store: DeviceStore): Promise<void>;
}

/**
 * Text fields lose bidi override and isolate controls (text/bidi.ts) and are trimmed, then held
 * to their limits, with messages written for the person.
 */
export const trimmed = (min: number, max: number, what: string) =>
  z
    .string()
    .transform((s) => stripBidiControls(s).trim())
    .pipe(
      z
        .string()
        .min(min, `${what} needs at least ${min} character${min === 1 ? '' : 's'}`)
        .max(max, `${what} can be at most ${max} characters`),
    );
