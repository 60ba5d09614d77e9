/**
 * `npm run huddle -- <command>`: operator commands that open the configured storage
 * directly (same environment variables as the server).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { roleSchema } from '../../shared/src/roles.js';
import { importInvites, inviteRows, parseInviteEmail } from './admin/invites.js';
import { findAccountByEmail, type AuthDeps } from './auth/accounts.js';
import { revokeAccessByEmail } from './auth/revoke.js';
import { loadConfig, type Config } from './config.js';
import { restrictNewFiles } from './file-modes.js';
import { openStoreSecrets, readKeyRecord, recordCloseOut } from './key-record.js';
import { destroyKeyFile, generateKeys, keyFiles, keyIdOf, moveOldKeys } from './secrets.js';
import { createMailer, MAILBOX_DIR } from './mail/mailer.js';
import { createStorage, prepareDirectories } from './server.js';
import type { Storage } from './storage/port.js';

// Before anything is written: every file Huddle creates is 0600, every folder 0700 (file-modes.ts).
restrictNewFiles();

const HELP = `Huddle operator commands

  npm run huddle -- create-admin <email>
      The first admin on a new store (no demo data needed): invites this address with the
      admin role and e-mails the same login link and one-time code as any invitation (to
      $HUDDLE_DATA_DIR/mailbox/*.eml when SMTP_URL is not set). Run twice, it creates no
      second account: like invite, an existing account gains the admin role and gets no new
      e-mail (its owner asks for a code on the login page).

  npm run huddle -- invite <file.csv> [--role participant|moderator|sponsor|admin] [--no-email]
      Invite everyone in the CSV (e-mail addresses, optional names; a header line is
      optional, extra columns are ignored). New invitees get an e-mail with a link and
      a one-time code, unless --no-email (they can then ask for a code on the login page).
      Existing accounts gain the role. Bad or repeated lines are listed; the rest is imported.

  npm run huddle -- revoke-sessions <email>
      End every session of this person on every device and cancel any unused login code.

  npm run huddle -- close-out --yes
      After the report: destroy the linking key for good (the key file in HUDDLE_KEYS_DIR is
      overwritten, then deleted; a key given as HUDDLE_LINKING_KEY must be removed from the
      configuration and every copy by hand) and record in the databases that the conversation is
      closed out. Afterwards nothing ties anyone to what they wrote, in the data or any backup, and
      Huddle no longer starts on these databases. Stop every server instance first (a running one
      still holds the key in memory). Without --yes, says what it would do.

  npm run huddle -- move-keys
      Move the keys an older Huddle kept in $HUDDLE_DATA_DIR/secrets.json into HUDDLE_KEYS_DIR.

  npm run huddle -- generate-keys
      Create HUDDLE_SECRET and the linking key in HUDDLE_KEYS_DIR if missing (production never
      generates keys on its own).

Uses the same environment as the server (HUDDLE_DATA_DIR, COUCHDB_URL, SMTP_URL, HUDDLE_SECRET...).
With the embedded store (no COUCHDB_URL) stop the server first: LevelDB lets one process
open the database at a time. With CouchDB the server can keep running.
`;

class UsageError extends Error {}

async function withStorage<T>(config: Config, work: (storage: Storage) => Promise<T>): Promise<T> {
  for (const warning of prepareDirectories(config).warnings) process.stderr.write(`Warning: ${warning}\n`);
  const storage = createStorage(config);
  try {
    await storage.init();
  } catch (err) {
    await storage.close().catch(() => undefined);
    if (!config.couchdbUrl && /lock/i.test(String((err as Error)?.message))) {
      throw new UsageError(
        `The embedded store in ${config.dataDir} is in use by another process: stop the Huddle server first, then run this again.`,
      );
    }
    throw err;
  }
  try {
    return await work(storage);
  } finally {
    await storage.close();
  }
}

async function withDeps<T>(config: Config, work: (deps: AuthDeps) => Promise<T>): Promise<T> {
  const log = pino({ level: config.logLevel, base: undefined }, pino.destination(2));
  return withStorage(config, async (storage) => {
    const secrets = await openStoreSecrets(config, storage);
    const mailer = createMailer(config, log);
    try {
      return await work({ config, storage, secrets, mailer, log, now: () => new Date() });
    } finally {
      await mailer.close();
    }
  });
}

/**
 * Close-out. The record goes first: if this stops half-way, the next start still refuses (and
 * running close-out again finishes the job) instead of generating a new key next to a stranded vault.
 */
