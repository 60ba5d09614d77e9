/**
 * Post an idea: title, description and topic; saved on the device as typed (each new idea is its own draft,
 * resumable from the drafts list), sent when possible. Similar ideas already posted are suggested as the
 * person writes, offline too, so they can vote instead of posting a duplicate.
 */
import { useDeferredValue, useState, type FormEvent } from 'react';
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

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await huddle.postIdea({
        conversationId: stream.conversationId,
        streamId,
        title,
        body,
        draftId,
      });
      navigate(href.stream(streamId, 'newest'));
    } catch (err) {
      setError(
        err instanceof InvalidInputError ? err.message : 'Your idea could not be saved on this device.',
      );
    }
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
      {error && (
        <p className="error-message" role="alert">
          {error}
        </p>
      )}
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
            id="idea-title"
            name="title"
            type="text"
            required
            minLength={LIMITS.ideaTitleMin}
            maxLength={LIMITS.ideaTitleMax}
            aria-describedby="idea-title-hint"
            value={title}
            onChange={(e) => {
              setTitle(e.target.value);
              save({ title: e.target.value });
            }}
          />
        </div>
        <SimilarIdeas ideas={similar} />
        <div className="field">
          <label htmlFor="idea-body">Description</label>
          <p className="hint" id="idea-body-hint">
            Optional. Please do not name colleagues.
          </p>
          <textarea
            id="idea-body"
            name="body"
            rows={8}
            maxLength={LIMITS.ideaBodyMax}
            aria-describedby="idea-body-hint"
            value={body}
            onChange={(e) => {
              setBody(e.target.value);
              save({ body: e.target.value });
            }}
          />
        </div>
        <PostWarnings text={`${title}\n${body}`} />
        <button type="submit" className="button">
          Post idea
        </button>
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
            <a href={href.idea(idea.ideaId)}>{idea.title}</a>
          </li>
        ))}
      </ul>
    </aside>
  );
}
