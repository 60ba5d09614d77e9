/**
 * Notices from the facilitation team: where their messages will appear, and the opt-in daily notice by
 * e-mail (and, per device, web push). The opt-in says exactly what the e-mail reveals to the Trust's
 * mail server: that the person turned notices on, nothing else (sync-server/src/notify/daily-notice.ts).
 *
 * Issue 8 (relay) plugs in here: facilitators' messages to an author are held in the app and shown on
 * this screen (from the person's own change log, replacing "No notices for you yet"); the relay never
 * sends an e-mail or a push of its own. The daily notice is the only mail that announces them.
 */
import { useId, useState } from 'react';
import { huddle } from '../data/hooks.js';
import { noticeTimeText } from './release-copy.js';
import { useNoticeSchedule, usePreferences } from '../data/participant-hooks.js';
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

/** Only for people who can post: sponsors and admins have no notices to be told about. */
function CommentNotices() {
  const preferences = usePreferences();
  const schedule = useNoticeSchedule();
  const checkboxId = useId();
  const whenText = noticeTimeText(schedule);
  // Shown at once; the device's copy catches up a moment later.
  const [chosen, setChosen] = useState<boolean | null>(null);
  return (
    <>
      <h2>Daily e-mail notice</h2>
      <p data-testid="notice-reveals">
        Once a day {whenText} everyone who turned this on gets the same short e-mail, news or not. Your
        Trust&rsquo;s mail server can see that you turned notices on, and nothing else.
      </p>
      <p>
        The e-mail never says whether anything is new for you and never quotes anyone: open Huddle to see what
        is new.
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
          <label htmlFor={checkboxId}>E-mail me the daily notice</label>
        </div>
      )}
      <PushSwitch whenText={whenText} />
    </>
  );
}
