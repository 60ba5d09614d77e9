/**
 * Keeps the staff roster's salted hash set (GET /api/text/roster-hashes) in the `meta` table
 * under 'rosterHashes', so the naming warning works offline. Logging out deletes the whole
 * database, hash set included. No schema change: `meta` is a key-value table.
 */
import { ApiError, NetworkError, type ApiClient } from './api-client.js';
import { getMeta, setMeta, type HuddleDb } from './db.js';

/** How long a fetched hash set is used before asking again (new staff appear slowly). */
export const ROSTER_REFRESH_MS = 6 * 60 * 60 * 1000;

/**
 * Fetches the hash set when there is none or it is old. Failures keep the old set (or none:
 * the detector still works on titles, first names and capitalised words).
 */
export async function refreshRosterHashes(db: HuddleDb, api: ApiClient, now = new Date()): Promise<boolean> {
  const current = await getMeta(db, 'rosterHashes');
  if (current && now.getTime() - Date.parse(current.fetchedAt) < ROSTER_REFRESH_MS) return false;
  try {
    const { salt, hashes } = await api.rosterHashes();
    await setMeta(db, 'rosterHashes', { salt, hashes, fetchedAt: now.toISOString() });
    return true;
  } catch (err) {
    if (err instanceof NetworkError || err instanceof ApiError) return false;
    throw err;
  }
}
