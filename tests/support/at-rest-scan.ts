/**
 * The attacker of issue 6, as a scanner: someone with every database, every stored revision, the data
 * directory, HUDDLE_SECRET and the list of accounts (ids, e-mails, names), but not HUDDLE_LINKING_KEY.
 * `Knowledge` holds every value they can compute from a person: the account id, e-mail and name, and
 * HMACs under HUDDLE_SECRET with every purpose and label the server uses or used before the linking
 * keys (owner tags, voter tags, receipt and public ids from the mutation ids they can read, ...).
 * The scans answer where any of those values sits in stored text, and whether the same document
 * (or its neighbour in a changes feed) also holds a post, a comment or a draft.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Body, DatabaseDump, StoredRevision } from './at-rest-dump.js';
import { filesUnder } from './at-rest-dump.js';

export interface Person {
  accountId: string;
  email: string;
  name?: string;
}

export interface Derivation {
  what: string;
  /** The person's e-mail. */
  person: string;
  /** A value the accounts database is meant to hold (identity data by nature). */
  isIdentity: boolean;
}

/** Every HMAC purpose Secrets.hmac has had, the linking-key purposes, and labels used as first parts. */
const PURPOSES = [
  'voter',
  'public-id',
  'receipt',
  'login-code',
  'owner',
  'session',
  'roster',
  'draft',
  'report',
  'answers',
  'settings',
  'own-log',
  'digest',
  'push',
  'email',
  'vault',
  'vault-entry',
  'push-subscription',
] as const;
const LINK_PURPOSES = [
  'receipt',
  'public-id',
  'voter',
  'draft',
  'report',
  'answers',
  'settings',
  'own-log',
  'digest',
  'vault-entry',
  'push-subscription',
] as const;
const LABELS = [...PURPOSES, 'code', 'link'];

const WINDOW = 22;
const runsOf = (text: string) => text.match(/[A-Za-z0-9_-]{22,}/g) ?? [];

const hkdfKey = (ikm: string | Uint8Array, salt: string, info: string) =>
  crypto.createSecretKey(new Uint8Array(crypto.hkdfSync('sha256', ikm, salt, info, 32)));

/** Secrets.hmac / Secrets.link framing: each part as `<length>:<part>|`. */
function mac(key: crypto.KeyObject, parts: string[]): string {
  const h = crypto.createHmac('sha256', key);
  for (const part of parts) h.update(`${part.length}:${part}|`);
  return h.digest('base64url');
}

/** What the attacker computes with HUDDLE_SECRET under one purpose (the server's own derivation). */
export function attackerHmac(secret: string, purpose: string, ...parts: string[]): string {
  return mac(hkdfKey(secret, 'huddle', purpose), parts);
}

/** What the server computes with the vault key (Secrets.link): only for the positive control. */
export function linkWithVaultKey(vaultKeyHex: string, purpose: string, ...parts: string[]): string {
  return mac(hkdfKey(new Uint8Array(Buffer.from(vaultKeyHex, 'hex')), 'huddle-link', purpose), parts);
}

const short = (s: string) => (s.length > 12 ? `${s.slice(0, 8)}…` : s);

export class Knowledge {
  private readonly windows = new Map<string, Derivation[]>();
  private readonly words: Array<{ pattern: RegExp; derivation: Derivation }> = [];
  private readonly substrings: Array<{ text: string; derivation: Derivation }> = [];
  size = 0;

  /** A base64url or hex value: found wherever its first 22 characters are (truncated ids too). */
  addToken(value: string, derivation: Derivation): void {
    const key = value.slice(0, WINDOW);
    const list = this.windows.get(key) ?? [];
    list.push(derivation);
    this.windows.set(key, list);
    this.size++;
  }

