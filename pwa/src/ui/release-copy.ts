/**
 * The words for what others cannot see yet, in one place. The server releases a conversation's new
 * posts, edits and withdrawals only once a few colleagues have taken part (k-anonymous batches: a
 * lone night-time post waits for others, so no log of who connected when can name its author); the
 * author's own devices show their post at once. The words say so honestly; only the daily change time
 * is promised.
 * Static text: it shows offline as well.
 */
import { zoneName } from '../data/notice-schedule.js';

/** "at 17:00 (London time)", or "at a fixed time" before the device has ever asked the server. */
export function noticeTimeText(schedule: { time: string; timeZone: string } | undefined): string {
  return schedule ? `at ${schedule.time} (${zoneName(schedule.timeZone)})` : 'at a fixed time';
}

export const RELEASE_COPY = {
  /** A sent post others cannot see yet (badge, My activity). */
  awaitingRelease: 'Sent — visible to others once a few more colleagues have taken part',
  /**
   * After a post's own line, when the author's edit or withdrawal of a published post is not released
   * yet. Those go out once a day, all together, at the notice time (the server's daily edit gate), so a
   * changed post cannot be matched to the device that changed it. `when` is noticeTimeText's answer.
   */
  changePending: (when: string) => ` (others see your change ${when}, with the day's other changes)`,
  /** On the edit screen. */
  editNote: (when: string) =>
    `If others can already see it, they see the new text ${when}, when the day's changes go out together. It stays anonymous.`,
  /** In the withdraw confirmation. */
  withdrawNote: (when: string) =>
    `It disappears for everyone ${when}, when the day's changes go out together.`,
} as const;
