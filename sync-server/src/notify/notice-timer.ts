/**
 * The daily notice's timer: at start, today's notice if its time has passed (catching up after
 * downtime, the same day only); then a sleep until the next notice time, waking at least hourly so a
 * clock change or a suspended machine is noticed. `run` is called with the local day whose notice is
 * due, once: it answers whether the day is done, and a run that failed (the mail server down) is tried
 * again at the next wake the same day, for the people it had not reached. Whether a day was already
 * sent by this process before a restart, or by another instance, is the run's business (daily-notice.ts).
 */
import { dueNoticeDay, nextNoticeAt, type NoticeSchedule } from './notice-schedule.js';

const MAX_SLEEP_MS = 3_600_000;

export interface NoticeTimer {
  /** Stops the timer; a run in progress finishes on its own. */
  stop(): void;
}

export function startNoticeTimer(options: {
  schedule: NoticeSchedule;
  now: () => Date;
  run: (day: string) => Promise<boolean>;
}): NoticeTimer {
  const { schedule, now, run } = options;
  let timer: NodeJS.Timeout | undefined;
  let isStopped = false;
  let doneDay: string | undefined;
  const tick = async () => {
    const day = dueNoticeDay(now(), schedule);
    if (day && day !== doneDay && (await run(day))) doneDay = day;
    if (isStopped) return;
    const wait = Math.min(nextNoticeAt(now(), schedule).getTime() - now().getTime(), MAX_SLEEP_MS);
    // Never spin: a timer that fires a moment early waits a second and looks again.
    timer = setTimeout(() => void tick(), Math.max(wait, 1000));
    timer.unref?.();
  };
  void tick();
  return {
    stop() {
      isStopped = true;
      clearTimeout(timer);
    },
  };
}
