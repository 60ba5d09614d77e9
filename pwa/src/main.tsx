/** Entry point: starts the device's data runtime (sync) and renders the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App.js';
import { startRuntime } from './data/runtime.js';
import './styles.css';

void startRuntime();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
