/**
 * The last line of defence around the app: if a screen fails (for example its database
 * connection was closed because another tab upgraded Huddle), the person sees what happened
 * and a Reload button instead of a blank page. Everything they did is already on the device.
 */
import { Component, type ReactNode } from 'react';
import { getDeviceState } from '../data/device-state.js';

interface State {
  hasFailed: boolean;
}

export class AppErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { hasFailed: false };

  static getDerivedStateFromError(): State {
    return { hasFailed: true };
  }

  override render() {
    if (!this.state.hasFailed) return this.props.children;
    const database = getDeviceState().database;
    const message =
      database === 'updated-in-another-tab'
        ? 'Huddle was updated in another tab. Reload this page to carry on.'
        : database === 'cleared-in-another-tab'
          ? 'You logged out of Huddle in another tab. Reload this page.'
          : 'Something went wrong on this page. Reload to carry on.';
    return (
      <main id="main" className="page">
        <h1>Please reload Huddle</h1>
        <div className="notice notice--warning" role="alert">
          <p>
            <strong>{message}</strong> Anything you wrote or voted is saved on this device.
          </p>
        </div>
        <p>
          <button type="button" className="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </p>
      </main>
    );
  }
}
