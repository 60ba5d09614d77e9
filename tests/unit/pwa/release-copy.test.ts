/**
 * The edit and withdraw words follow the server's EDIT_RELEASE (GET /api/notices/schedule): a daily gate
 * promises the notice time, every-batch promises none, and a device that has not heard which one the
 * server uses promises neither.
 */
import { describe, expect, it } from 'vitest';
import { noticeTimeText, RELEASE_COPY } from '../../../pwa/src/ui/release-copy.js';

const at = { time: '17:00', timeZone: 'Europe/London' };
const copyFor = (schedule: Parameters<typeof RELEASE_COPY.editNote>[0]) => [
  RELEASE_COPY.changePending(schedule),
  RELEASE_COPY.editNote(schedule),
  RELEASE_COPY.withdrawNote(schedule),
];

describe('when others see an edit or withdrawal, in the words of the server’s edit release', () => {
  it('daily: at the notice time, with the day’s other changes', () => {
    expect(copyFor({ ...at, editRelease: 'daily' })).toEqual([
      " (others see your change at 17:00 (London time), when the day's changes go out together)",
      "If others can already see it, they see the new text at 17:00 (London time), when the day's changes go out together. It stays anonymous.",
      "It disappears for everyone at 17:00 (London time), when the day's changes go out together.",
    ]);
  });

  it('every-batch: with the next batch, and no time of day', () => {
    const copy = copyFor({ ...at, editRelease: 'every-batch' });
    expect(copy).toEqual([
      ' (others see your change with the next batch of posts, once a few more colleagues have taken part)',
      'If others can already see it, they see the new text with the next batch of posts, once a few more colleagues have taken part. It stays anonymous.',
      'It disappears for everyone with the next batch of posts, once a few more colleagues have taken part.',
    ]);
    for (const line of copy) expect(line).not.toMatch(/17:00|day's|once a day/);
  });

  it('not heard yet (never asked, or kept by a version before the field): no promise of either', () => {
    for (const schedule of [undefined, at]) {
      const copy = copyFor(schedule);
      expect(copy[0]).toBe(' (others see your change later, when changes go out together)');
      for (const line of copy) expect(line).not.toMatch(/17:00|fixed time|next batch/);
    }
  });

  it('the daily notice time itself does not depend on the edit release', () => {
    const everyBatch = { ...at, editRelease: 'every-batch' as const };
    expect(noticeTimeText(everyBatch)).toBe('at 17:00 (London time)');
    expect(noticeTimeText(undefined)).toBe('at a fixed time');
  });
});
