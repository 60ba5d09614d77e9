/**
 * The staff roster as the detector sees it: a lookup "is this word part of a colleague's
 * name?". Two forms with one interface:
 * - on the server, a plain set of folded name tokens built from the accounts (never sent);
 * - on devices, a SALTED HASH SET: truncated SHA-256 of `salt:token`, so the roster never
 *   reaches a client in clear and cannot be read back as a list of names.
 *
 * Trade-off (see README "Warnings about identifying people"): anyone with a session and the
 * salt can still test a guessed name against the set (a dictionary attack), as any offline
 * check must allow; what the hashing prevents is reading, copying or indexing the roster.
 * Hashes are truncated to 32 bits to keep the payload small (11 bytes of JSON per token); with
 * N tokens a word that is not a name matches by chance with probability N / 2^32 (1 in
 * 280,000 for 15,000 tokens), which is far below the detector's other false alarms.
 * Tokens shorter than 3 letters are left out: they are initials and would match too much.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { foldToken } from './normalize.js';

export const ROSTER_HASH_HEX_CHARS = 8;
export const ROSTER_MIN_TOKEN_LENGTH = 3;

export interface RosterLookup {
  /** True when the folded token (see foldToken) is part of someone's name. */
  has(foldedToken: string): boolean;
}

export interface RosterHashSet {
  salt: string;
  hashes: string[];
}

/** The name tokens of one person's name: "Anne-Marie O'Neill" -> annemarie, anne, marie, oneill. */
export function nameTokens(name: string): string[] {
  const out = new Set<string>();
  for (const word of name.split(/[\s,.]+/)) {
    const whole = foldToken(word);
    if (whole.length >= ROSTER_MIN_TOKEN_LENGTH) out.add(whole);
    if (word.includes('-'))
      for (const part of word.split('-')) {
        const folded = foldToken(part);
        if (folded.length >= ROSTER_MIN_TOKEN_LENGTH) out.add(folded);
      }
  }
  return [...out];
}

export function hashRosterToken(salt: string, foldedToken: string): string {
  return bytesToHex(sha256(utf8ToBytes(`${salt}:${foldedToken}`))).slice(0, ROSTER_HASH_HEX_CHARS);
}

/** The set sent to devices: sorted, so it reveals nothing about the order of the accounts. */
export function buildRosterHashSet(salt: string, names: Iterable<string>): RosterHashSet {
  const hashes = new Set<string>();
  for (const name of names) for (const token of nameTokens(name)) hashes.add(hashRosterToken(salt, token));
  return { salt, hashes: [...hashes].sort() };
}

/** Server side: names in clear, never leaving the process. */
export function plainRoster(names: Iterable<string>): RosterLookup {
  const tokens = new Set<string>();
  for (const name of names) for (const token of nameTokens(name)) tokens.add(token);
  return { has: (token) => tokens.has(token) };
}

/** Device side: the salted hash set; each word is hashed once and remembered (runs per keystroke). */
export function hashedRoster(set: RosterHashSet): RosterLookup {
  const hashes = new Set(set.hashes);
  const memo = new Map<string, boolean>();
  return {
    has(token) {
      if (token.length < ROSTER_MIN_TOKEN_LENGTH) return false;
      let hit = memo.get(token);
      if (hit === undefined) {
        hit = hashes.has(hashRosterToken(set.salt, token));
        if (memo.size > 5000) memo.clear();
        memo.set(token, hit);
      }
      return hit;
    },
  };
}
