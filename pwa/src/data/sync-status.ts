/**
 * What the sync status bar says, as a pure function of the facts, so the rule that
 * matters most is easy to test: "All sent" only when the outbox is empty (every queued
 * mutation has been answered by the server) and nothing is on the wire.
 */
export const SYNC_STATES = ['offline', 'syncing', 'synced', 'waiting', 'error', 'signed-out'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

/** What the engine is doing right now. */
export type SyncActivity = 'idle' | 'pushing' | 'pulling';

/** The last failure the engine met; cleared by the next success. */
export type SyncProblem = 'network' | 'server' | 'protocol' | null;

export interface SyncFacts {
  isSignedIn: boolean;
  needsLogin: boolean;
  /** Another person's session is open while this person's changes wait: nothing is sent until someone decides. */
  isHeldForOtherPerson?: boolean;
  isOnline: boolean;
  activity: SyncActivity;
  problem: SyncProblem;
  /** Entries in the outbox: changes the server has not answered yet. */
  waitingCount: number;
}

export interface SyncStatus {
  state: SyncState;
  waitingCount: number;
  lastSyncedAt: string | null;
  /** One honest sentence for the status bar. */
  label: string;
}

export function deriveSyncState(facts: SyncFacts): SyncState {
  if (!facts.isSignedIn || facts.needsLogin) return 'signed-out';
  if (facts.isHeldForOtherPerson) return 'waiting';
  if (!facts.isOnline) return 'offline';
  if (facts.activity !== 'idle') return 'syncing';
  if (facts.problem === 'protocol') return 'error';
  if (facts.waitingCount > 0) return facts.problem === 'server' ? 'error' : 'waiting';
  return 'synced';
}

const waiting = (n: number) => `${n} waiting to send`;

export function describeSync(facts: SyncFacts): string {
  const state = deriveSyncState(facts);
  const n = facts.waitingCount;
  switch (state) {
    case 'signed-out':
      return facts.needsLogin ? `Log in again to send${n > 0 ? ` — ${waiting(n)}` : ''}` : 'Not logged in';
    case 'offline':
      return n > 0 ? `Offline — ${waiting(n)}` : 'Offline — nothing waiting to send';
    case 'syncing':
      return facts.activity === 'pushing' || n > 0 ? 'Sending…' : 'Checking for updates…';
    case 'error':
      return facts.problem === 'protocol'
        ? `This version of Huddle needs updating before it can send${n > 0 ? ` — ${waiting(n)}` : ''}`
        : `${waiting(n)} — the server had a problem, trying again`;
    case 'waiting':
      if (facts.isHeldForOtherPerson) return `${waiting(n)} — not sent: they were made by someone else`;
      return facts.problem === 'network' ? `${waiting(n)} — cannot reach Huddle, trying again` : waiting(n);
    case 'synced':
      return 'All sent';
  }
}

export function toSyncStatus(facts: SyncFacts, lastSyncedAt: string | null): SyncStatus {
  return { state: deriveSyncState(facts), waitingCount: facts.waitingCount, lastSyncedAt, label: describeSync(facts) };
}
