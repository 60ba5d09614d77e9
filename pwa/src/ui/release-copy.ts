/**
 * The words for what others cannot see yet, in one place. The server releases a conversation's new
 * posts, edits and withdrawals only once a few colleagues have taken part (k-anonymous batches: a
 * lone night-time post waits for others, so no log of who connected when can name its author); the
 * author's own devices show their post at once. The words say so honestly, without promising a time.
 * Static text: it shows offline as well.
 */
export const RELEASE_COPY = {
  /** A sent post others cannot see yet (badge, My activity). */
  awaitingRelease: 'Sent — visible to others once a few more colleagues have taken part',
  /** After a post's own line, when the author's edit or withdrawal is not released yet. */
  changePending: ' (others see your change once a few more colleagues have taken part)',
  /** On the edit screen. */
  editNote: 'Others see the new text once a few more colleagues have taken part. It stays anonymous.',
  /** In the withdraw confirmation. */
  withdrawNote: 'It disappears for everyone once a few more colleagues have taken part.',
} as const;
