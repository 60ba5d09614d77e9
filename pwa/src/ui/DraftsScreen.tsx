/**
 * Every draft on this device, newest first, each resumable: ideas and comments being written, copies kept when
 * two devices edited one draft offline (both are shown), and posts the server did not accept, with its reason.
 */
import { REJECTION_CODES } from '../../../shared/src/rejections.js';
import { useState, type ReactNode } from 'react';
import { huddle, type Draft } from '../data/hooks.js';
import { useDrafts } from '../data/participant-hooks.js';
import { formatTime } from './format.js';
import { href, navigate } from './use-hash-route.js';

async function resume(draft: Draft): Promise<void> {
  let id = draft.id;
  if (draft.rejection || draft.isConflictCopy) {
    // Taking it up again makes it an ordinary draft (and the most recent one for its idea); a refused post's
    // text was kept on this device only, so it becomes a new draft that syncs.
    id = draft.rejection ? huddle.newDraftId() : draft.id;
    await huddle.saveDraft({ ...draft, id, rejection: undefined, isConflictCopy: undefined });
    if (id !== draft.id) await huddle.discardDraft(draft.id);
  } else if (draft.kind === 'comment') {
    await huddle.saveDraft(draft);
  }
  navigate(draft.kind === 'idea' ? href.post(draft.streamId, id) : href.idea(draft.ideaId ?? ''));
}

function rejectionText(rejection: NonNullable<Draft['rejection']>): string {
  return rejection.code === REJECTION_CODES.conversationClosed
    ? 'the conversation had closed before it could be sent. Your text is kept here.'
    : rejection.message;
}

function heading(d: Draft): ReactNode {
  if (d.editOf)
    return d.kind === 'idea' ? (
      <>
        Edit of your idea: <bdi>{d.title ?? ''}</bdi>
      </>
    ) : (
      'Edit of your comment'
    );
  if (d.kind === 'idea') return d.title?.trim() ? <bdi>{d.title}</bdi> : 'Idea without a title';
  return 'Comment';
}

export function DraftsScreen() {
  const drafts = useDrafts();
  return (
    <>
      <h1 tabIndex={-1}>Drafts</h1>
      <p>
        Everything you started writing is kept here, on this device and (when you are online) for your other
        devices. Posts that Huddle did not accept are kept here too, with the reason.
      </p>
      {drafts === undefined ? (
        <p className="muted">Loading…</p>
      ) : drafts.length === 0 ? (
        <p>No drafts.</p>
      ) : (
        <ul className="card-list">
          {drafts.map((d) => (
            <li key={d.id} className="card" data-testid={d.rejection ? 'rejected-draft' : 'draft'}>
              <h2 className="card__title">{heading(d)}</h2>
              {d.body && (
                <p className="card__body" dir="auto">
                  {d.body}
                </p>
              )}
              <p className="card__meta">Last changed {formatTime(d.updatedAt)}</p>
              {d.isConflictCopy && (
                <p className="badge badge--waiting">
                  Another version: this draft was changed on two devices, so both versions are kept.
                </p>
              )}
              {d.rejection && <p className="error-message">Not posted: {rejectionText(d.rejection)}</p>}
              <div className="button-row">
                {d.editOf ? (
                  <a
                    className="button"
                    href={
                      d.editOf.itemKind === 'idea' ? href.idea(d.editOf.itemId) : href.idea(d.ideaId ?? '')
                    }
                  >
                    Open the post
                  </a>
                ) : (
                  <button type="button" className="button" onClick={() => void resume(d)}>
                    {d.rejection ? 'Edit and post again' : 'Continue writing'}
                  </button>
                )}
                <DiscardButton id={d.id} />
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Discarding is the one way a draft is lost, so it asks first. */
function DiscardButton({ id }: { id: string }) {
  const [isConfirming, setIsConfirming] = useState(false);
  if (!isConfirming)
    return (
      <button type="button" className="button button--secondary" onClick={() => setIsConfirming(true)}>
        Discard
      </button>
    );
  return (
    <span className="button-row" role="group" aria-label="Discard this draft?">
      <button type="button" className="button button--warning" onClick={() => void huddle.discardDraft(id)}>
        Yes, discard it
      </button>
      <button type="button" className="button button--secondary" onClick={() => setIsConfirming(false)}>
        Keep it
      </button>
    </span>
  );
}
