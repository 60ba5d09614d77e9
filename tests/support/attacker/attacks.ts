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
import { openPendingVote, openStaged } from '../../../sync-server/src/sync/pending.js';
import type { StoredDoc } from '../../../sync-server/src/storage/port.js';
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

/**
 * Pushes that may have carried what batch b published of an existing post (an edit, a withdrawal).
 * Those go out once a day (releaser.ts, EditPolicy: the first release after the notice time), and the
 * code is public: such a change may have been pushed any time since the last batch that published
 * changes to existing posts, not just since the batch before b.
 */
export function changeWindowPushes(h: AttackerHoldings, b: number): ProxyEntry[] {
  let previous = -1;
  for (let i = b - 1; i >= 0; i--)
    if (h.batches[i]!.changes.some((c) => c.type !== 'tally' && !c.isNew)) {
      previous = i;
      break;
    }
  const from = previous < 0 ? -Infinity : h.batches[previous]!.start;
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
      let pushes = o.isNew ? windowPushes(h, o.batch) : changeWindowPushes(h, o.batch);
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
 * Lined up with the proxy's pushes in time order (one slot per push), each group's entries would be that
 * pusher's posts; a vault id that names the public id (vault:<contentId>) links it outright, an opaque
 * one would still say which pushes created posts before each batch. The releaser rewrites every released
 * post's entry with its batch and compacts the vault (releaser.ts, moveVaultEntries), and the code is
 * public: a rewritten entry (revision 2 or later) sits with its batch, whose contents are public anyway,
 * so only entries still at their first revision are taken as a push's posts; the ids are checked either
 * way.
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
    } else if (row.doc?.['type'] === 'vault' && row.revs.every((rev) => rev.startsWith('1-')))
      current.push(row.id); // a rewritten entry sits at its batch's release, not after its push
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
    // Every vote a person sent (own-log events), with when its push was answered.
    const sent: Array<{ email: string; itemId: string; at: number }> = [];
    for (const p of h.people) {
      const pushes = h.proxy
        .filter((x) => x.email === p.email && x.method === 'POST' && x.path === PUSH)
        .sort((a, b) => a.start - b.start);
      for (let n = 0; n < pushes.length; n++)
        for (const e of openSlot(secrets, slots.get(ownLogSlotId(secrets, p.accountId, n))))
          if (e.t === 'vote') sent.push({ email: p.email, itemId: e.itemId, at: pushes[n]!.end });
    }
    // A tally change publishes the votes on its item sent since the item's previous tally change
    // (votes wait for k voters, so not necessarily since the previous batch).
    const lastChange = new Map<string, number>();
    for (const b of h.batches)
      for (const c of b.changes) {
        if (c.type !== 'tally') continue;
        const since = lastChange.get(c.itemId) ?? 0;
        const who = new Set(
          sent.filter((v) => v.itemId === c.itemId && v.at > since && v.at <= b.start).map((v) => v.email),
        );
        if (who.size > 0) result.tallies.set(tallyKey(b.index, c.itemId), { candidates: who });
        lastChange.set(c.itemId, b.start);
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

// ---- (9) nightly backups taken while batches wait ------------------------------------------------

/**
 * (9) A backup of the private database taken at night while the night's contributions wait for k
 * people, lined up with the proxy log. Whatever waits was sent after the last batch that published its
 * kind (posts wait for k authors, votes for k voters, and each kind goes out whole): at night, often by
 * one device. If a waiting document can be read — a staged post naming its public id, a flag naming
 * a post not yet public, a pending vote naming its item — its post or vote is linked to those few
 * devices. Edits and withdrawals of published posts are left out (they wait for the daily gate, a
 * window this attack does not model). Given the linking key (the positive control), the sealed waiting
 * documents open, and the same attack links.
 */
export function midBatchBackups(h: AttackerHoldings, keyHex?: string): AttackResult {
  const result = empty(
    keyHex
      ? 'positive control (9): backups opened with the linking key'
      : '(9) mid-batch backups vs proxy log',
  );
  const secrets = keyHex ? secretsWithKey(h.secret, keyHex) : undefined;
  const pushes = h.proxy.filter((p) => p.method === 'POST' && p.path === PUSH);
  const publishedBy = (t: number) =>
    new Set(h.batches.filter((b) => b.end < t).flatMap((b) => b.changes.map((c) => c.itemId)));
  const lastBatchEnd = (t: number, isKind: (c: Batch['changes'][number]) => boolean) =>
    Math.max(0, ...h.batches.filter((b) => b.end < t && b.changes.some(isKind)).map((b) => b.end));
  const link = (map: Map<string, Guess>, key: string, who: Set<string>) => {
    const had = map.get(key);
    map.set(key, { candidates: had ? intersect(had.candidates, who) : who });
  };
  let readable = 0;
  let waiting = 0;
  for (const backup of h.backups) {
    const published = publishedBy(backup.at);
    const sentSince = (since: number) => emailsOf(pushes.filter((p) => p.start > since && p.end < backup.at));
    const postWho = sentSince(lastBatchEnd(backup.at, (c) => c.type !== 'tally'));
    const voteSince = lastBatchEnd(backup.at, (c) => c.type === 'tally');
    for (const row of backup.privateFeed) {
      if (row.isDeleted || !row.doc) continue;
      const doc = row.doc as StoredDoc;
      let postId: string | undefined;
      let voteItem: string | undefined;
      if (row.id.startsWith('staged:')) {
        waiting++;
        const clear = (doc as { doc?: { id?: unknown } }).doc?.id;
        postId = typeof clear === 'string' ? clear : secrets && openStaged(secrets, doc)?.doc.id;
      } else if (row.id.startsWith('pending-vote:')) {
        waiting++;
        voteItem = secrets && openPendingVote(secrets, doc)?.itemId;
      } else if (row.id.startsWith('flag:') && typeof doc['contentId'] === 'string') {
        postId = doc['contentId'];
      }
      if (postId && !published.has(postId)) {
        readable++;
        if (postWho.size > 0) link(result.posts, postId, postWho);
      }
      if (voteItem) {
        readable++;
        // Its vote is published with the item's next tally change after the backup.
        const next = h.batches.find(
          (b) => b.start > backup.at && b.changes.some((c) => c.type === 'tally' && c.itemId === voteItem),
        );
        // A tally guess must hold every voter of the change: all who pushed until that release.
        const who = next && emailsOf(pushes.filter((p) => p.start > voteSince && p.end < next.start));
        if (next && who && who.size > 0) link(result.tallies, tallyKey(next.index, voteItem), who);
      }
    }
  }
  result.notes.push(
    `${h.backups.length} night backups; ${waiting} waiting documents in them, ${readable} readable`,
  );
  return result;
}
