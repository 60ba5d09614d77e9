/**
 * Web push for the daily notice (daily-notice.ts): the server's VAPID keys, the devices a person
 * subscribed and the sending itself. A person's subscriptions are private documents
 * `push-sub:<link('push-subscription', person)>:<hash(endpoint)>` (one per device; the account id
 * never appears in an id, and the prefix comes from the linking key: with HUDDLE_SECRET alone nobody
 * can tell whose devices these are).
 * The payload is one fixed sentence, the same for every device every day: it never quotes content,
 * names anyone or says whether there is news, because a notification shows on a lock screen that
 * anyone on the ward may see, and the push services see when and how much each device is sent.
 *
 * VAPID keys come from VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY (shared by all instances); without them a
 * single instance generates a pair into `${dataDir}/vapid.json` (mode 0600) like secrets.ts does.
 * Changing the keys invalidates every subscription (browsers subscribe with the public key).
 *
 * Sending: web-push builds the VAPID header and the aes128gcm body; the request itself goes through
 * fetch (web-push's own sender only speaks https, and tests run a plain-http push service on
 * loopback, accepted only with HUDDLE_TEST_HOOKS). A 404/410 answer means the device unsubscribed:
 * its document is removed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';
import { z } from 'zod';
import { pushSubscriptionSchema, type PushSubscriptionJson } from '../../../shared/src/api.js';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import { HttpError } from '../http/errors.js';
import { ConflictError } from '../storage/port.js';

export const PUSH_MESSAGE = {
  title: 'Huddle',
  body: 'Your daily Huddle notice: open Huddle to see what is new.',
  tag: 'huddle-daily',
};

/** At most this many devices per person: the oldest is dropped beyond it. */
const MAX_DEVICES = 10;
const SEND_TIMEOUT_MS = 10_000;

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

const keyFileSchema = z.object({ publicKey: z.string(), privateKey: z.string() });
const cache = new Map<string, VapidKeys>();

export function vapidKeys(config: Config): VapidKeys {
  const cached = cache.get(config.dataDir);
  if (cached && (!config.vapidPublicKey || cached.publicKey === config.vapidPublicKey)) return cached;
  let pair: { publicKey: string; privateKey: string };
  if (config.vapidPublicKey && config.vapidPrivateKey) {
    pair = { publicKey: config.vapidPublicKey, privateKey: config.vapidPrivateKey };
  } else if (config.vapidPublicKey || config.vapidPrivateKey) {
    throw new Error('Invalid configuration: set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither.');
  } else {
    pair = readOrCreateKeyFile(path.join(config.dataDir, 'vapid.json'));
  }
  const keys = { ...pair, subject: config.vapidSubject ?? defaultSubject(config) };
  cache.set(config.dataDir, keys);
  return keys;
}

function defaultSubject(config: Config): string {
  if (config.publicUrl.startsWith('https://')) return config.publicUrl;
  const address = /<([^>]+)>/.exec(config.mailFrom)?.[1] ?? config.mailFrom;
  return `mailto:${address.trim()}`;
}

