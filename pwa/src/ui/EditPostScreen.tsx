/**
 * Edit one's own idea or comment. Offered only on the person's own posts; the server checks ownership again.
 * The same calm naming warning and length counters as posting: an edit is checked like new text.
 */
import { useRef, useState, type FormEvent } from 'react';
import { LIMITS } from '../../../shared/src/protocol.js';
import { InvalidInputError, huddle, useComments, useConversation, useIdea } from '../data/hooks.js';
import { useNoticeSchedule, useOwnComment } from '../data/participant-hooks.js';
import { href, navigate, type PostKind } from './use-hash-route.js';
import { PostWarnings } from './PostWarnings.js';
import { CharacterCount } from './CharacterCount.js';
import { SubmitButton } from './SubmitButton.js';
import { limitState, overLimitMessage, overLimitRefusal, type LimitedField } from './text-limit.js';
import { useSingleSubmit } from './use-single-submit.js';
import { RELEASE_COPY } from './release-copy.js';

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
  const schedule = useNoticeSchedule();
  const [title, setTitle] = useState(initialTitle ?? '');
  const [body, setBody] = useState(initialBody);
  const [error, setError] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const titleBox = useRef<HTMLInputElement>(null);
  const bodyBox = useRef<HTMLTextAreaElement>(null);
  const { isSubmitting, run } = useSingleSubmit();
  const titleLimit = limitState(title, LIMITS.ideaTitleMax);
  const bodyMax = kind === 'idea' ? LIMITS.ideaBodyMax : LIMITS.commentBodyMax;
  const bodyLimit = limitState(body, bodyMax);
  const limited: LimitedField[] = [
    ...(kind === 'idea' ? [{ name: 'title', state: titleLimit }] : []),
    { name: kind === 'idea' ? 'description' : 'comment', state: bodyLimit },
  ];
  const blocked = overLimitMessage(limited, 'save it');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (blocked) {
      setRefusal(overLimitRefusal(limited, { done: 'saved', todo: 'save' }));
      (kind === 'idea' && titleLimit.isOver ? titleBox : bodyBox).current?.focus();
      return;
    }
    run(async () => {
      try {
        await huddle.editPost({
          conversationId,
          itemKind: kind,
          itemId: id,
          title: kind === 'idea' ? title : undefined,
          body,
        });
        navigate(backHref);
        return true;
      } catch (err) {
        setError(
          err instanceof InvalidInputError ? err.message : 'Your edit could not be saved on this device.',
        );
        return false;
      }
    });
  };
  return (
    <div className="narrow">
      <p className="breadcrumb">
        <a href={backHref}>Back without saving</a>
      </p>
      <h1 tabIndex={-1}>Edit your {kind}</h1>
      <p>{RELEASE_COPY.editNote(schedule)}</p>
      <div role="alert">
        {error && <p className="error-message">{error}</p>}
        {blocked && refusal && <p className="error-message">{refusal}</p>}
      </div>
      <form onSubmit={submit}>
        {kind === 'idea' && (
          <div className="field">
            <label htmlFor="edit-title">Title</label>
            <p className="hint" id="edit-title-hint">
              A short summary, {LIMITS.ideaTitleMin} to {LIMITS.ideaTitleMax} characters.
            </p>
            <input
              dir="auto"
              ref={titleBox}
              readOnly={isSubmitting}
              id="edit-title"
              type="text"
              required
              minLength={LIMITS.ideaTitleMin}
              aria-describedby="edit-title-hint edit-title-count"
              aria-invalid={titleLimit.isOver || undefined}
              value={title}
              onChange={(e) => setTitle(e.target.value)}
            />
            <CharacterCount id="edit-title-count" state={titleLimit} />
          </div>
        )}
        <div className="field">
          <label htmlFor="edit-body">{kind === 'idea' ? 'Description' : 'Your comment'}</label>
          <p className="hint" id="edit-body-hint">
            {kind === 'idea' ? 'Optional, up' : 'Up'} to {bodyMax.toLocaleString('en-GB')} characters. Please
            do not name colleagues.
          </p>
          <textarea
            dir="auto"
            ref={bodyBox}
            readOnly={isSubmitting}
            id="edit-body"
            rows={8}
            aria-describedby="edit-body-hint edit-body-count"
            aria-invalid={bodyLimit.isOver || undefined}
            value={body}
            onChange={(e) => setBody(e.target.value)}
          />
          <CharacterCount id="edit-body-count" state={bodyLimit} />
        </div>
        <PostWarnings text={kind === 'idea' ? `${title}\n${body}` : body} />
        <SubmitButton
          label="Save changes"
          blockedId="edit-save-blocked"
          blockedMessage={blocked}
          isSubmitting={isSubmitting}
        />
      </form>
    </div>
  );
}
