/**
 * The Trust's attacks on what it holds (world.ts: AttackerHoldings). Each is a function of the
 * holdings alone (never of the ground truth) answering, for each public post and each published tally
 * change, the set of people it is sure holds the author (or the voters) and its best ranking inside
 * that set (scoring.ts). "Sure" means sound under what the Trust knows of how Huddle works (the code is
 * public): a batch publishes everything that was waiting; a post's push carries its text; each push
 * that changes something writes one own-log slot after its vault entries.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../sync-server/src/config.js';
import { loadSecrets, type Secrets } from '../../../sync-server/src/secrets.js';
import { PouchStorage } from '../../../sync-server/src/storage/pouch-adapter.js';
import crypto from 'node:crypto';
import { ownEventSchema, type OwnEvent } from '../../../sync-server/src/sync/own-log.js';
import { ownLogSlotId } from '../../../sync-server/src/sync/keys.js';
import { readAuthor } from '../../../sync-server/src/sync/vault.js';
import { filesUnder } from '../at-rest-dump.js';
import { ContentMarkers, atomsOf, knowledgeFromSecret, scanFeeds, scanForPeople } from '../at-rest-scan.js';
import { minVoters, tallyKey, type AttackResult, type Guess } from './scoring.js';
import type { AttackerHoldings, Batch, ProxyEntry } from './world.js';

const PUSH = '/api/sync/push';

/** The smallest a push carrying a post's text can be on top of the text (envelope, ids, keys). */
const POST_ENVELOPE_BYTES = 150;

const empty = (name: string): AttackResult => ({ name, posts: new Map(), tallies: new Map(), notes: [] });

/** Pushes that went in before batch b was cut and after the batch before it (what b published). */
export function windowPushes(h: AttackerHoldings, b: number): ProxyEntry[] {
  const from = b === 0 ? -Infinity : h.batches[b - 1]!.start;
  const to = h.batches[b]!.start;
  return h.proxy.filter((p) => p.method === 'POST' && p.path === PUSH && p.end <= to && p.start > from);
}

const emailsOf = (entries: ProxyEntry[]) => new Set(entries.map((e) => e.email));
const intersect = (a: Set<string>, b: Set<string>) => new Set([...a].filter((x) => b.has(x)));

/** Where each post showed a change: its first publication, edits, withdrawal. */
function observations(batches: Batch[]) {
  const out = new Map<string, Array<{ batch: number; text?: string; isNew: boolean; status?: string }>>();
  for (const b of batches)
    for (const c of b.changes)
      if (c.type !== 'tally')
        out.set(c.itemId, [
          ...(out.get(c.itemId) ?? []),
          { batch: b.index, text: c.text, isNew: c.isNew, status: c.status },
        ]);
  return out;
}

const textBytes = (text: string | undefined) => Buffer.byteLength(JSON.stringify(text ?? '')) - 2;

// ---- (1) HMAC and ids under HUDDLE_SECRET -----------------------------------------------------

/**
 * Every value computable from each person with HUDDLE_SECRET (at-rest-scan.ts: owner and voter tags,
 * public ids, receipts, under every purpose the server has used), searched for in every stored
 * revision and changes feed; a post or vote document holding one names its author.
 */
