/** Edit one's own idea or comment. Offered only on the person's own posts; the server checks ownership again. */
import { useState, type FormEvent } from 'react';
import { LIMITS } from '../../../shared/src/protocol.js';
import { InvalidInputError, huddle, useComments, useConversation, useIdea } from '../data/hooks.js';
import { useOwnComment } from '../data/participant-hooks.js';
import { href, navigate, type PostKind } from './use-hash-route.js';

export function EditPostScreen({ kind, id }: { kind: PostKind; id: string }) {
  return kind === 'idea' ? <EditIdea id={id} /> : <EditComment id={id} />;
}

function NotYours() {
  return (
    <>
      <h1 tabIndex={-1}>This post cannot be edited here</h1>
      <p>Only your own posts can be edited, while the conversation is open.</p>
      <p>
        <a href={href.activity()}>Go to my activity</a>
      </p>
    </>
  );
}

function EditIdea({ id }: { id: string }) {
  const view = useIdea(id);
  const conversation = useConversation(view?.idea.conversationId);
  if (view === undefined || (view && conversation === undefined)) return <p className="muted">Loading…</p>;
  if (!view || !view.isOwn || conversation?.status !== 'live') return <NotYours />;
  return (
    <EditForm
      kind="idea"
      id={id}
      conversationId={view.idea.conversationId}
      initialTitle={view.idea.title}
      initialBody={view.idea.body}
      backHref={href.idea(id)}
    />
  );
}

function EditComment({ id }: { id: string }) {
  const own = useOwnComment(id);
  const comments = useComments(own?.ideaId ?? '');
  const conversation = useConversation(own?.conversationId);
  if (own === undefined || (own && (comments === undefined || conversation === undefined)))
    return <p className="muted">Loading…</p>;
  const comment = comments?.find((c) => c.id === id);
  if (!own || !comment || conversation?.status !== 'live') return <NotYours />;
  return (
    <EditForm
      kind="comment"
      id={id}
      conversationId={own.conversationId}
      initialBody={comment.body}
      backHref={href.idea(own.ideaId)}
    />
  );
}

function EditForm({
  kind,
  id,
  conversationId,
  initialTitle,
  initialBody,
  backHref,
}: {
  kind: PostKind;
  id: string;
  conversationId: string;
  initialTitle?: string;
  initialBody: string;
  backHref: string;
}) {
  const [title, setTitle] = useState(initialTitle ?? '');
  const [body, setBody] = useState(initialBody);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await huddle.editPost({
        conversationId,
        itemKind: kind,
        itemId: id,
        title: kind === 'idea' ? title : undefined,
        body,
      });
      navigate(backHref);
    } catch (err) {
      setError(
        err instanceof InvalidInputError ? err.message : 'Your edit could not be saved on this device.',
      );
    }
  };
  return (
    <div className="narrow">
      <p className="breadcrumb">
        <a href={backHref}>Back without saving</a>
      </p>
      <h1 tabIndex={-1}>Edit your {kind}</h1>
      <p>Others see the new text after the next batch. It stays anonymous.</p>
      {error && (
        <p className="error-message" role="alert">
          {error}
        </p>
      )}
      <form onSubmit={submit}>
        {kind === 'idea' && (
          <div className="field">
            <label htmlFor="edit-title">Title</label>
            <input
              id="edit-title"
              type="text"
              required
              minLength={LIMITS.ideaTitleMin}
              maxLength={LIMITS.ideaTitleMax}
              value={title}
              onChange={(e) => setTitle(e.target.value)}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor="edit-body">{kind === 'idea' ? 'Description' : 'Your comment'}</label>
          <textarea
            id="edit-body"
            rows={8}
            maxLength={kind === 'idea' ? LIMITS.ideaBodyMax : LIMITS.commentBodyMax}
            value={body}
            onChange={(e) => setBody(e.target.value)}
          />
        </div>
        <button type="submit" className="button">
          Save changes
        </button>
      </form>
    </div>
  );
}
