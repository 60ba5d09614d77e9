/**
 * Mutual exclusion across tabs, so two tabs never push the same outbox at once.
 * Uses the Web Locks API where the browser has it; elsewhere (old Safari, node tests) an
 * in-process queue. Without Web Locks two tabs could still overlap: that stays safe
 * because the server applies each mutation id at most once.
 */
const localQueues = new Map<string, Promise<unknown>>();

/**
 * One lock for push and pull across every tab of this browser: one sync loop at a time, so a pull
 * fetched before another tab's change was answered can never land after that answer and undo it.
 */
export const SYNC_LOCK = 'huddle-sync';

/** The sync lock of one device database (tabs of one origin share it; another database is another device). */
export const syncLockOf = (db: { name: string }) => `${SYNC_LOCK}:${db.name}`;

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

function webLocks(): LockManagerLike | undefined {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks && typeof nav.locks.request === 'function' ? nav.locks : undefined;
}

export async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = webLocks();
  if (locks) return locks.request(name, fn);
  const previous = localQueues.get(name) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(fn);
  const tail = run.catch(() => undefined);
  localQueues.set(name, tail);
  try {
    return await run;
  } finally {
    if (localQueues.get(name) === tail) localQueues.delete(name);
  }
}