export function hmacIds(h: AttackerHoldings): AttackResult {
  const result = empty('(1) HMAC/ids with HUDDLE_SECRET');
  const publicIds = new Set(h.batches.flatMap((b) => b.changes.map((c) => c.itemId)));
  // With the conversation, stream and slot-number (0-9) ids beside each person (voter and owner tags of
  // every shape the server has used). Every other id beside a person is anonymity-at-rest.test.ts's
  // scan (too slow for 32 people here: an HMAC per person, purpose, label and id).
  const streamIds = h.dumps
    .filter((d) => d.db === 'public')
    .flatMap((d) => d.feed.filter((r) => r.doc?.['type'] === 'stream').map((r) => String(r.doc!['id'])));
  const atoms = new Set([h.conversationId, ...streamIds]);
  const knowledge = knowledgeFromSecret(
    h.secret,
    h.people,
    atomsOf(h.dumps).filter((a) => atoms.has(a) || /^\d$/.test(a)),
  );
  const content = new ContentMarkers(publicIds, new Set(), []);
  const findings = [...scanForPeople(h.dumps, knowledge, content), ...scanFeeds(h.dumps, knowledge, content)];
  const personOf = (d: string) => d.split(' of ').pop()!;
  const votersOn = new Map<string, Set<string>>();
  for (const f of findings) {
    const people = new Set(f.derived.map(personOf));
    const voteDoc = /^votes\/vote:[^:]+:([^@\s]+)/.exec(f.where);
    if (voteDoc) {
      for (const p of people) votersOn.set(voteDoc[1]!, new Set([...(votersOn.get(voteDoc[1]!) ?? []), p]));
      continue;
    }
    for (const c of f.content) {
      const id = c.replace(/^content id /, '');
      if (!publicIds.has(id)) continue;
      const prior = result.posts.get(id)?.candidates;
      result.posts.set(id, { candidates: prior ? intersect(prior, people) : people });
    }
  }
  // Voters: only when every vote document on the item was tied to someone is the set complete.
  const voteDocs = new Map<string, number>();
  for (const d of h.dumps.filter((x) => x.db === 'votes'))
    for (const row of d.feed) {
      const m = /^vote:[^:]+:(.+)$/.exec(row.id);
      if (m && !row.isDeleted) voteDocs.set(m[1]!, (voteDocs.get(m[1]!) ?? 0) + 1);
    }
  for (const b of h.batches)
    for (const c of b.changes) {
      if (c.type !== 'tally') continue;
      const known = votersOn.get(c.itemId);
      if (known && known.size >= (voteDocs.get(c.itemId) ?? Infinity))
        result.tallies.set(tallyKey(b.index, c.itemId), { candidates: known });
    }
  result.notes.push(`${findings.length} stored values computable from a person with HUDDLE_SECRET`);
  return result;
}

// ---- (2) timing intersection, and with sizes ------------------------------------------------------

/** Who pushed before each batch that showed the post (first publication, edits, withdrawal): intersected. */
export function timing(h: AttackerHoldings, withSizes = false): AttackResult {
  const result = empty(withSizes ? '(2b) timing + push sizes (proxy bytes)' : '(2) timing intersection');
  for (const [id, seen] of observations(h.batches)) {
    let candidates: Set<string> | undefined;
    for (const o of seen) {
      let pushes = windowPushes(h, o.batch);
      if (withSizes && o.status !== 'withdrawn' && o.text)
        pushes = pushes.filter((p) => p.reqBytes >= textBytes(o.text) + POST_ENVELOPE_BYTES);
      const who = emailsOf(pushes);
      candidates = candidates ? intersect(candidates, who) : who;
    }
    if (candidates && candidates.size > 0) result.posts.set(id, { candidates });
  }
  const lone = h.batches.filter((b) => emailsOf(windowPushes(h, b.index)).size === 1).length;
  const seenTwice = [...observations(h.batches)].filter(([, seen]) => seen.length > 1);
  const narrowed = seenTwice.filter(([id]) => result.posts.get(id)?.candidates.size === 1).length;
  result.notes.push(
    `${lone} of ${h.batches.length} batches followed pushes by one person only; ` +
      `${seenTwice.length} posts changed in more than one batch (edits, withdrawals), ${narrowed} of them down to one person`,
  );
  return result;
}

// ---- (3) order within a batch ---------------------------------------------------------------------