function readOrCreateKeyFile(file: string): { publicKey: string; privateKey: string } {
  try {
    return keyFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fresh = webpush.generateVAPIDKeys();
  try {
    fs.writeFileSync(file, JSON.stringify(fresh, null, 2), { mode: 0o600, flag: 'wx' });
    return fresh;
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      return keyFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    throw err;
  }
}

const subscriptionDocSchema = z.object({
  _id: z.string(),
  _rev: z.string(),
  type: z.literal('push-subscription'),
  subscription: pushSubscriptionSchema,
  createdAt: z.string(),
});
export type SubscriptionDoc = z.infer<typeof subscriptionDocSchema>;

type PushDeps = Pick<Deps, 'storage' | 'secrets' | 'config' | 'log'>;

export const SUBSCRIPTION_PREFIX = 'push-sub:';
export const pushSubscriptionPrefix = (deps: Pick<Deps, 'secrets'>, accountId: string) =>
  `${SUBSCRIPTION_PREFIX}${deps.secrets.link('push-subscription', accountId)}:`;
const subscriptionDocId = (deps: Pick<Deps, 'secrets'>, accountId: string, endpoint: string) =>
  pushSubscriptionPrefix(deps, accountId) +
  crypto.createHash('sha256').update(endpoint).digest('base64url').slice(0, 22);

/**
 * The browsers' push services (Chrome/Edge/Samsung: FCM, Firefox: Mozilla autopush, Safari: Apple,
 * legacy Edge: WNS). The server POSTs to whatever endpoint a person sends, so anything else is
 * refused: no blind requests into the hospital network. Plain http on loopback only for tests.
 */
const PUSH_SERVICE_HOSTS = [
  /(^|\.)googleapis\.com$/,
  /(^|\.)push\.services\.mozilla\.com$/,
  /(^|\.)push\.apple\.com$/,
  /(^|\.)notify\.windows\.com$/,
];

export function checkEndpoint(config: Config, endpoint: string): void {
  const url = new URL(endpoint);
  if (config.hasTestHooks && url.protocol === 'http:' && url.hostname === '127.0.0.1') return;
  if (url.protocol === 'https:' && PUSH_SERVICE_HOSTS.some((host) => host.test(url.hostname))) return;
  throw new HttpError(
    400,
    'invalid-endpoint',
    "The push endpoint is not a known browser push service's https URL.",
  );
}

export async function listSubscriptions(
  deps: Pick<Deps, 'storage' | 'secrets'>,
  accountId: string,
): Promise<SubscriptionDoc[]> {
  const rows = await deps.storage
    .db('accounts')
    .list({ prefix: pushSubscriptionPrefix(deps, accountId), includeDocs: true });
  return rows.flatMap((r) => {
    const parsed = subscriptionDocSchema.safeParse(r.doc);
    return parsed.success ? [parsed.data] : [];
  });
}

export async function saveSubscription(
  deps: PushDeps & Pick<Deps, 'now'>,
  accountId: string,
  subscription: PushSubscriptionJson,
): Promise<void> {
  checkEndpoint(deps.config, subscription.endpoint);
  const db = deps.storage.db('accounts');
  const id = subscriptionDocId(deps, accountId, subscription.endpoint);
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await db.get(id);
    try {
      await db.put({
        _id: id,
        type: 'push-subscription',
        schemaVersion: SCHEMA_VERSION,
        subscription,
        createdAt: deps.now().toISOString(),
        ...(existing ? { _rev: existing._rev } : {}),
      });
      break;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  const all = await listSubscriptions(deps, accountId);
  if (all.length > MAX_DEVICES) {
    const oldest = [...all]
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(0, all.length - MAX_DEVICES);
    for (const doc of oldest) await db.remove(doc._id, doc._rev).catch(() => undefined);
  }
}

export async function removeSubscription(
  deps: Pick<Deps, 'storage' | 'secrets'>,
  accountId: string,
  endpoint: string,
): Promise<void> {
  const db = deps.storage.db('accounts');
  const existing = await db.get(subscriptionDocId(deps, accountId, endpoint));
  if (existing) await db.remove(existing._id, existing._rev).catch(() => undefined);
}

/** Every device subscription of every person (the daily notice goes to all of them). */
export async function listAllSubscriptions(deps: Pick<Deps, 'storage'>): Promise<SubscriptionDoc[]> {
  const rows = await deps.storage.db('accounts').list({ prefix: SUBSCRIPTION_PREFIX, includeDocs: true });
  return rows.flatMap((r) => {
    const parsed = subscriptionDocSchema.safeParse(r.doc);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * Sends the fixed notice to one device; answers whether the push service accepted it. The same
 * plaintext for every device, so every encrypted body has the same length.
 */
export async function pushNotice(deps: PushDeps, doc: SubscriptionDoc): Promise<boolean> {
  try {
    checkEndpoint(deps.config, doc.subscription.endpoint);
    const details = webpush.generateRequestDetails(
      { endpoint: doc.subscription.endpoint, keys: doc.subscription.keys },
      JSON.stringify(PUSH_MESSAGE),
      {
        vapidDetails: vapidKeys(deps.config),
        contentEncoding: 'aes128gcm',
        TTL: 12 * 3600,
        topic: PUSH_MESSAGE.tag,
        urgency: 'normal',
      },
    );
    const res = await fetch(details.endpoint, {
      method: 'POST',
      headers: details.headers as Record<string, string>,
      body: new Uint8Array(details.body),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      redirect: 'error',
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 404 || res.status === 410) {
      await deps.storage
        .db('accounts')
        .remove(doc._id, doc._rev)
        .catch(() => undefined);
      return false;
    }
    if (!res.ok) deps.log.warn({ status: res.status }, 'push service refused a notice');
    return res.ok;
  } catch (err) {
    // Never log the endpoint: it identifies a device.
    deps.log.warn({ err: { name: (err as Error)?.name } }, 'push notice failed');
    return false;
  }
}
