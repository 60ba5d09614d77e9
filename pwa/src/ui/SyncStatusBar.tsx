/** Always visible and honest: what is waiting, what is being sent, when the device last heard from Huddle. */
import { useState } from 'react';
import { huddle, useSyncStatus } from '../data/hooks.js';
import { formatTime } from './format.js';
import { href } from './use-hash-route.js';

export function SyncStatusBar() {
  const status = useSyncStatus();
  const [isSending, setIsSending] = useState(false);
  const sendNow = () => {
    setIsSending(true);
    void huddle.sendNow().finally(() => setIsSending(false));
  };
  return (
    <section className={`sync-bar sync-bar--${status.state}`} aria-label="Sync status">
      <div className="sync-bar__inner">
        <p
          className="sync-bar__label"
          role="status"
          data-testid="sync-status"
          data-state={status.state}
          data-waiting={status.waitingCount}
        >
          {status.label}
        </p>
        <p className="sync-bar__time">Last synced: {formatTime(status.lastSyncedAt)}</p>
        {status.state === 'signed-out' ? (
          <a className="button button--small" href={href.login()}>
            Log in again
          </a>
        ) : (
          <button
            type="button"
            className="button button--small button--secondary"
            onClick={sendNow}
            disabled={isSending || status.state === 'syncing'}
          >
            Send now
          </button>
        )}
      </div>
    </section>
  );
}
