/** The menu: the participant's screens, and "Log out and clear this device" (warns first about anything unsent). */
import { useId, useState } from 'react';
import { huddle, useUnsentCount } from '../data/hooks.js';
import { plural } from './format.js';
import { href } from './use-hash-route.js';

/** [link, label, only for people who can take part (the server refuses the rest's changes)] */
const MENU_LINKS: ReadonlyArray<readonly [string, string, boolean]> = [
  [href.search(), 'Search', false],
  [href.quickBreak(), 'Quick break', true],
  [href.activity(), 'My activity', true],
  [href.drafts(), 'Drafts', true],
  [href.notices(), 'Notices', false],
  [href.rules(), 'Rules and questions', false],
  [href.aboutYou(), 'About you', true],
];

export function Menu({ email, canContribute }: { email: string; canContribute: boolean }) {
  const [isOpen, setIsOpen] = useState(false);
  const [isConfirming, setIsConfirming] = useState(false);
  const [isLeaving, setIsLeaving] = useState(false);
  const unsent = useUnsentCount() ?? 0;
  const menuId = useId();

  const logout = () => {
    setIsLeaving(true);
    void huddle.logout();
  };
  const close = () => {
    setIsOpen(false);
    setIsConfirming(false);
  };

  return (
    <nav
      className="menu"
      aria-label="Main menu"
      onKeyDown={(event) => {
        if (event.key === 'Escape' && isOpen) close();
      }}
    >
      <button
        type="button"
        className="button button--small button--secondary menu__toggle"
        aria-expanded={isOpen}
        aria-controls={menuId}
        onClick={() => (isOpen ? close() : setIsOpen(true))}
      >
        Menu
      </button>
      {isOpen && (
        <div id={menuId} className="menu__panel">
          <p className="menu__who">Logged in as {email}</p>
          <ul className="menu__list">
            <li>
              <a href={href.streams()} onClick={close}>
                Topics
              </a>
            </li>
            {MENU_LINKS.filter(([, , isForContributors]) => canContribute || !isForContributors).map(
              ([to, label]) => (
                <li key={label}>
                  <a href={to} onClick={close}>
                    {label}
                  </a>
                </li>
              ),
            )}
          </ul>
          {!isConfirming ? (
            <button
              type="button"
              className="button button--warning"
              onClick={() => (unsent > 0 ? setIsConfirming(true) : logout())}
              disabled={isLeaving}
            >
              Log out and clear this device
            </button>
          ) : (
            <div className="menu__confirm" role="alertdialog" aria-labelledby={`${menuId}-warn`}>
              <p id={`${menuId}-warn`}>
                <strong>{plural(unsent, 'change')} not sent yet.</strong> If you log out now,{' '}
                {unsent === 1 ? 'it' : 'they'} will be deleted from this device and never sent. Connect to the
                internet and wait for “All sent” to keep {unsent === 1 ? 'it' : 'them'}.
              </p>
              <div className="button-row">
                <button
                  type="button"
                  className="button button--warning"
                  onClick={logout}
                  disabled={isLeaving}
                >
                  Log out anyway
                </button>
                <button
                  type="button"
                  className="button button--secondary"
                  onClick={() => setIsConfirming(false)}
                >
                  Cancel
                </button>
              </div>
            </div>
          )}
        </div>
      )}
    </nav>
  );
}
