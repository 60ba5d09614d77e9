/** Posts the server did not accept, with its reason: nothing the person wrote is lost. */
import { huddle, useRejectedDrafts, type Draft } from '../data/hooks.js';
import { href, navigate } from './use-hash-route.js';

async function editAgain(draft: Draft): Promise<void> {
  const targetId = draft.kind === 'idea' ? 'idea:new' : `comment:${draft.ideaId ?? ''}`;
  await huddle.saveDraft({ ...draft, id: targetId, rejection: undefined });
  await huddle.discardDraft(draft.id);
  navigate(draft.kind === 'idea' ? href.post(draft.streamId) : href.idea(draft.ideaId ?? ''));
}

export function DraftsScreen() {
  const drafts = useRejectedDrafts();
  return (
    <>
      <h1 tabIndex={-1}>Drafts</h1>
      <p>
        Posts that Huddle did not accept are kept here with the reason, so you can change them and try again.
      </p>
      {drafts === undefined ? (
        <p className="muted">Loading…</p>
      ) : drafts.length === 0 ? (
        <p>Nothing here.</p>
      ) : (
        <ul className="card-list">
          {drafts.map((d) => (
            <li key={d.id} className="card" data-testid="rejected-draft">
              <h2 className="card__title">{d.kind === 'idea' ? d.title : 'Comment'}</h2>
              <p className="card__body">{d.body}</p>
              <p className="error-message">Not posted: {d.rejection?.message}</p>
              <div className="button-row">
                <button type="button" className="button" onClick={() => void editAgain(d)}>
                  Edit and post again
                </button>
                <button
                  type="button"
                  className="button button--secondary"
                  onClick={() => void huddle.discardDraft(d.id)}
                >
                  Discard
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
