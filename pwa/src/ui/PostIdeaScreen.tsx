/**
 * Post an idea: title, description and topic; saved on the device as typed (each new idea is its own draft,
 * resumable from the drafts list), sent when possible. Similar ideas already posted are suggested as the
 * person writes, offline too, so they can vote instead of posting a duplicate. Nothing typed is ever cut:
 * over a limit the counter says by how much and posting waits until it is shortened; one submit posts once.
 */
import { useDeferredValue, useRef, useState, type FormEvent } from 'react';
import { LIMITS } from '../../../shared/src/protocol.js';
import {
  InvalidInputError,
  huddle,
  useConversations,
  useDraft,
  useStreams,
  type Draft,
} from '../data/hooks.js';
import type { StreamDoc } from '../../../shared/src/documents.js';
import { useSimilarIdeas } from '../data/participant-hooks.js';
import { href, navigate } from './use-hash-route.js';
import { PostWarnings } from './PostWarnings.js';
import { CharacterCount } from './CharacterCount.js';
import { SubmitButton } from './SubmitButton.js';
import { limitState, overLimitMessage, overLimitRefusal } from './text-limit.js';
import { useSingleSubmit } from './use-single-submit.js';

export function PostIdeaScreen({ streamId, draftId }: { streamId?: string; draftId?: string }) {
  // A new idea gets a new draft id; the address then carries it, so a reload resumes the same draft.
  const [newDraftId] = useState(() => huddle.newDraftId());
  const id = draftId ?? newDraftId;
  const draft = useDraft(id);
  const streams = useStreams();
  const conversations = useConversations();
  if (draft === undefined || streams === undefined || conversations === undefined)
    return <p className="muted">Loading…</p>;
  const live = new Set(conversations.filter((c) => c.status === 'live').map((c) => c.id));
  const open = streams.filter((s) => live.has(s.conversationId));
  if (open.length === 0)
    return (
      <>
        <h1 tabIndex={-1}>Post an idea</h1>
        <p>There is no open topic to post in right now.</p>
      </>
    );
  return (
    <PostIdeaForm
      key={id}
      draftId={id}
      draft={draft}
      streams={open}
      initialStreamId={draft?.streamId ?? streamId ?? open[0]!.id}
    />
  );
}

