/**
 * The comment form; the text is saved on the device as it is typed (a draft, resumable and synced), never cut
 * at the limit (the counter says by how much it is over and posting waits), and one submit posts once.
 */
import { useRef, useState, type FormEvent } from 'react';
import { LIMITS } from '../../../shared/src/protocol.js';
import { InvalidInputError, huddle, type Draft } from '../data/hooks.js';
import { useCommentDraft } from '../data/participant-hooks.js';
import { PostWarnings } from './PostWarnings.js';
import { CharacterCount } from './CharacterCount.js';
import { SubmitButton } from './SubmitButton.js';
import { limitState, overLimitMessage, overLimitRefusal } from './text-limit.js';
import { useSingleSubmit } from './use-single-submit.js';

export function CommentForm({ conversationId, ideaId }: { conversationId: string; ideaId: string }) {
  const draft = useCommentDraft(ideaId);
  // The draft id exists before the first keystroke: the autosaved draft and the post name the same draft.
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
  const [refusal, setRefusal] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const { isSubmitting, run } = useSingleSubmit();
  const bodyLimit = limitState(body, LIMITS.commentBodyMax);
  const limited = [{ name: 'comment', state: bodyLimit }];
  const blocked = overLimitMessage(limited, 'post it');

  const change = (value: string) => {
    setBody(value);
    setNotice(null);
    void huddle.saveDraft({ id: draftId, kind: 'comment', conversationId, ideaId, body: value });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (blocked) {
      setRefusal(overLimitRefusal(limited, { done: 'posted', todo: 'post' }));
      box.current?.focus();
      return;
    }
    run(async () => {
      try {
        await huddle.postComment({ conversationId, ideaId, body, draftId });
        setBody('');
        setNotice('Your comment is saved on this device and will be sent.');
        // A new draft id, so this form (and its submit guard) starts again for the next comment.
        onPosted();
        return true;
      } catch (err) {
        setError(
          err instanceof InvalidInputError ? err.message : 'Your comment could not be saved on this device.',
        );
        return false;
      }
    });
  };
  return (
    <form className="comment-form" onSubmit={submit}>
      <h3>Add a comment</h3>
      <div role="alert">
        {error && <p className="error-message">{error}</p>}
        {blocked && refusal && <p className="error-message">{refusal}</p>}
      </div>
      <div className="field">
        <label htmlFor="comment-body">Your comment</label>
        <p className="hint" id="comment-body-hint">
          Anonymous, up to {LIMITS.commentBodyMax.toLocaleString('en-GB')} characters. Please do not name
          colleagues. Saved on this device as you type.
        </p>
        <textarea
          dir="auto"
          ref={box}
          readOnly={isSubmitting}
          id="comment-body"
          name="body"
          rows={4}
          aria-describedby="comment-body-hint comment-body-count"
          aria-invalid={bodyLimit.isOver || undefined}
          value={body}
          onChange={(e) => change(e.target.value)}
        />
        <CharacterCount id="comment-body-count" state={bodyLimit} />
      </div>
      <PostWarnings text={body} />
      <SubmitButton
        label="Post comment"
        blockedId="comment-post-blocked"
        blockedMessage={blocked}
        isSubmitting={isSubmitting}
      />
      {notice && <p className="muted">{notice}</p>}
    </form>
  );
}