  /** A name: found as a whole word, any case. */
  addWord(word: string, derivation: Derivation): void {
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.words.push({ pattern: new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, 'i'), derivation });
    this.size++;
  }

  /** An e-mail address: found anywhere, any case. */
  addSubstring(text: string, derivation: Derivation): void {
    this.substrings.push({ text: text.toLowerCase(), derivation });
    this.size++;
  }

  find(text: string): Derivation[] {
    const found = new Set<Derivation>();
    for (const run of runsOf(text)) {
      for (let i = 0; i + WINDOW <= run.length; i++) {
        for (const d of this.windows.get(run.slice(i, i + WINDOW)) ?? []) found.add(d);
      }
    }
    const lower = text.toLowerCase();
    for (const s of this.substrings) if (lower.includes(s.text)) found.add(s.derivation);
    for (const w of this.words) if (w.pattern.test(text)) found.add(w.derivation);
    return [...found];
  }
}

/**
 * Values the attacker can use as the other inputs of an HMAC: every id they can read outside the
 * accounts database (conversations, streams, posts, items, drafts, mutation ids in drafts' versions)
 * and small numbers (slots of a log).
 */
export function atomsOf(dumps: DatabaseDump[]): string[] {
  const atoms = new Set<string>(Array.from({ length: 64 }, (_, n) => String(n)));
  const ID_FIELDS = new Set([
    'id',
    'itemId',
    'ideaId',
    'conversationId',
    'streamId',
    'draftId',
    'conflictOf',
    'version',
    'contentId',
    'mergedInto',
  ]);
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const walk = (value: unknown, key?: string) => {
    if (typeof value === 'string') {
      if (uuid.test(value) || (key && ID_FIELDS.has(key))) atoms.add(value);
    } else if (Array.isArray(value)) value.forEach((v) => walk(v));
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value as Body)) walk(v, k);
  };
  for (const dump of dumps) {
    if (dump.db.startsWith('accounts')) continue;
    for (const rev of dump.revisions) {
      walk(rev.body);
      const [prefix, ...rest] = rev.id.split(':');
      if (['conversation', 'stream', 'idea', 'comment', 'tally', 'staged', 'vault', 'flag'].includes(prefix!))
        atoms.add(rest.join(':'));
      if (prefix === 'vote' && rest.length === 2) atoms.add(rest[1]!);
    }
  }
  return [...atoms];
}

/**
 * Everything the attacker derives from each person with HUDDLE_SECRET (no vault key): the literal
 * identifiers; HMACs under every purpose the server's Secrets.hmac has had (owner tags, voter tags,
 * receipts, public ids, the owner-key labels report/answers/settings/digest/push/email), with the
 * person alone, after a label, or beside any id the attacker can read; the linking-key derivations
 * done with HUDDLE_SECRET instead of the vault key (a regression); HMAC keyed with the raw secret;
 * and plain SHA-256 of the id and e-mail.
 */
export function knowledgeFromSecret(secret: string, people: Person[], atoms: string[]): Knowledge {
  const k = new Knowledge();
  for (const p of people) {
    const d = (what: string, isIdentity = false): Derivation => ({ what, person: p.email, isIdentity });
    k.addToken(p.accountId, d('account id', true));
    k.addSubstring(p.email, d('e-mail address', true));
    if (p.name) {
      k.addWord(p.name, d('name', true));
      for (const part of p.name.split(/[\s-]+/).filter((w) => w.length >= 3))
        k.addWord(part, d('name', true));
    }
    for (const [label, value] of [
      ['account id', p.accountId],
      ['e-mail', p.email],
    ] as const) {
      const digest = crypto.createHash('sha256').update(value).digest();
      k.addToken(digest.toString('hex'), d(`SHA-256(${label}) hex`));
      k.addToken(digest.toString('base64url'), d(`SHA-256(${label})`));
    }
    const families: Array<{
      name: string;
      keyFor: (purpose: string) => crypto.KeyObject;
      purposes: readonly string[];
    }> = [
      { name: 'HMAC(HUDDLE_SECRET)', keyFor: (q) => hkdfKey(secret, 'huddle', q), purposes: PURPOSES },
      {
        name: 'link key derived from HUDDLE_SECRET',
        keyFor: (q) => hkdfKey(secret, 'huddle-link', q),
        purposes: LINK_PURPOSES,
      },
      {
        name: 'HMAC keyed with HUDDLE_SECRET itself',
        keyFor: () => crypto.createSecretKey(new Uint8Array(Buffer.from(secret))),
        purposes: [''],
      },
    ];
    const ids = [
      ['account', p.accountId],
      ['email', p.email],
    ] as const;
    for (const family of families) {
      for (const purpose of family.purposes) {
        const key = family.keyFor(purpose);
        const add = (parts: string[], shape: string) => {
          const isIdentity =
            family.purposes === PURPOSES &&
            purpose === 'owner' &&
            ((parts[0] === 'email' && parts[1] === p.email) ||
              (parts[0] === 'push' && parts[1] === p.accountId));
          k.addToken(mac(key, parts), d(`${family.name} '${purpose}' [${shape}]`, isIdentity));
        };
        for (const [idName, id] of ids) {
          add([id], idName);
          for (const label of LABELS) add([label, id], `'${label}', ${idName}`);
          for (const x of atoms) {
            add([id, x], `${idName}, ${short(x)}`);
            add([x, id], `${short(x)}, ${idName}`);
          }
          // The owner key with a label and an id was the pre-link-key pattern (report, answers, ...).
          if (purpose === 'owner' && family.purposes === PURPOSES) {
            for (const label of LABELS) {
              for (const x of atoms) {
                add([label, id, x], `'${label}', ${idName}, ${short(x)}`);
                add([label, x, id], `'${label}', ${short(x)}, ${idName}`);
              }
            }
          }
        }
      }
    }
  }
  return k;
}