/** The r-th new post (or tally) in the public feed's order guessed as the r-th pusher's. */
export function order(h: AttackerHoldings): AttackResult {
  const result = empty('(3) feed order vs push order');
  const everyone = h.people.map((p) => p.email);
  for (const b of h.batches) {
    const pushes = windowPushes(h, b.index).sort((x, y) => x.start - y.start);
    // Order alone proves nothing (it may be shuffled): a ranking over everyone, never a narrower set.
    const guessAt = (list: ProxyEntry[], r: number): Guess => {
      const weights = new Map(everyone.map((p) => [p, 0.0001]));
      for (const p of pushes) weights.set(p.email, 0.01);
      const hit = list[Math.min(r, list.length - 1)];
      if (hit) weights.set(hit.email, 1);
      return { candidates: new Set(everyone), weights };
    };
    const bigPushes = pushes.filter((p) => p.reqBytes >= POST_ENVELOPE_BYTES + 20);
    b.changes
      .filter((c) => c.type !== 'tally' && c.isNew)
      .forEach((c, r) => result.posts.set(c.itemId, guessAt(bigPushes, r)));
    b.changes
      .filter((c) => c.type === 'tally')
      .forEach((c, r) => result.tallies.set(tallyKey(b.index, c.itemId), guessAt(pushes, r)));
  }
  return result;
}

// ---- (4) mail --------------------------------------------------------------------------------------

/**
 * Who got mail when, and how large (the address's own length taken off), against which ideas got
 * comments since the last run. If mail goes only to authors with news, everyone mailed wrote one of
 * the commented ideas; with one commented idea, they wrote it. If every run mails the same people
 * whatever happened, mail says nothing, unless sizes differ inside a run (the odd size out is news).
 */
export function mail(h: AttackerHoldings): AttackResult {
  const result = empty('(4) mail log vs comments');
  const runs = new Map<number, typeof h.mail>();
  for (const m of h.mail) runs.set(m.at, [...(runs.get(m.at) ?? []), m]);
  const times = [...runs.keys()].sort((a, b) => a - b);
  const commentedIdeas = (from: number, to: number) =>
    new Set(
      h.batches
        .filter((b) => b.end > from && b.end <= to)
        .flatMap((b) => b.changes.filter((c) => c.type === 'comment' && c.isNew))
        .flatMap((c) => {
          const comment = h.batches.flatMap((b) => b.changes).find((x) => x.itemId === c.itemId);
          return comment ? [ideaOfComment(h, c.itemId)].filter((x): x is string => !!x) : [];
        }),
    );
  const recipientSets = times.map((t) => [...new Set(runs.get(t)!.map((m) => m.to))].sort().join(','));
  const isSameEveryRun = times.length > 1 && new Set(recipientSets).size === 1;
  let prev = -Infinity;
  for (const t of times) {
    const mails = runs.get(t)!;
    const ideas = commentedIdeas(prev, t);
    prev = t;
    let news = new Set(mails.map((m) => m.to));
    const sizes = new Map<number, string[]>();
    for (const m of mails) {
      const size = m.bytes - Buffer.byteLength(m.to);
      sizes.set(size, [...(sizes.get(size) ?? []), m.to]);
    }
    if (isSameEveryRun || ideas.size === 0) {
      if (sizes.size < 2) continue;
      const minority = [...sizes.values()].sort((a, b) => a.length - b.length)[0]!;
      news = new Set(minority);
      for (const id of ideas)
        result.posts.set(id, { candidates: new Set(h.people.map((p) => p.email)), weights: weigh(news) });
      continue;
    }
    for (const id of ideas) {
      const prior = result.posts.get(id);
      const candidates = ideas.size === 1 ? news : new Set(h.people.map((p) => p.email));
      result.posts.set(id, {
        candidates: prior ? intersect(prior.candidates, candidates) : candidates,
        weights: weigh(news),
      });
    }
  }
  result.notes.push(
    `${times.length} mail runs, ${h.mail.length} mails; the same recipients every run: ${isSameEveryRun}`,
  );
  return result;
}

const weigh = (set: Set<string>) => new Map([...set].map((p) => [p, 1]));

function ideaOfComment(h: AttackerHoldings, commentId: string): string | undefined {
  for (const d of h.dumps.filter((x) => x.db === 'public'))
    for (const row of d.feed) if (row.id === `comment:${commentId}`) return row.doc?.['ideaId'] as string;
  return undefined;
}

// ---- (5) tally differencing ------------------------------------------------------------------------

/**
 * Each tally change against who pushed in the window before it; a change needing as many voters as
 * there were pushers names them all. Across batches: someone who never pushed before a batch cannot
 * be behind any of its changes (that is the window itself).
 */
