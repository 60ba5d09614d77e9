/**
 * `npm run huddle -- <command>`: operator commands that open the configured storage
 * directly (same environment variables as the server).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { roleSchema } from '../../shared/src/roles.js';
import { importInvites } from './admin/invites.js';
import type { AuthDeps } from './auth/accounts.js';
import { revokeAccessByEmail } from './auth/revoke.js';
import { loadConfig, type Config } from './config.js';
import { loadSecrets } from './secrets.js';
import { createMailer } from './mail/mailer.js';
import { createStorage } from './server.js';

const HELP = `Huddle operator commands

  npm run huddle -- invite <file.csv> [--role participant|moderator|sponsor|admin] [--no-email]
      Invite everyone in the CSV (e-mail addresses, optional names; a header line is
      optional, extra columns are ignored). New invitees get an e-mail with a link and
      a one-time code, unless --no-email (they can then ask for a code on the login page).
      Existing accounts gain the role. Bad or repeated lines are listed; the rest is imported.

  npm run huddle -- revoke-sessions <email>
      End every session of this person on every device and cancel any unused login code.

Uses the same environment as the server (HUDDLE_DATA_DIR, COUCHDB_URL, SMTP_URL, HUDDLE_SECRET...).
With the embedded store (no COUCHDB_URL) stop the server first: LevelDB lets one process
open the database at a time. With CouchDB the server can keep running.
`;

class UsageError extends Error {}

async function withDeps<T>(config: Config, work: (deps: AuthDeps) => Promise<T>): Promise<T> {
  const log = pino({ level: config.logLevel, base: undefined }, pino.destination(2));
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
  const mailer = createMailer(config, log);
  try {
    return await work({ config, storage, secrets: loadSecrets(config), mailer, log, now: () => new Date() });
  } finally {
    await mailer.close();
    await storage.close();
  }
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
    else if (command === 'revoke-sessions') await revokeSessions(config, rest);
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
