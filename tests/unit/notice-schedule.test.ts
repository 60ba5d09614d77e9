/**
 * When the daily notice goes: NOTICE_TIME in NOTICE_TIME_ZONE, across the UK's clock changes (2026: 29
 * March, clocks forward at 01:00 GMT; 25 October, back at 02:00 BST), with the catch-up rule (today's
 * notice later the same day, never yesterday's). Expected instants are written out by hand; the
 * year-long property checks each computed instant against Intl's own reading of the clock in London.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../sync-server/src/config.js';
import {
  checkSchedule,
  dueNoticeDay,
  localDate,
  nextNoticeAt,
  noticeInstant,
} from '../../sync-server/src/notify/notice-schedule.js';

const london = { time: '17:00', timeZone: 'Europe/London' };
const at = (iso: string) => new Date(iso);
const next = (iso: string, schedule = london) => nextNoticeAt(at(iso), schedule).toISOString();
const londonClock = (d: Date) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);

describe('next notice time across the UK clock changes', () => {
  it('is 17:00 GMT in winter and 17:00 BST (16:00 UTC) in summer', () => {
    expect(next('2026-12-05T06:00:00Z')).toBe('2026-12-05T17:00:00.000Z');
    expect(next('2026-07-01T10:00:00Z')).toBe('2026-07-01T16:00:00.000Z');
  });

  it('moves to 16:00 UTC on the day the clocks go forward, and back to 17:00 UTC on the day they go back', () => {
    // Saturday 28 March, after the notice: the next one is Sunday 17:00 BST.
    expect(next('2026-03-28T17:30:00Z')).toBe('2026-03-29T16:00:00.000Z');
    // Sunday 29 March, 00:30 GMT (before the change) and 03:00 BST (after it): the same notice.
    expect(next('2026-03-29T00:30:00Z')).toBe('2026-03-29T16:00:00.000Z');
    expect(next('2026-03-29T02:00:00Z')).toBe('2026-03-29T16:00:00.000Z');
    // Saturday 24 October 17:30 BST: the next one is Sunday 17:00 GMT.
    expect(next('2026-10-24T16:30:00Z')).toBe('2026-10-25T17:00:00.000Z');
    expect(next('2026-10-25T00:30:00Z')).toBe('2026-10-25T17:00:00.000Z');
    expect(next('2026-10-25T01:30:00Z')).toBe('2026-10-25T17:00:00.000Z');
  });

  it('is strictly after now: at the notice instant itself, the next is tomorrow', () => {
    expect(next('2026-12-05T17:00:00Z')).toBe('2026-12-06T17:00:00.000Z');
    expect(next('2026-12-05T16:59:59.999Z')).toBe('2026-12-05T17:00:00.000Z');
  });

  it('takes a time the spring change skips as the same time after the change, and a repeated one as the first', () => {
    const night = { time: '01:30', timeZone: 'Europe/London' };
    // 29 March: 01:30 does not exist (01:00 GMT -> 02:00 BST): 02:30 BST, i.e. 01:30 UTC.
    expect(noticeInstant('2026-03-29', night).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // 25 October: 01:30 happens at 00:30 UTC (BST) and again at 01:30 UTC (GMT): the first.
    expect(noticeInstant('2026-10-25', night).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(next('2026-10-25T00:45:00Z', night)).toBe('2026-10-26T01:30:00.000Z');
  });

  it('is 17:00 on London clocks on every day of the year, one a day', () => {
    let previous: Date | undefined;
    let now = at('2026-01-01T00:00:00Z');
    for (let i = 0; i < 366; i++) {
      const notice = nextNoticeAt(now, london);
      expect(londonClock(notice)).toMatch(/ 17:00$/);
      if (previous) {
        const hours = (notice.getTime() - previous.getTime()) / 3_600_000;
        const isChangeDay = ['2026-03-29', '2026-10-25'].includes(localDate(notice, 'Europe/London'));
        expect(hours).toBe(isChangeDay ? (notice.getUTCHours() === 16 ? 23 : 25) : 24);
      }
      previous = notice;
      now = notice;
    }
    expect(localDate(previous!, 'Europe/London')).toBe('2027-01-01');
  });

  it('honours other zones too (New York changes on 8 March 2026)', () => {
    const ny = { time: '17:00', timeZone: 'America/New_York' };
    expect(next('2026-03-07T23:00:00Z', ny)).toBe('2026-03-08T21:00:00.000Z');
    expect(next('2026-03-06T23:00:00Z', ny)).toBe('2026-03-07T22:00:00.000Z');
  });
});

describe('catching up after downtime', () => {
  it("sends today's notice later the same day, never before the time and never yesterday's", () => {
    expect(dueNoticeDay(at('2026-12-05T16:59:59Z'), london)).toBeUndefined();
    expect(dueNoticeDay(at('2026-12-05T17:00:00Z'), london)).toBe('2026-12-05');
    expect(dueNoticeDay(at('2026-12-05T23:59:00Z'), london)).toBe('2026-12-05');
    expect(dueNoticeDay(at('2026-12-06T00:01:00Z'), london)).toBeUndefined();
    // Summer: 16:30 UTC is 17:30 BST (due); 23:30 UTC is already 00:30 on 2 July in London (not due).
    expect(dueNoticeDay(at('2026-07-01T16:30:00Z'), london)).toBe('2026-07-01');
    expect(dueNoticeDay(at('2026-07-01T23:30:00Z'), london)).toBeUndefined();
  });
});

describe('configuration', () => {
  it('defaults to 17:00 Europe/London, and refuses a time or zone that is not one, saying which', () => {
    expect(loadConfig({}).notice).toEqual({ time: '17:00', timeZone: 'Europe/London' });
    expect(loadConfig({ NOTICE_TIME: '07:30', NOTICE_TIME_ZONE: 'Europe/Dublin' }).notice).toEqual({
      time: '07:30',
      timeZone: 'Europe/Dublin',
    });
    expect(() => loadConfig({ NOTICE_TIME: '25:00' })).toThrow(/NOTICE_TIME must be a 24-hour time/);
    expect(() => loadConfig({ NOTICE_TIME: '5pm' })).toThrow(/NOTICE_TIME/);
    expect(() => loadConfig({ NOTICE_TIME_ZONE: 'Mars/Olympus' })).toThrow(
      /NOTICE_TIME_ZONE must be an IANA/,
    );
    expect(() => checkSchedule({ time: '17:00', timeZone: 'Nowhere/Atall' })).toThrow(RangeError);
  });

  it('accepts the old DIGEST_INTERVAL_MINUTES but ignores it, with a warning', () => {
    expect(loadConfig({}).deprecations).toEqual([]);
    const config = loadConfig({ DIGEST_INTERVAL_MINUTES: '60' });
    expect(config.deprecations).toHaveLength(1);
    expect(config.deprecations[0]).toMatch(/DIGEST_INTERVAL_MINUTES is no longer used/);
    expect(config.notice.time).toBe('17:00');
  });
});
