/**
 * A shared ward computer: this device keeps changes that `previous` made and has not sent, and the
 * browser now holds `other`'s session (they opened their e-mailed link). Nothing is sent until the
 * person at the screen decides: queued work is only ever sent by its author's session.
 */
import { useState } from 'react';
import { huddle } from '../data/hooks.js';
import { useUnsentCount } from '../data/hooks.js';
import { plural } from './format.js';

export function OtherPersonPrompt({ previous, other }: { previous: string; other: string }) {
  const unsent = useUnsentCount() ?? 0;
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = (action: () => Promise<void>) => {
    setIsBusy(true);
    setError(null);
    action()
      .catch((err: unknown) => setError(err instanceof Error ? err.message : 'That did not work. Try again.'))
      .finally(() => setIsBusy(false));
  };
  return (
    <div className="notice notice--warning" role="alertdialog" aria-labelledby="other-person-title">
      <h2 id="other-person-title">This device has changes from someone else</h2>
      <p>
        {plural(unsent, 'change')} made by {previous} on this device {unsent === 1 ? 'has' : 'have'} not been
        sent. You are logged in as {other}. Huddle never sends one person’s changes as someone else’s.
      </p>
      <div className="button-row">
        <button
          type="button"
          className="button button--secondary"
          disabled={isBusy}
          onClick={() => act(huddle.keepForPreviousPerson)}
        >
          Keep them for {previous} and log me out
        </button>
        <button
          type="button"
          className="button button--warning"
          disabled={isBusy}
          onClick={() => act(huddle.continueAsOtherPerson)}
        >
          Delete them and continue as {other}
        </button>
      </div>
      {error && (
        <p className="error-message" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
