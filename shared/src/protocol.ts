/**
 * What crosses the wire between the PWA and the sync server is versioned here.
 * The server accepts any client protocol in [MIN_CLIENT_PROTOCOL, PROTOCOL_VERSION]
 * so that mutations queued by an older app version are still applied after an update.
 */
export const PROTOCOL_VERSION = 2;
/** Version 2: pull answers the caller's own state as changes since the cursor (`own`), cursors changed. */
export const MIN_CLIENT_PROTOCOL = 2;

/** Version of the stored document shapes; migrations move forward only. */
export const SCHEMA_VERSION = 1 as const;

export const INCOMPATIBILITY_REASONS = {
  clientTooOld: 'client-too-old',
  serverTooOld: 'server-too-old',
} as const;
export type IncompatibilityReason = (typeof INCOMPATIBILITY_REASONS)[keyof typeof INCOMPATIBILITY_REASONS];

export function checkProtocol(clientVersion: number): IncompatibilityReason | null {
  if (clientVersion < MIN_CLIENT_PROTOCOL) return INCOMPATIBILITY_REASONS.clientTooOld;
  if (clientVersion > PROTOCOL_VERSION) return INCOMPATIBILITY_REASONS.serverTooOld;
  return null;
}

/** Limits shared by the forms in the PWA and the validators on the server. */
export const LIMITS = {
  ideaTitleMin: 3,
  ideaTitleMax: 140,
  ideaBodyMax: 5000,
  commentBodyMax: 3000,
  reportNoteMax: 500,
  /**
   * Drafts are private and may run over the posting limits (a paste is never cut): they sync between
   * the person's devices up to these, generous, sizes.
   */
  draftTitleMax: 1000,
  draftBodyMax: 20000,
  mutationsPerPush: 100,
  /** Largest push body the server accepts; devices size their batches under it (pushBatchBytes). */
  pushBodyBytes: 256 * 1024,
  /**
   * What a device puts in one push, in bytes of JSON, leaving room for the envelope and the padding to a
   * size bucket (sync/padding.ts: padded, such a batch is at most 198 KiB).
   */
  pushBatchBytes: 192 * 1024,
  pullPageMax: 1000,
} as const;
