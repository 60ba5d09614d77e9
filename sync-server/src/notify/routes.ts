/**
 * Wires the daily notice (daily-notice.ts): a timer (notice-timer.ts) that runs it at NOTICE_TIME in
 * NOTICE_TIME_ZONE and, at start, catches up on today's if the server was down at that time (never
 * yesterday's); one run at a time in this process. GET /api/notices/schedule tells the app the time, so the opt-in says it,
 * and EDIT_RELEASE, so the edit and withdraw screens say when others see a change.
 * With test hooks, POST /api/test/notice runs today's notice now and the timer is off: tests never get
 * a notice at a time they did not choose. Also the web push routes.
 */
import type { FastifyInstance } from 'fastify';
import { noticeScheduleResponseSchema } from '../../../shared/src/api.js';
import { requireSession } from '../auth/sessions.js';
import type { Deps } from '../deps.js';
import { route } from '../http/route.js';
import { sendDailyNotice, type NoticeSummary } from './daily-notice.js';
import { localDate } from './notice-schedule.js';
import { startNoticeTimer } from './notice-timer.js';
import { registerPushRoutes } from './push-routes.js';

export async function registerNotify(app: FastifyInstance, deps: Deps): Promise<void> {
  registerPushRoutes(app, deps);
  for (const warning of deps.config.deprecations) app.log.warn(warning);
  const schedule = deps.config.notice;

  let running: Promise<NoticeSummary> | null = null;
  const runFor = (day: string) => {
    running ??= sendDailyNotice(deps, schedule, day).finally(() => {
      running = null;
    });
    return running;
  };

  route(
    app,
    {
      method: 'GET',
      url: '/api/notices/schedule',
      summary:
        'When the daily notice goes (the same time for everyone who turned notices on), and when edits of published posts reach others',
      tag: 'notify',
      access: 'session',
      response: noticeScheduleResponseSchema,
    },
    async ({ request }) => {
      await requireSession(deps, request);
      return noticeScheduleResponseSchema.parse({ ...schedule, editRelease: deps.config.editRelease });
    },
  );

  if (deps.config.hasTestHooks) {
    route(
      app,
      {
        method: 'POST',
        url: '/api/test/notice',
        summary: "Test only: run today's daily notice now (a second run the same day sends nothing)",
        tag: 'test',
        access: 'test hooks',
      },
      async () => runFor(localDate(deps.now(), schedule.timeZone)),
    );
    return;
  }

  const timer = startNoticeTimer({
    schedule,
    now: deps.now,
    run: (day) =>
      runFor(day).then(
        () => true,
        (err: unknown) => {
          // A mail error's message can carry the address: log its kind only.
          const e = err as { name?: string; code?: string };
          deps.log.error({ err: { name: e?.name, code: e?.code } }, 'daily notice failed');
          return false;
        },
      ),
  });
  app.addHook('onClose', async () => {
    timer.stop();
    await running?.catch(() => undefined);
  });
}
