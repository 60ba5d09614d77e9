/**
 * What a person can do with one post: on their own posts, edit or withdraw (withdraw asks first); on other
 * people's, report it against a guideline. Only the device knows which posts are the person's own.
 */
import { useState } from 'react';
import { huddle } from '../data/hooks.js';
import { href, type PostKind } from './use-hash-route.js';
import { useNoticeSchedule } from '../data/participant-hooks.js';
import { RELEASE_COPY } from './release-copy.js';

interface Props {
  conversationId: string;
  kind: PostKind;
  id: string;
  isOwn: boolean;
  isReported: boolean;
  isEditPending: boolean;
  /** False when the conversation is closed or the account cannot post. */
  canAct: boolean;
  /** After withdrawing an idea the screen it was on has nothing to show. */
  onWithdrawn?: () => void;
}

export function PostActions({
  conversationId,
  kind,
  id,
  isOwn,
  isReported,
  isEditPending,
  canAct,
  onWithdrawn,
}: Props) {
  const [isConfirming, setIsConfirming] = useState(false);
  const schedule = useNoticeSchedule();
  const [error, setError] = useState<string | null>(null);
  const noun = kind === 'idea' ? 'idea' : 'comment';
  if (isOwn) {
    return (
      <div className="post-actions">
        <p className="badge badge--own">Your {noun}</p>
        {isEditPending && <p className="muted">Your edit is waiting to send.</p>}
        {canAct && !isConfirming && (
          <div className="button-row">
            <a className="button button--small button--secondary" href={href.edit(kind, id)}>
              Edit your {noun}
            </a>
            <button
              type="button"
              className="button button--small button--secondary"
              onClick={() => setIsConfirming(true)}
            >
              Withdraw your {noun}
            </button>
          </div>
        )}
        {isConfirming && (
          <div className="confirm" role="alertdialog" aria-labelledby={`withdraw-${id}`}>
            <p id={`withdraw-${id}`}>
              Withdraw this {noun}? {RELEASE_COPY.withdrawNote(schedule)} This cannot be undone.
            </p>
            <div className="button-row">
              <button
                type="button"
                className="button button--warning"
                onClick={() => {
                  setError(null);
                  huddle
                    .withdrawPost({ conversationId, itemKind: kind, itemId: id })
                    .then(() => onWithdrawn?.())
                    .catch((err: unknown) =>
                      setError(err instanceof Error ? err.message : 'It could not be withdrawn.'),
                    );
                }}
              >
                Withdraw
              </button>
              <button
                type="button"
                className="button button--secondary"
                onClick={() => setIsConfirming(false)}
              >
                Keep it
              </button>
            </div>
          </div>
        )}
        {error && (
          <p className="error-message" role="alert">
            {error}
          </p>
        )}
      </div>
    );
  }
  if (isReported) return <p className="muted post-actions">You reported this {noun}. Thank you.</p>;
  // Only people who can take part can report (the server refuses it from other roles).
  if (!canAct) return null;
  return (
    <p className="post-actions">
      <a className="report-link" href={href.report(kind, id)}>
        Report this {noun}
      </a>
    </p>
  );
}
