/** Entry point: starts the device's data runtime (sync) and renders the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App.js';
import { AppErrorBoundary } from './ui/AppErrorBoundary.js';
import { startRuntime } from './data/runtime.js';
import { captureInstallPrompt } from './data/device-install.js';
import './styles.css';

// Before the first render: Chromium may offer installing early; keep that for a good moment.
captureInstallPrompt();
void startRuntime();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <AppErrorBoundary>
        <App />
      </AppErrorBoundary>
    </StrictMode>,
  );
}
