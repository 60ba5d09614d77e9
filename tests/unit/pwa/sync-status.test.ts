import { describe, expect, it } from 'vitest';
import { describeSync, deriveSyncState, type SyncFacts } from '../../../pwa/src/data/sync-status.js';

const base: SyncFacts = {
  isSignedIn: true,
  needsLogin: false,
  isOnline: true,
  activity: 'idle',
  problem: null,
  waitingCount: 0,
};
const facts = (patch: Partial<SyncFacts>): SyncFacts => ({ ...base, ...patch });

describe('the sync status bar is honest', () => {
  it('"All sent" only when the outbox is empty and nothing is on the wire', () => {
    expect(describeSync(base)).toBe('All sent');
    expect(deriveSyncState(base)).toBe('synced');
    for (const patch of [
      { waitingCount: 1 },
      { activity: 'pushing' as const },
      { activity: 'pulling' as const, waitingCount: 2 },
      { isOnline: false },
      { needsLogin: true },
      { isSignedIn: false },
      { problem: 'network' as const, waitingCount: 1 },
      { problem: 'server' as const, waitingCount: 1 },
      { problem: 'protocol' as const },
    ]) {
      expect(describeSync(facts(patch)), JSON.stringify(patch)).not.toBe('All sent');
      expect(deriveSyncState(facts(patch)), JSON.stringify(patch)).not.toBe('synced');
    }
  });

  it('says how many changes are waiting, online and offline', () => {
    expect(describeSync(facts({ isOnline: false, waitingCount: 3 }))).toBe('Offline — 3 waiting to send');
    expect(deriveSyncState(facts({ isOnline: false, waitingCount: 3 }))).toBe('offline');
    expect(describeSync(facts({ waitingCount: 2 }))).toBe('2 waiting to send');
    expect(deriveSyncState(facts({ waitingCount: 2 }))).toBe('waiting');
    expect(describeSync(facts({ activity: 'pushing', waitingCount: 2 }))).toBe('Sending…');
  });

  it('asks to log in again after the session ended, still counting what waits', () => {
    expect(deriveSyncState(facts({ needsLogin: true, waitingCount: 2 }))).toBe('signed-out');
    expect(describeSync(facts({ needsLogin: true, waitingCount: 2 }))).toBe(
      'Log in again to send — 2 waiting to send',
    );
  });

  it('reports a server that keeps failing or refuses this app version as an error', () => {
    expect(deriveSyncState(facts({ problem: 'server', waitingCount: 1 }))).toBe('error');
    expect(deriveSyncState(facts({ problem: 'protocol' }))).toBe('error');
    expect(describeSync(facts({ problem: 'protocol', waitingCount: 1 }))).toMatch(/needs updating/);
  });

  it("says why nothing is sent while another person's session holds this person's changes", () => {
    const held = facts({ isHeldForOtherPerson: true, waitingCount: 2, isOnline: false });
    expect(deriveSyncState(held)).toBe('waiting');
    expect(describeSync(held)).toBe('2 waiting to send — not sent: they were made by someone else');
  });
});
