/**
 * The roster hash set: devices get salted, truncated hashes of name tokens, never the
 * names; the same token matches however it is written (case, accents); another salt
 * gives other hashes.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildRosterHashSet,
  hashedRoster,
  hashRosterToken,
  nameTokens,
  plainRoster,
  ROSTER_HASH_HEX_CHARS,
} from '../../shared/src/text/roster.js';
import { detectIdentifyingText } from '../../shared/src/text/detector.js';

const names = ['Agnieszka Wiśniewska', "Anne-Marie O'Neill", 'Jo Li'];

describe('roster hash set', () => {
  it('never contains a name token in clear, only fixed-length hex hashes, sorted', () => {
    const set = buildRosterHashSet('salt-1', names);
    const json = JSON.stringify(set).toLowerCase();
    for (const token of names.flatMap(nameTokens)) expect(json).not.toContain(token);
    expect(json).not.toMatch(/wi.niewska|neill|agnieszka/);
    for (const h of set.hashes) expect(h).toMatch(new RegExp(`^[0-9a-f]{${ROSTER_HASH_HEX_CHARS}}$`));
    expect([...set.hashes].sort()).toEqual(set.hashes);
  });

  it('splits names into tokens of 3+ letters, accents folded, hyphen parts kept', () => {
    expect(nameTokens("Anne-Marie O'Neill")).toEqual(['annemarie', 'anne', 'marie', 'oneill']);
    expect(nameTokens('Jo Li')).toEqual([]);
    expect(nameTokens('Agnieszka Wiśniewska')).toEqual(['agnieszka', 'wisniewska']);
  });

  it('matches on the device exactly what the plain roster matches on the server', () => {
    const device = hashedRoster(buildRosterHashSet('salt-1', names));
    const server = plainRoster(names);
    for (const token of ['wisniewska', 'oneill', 'marie', 'anne', 'smith', 'jo', 'li'])
      expect(device.has(token), token).toBe(server.has(token));
    const text = 'Thanks to agnieszka WIŚNIEWSKA for covering';
    expect(detectIdentifyingText(text, { roster: device })).toEqual(
      detectIdentifyingText(text, { roster: server }),
    );
  });

  it('depends on the salt: another deployment gets other hashes', () => {
    expect(hashRosterToken('a', 'smith')).not.toBe(hashRosterToken('b', 'smith'));
    expect(buildRosterHashSet('a', names).hashes).not.toEqual(buildRosterHashSet('b', names).hashes);
  });

  it('keeps the set small enough to send: at most 12 bytes of JSON per token for the 60-person dev roster', () => {
    const csv = fs.readFileSync('tests/fixtures/staff-roster.dev.csv', 'utf8').split('\n').slice(1);
    const set = buildRosterHashSet(
      's',
      csv.filter(Boolean).map((l) => l.split(',')[0]!),
    );
    expect(set.hashes.length).toBeGreaterThan(100);
    expect(JSON.stringify(set).length).toBeLessThan(set.hashes.length * 12);
  });
});
