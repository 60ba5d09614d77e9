/**
 * The opt-in comment digest, with the real server and a real SMTP sink: only authors who opted in
 * and whose idea got someone else's comment are mailed, once per run, and the e-mail never quotes
 * content, titles or other people.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationInput } from '../../shared/src/mutations.js';
import { loadConfig } from '../../sync-server/src/config.js';
import { createMailer } from '../../sync-server/src/mail/mailer.js';
import { loadSecrets } from '../../sync-server/src/secrets.js';
import {
  DIGEST_SUBJECT,
  sendCommentDigests,
  type DigestDeps,
} from '../../sync-server/src/notify/comment-digest.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { HttpClient, startTestServer, type TestServer } from '../support/test-server.js';
import { commentCreate, ideaCreate, push, seedConversation, type Seeded } from './sync-fixtures.js';

let ts: TestServer;
let sink: SmtpSink;
let seeded: Seeded;
const people: Record<
  'alice' | 'bob' | 'carol' | 'dave' | 'erin',
  { account: TestAccount; client: HttpClient }
> = {} as never;

beforeAll(async () => {
  sink = await startSmtpSink();
  ts = await startTestServer({ SMTP_URL: sink.url, DIGEST_INTERVAL_MINUTES: '0' });
  seeded = await seedConversation(ts.server.storage);
  for (const name of ['alice', 'bob', 'carol', 'dave', 'erin'] as const) {
    const account = await createTestAccount(ts.server.storage, ts.dataDir, {
      email: `${name}@trust.example`,
    });
    people[name] = { account, client: HttpClient.as(ts.url, account) };
  }
});
afterAll(async () => {
  await ts?.close();
  await sink?.close();
});

const digestSetting = (on: boolean): MutationInput => ({
  id: crypto.randomUUID(),
  kind: 'notifications.set',
  commentDigest: on,
});
const post = async (client: HttpClient, m: MutationInput): Promise<string> => {
  const [r] = (await push(client, [m])).results;
  expect(r?.status).toBe('applied');
  return (r as { contentId?: string }).contentId ?? '';
};
const runDigest = async () => {
  const res = await people.alice.client.post('/api/test/digest');
  expect(res.status).toBe(200);
  return res.body as { ideas: number; mailed: number };
};

describe('comment digest', () => {
  it('mails only opted-in authors whose idea got a comment from someone else, once each, without quoting anything', async () => {
    const { alice, bob, carol, dave, erin } = people;
    for (const p of [alice, dave, erin]) await post(p.client, digestSetting(true));
    const a1 = await post(alice.client, ideaCreate(seeded, 'SECRET-TITLE-A1', 'SECRET-BODY-A1'));
    const a2 = await post(alice.client, ideaCreate(seeded, 'SECRET-TITLE-A2'));
    const c = await post(carol.client, ideaCreate(seeded, 'Carol did not opt in'));
    const d = await post(dave.client, ideaCreate(seeded, 'Dave comments on his own'));
    await post(erin.client, ideaCreate(seeded, 'Nobody comments on Erin'));
    await post(bob.client, commentCreate(seeded, a1, 'SECRET-COMMENT-BY-BOB'));
    await post(bob.client, commentCreate(seeded, a2, 'another one'));
    await post(bob.client, commentCreate(seeded, c, 'for carol'));
    await post(dave.client, commentCreate(seeded, d, 'my own follow-up'));

    expect(await runDigest()).toEqual({ ideas: 4, mailed: 1 });
    expect(sink.messages).toHaveLength(1);
    const [mail] = sink.messages;
    expect(mail!.to).toEqual(['alice@trust.example']);
    expect(mail!.subject).toBe(DIGEST_SUBJECT);
    expect(mail!.text).toContain('There are new comments on an idea you posted. Open Huddle to read them.');
    for (const secret of ['SECRET', 'bob@', 'Bob', a1, a2, alice.account.accountId, 'another one'])
      expect(mail!.raw).not.toContain(secret);

    // Nothing new since the checkpoint: nobody is mailed again.
    expect(await runDigest()).toEqual({ ideas: 0, mailed: 0 });
    expect(sink.messages).toHaveLength(1);
  });

  it('sends at most one e-mail per person per run, even when two runs start from the same checkpoint', async () => {
    const { alice, bob } = people;
    const idea = await post(alice.client, ideaCreate(seeded, 'Another of Alice'));
    await post(bob.client, commentCreate(seeded, idea, 'first'));
    await post(bob.client, commentCreate(seeded, idea, 'second'));
    const config = loadConfig({ HUDDLE_DATA_DIR: ts.dataDir, SMTP_URL: sink.url });
    config.publicUrl = ts.url;
    const mailer = createMailer(config, { info: () => undefined });
    const deps: DigestDeps = {
      storage: ts.server.storage,
      secrets: loadSecrets(config),
      mailer,
      config,
      log: ts.server.app.log,
    };
    try {
      const runs = await Promise.all([sendCommentDigests(deps), sendCommentDigests(deps)]);
      expect(runs.map((r) => r.mailed).sort()).toEqual([0, 1]);
    } finally {
      await mailer.close();
    }
    expect(sink.messages.filter((m) => m.to.includes('alice@trust.example'))).toHaveLength(2);
    expect(await ts.server.storage.db('private').list({ prefix: 'digest-sent:' })).toEqual([]);
  });

  it('stops mailing a person who turned the digest off', async () => {
    const { alice, bob } = people;
    const idea = await post(alice.client, ideaCreate(seeded, 'Quiet please'));
    await post(alice.client, digestSetting(false));
    await post(bob.client, commentCreate(seeded, idea, 'hello'));
    const before = sink.messages.length;
    expect((await runDigest()).mailed).toBe(0);
    expect(sink.messages).toHaveLength(before);
  });
});
