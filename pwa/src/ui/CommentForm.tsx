/** The comment form; the text is saved on the device as it is typed. */
import { useState, type FormEvent } from 'react';
import { LIMITS } from '../../../shared/src/protocol.js';
import { InvalidInputError, huddle, useDraft, type Draft } from '../data/hooks.js';

export function CommentForm({ conversationId, ideaId }: { conversationId: string; ideaId: string }) {
  const draftId = `comment:${ideaId}`;
  const draft = useDraft(draftId);
  if (draft === undefined) return null;
  return (
    <CommentFormLoaded
      key={draftId}
      draftId={draftId}
      draft={draft}
      conversationId={conversationId}
      ideaId={ideaId}
    />
  );
}

function CommentFormLoaded({
  draftId,
  draft,
  conversationId,
  ideaId,
}: {
  draftId: string;
  draft: Draft | null;
  conversationId: string;
  ideaId: string;
}) {
  const [body, setBody] = useState(draft?.body ?? '');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

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
      <button type="submit" className="button">
        Post comment
      </button>
      {notice && <p className="muted">{notice}</p>}
    </form>
  );
}
