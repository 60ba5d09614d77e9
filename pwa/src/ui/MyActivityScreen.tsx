/**
 * "My activity": the person's own posts with where each stands (visible, edited by the moderators, hidden with
 * the reason, merged with a link, withdrawn, waiting to send, awaiting release), their drafts, what is waiting
 * to send, and changes the server refused. Only this device and the person's own sessions know any of it.
 */
import {
  useMyActivity,
  useNoticeSchedule,
  type MyPost,
  type MyPostState,
} from '../data/participant-hooks.js';
import { plural } from './format.js';
import { href } from './use-hash-route.js';
import { RELEASE_COPY } from './release-copy.js';

const STATE_LABELS: Record<MyPostState, string> = {
  'waiting-to-send': 'Waiting to send',
  'awaiting-release': RELEASE_COPY.awaitingRelease,
  visible: 'Visible to everyone',
  'edited-by-moderator': 'Visible, edited by the moderators',
  'edit-waiting': 'Your edit is waiting to send',
  hidden: 'Hidden by the moderators',
  removed: 'Removed by the moderators',
  merged: 'Merged into another idea',
  withdrawn: 'Withdrawn by you',
};

function PostRow({ post }: { post: MyPost }) {
  const schedule = useNoticeSchedule();
  const isLinkable =
    post.ideaId && post.state !== 'withdrawn' && post.state !== 'hidden' && post.state !== 'removed';
  return (
    <li className="card" data-testid="my-post">
      <p className="card__kind">{post.kind === 'idea' ? 'Idea' : 'Comment'}</p>
      <h3 className="card__title">
        {isLinkable && post.state !== 'merged' ? (
          <a href={href.idea(post.ideaId!)}>
            <bdi>{post.text}</bdi>
          </a>
        ) : (
          <bdi>{post.text}</bdi>
        )}
      </h3>
      {post.newComments > 0 && (
        <p className="badge badge--new" data-testid="my-post-news">
          {plural(post.newComments, 'new comment')}
        </p>
      )}
      <p className={`status status--${post.state}`} data-testid="my-post-status">
        {STATE_LABELS[post.state]}
        {post.isChangePending && post.state !== 'edit-waiting' ? RELEASE_COPY.changePending(schedule) : ''}
      </p>
      {post.reason && (post.state === 'hidden' || post.state === 'removed') && (
        <p className="muted">Reason: {post.reason}</p>
      )}
      {post.state === 'merged' && post.mergedInto && (
        <p>
          <a href={href.idea(post.mergedInto)}>See the idea it is now part of</a>
        </p>
      )}
    </li>
  );
}

export function MyActivityScreen() {
  const activity = useMyActivity();
  if (activity === undefined) return <p className="muted">Loading…</p>;
  const { posts, drafts, waiting, refused } = activity;
  return (
    <>
      <h1 tabIndex={-1}>My activity</h1>
      <p className="hint">Only you can see this page. It is worked out on this device.</p>

      <h2>Waiting to send</h2>
      {waiting.length === 0 ? (
        <p>Nothing. Everything you did has reached Huddle.</p>
      ) : (
        <>
          <p>{plural(waiting.length, 'change')} will be sent when you are online.</p>
          <ul className="plain-list" data-testid="waiting-list">
            {waiting.map((w) => (
              <li key={w.seq}>{w.label}</li>
            ))}
          </ul>
        </>
      )}

      {refused.length > 0 && (
        <>
          <h2>Not accepted</h2>
          <ul className="plain-list">
            {refused.map((r) => (
              <li key={`${r.at}-${r.kind}`}>
                {r.message}
                {r.text ? (
                  <>
                    {' '}
                    Your note: “<bdi>{r.text}</bdi>”
                  </>
                ) : (
                  ''
                )}
              </li>
            ))}
          </ul>
        </>
      )}

      <h2>My posts</h2>
      {posts.length === 0 ? (
        <p>You have not posted anything yet.</p>
      ) : (
        <ul className="card-list">
          {posts.map((p) => (
            <PostRow key={p.key} post={p} />
          ))}
        </ul>
      )}

      <h2>My drafts</h2>
      {drafts.length === 0 ? (
        <p>No drafts.</p>
      ) : (
        <p>
          {plural(drafts.length, 'draft')}
          {drafts.some((d) => d.rejection) ? ', including posts that were not accepted,' : ''} kept on this
          device. <a href={href.drafts()}>Open my drafts</a>
        </p>
      )}
    </>
  );
}
