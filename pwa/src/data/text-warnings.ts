/**
 * The naming warning on the device: runs the shared detector on the text being typed,
 * debounced, with the roster hash set kept in `meta` (see roster-hashes.ts), so it works
 * offline. Never blocks posting: it only says what it found. The detector (word lists,
 * SHA-256) is its own chunk, loaded when a form first needs it and precached for offline
 * use, so the first screen does not pay for it.
 */
import { useEffect, useMemo, useState } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import type { TextWarning } from '../../../shared/src/text/detector.js';
import type * as TextModule from '../../../shared/src/text/index.js';
import { getMeta } from './db.js';
import { getRuntime } from './runtime.js';

export type { TextWarning } from '../../../shared/src/text/detector.js';
export { IDENTIFYING_GUIDELINE } from '../../../shared/src/text/guideline.js';

export const WARNING_DEBOUNCE_MS = 300;

type DetectorModule = typeof TextModule;
let loading: Promise<DetectorModule> | undefined;
const loadDetector = () => (loading ??= import('../../../shared/src/text/index.js'));

/** Warnings for the text as typed, recomputed a moment after typing stops. */
export function useTextWarnings(text: string): TextWarning[] {
  const set = useLiveQuery(() => getMeta(getRuntime().db, 'rosterHashes'));
  const [detector, setDetector] = useState<DetectorModule | null>(null);
  useEffect(() => {
    let isMounted = true;
    void loadDetector().then((m) => isMounted && setDetector(m));
    return () => {
      isMounted = false;
    };
  }, []);
  const detect = useMemo(
    () => detector?.createDetector({ roster: set ? detector.hashedRoster(set) : undefined }),
    [detector, set],
  );
  const [settled, setSettled] = useState(text);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(text), WARNING_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  return useMemo(() => (detect ? detect(settled) : []), [detect, settled]);
}
