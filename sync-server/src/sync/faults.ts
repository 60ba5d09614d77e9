/**
 * Test-only crash injection for the exactly-once fault tests. Active only with
 * HUDDLE_TEST_HOOKS=1 and HUDDLE_FAULT_KILL_AFTER_WRITES=N: the N-th database write made
 * while applying a push (inside `runInPushScope`) is followed, as soon as it resolves, by
 * SIGKILL of this process: no cleanup, no response, exactly like a power cut after that write.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Config } from '../config.js';
import type { DocStore, Storage, StoredDoc } from '../storage/port.js';

const pushScope = new AsyncLocalStorage<true>();

/** Marks the writes that count towards the fault (the push route wraps its work in this). */
export function runInPushScope<T>(fn: () => Promise<T>): Promise<T> {
  return pushScope.run(true, fn);
}

export function withFaultHook(
  storage: Storage,
  config: Pick<Config, 'hasTestHooks'>,
  env: Record<string, string | undefined> = process.env,
): Storage {
  const killAfter = Number(env['HUDDLE_FAULT_KILL_AFTER_WRITES']);
  if (!config.hasTestHooks || !Number.isInteger(killAfter) || killAfter < 1) return storage;
  let writes = 0;
  const afterWrite = async <T>(result: T): Promise<T> => {
    if (!pushScope.getStore()) return result;
    writes += 1;
    if (writes === killAfter) {
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => undefined); // never continue past the fault
    }
    return result;
  };
  const stores = new Map<string, DocStore>();
  const wrap = (inner: DocStore): DocStore => ({
    name: inner.name,
    get: (id) => inner.get(id),
    getRevisions: (id, revs) => inner.getRevisions(id, revs),
    put: async (doc) => afterWrite(await inner.put(doc)),
    create: async (doc) => afterWrite(await inner.create(doc)),
    bulkPut: async (docs: StoredDoc[]) => afterWrite(await inner.bulkPut(docs)),
    remove: async (id, rev) => afterWrite(await inner.remove(id, rev)),
    purge: async (id) => afterWrite(await inner.purge(id)),
    purgeMany: async (docs) => afterWrite(await inner.purgeMany(docs)),
    compact: () => inner.compact(),
    list: (options) => inner.list(options),
    changes: (options) => inner.changes(options),
    query: (view, options) => inner.query(view, options),
    updateSeq: () => inner.updateSeq(),
  });
  return {
    kind: storage.kind,
    db(name) {
      let store = stores.get(name);
      if (!store) stores.set(name, (store = wrap(storage.db(name))));
      return store;
    },
    init: () => storage.init(),
    close: () => storage.close(),
  };
}
