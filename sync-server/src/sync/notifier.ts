/**
 * In-process fan-out of "a batch was released" events to this instance's live channels.
 * Other instances learn about batches by polling the public update sequence (events.ts),
 * so nothing needed for correctness lives here.
 */
import type { Notifier } from '../deps.js';

type BatchEvent = Parameters<Notifier['publish']>[0];

export function createNotifier(): Notifier {
  const listeners = new Set<(event: BatchEvent) => void>();
  return {
    publish(event) {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch {
          // One broken stream must not stop the others.
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
