/**
 * The staff roster for the identifying-text detector, read from the account names in the
 * PRIVATE database. The server keeps the names in clear for its own checks (flags.ts) and
 * gives devices only a salted hash set (roster-routes.ts). The salt is per deployment,
 * derived from the server secret, so two deployments' sets cannot be compared.
 * Both are cached in this process for a minute: a new invite shows up within that time,
 * and nothing correct depends on the cache (another instance simply builds its own).
 */
import type { AccountDoc } from '../../../shared/src/documents.js';
import {
  buildRosterHashSet,
  plainRoster,
  type RosterHashSet,
  type RosterLookup,
} from '../../../shared/src/text/roster.js';
import type { Deps } from '../deps.js';

const TTL_MS = 60_000;

export type RosterDeps = Pick<Deps, 'storage' | 'secrets' | 'now'>;

interface Cached {
  at: number;
  lookup: RosterLookup;
  hashSet: RosterHashSet;
}

const cache = new WeakMap<object, Cached>();

/** The per-deployment salt sent with the hash set (public by design: it only makes sets incomparable). */
export const rosterSalt = (deps: Pick<Deps, 'secrets'>) => deps.secrets.hmac('roster', 'salt').slice(0, 22);

export async function loadStaffNames(deps: Pick<Deps, 'storage'>): Promise<string[]> {
  const rows = await deps.storage.db('accounts').list({ prefix: 'account:', includeDocs: true });
  const names: string[] = [];
  for (const row of rows) {
    const doc = row.doc as Partial<AccountDoc> | undefined;
    if (doc?.type === 'account' && typeof doc.name === 'string' && doc.name.trim() !== '')
      names.push(doc.name);
  }
  return names;
}

async function roster(deps: RosterDeps): Promise<Cached> {
  const now = deps.now().getTime();
  const hit = cache.get(deps.storage);
  if (hit && now - hit.at < TTL_MS && now >= hit.at) return hit;
  const names = await loadStaffNames(deps);
  const fresh = { at: now, lookup: plainRoster(names), hashSet: buildRosterHashSet(rosterSalt(deps), names) };
  cache.set(deps.storage, fresh);
  return fresh;
}

/** Names in clear, for the server's own checks only: never send this anywhere. */
export async function rosterLookup(deps: RosterDeps): Promise<RosterLookup> {
  return (await roster(deps)).lookup;
}

export async function rosterHashSet(deps: RosterDeps): Promise<RosterHashSet> {
  return (await roster(deps)).hashSet;
}

/** Forget the cached roster (after an invite import, or in tests). */
export function forgetRoster(deps: Pick<Deps, 'storage'>): void {
  cache.delete(deps.storage);
}
