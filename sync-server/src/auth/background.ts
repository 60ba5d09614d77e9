/**
 * Work done after the answer is sent (so that, for example, a login request for an
 * unknown address answers exactly like one for a known address, in the same time).
 * Failures are logged without any identity; close() waits for what is in flight.
 */
import type { FastifyBaseLogger } from 'fastify';

export interface Background {
  run(what: string, task: () => Promise<unknown>): void;
  drain(): Promise<void>;
}

export function createBackground(log: Pick<FastifyBaseLogger, 'error'>): Background {
  const pending = new Set<Promise<unknown>>();
  return {
    run(what, task) {
      const p = task().catch((err: unknown) => {
        // The message of a mail or storage error can contain the address: log its kind only.
        const e = err as { name?: string; code?: string; responseCode?: number };
        log.error({ err: { name: e?.name, code: e?.code, responseCode: e?.responseCode } }, `${what} failed`);
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
