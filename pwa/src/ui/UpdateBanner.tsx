/**
 * Notices about the app and the device, between the header and the screen:
 * - "Update ready": a new version is offered, never forced, and never applied while changes
 *   wait to be sent or a draft is open (the banner says which);
 * - the device is out of storage space (reported, never swallowed);
 * - another tab runs a newer Huddle (reload) or an old tab blocks this one's upgrade;
 * - the install offer (after a first contribution; see InstallPrompt).
 */
import { useEffect, useRef } from 'react';
import { useRegisterSW } from 'virtual:pwa-register/react';
import { useDeviceState } from '../data/device-state.js';
import { useHasCommentInProgress } from '../data/device-update.js';
import { useUnsentCount } from '../data/hooks.js';
import { plural } from './format.js';
import { InstallPrompt } from './InstallPrompt.js';
import { useHashRoute } from './use-hash-route.js';

/** A long-lived page (hash routing, no navigations) asks for a new version at most this often. */
const UPDATE_CHECK_INTERVAL_MS = 60 * 60_000;

export function UpdateBanner() {
  const isDraftOpen = useIsDraftOpen();
  return (
    <>
      <DeviceNotices />
      <UpdateReady isDraftOpen={isDraftOpen} />
      {/* Never interrupt someone mid-sentence with an install offer. */}
      {!isDraftOpen && <InstallPrompt />}
    </>
  );
}

/** Screens where the person writes: a reload there would take the page from under their fingers. */
const WRITING_ROUTES: ReadonlySet<string> = new Set(['post', 'edit', 'report', 'about-you']);

/** True while the person is writing: a writing screen, or a comment with text on the idea screen. */
function useIsDraftOpen(): boolean {
  const route = useHashRoute();
  const hasComment = useHasCommentInProgress(route.name === 'idea' ? route.id : null);
  return WRITING_ROUTES.has(route.name) || hasComment;
}

function UpdateReady({ isDraftOpen }: { isDraftOpen: boolean }) {
  const lastCheck = useRef(0);
  const registration = useRef<ServiceWorkerRegistration | undefined>(undefined);
  const {
    needRefresh: [isUpdateReady],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisteredSW: (_url, reg) => {
      registration.current = reg;
      lastCheck.current = Date.now();
    },
  });
  const unsent = useUnsentCount() ?? 0;

  useEffect(() => {
    const check = () => {
      if (document.visibilityState !== 'visible' || !navigator.onLine) return;
      if (Date.now() - lastCheck.current < UPDATE_CHECK_INTERVAL_MS) return;
      lastCheck.current = Date.now();
      void registration.current?.update().catch(() => undefined);
    };
    document.addEventListener('visibilitychange', check);
    return () => document.removeEventListener('visibilitychange', check);
  }, []);

  if (!isUpdateReady) return null;
  const reason =
    unsent > 0
      ? `It will be ready to install once your ${plural(unsent, 'change')} waiting to send ${unsent === 1 ? 'has' : 'have'} been sent.`
      : isDraftOpen
        ? 'It will be ready to install when you leave the page you are writing on (your text is saved).'
        : null;
  return (
    <section className="notice notice--info update-banner" aria-label="Update" data-testid="update-banner">
      <p>
        <strong>Update ready.</strong> {reason ?? 'A new version of Huddle is ready.'}
      </p>
      {reason === null && (
        <button type="button" className="button button--small" onClick={() => void updateServiceWorker(true)}>
          Update now
        </button>
      )}
    </section>
  );
}

function DeviceNotices() {
  const device = useDeviceState();
  return (
    <>
      {device.storage === 'full' && (
        <section className="notice notice--warning" role="alert" aria-label="Storage full">
          <p>
            <strong>This device is out of storage space.</strong> Your last change could not be saved. Free
            some space (delete unused apps, photos or files), then try again.
          </p>
        </section>
      )}
      {device.database === 'updated-in-another-tab' && (
        <ReloadNotice text="Huddle was updated in another tab. Reload this page to carry on." />
      )}
      {device.database === 'cleared-in-another-tab' && (
        <ReloadNotice text="You logged out of Huddle in another tab. Reload this page." />
      )}
      {device.database === 'blocked-by-another-tab' && (
        <section className="notice notice--warning" role="alert" aria-label="Old version open">
          <p>
            <strong>An older Huddle is open in another tab.</strong> Reload or close that tab so this one can
            finish updating. Nothing you saved is lost.
          </p>
        </section>
      )}
    </>
  );
}

function ReloadNotice({ text }: { text: string }) {
  return (
    <section className="notice notice--warning update-banner" role="alert" aria-label="Reload needed">
      <p>
        <strong>{text}</strong>
      </p>
      <button type="button" className="button button--small" onClick={() => window.location.reload()}>
        Reload
      </button>
    </section>
  );
}
