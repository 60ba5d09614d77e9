/**
 * When the daily notice goes: NOTICE_TIME (wall-clock "HH:MM") in NOTICE_TIME_ZONE (an IANA zone,
 * Europe/London by default), honoured across daylight-saving changes. All knowledge of time zones comes
 * from Intl (the ICU data Node ships); the only arithmetic here is resolving a wall-clock time to the
 * instant Intl says shows it. Pure functions: the timer (routes.ts) and the tests call them with any
 * instant.
 *
 * A wall-clock time that does not exist that day (the spring change skips 01:00-01:59 in London) is
 * taken as the same time after the change (01:30 becomes 02:30 BST); one that happens twice (the autumn
 * change repeats 01:00-01:59) is the first of the two. The same rule as Temporal's 'compatible'.
 */

export interface NoticeSchedule {
  /** "HH:MM", 24-hour. */
  time: string;
  /** IANA time zone, e.g. "Europe/London". */
  timeZone: string;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_MS = 86_400_000;

/** Throws a RangeError naming the problem when the time or the zone is not usable. */
export function checkSchedule(schedule: NoticeSchedule): void {
  if (!TIME.test(schedule.time)) throw new RangeError(`"${schedule.time}" is not a time like 17:00`);
  // Intl refuses unknown zones with a RangeError.
  new Intl.DateTimeFormat('en-GB', { timeZone: schedule.timeZone });
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at `instant`, as milliseconds of the same reading taken as UTC. */
function wallClockMs(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/** The zone's offset from UTC at `instant`, in ms (Intl's answer; whole seconds). */
const offsetAt = (instant: number, timeZone: string) =>
  wallClockMs(Math.floor(instant / 1000) * 1000, timeZone) - Math.floor(instant / 1000) * 1000;

/** The local date ("YYYY-MM-DD") in `timeZone` at `instant`. */
export function localDate(instant: Date, timeZone: string): string {
  return new Date(wallClockMs(instant.getTime(), timeZone)).toISOString().slice(0, 10);
}

/** The instant at which `timeZone`'s clocks show `time` on local date `day`. */
export function noticeInstant(day: string, schedule: NoticeSchedule): Date {
  const [, hh, mm] = TIME.exec(schedule.time)!;
  const wall = Date.parse(`${day}T${hh}:${mm}:00Z`);
  if (Number.isNaN(wall)) throw new RangeError(`"${day}" is not a date like 2026-12-05`);
  // The offsets in force half a day either side cover any single change near that time.
  const candidates = [
    offsetAt(wall - DAY_MS / 2, schedule.timeZone),
    offsetAt(wall + DAY_MS / 2, schedule.timeZone),
  ]
    .map((offset) => wall - offset)
    .filter((instant) => wallClockMs(instant, schedule.timeZone) === wall)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return new Date(candidates[0]!);
  // In a gap: read the time with the offset before the change, which lands just after it.
  return new Date(wall - offsetAt(wall - DAY_MS / 2, schedule.timeZone));
}

/** The calendar day after `day` (no time zone involved). */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/** The first notice strictly after `now`: today's if it is still to come, else tomorrow's. */
export function nextNoticeAt(now: Date, schedule: NoticeSchedule): Date {
  const today = localDate(now, schedule.timeZone);
  const todays = noticeInstant(today, schedule);
  return todays.getTime() > now.getTime() ? todays : noticeInstant(nextDay(today), schedule);
}

/**
 * The local day whose notice is due at `now`: today once today's notice time has passed (so a server
 * that was down at that time catches up later the same day), else none. Yesterday's missed notice is
 * never sent today: a notice at an odd hour would set its recipients apart.
 */
export function dueNoticeDay(now: Date, schedule: NoticeSchedule): string | undefined {
  const today = localDate(now, schedule.timeZone);
  return noticeInstant(today, schedule).getTime() <= now.getTime() ? today : undefined;
}
