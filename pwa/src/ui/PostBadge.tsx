/** Marks the person's own posts that others cannot see yet, and why. */
import type { PostStatus } from '../data/hooks.js';
import { RELEASE_COPY } from './release-copy.js';

export function PostBadge({ status }: { status: PostStatus }) {
  if (status === 'public') return null;
  return status === 'waiting-to-send' ? (
    <p className="badge badge--waiting">Waiting to send</p>
  ) : (
    <p className="badge badge--sent">{RELEASE_COPY.awaitingRelease}</p>
  );
}
