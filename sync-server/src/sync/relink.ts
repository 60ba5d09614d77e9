/**
 * Stores written before issue 7 kept two kinds of document under ids the linking key did not make:
 * vault entries as `vault:<contentId>` (naming the public post) and push subscriptions as
 * `push-sub:<HMAC(HUDDLE_SECRET, person)>:…` (computable from an account id with HUDDLE_SECRET alone).
 * Votes were `vote:<voter>:<item>` with the voter pseudonym in clear (grouping one person's votes in
 * any backup); they move to `vote:<link('vote', voter, item)>` with the pseudonym sealed. Posts waiting
 * for a batch were `staged:<public id>` in clear; they are sealed under their linking-key id (pending.ts).
 * At start they move to their linking-key ids (keys.ts, web-push.ts) and the old documents are
 * purged (the embedded store keeps a content-free tombstone, stamped with the time of this move, not
 * of the post), so authors keep their posts and devices keep their notices. Idempotent, and safe when
 * several instances run it at once (creates converge; a purge of a gone document is a no-op).
 */
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';
import type { Deps } from '../deps.js';
import { pushSubscriptionPrefix } from '../notify/web-push.js';
import { openAuthor, sealAuthor } from './vault.js';
import { vaultDocId, voteDocId } from './keys.js';
import { sealStaged } from './pending.js';
import { sealValue } from './seal.js';
import { stagedDocSchema } from '../../../shared/src/documents.js';

/** A content id: 22 url-safe characters (keys.ts contentIdFor); linking-key ids are 43. */
const OLD_VAULT_ID = /^vault:[A-Za-z0-9_-]{22}$/;

export async function relinkOldIds(deps: Pick<Deps, 'storage' | 'secrets'>): Promise<{ moved: number }> {
  let moved = 0;
  const vault = deps.storage.db('vault');
  const oldEntries: Array<{ id: string; rev: string }> = [];
  for (const row of await vault.list({ prefix: 'vault:' })) {
    if (!OLD_VAULT_ID.test(row.id)) continue;
    const contentId = row.id.slice('vault:'.length);
    const author = openAuthor(deps, await vault.get(row.id), contentId);
    // Not sealed with this key: leave it (openStoreSecrets refuses a store sealed with another key).
    if (!author) continue;
    if (vaultDocId(deps.secrets, contentId) !== row.id) await vault.create(sealAuthor(deps, author));
    oldEntries.push({ id: row.id, rev: row.rev });
  }
  // One purge (and, in the embedded store, one compaction) for all of them.
  await vault.purgeMany(oldEntries);
  moved += oldEntries.length;

  // Votes written before their pseudonym was sealed: `vote:<voter>:<item>` holding `voter` in clear.
  const votes = deps.storage.db('votes');
  const oldVotes: Array<{ id: string; rev: string }> = [];
  for (const row of await votes.list({ prefix: 'vote:', includeDocs: true })) {
    const { _id: oldId, _rev: _oldRev, voter, ...body } = (row.doc ?? {}) as Record<string, unknown>;
    if (typeof voter !== 'string' || typeof body['itemId'] !== 'string' || oldId !== row.id) continue;
    const id = voteDocId(deps.secrets, voter, body['itemId']);
    await votes.create({ ...body, _id: id, voterSeal: sealValue(deps.secrets, id, voter) });
    oldVotes.push({ id: row.id, rev: row.rev });
  }
  await votes.purgeMany(oldVotes);
  moved += oldVotes.length;

  // Staged posts in clear, under their public id.
  const privateDb = deps.storage.db('private');
  const oldStaged: Array<{ id: string; rev: string }> = [];
  for (const row of await privateDb.list({ prefix: 'staged:', includeDocs: true })) {
    const staged = stagedDocSchema.safeParse(row.doc);
    if (!staged.success) continue; // sealed already
    const { _id: _old, _rev: _rev, ...body } = staged.data;
    const sealed = sealStaged(deps.secrets, body);
    if (!(await privateDb.get(sealed._id))) await privateDb.create(sealed);
    oldStaged.push({ id: row.id, rev: row.rev });
  }
  await privateDb.purgeMany(oldStaged);
  moved += oldStaged.length;

  const accounts = deps.storage.db('accounts');
  const subscriptions = await accounts.list({ prefix: 'push-sub:', includeDocs: true });
  if (subscriptions.length === 0) return { moved };
  const oldPrefixes = new Map<string, string>();
  for (const row of await accounts.list({ prefix: 'account:', includeDocs: true })) {
    const accountId = row.doc?.['accountId'];
    if (typeof accountId !== 'string') continue;
    oldPrefixes.set(
      `push-sub:${deps.secrets.hmac('owner', 'push', accountId)}:`,
      pushSubscriptionPrefix(deps, accountId),
    );
  }
  const oldSubscriptions: Array<{ id: string; rev: string }> = [];
  for (const row of subscriptions) {
    const cut = row.id.lastIndexOf(':') + 1;
    const newPrefix = oldPrefixes.get(row.id.slice(0, cut));
    if (!newPrefix || !row.doc) continue;
    const { _id: _old, _rev: _rev, ...body } = row.doc;
    await accounts.create({
      ...body,
      schemaVersion: body['schemaVersion'] ?? SCHEMA_VERSION,
      _id: newPrefix + row.id.slice(cut),
    });
    oldSubscriptions.push({ id: row.id, rev: row.rev });
  }
  await accounts.purgeMany(oldSubscriptions);
  return { moved: moved + oldSubscriptions.length };
}
