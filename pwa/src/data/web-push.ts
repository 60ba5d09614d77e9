/**
 * Web push on this device: whether the browser can do it, and turning it on (permission asked on the
 * person's tap, subscription with the server's VAPID key, sent to /api/push/subscribe) or off.
 * Subscribing is a live call, never an outbox mutation: it needs the push service and our server at
 * once, so offline it fails with a message instead of queueing. The notice itself is shown by the
 * service worker (pwa/public/push-sw.js).
 */
import {
  errorResponseSchema,
  pushOkResponseSchema,
  pushPublicKeyResponseSchema,
} from '../../../shared/src/api.js';
import { CSRF_HEADER } from './api-client.js';

export type PushSupport = 'supported' | 'unsupported' | 'install-first';

/** A failure to explain to the person, in plain words. */
export class PushSetupError extends Error {
  constructor(
    readonly reason: 'denied' | 'offline' | 'no-service-worker' | 'subscribe-failed' | 'server',
    message: string,
  ) {
    super(message);
    this.name = 'PushSetupError';
  }
}

function isIos(): boolean {
  return (
    /iPhone|iPad|iPod/.test(navigator.userAgent) ||
    (navigator.userAgent.includes('Macintosh') && navigator.maxTouchPoints > 1)
  );
}

function isStandalone(): boolean {
  const nav = navigator as Navigator & { standalone?: boolean };
  return nav.standalone === true || window.matchMedia?.('(display-mode: standalone)').matches === true;
}

export function pushSupport(): PushSupport {
  const hasApis = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  // iOS and iPadOS offer web push only to apps added to the Home Screen.
  if (isIos() && !isStandalone()) return 'install-first';
  return hasApis ? 'supported' : 'unsupported';
}

export function notificationPermission(): NotificationPermission {
  return 'Notification' in window ? Notification.permission : 'denied';
}

async function registration(): Promise<ServiceWorkerRegistration> {
  const reg = await Promise.race([
    navigator.serviceWorker.ready,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000)),
  ]);
  if (!reg)
    throw new PushSetupError('no-service-worker', 'Huddle is not fully installed on this device yet: try again later.');
  return reg;
}

/** This device's current subscription, if push is on here. */
export async function currentSubscription(): Promise<PushSubscription | null> {
  if (pushSupport() !== 'supported') return null;
  const reg = await navigator.serviceWorker.getRegistration();
  return (await reg?.pushManager.getSubscription()) ?? null;
}

async function callApi(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        accept: 'application/json',
        ...(method === 'GET' ? {} : { [CSRF_HEADER]: '1', 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch {
    throw new PushSetupError('offline', 'This needs a connection. Try again when you are online.');
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const parsed = errorResponseSchema.safeParse(json);
    throw new PushSetupError('server', parsed.success ? parsed.data.message : `The server answered ${res.status}.`);
  }
  return json;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Call from the person's tap only: asks permission, subscribes, tells the server. */
export async function enablePush(): Promise<void> {
  if (!navigator.onLine)
    throw new PushSetupError('offline', 'This needs a connection. Try again when you are online.');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted')
    throw new PushSetupError(
      'denied',
      'Notifications are blocked for Huddle on this device. You can allow them in the browser or phone settings.',
    );
  const { publicKey } = pushPublicKeyResponseSchema.parse(await callApi('GET', '/api/push/public-key'));
  const reg = await registration();
  let subscription: PushSubscription;
  try {
    const existing = await reg.pushManager.getSubscription();
    // A subscription made with another server key cannot be reused.
    if (existing) await existing.unsubscribe();
    subscription = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
  } catch {
    throw new PushSetupError(
      'subscribe-failed',
      'This browser could not reach its notification service, so notices cannot be turned on here. The e-mail option above still works.',
    );
  }
  try {
    pushOkResponseSchema.parse(await callApi('POST', '/api/push/subscribe', { subscription: subscription.toJSON() }));
  } catch (err) {
    await subscription.unsubscribe().catch(() => undefined);
    throw err;
  }
}

/** Stops notices on this device: the server forgets it, then the browser drops the subscription. */
export async function disablePush(): Promise<void> {
  const subscription = await currentSubscription();
  if (!subscription) return;
  if (!navigator.onLine)
    throw new PushSetupError('offline', 'This needs a connection. Try again when you are online.');
  await callApi('POST', '/api/push/unsubscribe', { endpoint: subscription.endpoint });
  await subscription.unsubscribe();
}

/** On logout: a shared ward device must not keep notifying for the person who left. Never throws. */
export async function forgetPushOnThisDevice(): Promise<void> {
  // Never holds a logout up for long.
  await Promise.race([forget(), new Promise((resolve) => setTimeout(resolve, 3000))]);
}

async function forget(): Promise<void> {
  try {
    if (typeof navigator === 'undefined' || typeof window === 'undefined') return;
    const subscription = await currentSubscription();
    if (!subscription) return;
    await callApi('POST', '/api/push/unsubscribe', { endpoint: subscription.endpoint }).catch(() => undefined);
    await subscription.unsubscribe();
  } catch {
    // Best effort: the push service answers 410 for a dropped subscription and the server forgets it then.
  }
}
