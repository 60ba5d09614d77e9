/**
 * The counter under a text box: nothing while far from the limit, "4,870 / 5,000 characters" as it
 * nears, "120 characters over the limit of 5,000" past it (with a warning sign and in bold, not by
 * colour alone). The box points at it with aria-describedby; a screen reader hears it through a
 * polite status a moment after typing stops, not at every key.
 */
import { useEffect, useState } from 'react';
import { countAnnouncement, countText, type LimitState } from './text-limit.js';

export const COUNT_ANNOUNCE_DELAY_MS = 1000;

export function CharacterCount({ id, state }: { id: string; state: LimitState }) {
  const text = countText(state);
  const announcement = useSettled(countAnnouncement(state), COUNT_ANNOUNCE_DELAY_MS);
  return (
    <>
      <p
        id={id}
        className={`char-count${state.isOver ? ' char-count--over' : ''}`}
        data-testid="char-count"
        hidden={text === ''}
      >
        {state.isOver && <span aria-hidden="true">⚠ </span>}
        {text}
      </p>
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
    </>
  );
}

function useSettled(value: string, delayMs: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
