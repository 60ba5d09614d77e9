/**
 * The notice timer calls the run at the notice time and at no other time: days of simulated time pass
 * on vitest's fake clock (the only way to let days pass in a test; the timer's own code runs as is),
 * and every call must happen at an instant when London's clocks show 17:00, once a day, across the
 * spring clock change, plus one catch-up call when started after the day's notice time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startNoticeTimer, type NoticeTimer } from '../../sync-server/src/notify/notice-timer.js';

const london = { time: '17:00', timeZone: 'Europe/London' };
let timer: NoticeTimer | undefined;
afterEach(() => {
  timer?.stop();
  vi.useRealTimers();
});

/** Days whose run fails (the mail server down): the timer tries again at its next wake. */
const failing = new Set<string>();

function start(iso: string) {
  vi.useFakeTimers({ now: new Date(iso) });
  const calls: Array<{ day: string; at: string }> = [];
  timer = startNoticeTimer({
    schedule: london,
    now: () => new Date(),
    run: async (day) => {
      calls.push({ day, at: new Date().toISOString() });
      return !failing.has(day);
    },
  });
  return calls;
}
const HOUR = 3_600_000;

describe('notice timer', () => {
  it('runs at 17:00 London time each day and never at any other time, across the spring clock change', async () => {
    const calls = start('2026-03-27T09:00:00Z');
    await vi.advanceTimersByTimeAsync(8 * HOUR - 1000);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(4 * 24 * HOUR - 2 * HOUR); // to 31 March 15:59:59 BST
    expect(calls).toEqual([
      { day: '2026-03-27', at: '2026-03-27T17:00:00.000Z' },
      { day: '2026-03-28', at: '2026-03-28T17:00:00.000Z' },
      // Clocks went forward overnight: 17:00 BST is 16:00 UTC.
      { day: '2026-03-29', at: '2026-03-29T16:00:00.000Z' },
      { day: '2026-03-30', at: '2026-03-30T16:00:00.000Z' },
    ]);
  });

  it("catches up on today's notice at once when started after its time, then waits for tomorrow's", async () => {
    const calls = start('2026-12-05T20:15:00Z');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([{ day: '2026-12-05', at: '2026-12-05T20:15:00.000Z' }]);
    await vi.advanceTimersByTimeAsync(20 * HOUR + 44 * 60_000);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual([
      { day: '2026-12-05', at: '2026-12-05T20:15:00.000Z' },
      { day: '2026-12-06', at: '2026-12-06T17:00:00.000Z' },
    ]);
  });

  it('tries a failed run again at its next wake the same day, and stops trying at midnight', async () => {
    failing.add('2026-12-07');
    try {
      const calls = start('2026-12-07T16:00:00Z');
      await vi.advanceTimersByTimeAsync(HOUR);
      expect(calls).toEqual([{ day: '2026-12-07', at: '2026-12-07T17:00:00.000Z' }]);
      await vi.advanceTimersByTimeAsync(HOUR);
      expect(calls.at(-1)).toEqual({ day: '2026-12-07', at: '2026-12-07T18:00:00.000Z' });
      failing.delete('2026-12-07');
      await vi.advanceTimersByTimeAsync(24 * HOUR);
      expect(calls.map((c) => c.at)).toEqual([
        '2026-12-07T17:00:00.000Z',
        '2026-12-07T18:00:00.000Z',
        '2026-12-07T19:00:00.000Z',
        '2026-12-08T17:00:00.000Z',
      ]);
    } finally {
      failing.clear();
    }
  });

  it('does not send yesterday’s notice when started after midnight, and stops when told', async () => {
    const calls = start('2026-12-06T00:30:00Z');
    await vi.advanceTimersByTimeAsync(16 * HOUR);
    expect(calls).toEqual([]);
    timer!.stop();
    await vi.advanceTimersByTimeAsync(2 * 24 * HOUR);
    expect(calls).toEqual([]);
  });
});
