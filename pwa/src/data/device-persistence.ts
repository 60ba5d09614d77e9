/**
 * Asks the browser to keep Huddle's storage (Safari deletes IndexedDB after 7 days
 * without a visit otherwise), once per device, after the person's first contribution:
 * asking on first load gets refused or looks pushy, and before contributing there is
 * nothing of theirs to lose.
 */
import { readFlag, writeFlag } from './device-flags.js';

export type PersistOutcome = 'granted' | 'denied' | 'unsupported' | 'asked-before';

interface StorageManagerLike {
  persist?: () => Promise<boolean>;
  persisted?: () => Promise<boolean>;
}

export async function requestPersistenceOnce(
  manager: StorageManagerLike | undefined = globalThis.navigator?.storage,
): Promise<PersistOutcome> {
  if (readFlag('persistRequested')) return 'asked-before';
  if (!manager?.persist) return 'unsupported';
  writeFlag('persistRequested', new Date().toISOString());
  try {
    if (await manager.persisted?.()) return 'granted';
    return (await manager.persist()) ? 'granted' : 'denied';
  } catch {
    return 'denied';
  }
}
