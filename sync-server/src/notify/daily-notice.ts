/**
 * The daily notice: once a day, at NOTICE_TIME in NOTICE_TIME_ZONE (notice-schedule.ts), one e-mail to
 * every person who turned e-mail notices on (the `commentDigest` setting, kept under its old name on the
 * wire and at rest) and one web push to every subscribed device, in one run, in a shuffled order. The
 * e-mail and the push are the same for everyone, news or not: same subject, same words, same size; no
 * counts, no titles, nothing about anyone's posts. The app shows what is new.
 *
 * Why: the Trust runs the mail server that receives these e-mails and keeps its logs (who got mail from
 * Huddle, when, how large). A notice sent only to people with news, or soon after a comment, would tell
 * those logs who wrote what. With this rule the logs show who turned notices on, and nothing else.
 * Whether a person "has news" is never computed, so it is never stored or logged anywhere either.
 *
 * Once per person per day, across crashes and instances: before sending to a person the run creates
 * the private marker `notice-sent:<day>:<link(person, day)>` (create-once, no content, an id only the
 * linking key relates to the person, a different one each day). Whoever creates it sends; anyone else
 * (a second instance, a rerun after a crash) skips that person. A crash between the marker and the send
 * loses that person's notice for the day rather than sending twice. When a run has gone through
 * everyone it writes `notice-run:<day>`; later runs that day (a restart catching up, the test hook) find
 * it and send nothing, so someone who turns notices on after the run first hears at tomorrow's notice.
 * Earlier days' markers are deleted at the next day's run. On a CouchDB cluster, two instances creating
 * the same marker through two nodes at the same moment can both succeed (the storage port's documented
 * limit); each instance shuffles on its own, so that takes both reaching the same person within
 * milliseconds, and the cost is a second identical mail, which tells the mail logs nothing new.
 *
 * The mails differ only in the To header and in Message-ID and Date (nodemailer's, both fixed-length);
 * tests/integration/daily-notice.test.ts compares them byte for byte.
 *
 * Issue 8 (relay): facilitators' messages to an author are held in the app (the author's own change
 * log and the Notices screen); the relay must never send its own e-mail or push. The daily notice is
 * the only mail that announces them, and since it goes to everyone opted in whatever they have, a relay
 * message changes nothing the Trust's mail logs show. The relay plugs in on the app side only (its
 * messages reach the author through their own change log, shown by pwa/src/ui/NoticesScreen.tsx): nothing
 * here needs to change, and a relay test should assert that posting a message sends no mail or push
 * until the daily notice, which is then the same as everyone else's.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { accountDocSchema, settingsDocSchema } from '../../../shared/src/documents.js';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import { canLogIn } from '../auth/routes.js';
import type { Deps, MailMessage } from '../deps.js';
import { settingsDocId } from '../sync/keys.js';
import type { NoticeSchedule } from './notice-schedule.js';
import {
  listAllSubscriptions,
  pushSubscriptionPrefix,
  pushNotice,
  type SubscriptionDoc,
} from './web-push.js';

export const NOTICE_SUBJECT = 'Your daily Huddle notice';

const SENT_PREFIX = 'notice-sent:';
const RUN_PREFIX = 'notice-run:';

export type NoticeDeps = Pick<Deps, 'storage' | 'secrets' | 'mailer' | 'config' | 'log'>;

export interface NoticeSummary {
  day: string;
  /** True when this day's run had already gone through everyone: nothing was sent. */
  wasDone: boolean;
  mailed: number;
  pushed: number;
}

/** The one e-mail everyone opted in gets: a function of the configuration only, never of the person. */
export function noticeMail(
  config: Pick<NoticeDeps['config'], 'publicUrl'>,
  schedule: NoticeSchedule,
  to: string,
): MailMessage {
  return {
    to,
    subject: NOTICE_SUBJECT,
    // Lines under 76 characters: plain 7-bit text, no quoted-printable soft breaks.
    text: [
      'This is your daily notice from Huddle. Open Huddle to see what is new:',
      '',
      `${config.publicUrl}/`,
      '',
      `Everyone who turned notices on gets this same e-mail at ${schedule.time}`,
      'each day, whether or not there is anything new for them, so it says',
      'nothing about what you or anyone else wrote.',
      '',
      'You can turn these e-mails off in Huddle, under Notices.',
    ].join('\n'),
  };
}