export function tallyDifferencing(h: AttackerHoldings): AttackResult {
  const result = empty('(5) tally differencing');
  for (const b of h.batches) {
    const pushes = windowPushes(h, b.index);
    const who = emailsOf(pushes);
    for (const c of b.changes) {
      if (c.type !== 'tally' || who.size === 0) continue;
      // Pushers who only pushed once, with a small push, were voting (or saving a setting): first.
      const weights = new Map(
        [...who].map((p) => [p, pushes.some((x) => x.email === p && x.reqBytes < 400) ? 2 : 1]),
      );
      result.tallies.set(tallyKey(b.index, c.itemId), { candidates: who, weights });
    }
  }
  const certain = h.batches
    .flatMap((b) => b.changes.filter((c) => c.type === 'tally').map((c) => ({ b, c })))
    .filter(({ b, c }) => emailsOf(windowPushes(h, b.index)).size <= minVoters(c)).length;
  result.notes.push(`${certain} tally changes needed as many voters as there were pushers`);
  return result;
}

// ---- (6) the server's logs -------------------------------------------------------------------------

interface LogLine {
  time: number;
  reqId?: string;
  text: string;
  path?: string;
}

export function parseLog(output: string): LogLine[] {
  return output.split('\n').flatMap((line) => {
    try {
      const j = JSON.parse(line) as { time?: number; reqId?: string; req?: { path?: string } };
      return typeof j.time === 'number'
        ? [{ time: j.time, reqId: j.reqId, text: line, path: j.req?.path }]
        : [];
    } catch {
      return [];
    }
  });
}

/**
 * Log lines against the release times and the proxy: a line naming a person (e-mail, account id,
 * name, anything computable with HUDDLE_SECRET) beside a public id names the author; a line with a
 * public id at a time names whoever's device was talking then. Also reported: how precisely the log
 * times sync calls (the finer, the less the batch hides).
 */
export function logs(h: AttackerHoldings): AttackResult {
  const result = empty('(6) server log vs releases');
  const lines = parseLog(h.serverLog);
  const publicIds = new Set(h.batches.flatMap((b) => b.changes.map((c) => c.itemId)));
  const idPattern = /[A-Za-z0-9_-]{22}/g;
  const requestTime = new Map<string, number>();
  for (const l of lines) if (l.reqId && !requestTime.has(l.reqId)) requestTime.set(l.reqId, l.time);
  const identities = h.people.flatMap((p) => [p.email, p.accountId].map((v) => ({ v, who: p.email })));
  for (const l of lines) {
    const named = new Set(identities.filter((i) => l.text.includes(i.v)).map((i) => i.who));
    for (const id of l.text.match(idPattern) ?? []) {
      if (!publicIds.has(id)) continue;
      let who = named;
      if (who.size === 0) {
        const t = (l.reqId && requestTime.get(l.reqId)) || l.time;
        who = new Set(h.proxy.filter((p) => p.start - 2 <= t && t <= p.end + 2).map((p) => p.email));
      }
      if (who.size > 0) result.posts.set(id, { candidates: who });
    }
  }
  const syncLines = lines.filter((l) => l.path?.startsWith('/api/sync/'));
  const msPrecise = syncLines.filter((l) => l.time % 1000 !== 0).length;
  result.notes.push(
    `${lines.length} log lines, ${syncLines.length} about sync calls (${msPrecise} stamped finer than a second); ` +
      `${lines.filter((l) => identities.some((i) => l.text.includes(i.v))).length} naming a person`,
  );
  return result;
}

// ---- (7) the vault and its changes feed ------------------------------------------------------------

/**
 * The vault's changes feed in stored order: a push writes its vault entries, then one own-log slot.
 * Lined up with the proxy's pushes in time order (one slot per push), each group's entries are that
 * pusher's posts; a vault id that names the public id (vault:<contentId>) links it outright, an opaque
 * one still says which pushes created posts before each batch.
 */
