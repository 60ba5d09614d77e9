/**
 * Web push subscription routes: the server's public key, and a device's subscribe / unsubscribe
 * (session; CSRF header like every non-GET /api route). Subscribing is a live call, never an outbox
 * mutation: a subscription only makes sense while the push service and the server can both be reached.
 */
import type { FastifyInstance } from 'fastify';
import {
  pushOkResponseSchema,
  pushPublicKeyResponseSchema,
  pushSubscribeBodySchema,
  pushUnsubscribeBodySchema,
} from '../../../shared/src/api.js';
import { requireSession } from '../auth/sessions.js';
import type { Deps } from '../deps.js';
import { route } from '../http/route.js';
import { removeSubscription, saveSubscription, vapidKeys } from './web-push.js';

export function registerPushRoutes(app: FastifyInstance, deps: Deps): void {
  route(
    app,
    {
      method: 'GET',
      url: '/api/push/public-key',
      summary: "The server's VAPID public key, to subscribe a device to web push",
      tag: 'notify',
      access: 'session',
      response: pushPublicKeyResponseSchema,
    },
    async ({ request }) => {
      await requireSession(deps, request);
      return { publicKey: vapidKeys(deps.config).publicKey };
    },
  );
  route(
    app,
    {
      method: 'POST',
      url: '/api/push/subscribe',
      summary: 'Notify this device when someone comments on one of my ideas',
      tag: 'notify',
      access: 'session',
      body: pushSubscribeBodySchema,
      response: pushOkResponseSchema,
      bodyLimit: 8 * 1024,
    },
    async ({ body, request }) => {
      const session = await requireSession(deps, request);
      await saveSubscription(deps, session.accountId, body.subscription);
      return { ok: true };
    },
  );
  route(
    app,
    {
      method: 'POST',
      url: '/api/push/unsubscribe',
      summary: 'Stop notifying this device',
      tag: 'notify',
      access: 'session',
      body: pushUnsubscribeBodySchema,
      response: pushOkResponseSchema,
      bodyLimit: 8 * 1024,
    },
    async ({ body, request }) => {
      const session = await requireSession(deps, request);
      await removeSubscription(deps, session.accountId, body.endpoint);
      return { ok: true };
    },
  );
}
