/**
 * The device shows the server's state with the changes it has not sent (or not had answered) applied
 * on top. Whatever writes server state (a pull page, an answer to a push) calls this in the same
 * transaction afterwards: every pending change's effect is applied again, in the order it was made,
 * so no server state can undo a change the person made here. Each kind's effect is idempotent.
 */
import { definitionOf } from '../../../shared/src/mutations.js';
import type { HuddleDb } from './db.js';
import { deviceStore } from './device-store.js';

/** Call inside a transaction over queueTables(db). */
export async function rebaseOnServerState(db: HuddleDb): Promise<void> {
  const pending = await db.outbox.orderBy('seq').toArray();
  if (pending.length === 0) return;
  const store = deviceStore(db);
  for (const entry of pending) await definitionOf(entry.mutation).applyLocal(entry.mutation, store);
}
