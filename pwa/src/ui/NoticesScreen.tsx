/**
 * Notices from the facilitation team: where their messages will appear (the relay's in-app side comes with
 * moderation), and the opt-in e-mail (and, per device, web push) when someone comments on one of my ideas.
 */
import { useId, useState } from 'react';
import { huddle } from '../data/hooks.js';
import { usePreferences } from '../data/participant-hooks.js';
import { PushSwitch } from './PushSwitch.js';

export function NoticesScreen({ canContribute }: { canContribute: boolean }) {
  return (
    <div className="narrow">
      <h1 tabIndex={-1}>Notices from the facilitation team</h1>
      <p>
        If the independent facilitation team needs to tell you something about one of your posts (for example
        that they edited or hid it, and why), their message will appear on this page and in “My activity”.
        They write to you through Huddle: they never see your name or e-mail address.
      </p>
      <p className="notice notice--info" data-testid="no-notices">
        No notices for you yet.
      </p>
      {canContribute && <CommentNotices />}
    </div>
  );
}

/** The opt-ins are about one's own ideas: only for people who can post. */
function CommentNotices() {
  const preferences = usePreferences();
  const checkboxId = useId();
  // Shown at once; the device's copy catches up a moment later.
  const [chosen, setChosen] = useState<boolean | null>(null);
  return (
    <>
      <h2>E-mail me about comments</h2>
      <p>
        Huddle can send you an e-mail when someone comments on an idea you posted. The e-mail never quotes
        what anyone wrote: it only says there is something new to read.
      </p>
      {preferences === undefined ? (
        <p className="muted">Loading…</p>
      ) : (
        <div className="checkbox">
          <input
            id={checkboxId}
            type="checkbox"
            checked={chosen ?? preferences.commentDigest}
            onChange={(e) => {
              setChosen(e.target.checked);
              void huddle.setCommentDigest(e.target.checked);
            }}
          />
          <label htmlFor={checkboxId}>E-mail me when someone comments on my idea</label>
        </div>
      )}
      <PushSwitch />
    </>
  );
}
