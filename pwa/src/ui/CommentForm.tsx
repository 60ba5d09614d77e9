/** The comment form; the text is saved on the device as it is typed (a draft, resumable and synced). */
import { useState, type FormEvent } from 'react';
import { LIMITS } from '../../../shared/src/protocol.js';
import { InvalidInputError, huddle, type Draft } from '../data/hooks.js';
import { useCommentDraft } from '../data/participant-hooks.js';
import { PostWarnings } from './PostWarnings.js';

export function CommentForm({ conversationId, ideaId }: { conversationId: string; ideaId: string }) {
  const draft = useCommentDraft(ideaId);
  const [freshId, setFreshId] = useState(() => huddle.newDraftId());
  const [notice, setNotice] = useState<string | null>(null);
  if (draft === undefined) return null;
  const draftId = draft?.id ?? freshId;
  return (
    <CommentFormLoaded
      key={draftId}
      draftId={draftId}
      draft={draft}
      conversationId={conversationId}
      ideaId={ideaId}
      notice={notice}
      setNotice={setNotice}
      onPosted={() => setFreshId(huddle.newDraftId())}
    />
  );
}

function CommentFormLoaded({
  draftId,
  draft,
  conversationId,
  ideaId,
  notice,
  setNotice,
  onPosted,
}: {
  draftId: string;
  draft: Draft | null;
  conversationId: string;
  ideaId: string;
  notice: string | null;
  setNotice: (notice: string | null) => void;
  onPosted: () => void;
}) {
  const [body, setBody] = useState(draft?.body ?? '');
  const [error, setError] = useState<string | null>(null);

  const change = (value: string) => {
    setBody(value);
    setNotice(null);
    void huddle.saveDraft({ id: draftId, kind: 'comment', conversationId, ideaId, body: value });
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await huddle.postComment({ conversationId, ideaId, body, draftId });
      setBody('');
      setNotice('Your comment is saved on this device and will be sent.');
      onPosted();
    } catch (err) {
      setError(
        err instanceof InvalidInputError ? err.message : 'Your comment could not be saved on this device.',
      );
    }
  };
  return (
    <form className="comment-form" onSubmit={submit}>
      <h3>Add a comment</h3>
      {error && (
        <p className="error-message" role="alert">
          {error}
        </p>
      )}
      <div className="field">
        <label htmlFor="comment-body">Your comment</label>
        <p className="hint" id="comment-body-hint">
          Anonymous. Please do not name colleagues. Saved on this device as you type.
        </p>
        <textarea
          id="comment-body"
          name="body"
          rows={4}
          maxLength={LIMITS.commentBodyMax}
          aria-describedby="comment-body-hint"
          value={body}
          onChange={(e) => change(e.target.value)}
        />
      </div>
      <PostWarnings text={body} />
      <button type="submit" className="button">
        Post comment
      </button>
      {notice && <p className="muted">{notice}</p>}
    </form>
  );
}
