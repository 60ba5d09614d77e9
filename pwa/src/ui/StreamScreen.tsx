/**
 * Ideas in one topic, sorted Top (Wilson lower bound), Newest, Most discussed or Controversial (many votes
 * both ways), with the person's pending posts first. Ideas by others that arrived since the person last
 * opened this topic on this device are marked "New" (in words, not only colour); opening it marks them seen.
 */
import { useConversation, useIdeas, useStream, type IdeaSort } from '../data/hooks.js';
import { useWhatIsNew } from '../data/participant-hooks.js';
import { ClosedBanner } from './ClosedBanner.js';
import { plural } from './format.js';
import { PostBadge } from './PostBadge.js';
import { href } from './use-hash-route.js';

const SORT_LABELS: Record<IdeaSort, string> = {
  top: 'Top',
  newest: 'Newest',
  discussed: 'Most discussed',
  controversial: 'Controversial',
};

export function StreamScreen({
  streamId,
  sort,
  canContribute,
}: {
  streamId: string;
  sort: IdeaSort;
  canContribute: boolean;
}) {
  const stream = useStream(streamId);
  const ideas = useIdeas(streamId, sort);
  const conversation = useConversation(stream?.conversationId);
  const newIds = useWhatIsNew(
    'stream',
    streamId,
    ideas?.filter((i) => i.postStatus === 'public' && !i.isOwn).map((i) => i.id),
  );
  if (stream === undefined) return <p className="muted">Loading…</p>;
  if (stream === null)
    return (
      <>
        <h1 tabIndex={-1}>Topic not found</h1>
        <p>
          <a href={href.streams()}>Back to all topics</a>
        </p>
      </>
    );
  const isOpen = conversation?.status === 'live';
  return (
    <>
      <p className="breadcrumb">
        <a href={href.streams()}>All topics</a>
      </p>
      <h1 tabIndex={-1}>
        <bdi>{stream.title}</bdi>
      </h1>
      {stream.description && <p className="lead">{stream.description}</p>}
      {conversation?.status === 'closed' && <ClosedBanner />}
      {canContribute && isOpen && (
        <p className="button-row">
          <a className="button" href={href.post(stream.id)}>
            Post an idea
          </a>
          <a className="button button--secondary" href={href.quickBreak()}>
            Quick break
          </a>
        </p>
      )}
      <h2>Ideas</h2>
      <nav className="tabs" aria-label="Sort ideas">
        {(Object.keys(SORT_LABELS) as IdeaSort[]).map((key) => (
          <a
            key={key}
            className="tabs__tab"
            href={href.stream(stream.id, key)}
            aria-current={key === sort ? 'page' : undefined}
          >
            {SORT_LABELS[key]}
          </a>
        ))}
      </nav>
      {ideas === undefined ? (
        <p className="muted">Loading…</p>
      ) : ideas.length === 0 ? (
        <p>No ideas yet.{canContribute && isOpen ? ' Be the first to post one.' : ''}</p>
      ) : (
        <>
          {newIds && newIds.size > 0 && (
            <p data-testid="stream-news-summary">
              {plural(newIds.size, 'new idea')} since you last opened this topic, marked “New”.
            </p>
          )}
          <ol className="card-list" aria-label={`Ideas, sorted by ${SORT_LABELS[sort].toLowerCase()}`}>
            {ideas.map((idea) => (
              <li key={idea.id} className="card" data-testid="idea-card">
                <h3 className="card__title">
                  {idea.postStatus === 'waiting-to-send' ? (
                    idea.title
                  ) : (
                    <a href={href.idea(idea.id)}>
                      <bdi>{idea.title}</bdi>
                    </a>
                  )}
                </h3>
                <PostBadge status={idea.postStatus} />
                {newIds?.has(idea.id) && <p className="badge badge--new">New</p>}
                {idea.isOwn && idea.postStatus === 'public' && <p className="badge badge--own">Your idea</p>}
                {idea.body && (
                  <p className="card__body" dir="auto">
                    {idea.body}
                  </p>
                )}
                {idea.postStatus === 'public' && (
                  <p className="card__meta">
                    {plural(idea.likes, 'like')}, {plural(idea.dislikes, 'dislike')},{' '}
                    {plural(idea.commentCount, 'comment')}
                  </p>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  );
}
