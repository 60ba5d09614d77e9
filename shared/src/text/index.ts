/** Text helpers shared by the PWA and the server: the identifying-text detector and the roster hash set. */
export {
  createDetector,
  detectIdentifyingText,
  IDENTIFYING_GUIDELINE,
  WARNING_KINDS,
  type DetectorContext,
  type TextWarning,
  type WarningKind,
} from './detector.js';
export {
  buildRosterHashSet,
  hashedRoster,
  hashRosterToken,
  nameTokens,
  plainRoster,
  ROSTER_HASH_HEX_CHARS,
  type RosterHashSet,
  type RosterLookup,
} from './roster.js';
