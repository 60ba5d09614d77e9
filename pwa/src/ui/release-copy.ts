/**
 * The words for what others cannot see yet, in one place. The server releases a conversation's new
 * posts, edits and withdrawals only once a few colleagues have taken part (k-anonymous batches: a
 * lone night-time post waits for others, so no log of who connected when can name its author); the
 * author's own devices show their post at once. Edits and withdrawals of a post others can already see
 * go out as the server's EDIT_RELEASE says (GET /api/notices/schedule): once a day after the notice
 * time, or with the next batch. The words say so honestly; only the daily change time is promised, and
 * only where the server gates changes daily.
 * Static text: it shows offline as well.
 */
import type { StoredNoticeSchedule } from '../data/hooks.js';
import { zoneName } from '../data/notice-schedule.js';

/** "at 17:00 (London time)", or "at a fixed time" before the device has ever asked the server. */
export function noticeTimeText(schedule: { time: string; timeZone: string } | undefined): string {
  return schedule ? `at ${schedule.time} (${zoneName(schedule.timeZone)})` : 'at a fixed time';
}

/**
 * When others see an author's change to a published post, finishing "others see your change …".
 * Until the device has heard the server's edit release (never asked, or asked by a version that did
 * not keep it), the words promise no time: they would be wrong for one of the two settings.
 */
function changeReleaseText(schedule: StoredNoticeSchedule | undefined): string {
  switch (schedule?.editRelease) {
    case 'daily':
      return `${noticeTimeText(schedule)}, when the day's changes go out together`;
    case 'every-batch':
      return 'with the next batch of posts, once a few more colleagues have taken part';
    case undefined:
      return 'later, when changes go out together';
  }
}

export const RELEASE_COPY = {
  /** A sent post others cannot see yet (badge, My activity). */
  awaitingRelease: 'Sent — visible to others once a few more colleagues have taken part',
  /**
   * After a post's own line, when the author's edit or withdrawal of a published post is not released
   * yet: it goes out with others' changes, so a changed post cannot be matched to the device that
   * changed it. `schedule` is useNoticeSchedule's answer.
   */
  changePending: (schedule: StoredNoticeSchedule | undefined) =>
    ` (others see your change ${changeReleaseText(schedule)})`,
  /** On the edit screen. */
  editNote: (schedule: StoredNoticeSchedule | undefined) =>
    `If others can already see it, they see the new text ${changeReleaseText(schedule)}. It stays anonymous.`,
  /** In the withdraw confirmation. */
  withdrawNote: (schedule: StoredNoticeSchedule | undefined) =>
    `It disappears for everyone ${changeReleaseText(schedule)}.`,
} as const;
