/**
 * Invite import: a CSV of e-mail addresses with optional names. The header is optional
 * (`email,name`, or a roster such as `name,email,staff_group,site`: extra columns are
 * ignored). Bad or repeated lines are reported by line number and the rest imported.
 * Names are stored on the private account only to spot posts that name staff; they are
 * never shown. Each new invitee gets an e-mail with a link and a one-time code.
 */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { ImportInvitesResponse } from '../../../shared/src/api.js';
import type { Role } from '../../../shared/src/roles.js';
import { upsertAccount, type AuthDeps } from '../auth/accounts.js';
import { issueLoginChallenge } from '../auth/login-codes.js';
import { inviteMail } from '../auth/login-mail.js';

/** Invitations are read days later, not minutes: their code and link last longer than a login code. */
export const INVITE_VALID_MS = 7 * 86_400_000;
const NAME_MAX = 200;

export interface InviteRow {
  line: number;
  email: string;
  name?: string;
}
export interface LineError {
  line: number;
  message: string;
}

const emailSchema = z.email().max(254);

/** The same check a CSV line's address gets: the normalised (lower-case) address, or undefined. */
export function parseInviteEmail(raw: string): string | undefined {
  const parsed = emailSchema.safeParse(raw.trim());
  return parsed.success ? parsed.data.toLowerCase() : undefined;
}
const looksLikeEmailHeader = (cell: string) => /^e-?mail(\s*address)?$/i.test(cell);
const isNameHeader = (cell: string) => /^(full[\s_-]?|display[\s_-]?)?name$/i.test(cell);
const isFirstNameHeader = (cell: string) => /^(first|given)[\s_-]?name|^forename$/i.test(cell);
const isLastNameHeader = (cell: string) => /^(last|family)[\s_-]?name$|^surname$/i.test(cell);

interface Columns {
  email: number;
  name?: number;
  first?: number;
  last?: number;
}

function headerColumns(cells: string[]): Columns | undefined {
  const email = cells.findIndex(looksLikeEmailHeader);
  if (email < 0) return undefined;
  const pick = (test: (c: string) => boolean) => {
    const i = cells.findIndex(test);
    return i < 0 ? undefined : i;
  };
  return { email, name: pick(isNameHeader), first: pick(isFirstNameHeader), last: pick(isLastNameHeader) };
}

function nameFrom(cells: string[], columns: Columns | undefined, emailIndex: number): string | undefined {
  let name: string | undefined;
  if (columns) {
    name =
      columns.name !== undefined
        ? cells[columns.name]
        : [columns.first, columns.last].map((i) => (i === undefined ? '' : (cells[i] ?? ''))).join(' ');
  } else {
    // No header: the name is the first other cell that is not an address.
    name = cells.find((c, i) => i !== emailIndex && c !== '' && !c.includes('@'));
  }
  name = name?.replace(/\s+/g, ' ').trim().slice(0, NAME_MAX);
  return name ? name : undefined;
}

const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quote (") is opened and never closed',
  CSV_INVALID_CLOSING_QUOTE: 'a quote (") is closed in the middle of a value',
};

