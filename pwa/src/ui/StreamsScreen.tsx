/** The topics (streams) of the conversation, in their set order. */
import { useConversations, useStreams } from '../data/hooks.js';
import { href } from './use-hash-route.js';

export function StreamsScreen() {
  const streams = useStreams();
  const conversations = useConversations();
  const conversation = conversations?.find((c) => c.status !== 'draft');
  return (
    <>
      <h1 tabIndex={-1}>{conversation?.title ?? 'Topics'}</h1>
      {conversation?.description && <p className="lead">{conversation.description}</p>}
      {conversation?.status === 'closed' && (
        <p className="notice notice--info">This conversation has closed. You can still read it.</p>
      )}
      {streams === undefined ? (
        <p className="muted">Loading…</p>
      ) : streams.length === 0 ? (
        <p>Nothing here yet. Topics appear once this device has synced with Huddle.</p>
      ) : (
        <>
          <h2 className="visually-hidden">Topics</h2>
          <ul className="card-list">
            {streams.map((s) => (
              <li key={s.id} className="card">
                <h3 className="card__title">
                  <a href={href.stream(s.id)}>{s.title}</a>
                </h3>
                {s.description && <p>{s.description}</p>}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