export function vault(h: AttackerHoldings): AttackResult {
  const result = empty('(7) vault feed order and ids');
  const feed = h.dumps.find((d) => d.db === 'vault')?.feed ?? [];
  const isSlot = (row: { id: string; doc?: Record<string, unknown> }) =>
    row.doc?.['type'] === 'own-log' || row.id.startsWith('log:');
  const groups: string[][] = [];
  let current: string[] = [];
  for (const row of feed) {
    if (isSlot(row)) {
      groups.push(current);
      current = [];
    } else if (row.doc?.['type'] === 'vault') current.push(row.id);
  }
  const pushes = h.proxy
    .filter((p) => p.method === 'POST' && p.path === PUSH)
    .sort((a, b) => a.start - b.start);
  const publicIds = new Set(h.batches.flatMap((b) => b.changes.map((c) => c.itemId)));
  // A push that changed nothing (every mutation refused) writes no slot: with d of those, the j-th
  // slot is one of pushes j..j+d, and one big enough to carry its posts.
  const d = pushes.length - groups.length;
  if (d < 0) {
    result.notes.push(`${groups.length} own-log slots against ${pushes.length} pushes: not lined up`);
    return result;
  }
  result.notes.push(
    `${groups.length} own-log slots lined up with ${pushes.length} pushes (${d} without a slot)`,
  );
  const creators = new Set<ProxyEntry>();
  let named = 0;
  groups.forEach((entries, j) => {
    if (entries.length === 0) return;
    const fits = pushes.slice(j, j + d + 1).filter((p) => p.reqBytes >= entries.length * POST_ENVELOPE_BYTES);
    for (const p of fits) creators.add(p);
    const who = emailsOf(fits);
    for (const id of entries) {
      const contentId = id.replace(/^vault:/, '');
      if (publicIds.has(contentId) && who.size > 0) {
        named++;
        result.posts.set(contentId, { candidates: who });
      }
    }
  });
  // Opaque ids: a new post of batch b came from one of the window's pushes that wrote a vault entry.
  for (const b of h.batches) {
    const who = emailsOf(windowPushes(h, b.index).filter((p) => creators.has(p)));
    for (const c of b.changes)
      if (c.type !== 'tally' && c.isNew && !result.posts.has(c.itemId) && who.size > 0)
        result.posts.set(c.itemId, { candidates: who });
  }
  result.notes.push(`${named} vault ids name their public post`);
  return result;
}

// ---- (8) keys found at rest, and (positive control) the linking key given ----------------------

/** Every 64-hex string in the data directory's files (secrets.json and anything like it). */
export function keysAtRest(dataCopy: string): string[] {
  const found = new Set<string>();
  for (const { file, rel } of filesUnder(dataCopy)) {
    if (rel.split(path.sep)[0] === 'db') continue; // database files: the dumps are scanned by (1)
    for (const m of fs.readFileSync(file, 'latin1').match(/\b[0-9a-fA-F]{64}\b/g) ?? [])
      found.add(m.toLowerCase());
  }
  return [...found];
}

/** The server's own key derivation with a given linking key (as configuration names it). */
export function secretsWithKey(secret: string, keyHex: string): Secrets {
  // HUDDLE_LINKING_KEY since issue 7; HUDDLE_VAULT_KEY before (a configuration that does not know
  // the new name drops it).
  const base = { HUDDLE_SECRET: secret, HUDDLE_DATA_DIR: '/nonexistent/data' };
  const config = loadConfig({ ...base, HUDDLE_LINKING_KEY: keyHex });
  const known = config as unknown as Record<string, unknown>;
  return loadSecrets(
    known['linkingKeyHex'] || known['vaultKeyHex']
      ? config
      : loadConfig({ ...base, HUDDLE_VAULT_KEY: keyHex }),
  );
}

/**
 * With the linking key: the vault names every post's author; each person's own log, slot by slot,
 * lines up with that person's pushes in the proxy log, so each vote event has a time, hence a batch.
 */
