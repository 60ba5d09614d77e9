/**
 * Offering "Install Huddle" at a good moment: never on first load, only after the person
 * has contributed something on this device, dismissible, and quiet for two weeks after a
 * dismissal. Chromium (Android, desktop) gives a `beforeinstallprompt` event we keep for
 * that moment; iOS Safari has no such event, so it gets "Add to Home Screen" instructions.
 * Nothing is offered when Huddle already runs installed (standalone).
 */
import { useSyncExternalStore } from 'react';
import { readFlag, writeFlag } from './device-flags.js';

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

export type InstallOffer = 'none' | 'prompt' | 'ios-instructions';

const QUIET_AFTER_DISMISS_MS = 14 * 86_400_000;

let deferredPrompt: BeforeInstallPromptEvent | null = null;
let isInstalled = false;
let offer: InstallOffer = 'none';
const listeners = new Set<() => void>();

function isStandalone(): boolean {
  if (typeof window === 'undefined') return false;
  const nav = navigator as Navigator & { standalone?: boolean };
  return nav.standalone === true || window.matchMedia?.('(display-mode: standalone)').matches === true;
}

/** iPhone/iPad (iPadOS reports itself as a Mac with touch). */
export function isIos(): boolean {
  if (typeof navigator === 'undefined') return false;
  return (
    /iPhone|iPad|iPod/.test(navigator.userAgent) ||
    (navigator.userAgent.includes('Macintosh') && navigator.maxTouchPoints > 1)
  );
}

function isQuiet(): boolean {
  const dismissedAt = Date.parse(readFlag('installDismissedAt') ?? '');
  return Number.isFinite(dismissedAt) && Date.now() - dismissedAt < QUIET_AFTER_DISMISS_MS;
}

function computeOffer(): InstallOffer {
  if (isInstalled || isStandalone() || !readFlag('hasContributed') || isQuiet()) return 'none';
  if (deferredPrompt) return 'prompt';
  return isIos() ? 'ios-instructions' : 'none';
}

function refresh(): void {
  const next = computeOffer();
  if (next === offer) return;
  offer = next;
  for (const l of listeners) l();
}

/** Call before the first render: Chromium may fire the event early. */
export function captureInstallPrompt(): void {
  if (typeof window === 'undefined') return;
  window.addEventListener('beforeinstallprompt', (event) => {
    // Keep it for a good moment instead of Chromium's own mini-infobar.
    event.preventDefault();
    deferredPrompt = event as BeforeInstallPromptEvent;
    refresh();
  });
  window.addEventListener('appinstalled', () => {
    isInstalled = true;
    deferredPrompt = null;
    refresh();
  });
  refresh();
}

/** The person added something on this device (called for every outbox entry). */
export function noteContribution(): void {
  if (!readFlag('hasContributed')) writeFlag('hasContributed', new Date().toISOString());
  refresh();
}

export async function acceptInstall(): Promise<void> {
  const event = deferredPrompt;
  if (!event) return;
  deferredPrompt = null;
  await event.prompt();
  const choice = await event.userChoice;
  if (choice.outcome === 'dismissed') writeFlag('installDismissedAt', new Date().toISOString());
  refresh();
}

export function dismissInstall(): void {
  writeFlag('installDismissedAt', new Date().toISOString());
  refresh();
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};
const getOffer = () => offer;

export function useInstallOffer(): InstallOffer {
  return useSyncExternalStore(subscribe, getOffer, getOffer);
}
