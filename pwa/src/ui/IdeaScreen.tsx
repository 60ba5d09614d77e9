/**
 * One idea: its text, votes, comments (each with votes), own-post and report actions, and the comment form.
 * Comments by others that arrived since the person last opened the idea on this device are marked "New";
 * opening it marks them seen, and the idea itself in its topic (on this device only: seen.ts).
 */
import { useComments, useConversation, useIdea } from '../data/hooks.js';
import { useIdeaFate, useMarkSeen, useWhatIsNew } from '../data/participant-hooks.js';
import { ClosedBanner } from './ClosedBanner.js';
import { CommentForm } from './CommentForm.js';
import { formatHour, plural } from './format.js';
import { PostActions } from './PostActions.js';
import { PostBadge } from './PostBadge.js';
import { VoteButtons } from './VoteButtons.js';
import { href, navigate } from './use-hash-route.js';

export function IdeaScreen({ ideaId, canContribute }: { ideaId: string; canContribute: boolean }) {
  const view = useIdea(ideaId);
  const comments = useComments(ideaId);
  const conversation = useConversation(view?.idea.conversationId);
  const fate = useIdeaFate(ideaId);
  const newIds = useWhatIsNew(
    'idea',
    ideaId,
    view ? comments?.filter((c) => c.postStatus === 'public' && !c.isOwn).map((c) => c.id) : undefined,
  );
  // Opened, so no longer new in its topic either.
  useMarkSeen(
    'stream',
    view?.idea.streamId,
    view && view.postStatus === 'public' && !view.isOwn ? [view.idea.id] : undefined,
  );
  if (view === undefined) return <p className="muted">Loading…</p>;
  if (view === null && fate?.status === 'merged' && fate.mergedInto)
    return (
      <>
        <h1 tabIndex={-1}>This idea was merged</h1>
        <p>The facilitation team combined it with a similar idea. Its votes and comments moved there too.</p>
        <p>
          <a href={href.idea(fate.mergedInto)}>See the idea it is now part of</a>
        </p>
      </>
    );
  if (view === null)
    return (
      <>
        <h1 tabIndex={-1}>Idea not found</h1>
        <p>
          {fate?.status === 'withdrawn'
            ? 'Its author withdrew it.'
            : fate?.status === 'hidden' || fate?.status === 'removed'
              ? `The moderators hid it${fate.reason ? `: ${fate.reason}` : '.'}`
              : 'It may have been removed by the moderators, or this device has not synced it yet.'}
        </p>
        <p>
          <a href={href.streams()}>Back to all topics</a>
        </p>
      </>
    );
  const { idea } = view;
  const isOpen = conversation?.status === 'live';
  const canAct = canContribute && isOpen;
  return (
    <>
      <p className="breadcrumb">
        <a href={href.stream(idea.streamId)}>Back to the topic</a>
      </p>
      {conversation?.status === 'closed' && <ClosedBanner />}
      <article className="idea" aria-labelledby="idea-title">
        <h1 id="idea-title" tabIndex={-1}>
          <bdi>{idea.title}</bdi>
        </h1>
        <PostBadge status={view.postStatus} />
        {idea.body && (
          <p className="idea__body" dir="auto">
            {idea.body}
          </p>
        )}
        <p className="card__meta">
          Posted around {formatHour(idea.createdHour)}
          {idea.editedByModerator && ' · Edited by the moderators'}
        </p>
        <VoteButtons
          conversationId={idea.conversationId}
          itemKind="idea"
          itemId={idea.id}
          likes={view.likes}
          dislikes={view.dislikes}
          canVote={canAct}
          label="idea"
        />
        {view.postStatus === 'public' || view.isOwn ? (
          <PostActions
            conversationId={idea.conversationId}
            kind="idea"
            id={idea.id}
            isOwn={view.isOwn}
            isReported={view.isReported}
            isEditPending={view.isEditPending}
            canAct={canAct}
            onWithdrawn={() => navigate(href.activity())}
          />
        ) : null}
      </article>
      <section aria-labelledby="comments-heading">
        <h2 id="comments-heading">Comments</h2>
        {comments === undefined ? (
          <p className="muted">Loading…</p>
        ) : comments.length === 0 ? (
          <p>No comments yet.</p>
        ) : (
          <>
            {newIds && newIds.size > 0 && (
              <p data-testid="idea-news-summary">
                {plural(newIds.size, 'new comment')} since you last opened this idea, marked “New”.
              </p>
            )}
            <ol className="comment-list">
              {comments.map((c) => (
                <li key={c.id} className="comment" data-testid="comment">
                  <p className="comment__body" dir="auto">
                    {c.body}
                  </p>
                  <PostBadge status={c.postStatus} />
                  {newIds?.has(c.id) && <p className="badge badge--new">New</p>}
                  {c.editedByModerator && <p className="card__meta">Edited by the moderators</p>}
                  {c.postStatus === 'public' && (
                    <VoteButtons
                      conversationId={idea.conversationId}
                      itemKind="comment"
                      itemId={c.id}
                      likes={c.likes}
                      dislikes={c.dislikes}
                      canVote={canAct}
                      label="comment"
                    />
                  )}
                  {(c.postStatus === 'public' || (c.isOwn && c.postStatus !== 'waiting-to-send')) && (
                    <PostActions
                      conversationId={idea.conversationId}
                      kind="comment"
                      id={c.id}
                      isOwn={c.isOwn}
                      isReported={c.isReported}
                      isEditPending={c.isEditPending}
                      canAct={canAct}
                    />
                  )}
                </li>
              ))}
            </ol>
          </>
        )}
        {canAct && <CommentForm conversationId={idea.conversationId} ideaId={idea.id} />}
        {!isOpen && conversation && <p className="muted">This conversation is closed to new comments.</p>}
      </section>
    </>
  );
}