interface Recipient {
  accountId: string;
  email?: string;
  devices: SubscriptionDoc[];
}

/** Everyone who gets today's notice: active accounts with e-mail notices on or a subscribed device. */
async function recipients(deps: NoticeDeps): Promise<Recipient[]> {
  const accounts = (await deps.storage.db('accounts').list({ prefix: 'account:', includeDocs: true }))
    .map((r) => accountDocSchema.safeParse(r.doc))
    .flatMap((p) => (p.success && canLogIn(deps, p.data) ? [p.data] : []));
  const settingsIds = accounts.map((a) => settingsDocId(deps.secrets, a.accountId));
  const wantsMail = new Set(
    (await deps.storage.db('private').list({ keys: settingsIds, includeDocs: true })).flatMap((r) => {
      const s = settingsDocSchema.safeParse(r.doc);
      return s.success && s.data.commentDigest ? [r.id] : [];
    }),
  );
  const devicesByPrefix = new Map<string, SubscriptionDoc[]>();
  for (const device of await listAllSubscriptions(deps)) {
    const prefix = device._id.slice(0, device._id.lastIndexOf(':') + 1);
    devicesByPrefix.set(prefix, [...(devicesByPrefix.get(prefix) ?? []), device]);
  }
  return accounts.flatMap((account, i) => {
    const own = devicesByPrefix.get(pushSubscriptionPrefix(deps, account.accountId)) ?? [];
    const email = wantsMail.has(settingsIds[i]!) ? account.email : undefined;
    return email || own.length > 0 ? [{ accountId: account.accountId, email, devices: own }] : [];
  });
}

/** Fisher-Yates with a cryptographic source: the send order says nothing about anyone. */
function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = crypto.randomInt(0, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const runDocSchema = z.object({ _id: z.string(), _rev: z.string(), type: z.literal('notice-run') });

/** Sends `day`'s notice to everyone who has not had it yet (see the header for the rules). */
export async function sendDailyNotice(
  deps: NoticeDeps,
  schedule: NoticeSchedule,
  day: string,
): Promise<NoticeSummary> {
  const privateDb = deps.storage.db('private');
  if (runDocSchema.safeParse(await privateDb.get(RUN_PREFIX + day)).success)
    return { day, wasDone: true, mailed: 0, pushed: 0 };
  await forgetEarlierDays(deps, day);

  let mailed = 0;
  let pushed = 0;
  for (const person of shuffled(await recipients(deps))) {
    const marker = {
      _id: `${SENT_PREFIX}${day}:${deps.secrets.link('digest', person.accountId, day)}`,
      type: 'notice-sent',
      schemaVersion: SCHEMA_VERSION,
    };
    if ((await privateDb.create(marker)) === 'exists') continue;
    if (person.email) {
      await deps.mailer.send(noticeMail(deps.config, schedule, person.email));
      mailed++;
    }
    for (const device of person.devices) if (await pushNotice(deps, device)) pushed++;
  }

  // Another instance may finish the same day meanwhile: the document says the same either way.
  await privateDb.create({ _id: RUN_PREFIX + day, type: 'notice-run', schemaVersion: SCHEMA_VERSION });
  deps.log.info({ day, mailed, pushed }, 'daily notice sent');
  return { day, wasDone: false, mailed, pushed };
}

async function forgetEarlierDays(deps: NoticeDeps, day: string): Promise<void> {
  const privateDb = deps.storage.db('private');
  const old = [
    ...(await privateDb.list({ prefix: SENT_PREFIX })),
    ...(await privateDb.list({ prefix: RUN_PREFIX })),
  ].filter((row) => row.id.split(':')[1]! < day);
  if (old.length > 0) await privateDb.bulkPut(old.map((r) => ({ _id: r.id, _rev: r.rev, _deleted: true })));
}
