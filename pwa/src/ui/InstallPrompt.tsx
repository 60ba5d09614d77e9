/**
 * "Install Huddle", offered once the person has contributed on this device (never on first
 * load), dismissible and then quiet for two weeks. Chromium gets the browser's own install
 * dialog; iOS Safari, which has none, gets "Add to Home Screen" steps.
 */
import { acceptInstall, dismissInstall, useInstallOffer } from '../data/device-install.js';

export function InstallPrompt() {
  const offer = useInstallOffer();
  if (offer === 'none') return null;
  return (
    <section className="notice install-prompt" aria-label="Install Huddle" data-testid="install-prompt">
      {offer === 'prompt' ? (
        <p>
          <strong>Install Huddle</strong> on this device to open it from your home screen, even with no
          signal.
        </p>
      ) : (
        <>
          <p>
            <strong>Add Huddle to your Home Screen</strong> to open it like an app, even with no signal, and
            so your iPhone keeps your drafts:
          </p>
          <ol className="install-prompt__steps">
            <li>
              Tap the <strong>Share</strong> button (a square with an arrow pointing up) in Safari.
            </li>
            <li>
              Choose <strong>Add to Home Screen</strong>, then <strong>Add</strong>.
            </li>
          </ol>
        </>
      )}
      <div className="button-row">
        {offer === 'prompt' && (
          <button type="button" className="button button--small" onClick={() => void acceptInstall()}>
            Install
          </button>
        )}
        <button type="button" className="button button--small button--secondary" onClick={dismissInstall}>
          {offer === 'prompt' ? 'Not now' : 'Got it'}
        </button>
      </div>
    </section>
  );
}
