/**
 * A new version is offered, never forced: no automatic reload, and no reload offered
 * while changes are waiting to be sent (drafts are saved as typed, so they survive it).
 */
import { useRegisterSW } from 'virtual:pwa-register/react';
import { useUnsentCount } from '../data/hooks.js';
import { plural } from './format.js';

export function UpdateBanner() {
  const {
    needRefresh: [isUpdateReady],
    updateServiceWorker,
  } = useRegisterSW();
  const unsent = useUnsentCount() ?? 0;
  if (!isUpdateReady) return null;
  return (
    <section className="notice notice--info update-banner" aria-label="Update">
      <p>
        <strong>Update ready.</strong>{' '}
        {unsent > 0
          ? `It can be installed once your ${plural(unsent, 'change')} waiting to send ${unsent === 1 ? 'has' : 'have'} been sent.`
          : 'A new version of Huddle is ready.'}
      </p>
      {unsent === 0 && (
        <button type="button" className="button button--small" onClick={() => void updateServiceWorker(true)}>
          Update now
        </button>
      )}
    </section>
  );
}