export async function withLinkingKey(
  h: AttackerHoldings,
  keyHex: string,
  name: string,
): Promise<AttackResult> {
  const result = empty(name);
  const secrets = secretsWithKey(h.secret, keyHex);
  const storage = new PouchStorage({ dataDir: h.dataCopy });
  await storage.init();
  try {
    const emailOf = new Map(h.people.map((p) => [p.accountId, p.email]));
    for (const id of new Set(
      h.batches.flatMap((b) => b.changes.filter((c) => c.type !== 'tally').map((c) => c.itemId)),
    )) {
      const author = await readAuthor({ storage, secrets }, id);
      const email = author && emailOf.get(author.accountId);
      if (email) result.posts.set(id, { candidates: new Set([email]) });
    }
    const slots = new Map(
      (h.dumps.find((d) => d.db === 'vault')?.feed ?? []).map((r) => [r.id, r.doc] as const),
    );
    const batchOf = (t: number) => h.batches.findIndex((b) => b.start >= t);
    const voters = new Map<string, Set<string>>();
    for (const p of h.people) {
      const pushes = h.proxy
        .filter((x) => x.email === p.email && x.method === 'POST' && x.path === PUSH)
        .sort((a, b) => a.start - b.start);
      for (let n = 0; n < pushes.length; n++) {
        const b = batchOf(pushes[n]!.end);
        if (b < 0) continue;
        for (const e of openSlot(secrets, slots.get(ownLogSlotId(secrets, p.accountId, n)))) {
          if (e.t !== 'vote') continue;
          const key = tallyKey(b, e.itemId);
          voters.set(key, new Set([...(voters.get(key) ?? []), p.email]));
        }
      }
    }
    // A vote whose tally the batch did not change (held back, or undone) belongs to a later batch.
    for (const b of h.batches)
      for (const c of b.changes) {
        if (c.type !== 'tally') continue;
        const who = new Set<string>();
        for (let i = 0; i <= b.index; i++)
          for (const p of voters.get(tallyKey(i, c.itemId)) ?? []) who.add(p);
        const exact = voters.get(tallyKey(b.index, c.itemId));
        if (exact && exact.size > 0) result.tallies.set(tallyKey(b.index, c.itemId), { candidates: exact });
        else if (who.size > 0) result.tallies.set(tallyKey(b.index, c.itemId), { candidates: who });
      }
  } finally {
    await storage.close();
  }
  return result;
}

/** One own-log slot's events, opened as the server's own-log.ts seals them (AES-256-GCM, the slot id as AAD). */
function openSlot(secrets: Secrets, doc: Record<string, unknown> | undefined): OwnEvent[] {
  if (!doc || doc['keyId'] !== secrets.vaultKeyId) return [];
  try {
    const decipher = crypto.createDecipheriv(
      'aes-256-gcm',
      secrets.vaultKey,
      new Uint8Array(Buffer.from(String(doc['iv']), 'base64')),
    );
    decipher.setAAD(new Uint8Array(Buffer.from(String(doc['_id']), 'utf8')));
    decipher.setAuthTag(new Uint8Array(Buffer.from(String(doc['tag']), 'base64')));
    const plain = decipher.update(String(doc['ciphertext']), 'base64', 'utf8') + decipher.final('utf8');
    return ownEventSchema.array().parse(JSON.parse(plain));
  } catch {
    return [];
  }
}

/** (8): whatever key material the data directory holds, tried as the linking key. */
export async function keysInDataDir(h: AttackerHoldings): Promise<AttackResult> {
  const name = '(8) key material in the data directory';
  const vaultDocs = (h.dumps.find((d) => d.db === 'vault')?.feed ?? []).filter((r) => r.doc?.['keyId']);
  const keyIds = new Set(vaultDocs.map((r) => String(r.doc!['keyId'])));
  for (const key of keysAtRest(h.dataCopy)) {
    let id: string;
    try {
      id = secretsWithKey(h.secret, key).vaultKeyId;
    } catch {
      continue;
    }
    if (!keyIds.has(id)) continue;
    const result = await withLinkingKey(h, key, name);
    result.notes.push(`the linking key is in the data directory (key id ${id})`);
    return result;
  }
  const result = empty(name);
  result.notes.push('no key in the data directory opens the vault');
  return result;
}