function PostIdeaForm({
  draftId,
  draft,
  streams,
  initialStreamId,
}: {
  draftId: string;
  draft: Draft | null;
  streams: StreamDoc[];
  initialStreamId: string;
}) {
  const [title, setTitle] = useState(draft?.title ?? '');
  const [body, setBody] = useState(draft?.body ?? '');
  const [streamId, setStreamId] = useState(
    streams.some((s) => s.id === initialStreamId) ? initialStreamId : streams[0]!.id,
  );
  const [error, setError] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const titleBox = useRef<HTMLInputElement>(null);
  const bodyBox = useRef<HTMLTextAreaElement>(null);
  const { isSubmitting, run } = useSingleSubmit();
  const titleLimit = limitState(title, LIMITS.ideaTitleMax);
  const bodyLimit = limitState(body, LIMITS.ideaBodyMax);
  const limited = [
    { name: 'title', state: titleLimit },
    { name: 'description', state: bodyLimit },
  ];
  const blocked = overLimitMessage(limited, 'post it');

  const stream = streams.find((s) => s.id === streamId)!;
  const similar = useSimilarIdeas(useDeferredValue(title), useDeferredValue(body));
  const save = (patch: Partial<{ title: string; body: string; streamId: string }>) => {
    const next = { title, body, streamId, ...patch };
    const conversationId =
      streams.find((s) => s.id === next.streamId)?.conversationId ?? stream.conversationId;
    void huddle.saveDraft({ id: draftId, kind: 'idea', conversationId, ...next });
    const resumable = href.post(next.streamId, draftId);
    if (window.location.hash !== resumable) window.history.replaceState(null, '', resumable);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (blocked) {
      setRefusal(overLimitRefusal(limited, { done: 'posted', todo: 'post' }));
      (titleLimit.isOver ? titleBox : bodyBox).current?.focus();
      return;
    }
    run(async () => {
      try {
        await huddle.postIdea({
          conversationId: stream.conversationId,
          streamId,
          title,
          body,
          draftId,
        });
        navigate(href.stream(streamId, 'newest'));
        return true;
      } catch (err) {
        setError(
          err instanceof InvalidInputError ? err.message : 'Your idea could not be saved on this device.',
        );
        return false;
      }
    });
  };

  return (
    <div className="narrow">
      <p className="breadcrumb">
        <a href={href.stream(streamId)}>Back to the topic</a>
      </p>
      <h1 tabIndex={-1}>Post an idea</h1>
      <p>
        Your idea is anonymous. It is saved on this device as you type and sent when you have a connection.
        You can leave and come back to it from <a href={href.drafts()}>your drafts</a>.
      </p>
      <div role="alert">
        {error && <p className="error-message">{error}</p>}
        {blocked && refusal && <p className="error-message">{refusal}</p>}
      </div>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="idea-stream">Topic</label>
          <select
            id="idea-stream"
            name="stream"
            value={streamId}
            onChange={(e) => {
              setStreamId(e.target.value);
              save({ streamId: e.target.value });
            }}
          >
            {streams.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="idea-title">Title</label>
          <p className="hint" id="idea-title-hint">
            A short summary, {LIMITS.ideaTitleMin} to {LIMITS.ideaTitleMax} characters.
          </p>
          <input
            dir="auto"
            ref={titleBox}
            readOnly={isSubmitting}
            id="idea-title"
            name="title"
            type="text"
            required
            minLength={LIMITS.ideaTitleMin}
            aria-describedby="idea-title-hint idea-title-count"
            aria-invalid={titleLimit.isOver || undefined}
            value={title}
            onChange={(e) => {
              setTitle(e.target.value);
              save({ title: e.target.value });
            }}
          />
          <CharacterCount id="idea-title-count" state={titleLimit} />
        </div>
        <SimilarIdeas ideas={similar} />
        <div className="field">
          <label htmlFor="idea-body">Description</label>
          <p className="hint" id="idea-body-hint">
            Optional, up to {LIMITS.ideaBodyMax.toLocaleString('en-GB')} characters. Please do not name
            colleagues.
          </p>
          <textarea
            dir="auto"
            ref={bodyBox}
            readOnly={isSubmitting}
            id="idea-body"
            name="body"
            rows={8}
            aria-describedby="idea-body-hint idea-body-count"
            aria-invalid={bodyLimit.isOver || undefined}
            value={body}
            onChange={(e) => {
              setBody(e.target.value);
              save({ body: e.target.value });
            }}
          />
          <CharacterCount id="idea-body-count" state={bodyLimit} />
        </div>
        <PostWarnings text={`${title}\n${body}`} />
        <SubmitButton
          label="Post idea"
          blockedId="idea-post-blocked"
          blockedMessage={blocked}
          isSubmitting={isSubmitting}
        />
      </form>
    </div>
  );
}

function SimilarIdeas({ ideas }: { ideas: Array<{ ideaId: string; title: string }> }) {
  if (ideas.length === 0) return null;
  return (
    <aside className="similar" aria-labelledby="similar-heading" data-testid="similar-ideas">
      <h2 id="similar-heading" className="similar__heading">
        Is this the same as…?
      </h2>
      <p className="hint">
        If one of these says what you mean, voting for it gives it more weight than a new idea.
      </p>
      <ul className="similar__list">
        {ideas.map((idea) => (
          <li key={idea.ideaId}>
            <a href={href.idea(idea.ideaId)}>
              <bdi>{idea.title}</bdi>
            </a>
          </li>
        ))}
      </ul>
    </aside>
  );
}
