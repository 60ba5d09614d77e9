/*
 * Web push in the service worker (loaded by the generated sw.js through workbox importScripts).
 * Shows the daily notice the server pushed (the same for everyone, every day), collapsed under one tag
 * so repeats replace each other,
 * and opens or focuses Huddle at "My activity" when tapped. The payload is a fixed sentence that never
 * quotes content (see sync-server/src/notify/web-push.ts); anything unexpected shows that sentence too.
 */
/* global self, URL */
const HUDDLE_PUSH_DEFAULT = {
  title: 'Huddle',
  body: 'Your daily Huddle notice: open Huddle to see what is new.',
  tag: 'huddle-daily',
};

self.addEventListener('push', (event) => {
  let message = HUDDLE_PUSH_DEFAULT;
  try {
    const data = event.data ? event.data.json() : null;
    if (data && typeof data.body === 'string' && data.body.length <= 200) {
      message = {
        title: typeof data.title === 'string' ? data.title.slice(0, 60) : HUDDLE_PUSH_DEFAULT.title,
        body: data.body,
        tag: typeof data.tag === 'string' ? data.tag.slice(0, 60) : HUDDLE_PUSH_DEFAULT.tag,
      };
    }
  } catch {
    // Not JSON: keep the fixed sentence.
  }
  event.waitUntil(
    self.registration.showNotification(message.title, {
      body: message.body,
      tag: message.tag,
      renotify: false,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { url: '/#/activity' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL('/#/activity', self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const client of windows) {
        if (new URL(client.url).origin !== self.location.origin) continue;
        await client.focus().catch(() => undefined);
        if ('navigate' in client) await client.navigate(target).catch(() => undefined);
        return;
      }
      await self.clients.openWindow(target);
    })(),
  );
});