/** What someone WITH the vault key computes (Secrets.link): the positive control only. */
export function knowledgeWithVaultKey(vaultKeyHex: string, people: Person[], atoms: string[]): Knowledge {
  const k = new Knowledge();
  for (const p of people) {
    for (const purpose of LINK_PURPOSES) {
      const key = hkdfKey(new Uint8Array(Buffer.from(vaultKeyHex, 'hex')), 'huddle-link', purpose);
      const d = (shape: string): Derivation => ({
        what: `link '${purpose}' [${shape}]`,
        person: p.email,
        isIdentity: false,
      });
      k.addToken(mac(key, [p.accountId]), d('account'));
      for (const x of atoms) {
        k.addToken(mac(key, [p.accountId, x]), d(`account, ${short(x)}`));
        k.addToken(mac(key, [x, p.accountId]), d(`${short(x)}, account`));
      }
    }
  }
  return k;
}

/** What counts as someone's words: post and comment ids, draft ids, and the texts themselves. */
export class ContentMarkers {
  constructor(
    readonly contentIds: Set<string>,
    readonly draftIds: Set<string>,
    readonly texts: string[],
  ) {}

  find(text: string): string[] {
    const found = new Set<string>();
    for (const run of runsOf(text)) {
      for (let i = 0; i + WINDOW <= run.length; i++) {
        const w = run.slice(i, i + WINDOW);
        if (this.contentIds.has(w)) found.add(`content id ${w}`);
      }
    }
    for (const id of this.draftIds) if (text.includes(id)) found.add(`draft id ${id}`);
    for (const t of this.texts) if (text.includes(t)) found.add(`text "${t}"`);
    return [...found];
  }
}

export interface Finding {
  where: string;
  derived: string[];
  content: string[];
}

const revisionText = (rev: StoredRevision) => `${rev.id} ${JSON.stringify(rev.body ?? {})}`;
const where = (rev: StoredRevision) =>
  `${rev.db}/${rev.id}@${rev.rev}${rev.isLeaf ? '' : ' (older revision)'}${rev.isDeleted ? ' (deleted)' : ''}`;
const explain = (ds: Derivation[]) => [...new Set(ds.map((d) => `${d.what} of ${d.person}`))];
const isAccountsDb = (db: string) => db === 'accounts' || db.startsWith('accounts-');

/**
 * Outside the accounts database, every stored revision: any value derived from a person is a finding
 * (none has a reason to be there); `content` says whether the same revision also holds someone's words.
 */
export function scanForPeople(dumps: DatabaseDump[], k: Knowledge, content: ContentMarkers): Finding[] {
  const findings: Finding[] = [];
  for (const dump of dumps) {
    if (isAccountsDb(dump.db)) continue;
    for (const rev of dump.revisions) {
      const text = revisionText(rev);
      const derived = k.find(text);
      if (derived.length > 0)
        findings.push({ where: where(rev), derived: explain(derived), content: content.find(text) });
    }
  }
  return findings;
}