/** Reads the CSV text. Never throws for bad content: every problem is a LineError. */
export function parseInviteCsv(text: string): { rows: InviteRow[]; errors: LineError[] } {
  const errors: LineError[] = [];
  let records: Array<{ record: string[]; info: { lines: number } }> = [];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      trim: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        if (err)
          errors.push({
            line: Number((err as { lines?: unknown }).lines) || 1,
            message: `could not read this line: ${CSV_PROBLEMS[err.code] ?? 'malformed CSV'}`,
          });
        return undefined;
      },
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (err) {
    const e = err as { lines?: number; code?: string };
    errors.push({
      line: e.lines ?? 1,
      message: `could not read the file from here: ${CSV_PROBLEMS[e.code ?? ''] ?? 'malformed CSV'}`,
    });
  }

  const rows: InviteRow[] = [];
  const firstLineOf = new Map<string, number>();
  let columns: Columns | undefined;
  records.forEach(({ record, info }, index) => {
    const cells = record.map((c) => c.trim());
    if (cells.every((c) => c === '')) return;
    if (index === 0) {
      columns = headerColumns(cells);
      if (columns) return;
    }
    const emailIndex = columns ? columns.email : cells.findIndex((c) => c.includes('@'));
    const raw = emailIndex >= 0 ? (cells[emailIndex] ?? '') : '';
    if (!raw) return errors.push({ line: info.lines, message: 'no e-mail address on this line' });
    const email = parseInviteEmail(raw);
    if (!email) return errors.push({ line: info.lines, message: 'not a valid e-mail address' });
    const first = firstLineOf.get(email);
    if (first !== undefined)
      return errors.push({ line: info.lines, message: `the same address as line ${first}` });
    firstLineOf.set(email, info.lines);
    const name = nameFrom(cells, columns, emailIndex);
    rows.push({ line: info.lines, email, ...(name ? { name } : {}) });
  });
  errors.sort((a, b) => a.line - b.line);
  return { rows, errors };
}

async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface ImportOutcome {
  result: ImportInvitesResponse;
  /** Resolves when every invitation e-mail was sent or failed (the HTTP route does not wait for it). */
  mails: Promise<{ sent: number; failed: number; limited: number }>;
}

export async function importInvites(
  deps: AuthDeps,
  csv: string,
  options: { role: Role; sendEmails: boolean },
): Promise<ImportOutcome> {
  const { rows, errors } = parseInviteCsv(csv);
  return inviteRows(deps, rows, errors, options);
}

/**
 * Invites rows already read and checked (`importInvites`, or one address from `create-admin`):
 * a new address gets an invited account with the role and the invitation e-mail; an existing
 * account gains the role and gets no e-mail (its owner asks for a code on the login page).
 */
export async function inviteRows(
  deps: AuthDeps,
  rows: InviteRow[],
  errors: LineError[],
  options: { role: Role; sendEmails: boolean },
): Promise<ImportOutcome> {
  const fresh: Array<{ accountId: string; email: string }> = [];
  let alreadyInvited = 0;
  await eachLimited(rows, 8, async (row) => {
    try {
      const { account, isNew } = await upsertAccount(deps, {
        email: row.email,
        name: row.name,
        roles: [options.role],
      });
      if (isNew) fresh.push({ accountId: account.accountId, email: account.email });
      else alreadyInvited++;
    } catch {
      errors.push({ line: row.line, message: 'could not be saved: please import this line again' });
    }
  });
  errors.sort((a, b) => a.line - b.line);
  const result: ImportInvitesResponse = { invited: fresh.length, alreadyInvited, errors };
  const mails = options.sendEmails
    ? sendInvitations(deps, fresh)
    : Promise.resolve({ sent: 0, failed: 0, limited: 0 });
  return { result, mails };
}

async function sendInvitations(deps: AuthDeps, invitees: Array<{ accountId: string; email: string }>) {
  const counts = { sent: 0, failed: 0, limited: 0 };
  await eachLimited(invitees, 4, async (invitee) => {
    try {
      const issued = await issueLoginChallenge(deps, invitee, INVITE_VALID_MS);
      if (issued === 'limited') {
        counts.limited++;
        return;
      }
      await deps.mailer.send(inviteMail(deps.config, invitee.email, issued, INVITE_VALID_MS));
      counts.sent++;
    } catch (err) {
      counts.failed++;
      const e = err as { name?: string; code?: string; responseCode?: number };
      deps.log.error(
        { err: { name: e?.name, code: e?.code, responseCode: e?.responseCode } },
        'invitation e-mail failed',
      );
    }
  });
  if (counts.failed > 0)
    deps.log.warn(counts, 'some invitation e-mails failed: those people can ask for a code themselves');
  return counts;
}
