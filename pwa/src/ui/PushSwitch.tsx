/**
 * "Notify me on this device": the daily notice by web push, per device (the same notice, at the same
 * time, for every subscribed device, news or not). Shown only where the
 * browser has PushManager and Notification (on iOS only once added to the Home Screen); permission is
 * asked when the person turns it on, never on load. Needs a connection both ways.
 */
import { useEffect, useId, useState } from 'react';
import {
  currentSubscription,
  disablePush,
  enablePush,
  notificationPermission,
  pushSupport,
  PushSetupError,
} from '../data/web-push.js';

function useOnline(): boolean {
  const [isOnline, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return isOnline;
}

export function PushSwitch({ whenText }: { whenText: string }) {
  const support = pushSupport();
  const switchId = useId();
  const isOnline = useOnline();
  const [isOn, setOn] = useState<boolean | undefined>(undefined);
  const [isBusy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (support !== 'supported') return;
    let isCurrent = true;
    void currentSubscription()
      .then((s) => isCurrent && setOn(s !== null && notificationPermission() === 'granted'))
      .catch(() => isCurrent && setOn(false));
    return () => {
      isCurrent = false;
    };
  }, [support]);

  const toggle = async (wanted: boolean) => {
    setBusy(true);
    setProblem(null);
    try {
      if (wanted) await enablePush();
      else await disablePush();
      setOn(wanted);
    } catch (err) {
      setProblem(err instanceof PushSetupError ? err.message : 'Something went wrong. Please try again.');
      setOn((await currentSubscription().catch(() => null)) !== null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby={`${switchId}-heading`} data-testid="push-settings">
      <h2 id={`${switchId}-heading`}>Notify me on this device</h2>
      {support === 'unsupported' && (
        <p className="muted" data-testid="push-unavailable">
          Notifications are not available on this device or browser. You can still use the e-mail option
          above.
        </p>
      )}
      {support === 'install-first' && (
        <p className="muted" data-testid="push-unavailable">
          On iPhone and iPad, notifications work only when Huddle is added to your Home Screen: use Share,
          then “Add to Home Screen”, and open Huddle from there.
        </p>
      )}
      {support === 'supported' && (
        <>
          <p>
            Your phone or computer can show the daily notice too, once a day {whenText}, the same for everyone
            who turned it on: “Your daily Huddle notice: open Huddle to see what is new.” It never says what
            anyone wrote, or who. The browser&rsquo;s notification service (Google, Apple or Mozilla) can see
            that this device turned notices on, and nothing else.
          </p>
          {isOn === undefined ? (
            <p className="muted">Loading…</p>
          ) : (
            <div className="checkbox">
              <input
                id={switchId}
                type="checkbox"
                role="switch"
                checked={isOn}
                disabled={isBusy || !isOnline}
                aria-describedby={`${switchId}-status`}
                onChange={(e) => void toggle(e.target.checked)}
              />
              <label htmlFor={switchId}>Notify me on this device</label>
            </div>
          )}
          <p id={`${switchId}-status`} className="hint" role="status" data-testid="push-status">
            {!isOnline
              ? 'Turning this on or off needs a connection.'
              : isBusy
                ? 'One moment…'
                : (problem ?? '')}
          </p>
        </>
      )}
    </section>
  );
}
