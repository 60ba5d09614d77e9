/**
 * "Quick break": the ideas this person has not voted on, one at a time, with large Like / Dislike / Skip
 * buttons and progress, for two spare minutes. The stack is fixed when the break starts, so voting does not
 * reshuffle what comes next.
 */
import { useEffect, useRef, useState } from 'react';
import type { VoteValue } from '../../../shared/src/documents.js';
import { huddle } from '../data/hooks.js';
import { useQuickBreakIdeas, type QuickBreakIdea } from '../data/participant-hooks.js';
import { plural } from './format.js';
import { href } from './use-hash-route.js';

export function QuickBreakScreen() {
  const live = useQuickBreakIdeas();
  if (live === undefined) return <p className="muted">Loading…</p>;
  return <QuickBreak initialDeck={live} />;
}

function QuickBreak({ initialDeck }: { initialDeck: QuickBreakIdea[] }) {
  // Fixed when the break starts: later changes (my own votes) do not reshuffle the stack.
  const [deck] = useState(initialDeck);
  const [position, setPosition] = useState(0);
  const [counts, setCounts] = useState({ voted: 0, skipped: 0 });
  const headingRef = useRef<HTMLHeadingElement>(null);
  const current = deck[position];

  useEffect(() => {
    if (position > 0) headingRef.current?.focus();
  }, [position]);

  const next = (value: VoteValue | 'skip') => {
    if (!current) return;
    if (value !== 'skip') {
      void huddle.vote({
        conversationId: current.conversationId,
        itemKind: 'idea',
        itemId: current.id,
        value,
      });
    }
    setCounts((c) => (value === 'skip' ? { ...c, skipped: c.skipped + 1 } : { ...c, voted: c.voted + 1 }));
    setPosition((p) => p + 1);
  };

  if (!current)
    return (
      <div className="narrow">
        <h1 tabIndex={-1} ref={headingRef}>
          {deck.length === 0 ? 'Nothing new to vote on' : 'That’s all for now'}
        </h1>
        <p>
          {deck.length === 0
            ? 'You have voted on every idea this device has. New ideas appear as people post them.'
            : `Thank you. You voted on ${plural(counts.voted, 'idea')} and skipped ${counts.skipped}.`}
        </p>
        <p>
          <a className="button" href={href.streams()}>
            Back to the topics
          </a>
        </p>
      </div>
    );

  return (
    <div className="narrow quick-break">
      <p className="breadcrumb">
        <a href={href.streams()}>Stop and go back</a>
      </p>
      <p className="quick-break__progress" data-testid="quick-break-progress">
        {position + 1} of {deck.length}
      </p>
      <progress className="quick-break__bar" max={deck.length} value={position} aria-hidden="true" />
      <article className="card quick-break__card" aria-labelledby="quick-break-title">
        {current.streamTitle && (
          <p className="card__kind">
            <bdi>{current.streamTitle}</bdi>
          </p>
        )}
        <h1 id="quick-break-title" tabIndex={-1} ref={headingRef}>
          <bdi>{current.title}</bdi>
        </h1>
        {current.body && (
          <p className="idea__body" dir="auto">
            {current.body}
          </p>
        )}
        <p>
          <a href={href.idea(current.id)}>Read the comments</a>
        </p>
      </article>
      <div className="quick-break__actions" role="group" aria-label="Your vote on this idea">
        <button type="button" className="button quick-break__button" onClick={() => next('like')}>
          Like
        </button>
        <button
          type="button"
          className="button button--dislike quick-break__button"
          onClick={() => next('dislike')}
        >
          Dislike
        </button>
        <button
          type="button"
          className="button button--secondary quick-break__button"
          onClick={() => next('skip')}
        >
          Skip
        </button>
      </div>
    </div>
  );
}
