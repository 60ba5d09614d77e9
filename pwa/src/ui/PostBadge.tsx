/** Marks the person's own posts that others cannot see yet, and why. */
import type { PostStatus } from '../data/hooks.js';

export function PostBadge({ status }: { status: PostStatus }) {
  if (status === 'public') return null;
  return status === 'waiting-to-send' ? (
    <p className="badge badge--waiting">Waiting to send</p>
  ) : (
    <p className="badge badge--sent">Sent — visible to others after the next batch</p>
  );
}