/** The accounts database: no one's words, and nothing derived from a person but identity data. */
export function scanAccounts(dumps: DatabaseDump[], k: Knowledge, content: ContentMarkers): Finding[] {
  const findings: Finding[] = [];
  for (const dump of dumps) {
    if (!isAccountsDb(dump.db)) continue;
    for (const rev of dump.revisions) {
      const text = revisionText(rev);
      const derived = k.find(text).filter((d) => !d.isIdentity);
      const words = content.find(text);
      if (derived.length > 0 || words.length > 0)
        findings.push({ where: where(rev), derived: explain(derived), content: words });
    }
  }
  return findings;
}

/** Document types that belong in the accounts database only. */
const IDENTITY_TYPES = new Set([
  'account',
  'account-pointer',
  'session',
  'login-challenge',
  'login-link',
  'push-subscription',
]);

/**
 * Changes feeds in stored order: in a database with content, no entry derived from a person sits at
 * or next to an entry holding someone's words, and no identity document is in it at all; the accounts
 * feed holds no one's words.
 */
export function scanFeeds(dumps: DatabaseDump[], k: Knowledge, content: ContentMarkers): Finding[] {
  const findings: Finding[] = [];
  for (const dump of dumps) {
    const rows = dump.feed.map((row) => {
      const text = `${row.id} ${JSON.stringify(row.doc ?? {})}`;
      return { row, derived: k.find(text), content: content.find(text) };
    });
    const at = (i: number) => `${dump.db} feed #${i} (${rows[i]!.row.id})`;
    for (const [i, r] of rows.entries()) {
      if (isAccountsDb(dump.db)) {
        if (r.content.length > 0) findings.push({ where: at(i), derived: [], content: r.content });
        continue;
      }
      const type = r.row.doc?.['type'];
      if (typeof type === 'string' && IDENTITY_TYPES.has(type))
        findings.push({ where: at(i), derived: [`a ${type} document`], content: r.content });
      if (r.derived.length === 0) continue;
      const near = [rows[i - 1], r, rows[i + 1]].flatMap((n) => n?.content ?? []);
      if (near.length > 0) findings.push({ where: at(i), derived: explain(r.derived), content: near });
    }
  }
  return findings;
}

/**
 * The data directory, raw bytes (LevelDB logs and tables included, so also whatever compaction has
 * not yet dropped from disk; best effort: table blocks may be compressed). Database files other than
 * the accounts database hold nothing derived from a person; any other file (keys, the dev mailbox)
 * never holds a person and their words together.
 */
export function scanDataDir(
  dataDir: string,
  k: Knowledge,
  content: ContentMarkers,
): { findings: Finding[]; files: number } {
  const findings: Finding[] = [];
  const files = filesUnder(dataDir);
  for (const { rel, file } of files) {
    const text = fs.readFileSync(file).toString('latin1');
    const parts = rel.split(/[\\/]/);
    const isDb = parts[0] === 'db' && parts.length > 2;
    if (isDb && isAccountsDb(parts[1]!)) {
      const words = content.find(text);
      const derived = k.find(text).filter((d) => !d.isIdentity);
      if (words.length > 0 || derived.length > 0)
        findings.push({ where: rel, derived: explain(derived), content: words });
      continue;
    }
    const derived = k.find(text);
    if (derived.length === 0) continue;
    const words = content.find(text);
    if (isDb || words.length > 0) findings.push({ where: rel, derived: explain(derived), content: words });
  }
  return { findings, files: files.length };
}

/** Where a given string (a key) appears at all: stored revisions and data directory files. */
export function occurrences(dumps: DatabaseDump[], dataDir: string, needles: string[]): string[] {
  const hits: string[] = [];
  for (const dump of dumps)
    for (const rev of dump.revisions) {
      const text = revisionText(rev);
      if (needles.some((n) => text.includes(n))) hits.push(where(rev));
    }
  for (const { rel, file } of filesUnder(dataDir)) {
    const text = fs.readFileSync(file).toString('latin1');
    if (needles.some((n) => text.includes(n))) hits.push(rel);
  }
  return hits;
}