async function closeOut(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { yes: { type: 'boolean', default: false } },
  });
  if (positionals.length > 0) throw new UsageError('close-out takes no arguments besides --yes.');
  const file = keyFiles(config).linkingKey;
  const fromEnvironment = Boolean(config.linkingKeyHex);
  const inFile = fs.existsSync(file);
  if (!values.yes) {
    process.stdout.write(
      [
        'close-out would, for good:',
        '  - record in the databases that this conversation is closed out (Huddle then no longer starts on them);',
        inFile ? `  - overwrite and delete the linking key in ${file};` : `  - (no linking key in ${file})`,
        fromEnvironment
          ? '  - and ask you to remove HUDDLE_LINKING_KEY from the configuration and every copy of it.'
          : '',
        'Nobody can then tie any post, comment, vote, draft or report to its author, and authors can no longer',
        'edit or withdraw their posts. Make the report first. Run again with --yes to go ahead.',
        '',
      ]
        .filter((line) => line !== '')
        .join('\n') + '\n',
    );
    return 1;
  }
  await withStorage(config, async (storage) => {
    const known = config.linkingKeyHex ?? (inFile ? fs.readFileSync(file, 'utf8').trim() : undefined);
    const keyId = known ? keyIdOf(known) : (await readKeyRecord(storage))?.keyId;
    const record = await recordCloseOut(storage, keyId, new Date());
    const out = [`Recorded: closed out on ${record.closedOutAt!.slice(0, 10)}.`];
    if (destroyKeyFile(file)) out.push(`Destroyed the linking key: ${file} was overwritten and deleted.`);
    if (fromEnvironment)
      out.push(
        'The linking key comes from the environment (HUDDLE_LINKING_KEY or HUDDLE_VAULT_KEY): Huddle cannot',
        'destroy it. Remove it now from the configuration and from every copy: secret stores, .env files,',
        'deployment scripts, password managers and their backups.',
      );
    out.push(
      'Destroy every backup of the keys directory too. The data and its backups may be kept: without the',
      'linking key nothing in them ties anyone to what they wrote. Huddle no longer starts on these databases.',
    );
    process.stdout.write(`${out.join('\n')}\n`);
  });
  return 0;
}

async function invite(config: Config, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: 'string', default: 'participant' },
      'no-email': { type: 'boolean', default: false },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('invite needs exactly one CSV file.');
  const role = roleSchema.safeParse(values.role);
  if (!role.success) throw new UsageError(`--role must be one of: ${roleSchema.options.join(', ')}.`);
  let csv: string;
  try {
    csv = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`Cannot read ${file}.`);
  }
  const sendEmails = !values['no-email'];
  await withDeps(config, async (deps) => {
    const { result, mails } = await importInvites(deps, csv, { role: role.data, sendEmails });
    const out = [
      `Invited ${result.invited} new ${role.data}${result.invited === 1 ? '' : 's'}; ${result.alreadyInvited} already had an account.`,
    ];
    if (result.errors.length > 0) {
      out.push(`${result.errors.length} line${result.errors.length === 1 ? ' was' : 's were'} not imported:`);
      for (const e of result.errors) out.push(`  line ${e.line}: ${e.message}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
    const sent = await mails;
    process.stdout.write(
      sendEmails
        ? `Sent ${sent.sent} invitation e-mail${sent.sent === 1 ? '' : 's'}${sent.failed ? `; ${sent.failed} failed (those people can ask for a code on the login page)` : ''}.\n`
        : `No e-mails sent (--no-email): invitees log in at ${config.publicUrl} by asking for a code.\n`,
    );
  });
}

/** One address through the same path as `invite --role admin`: one account, the uniform invitation mail. */
async function createAdmin(config: Config, args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const raw = positionals[0];
  if (!raw || positionals.length > 1)
    throw new UsageError(
      'create-admin needs exactly one e-mail address, e.g. create-admin you@trust.example',
    );
  const email = parseInviteEmail(raw);
  if (!email) throw new UsageError(`create-admin: "${raw}" is not a valid e-mail address.`);
  await withDeps(config, async (deps) => {
    const before = await findAccountByEmail(deps, email);
    const { result, mails } = await inviteRows(deps, [{ line: 1, email }], [], {
      role: 'admin',
      sendEmails: true,
    });
    if (result.errors.length > 0) throw new Error(`${email} ${result.errors[0]!.message}.`);
    const sent = await mails;
    if (result.invited === 0) {
      process.stdout.write(
        `${email} already has an account (no second one was created); ${
          before?.roles.includes('admin') ? 'it is already an admin' : 'it now has the admin role'
        }. No e-mail sent, as with invite for an existing address: log in at ${config.publicUrl} by asking for a code.
`,
      );
      return;
    }
    const where = config.smtpUrl
      ? 'through SMTP_URL'
      : `to the dev mailbox ${path.join(config.dataDir, MAILBOX_DIR)} (SMTP_URL is not set)`;
    process.stdout.write(
      sent.sent === 1
        ? `Created admin ${email} and sent the invitation e-mail (link and one-time code) ${where}.
`
        : `Created admin ${email}, but the invitation e-mail was not sent${
            sent.limited ? ' (too many codes asked for this address)' : ' (see the log above)'
          }: log in at ${config.publicUrl} by asking for a code.
`,
    );
  });
}

async function revokeSessions(config: Config, args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const email = positionals[0];
  if (!email || positionals.length > 1)
    throw new UsageError('revoke-sessions needs exactly one e-mail address.');
  await withDeps(config, async (deps) => {
    const revoked = await revokeAccessByEmail(deps, email);
    if (revoked === undefined) throw new UsageError('No account has this e-mail address.');
    process.stdout.write(
      `Revoked ${revoked} session${revoked === 1 ? '' : 's'}; any unused login code no longer works.\n`,
    );
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(HELP);
      return command ? 0 : 2;
    }
    const config = loadConfig();
    if (command === 'invite') await invite(config, rest);
    else if (command === 'create-admin') await createAdmin(config, rest);
    else if (command === 'revoke-sessions') await revokeSessions(config, rest);
    else if (command === 'close-out') return await closeOut(config, rest);
    else if (command === 'move-keys') process.stdout.write(`${moveOldKeys(config)}\n`);
    else if (command === 'generate-keys') process.stdout.write(`${generateKeys(config)}\n`);
    else throw new UsageError(`Unknown command: ${command}`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
      return 2;
    }
    process.stderr.write(`Failed: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
