/** Shared ward computers: one person's unsent changes are never deleted silently by the next person. */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { HuddleDb, setMeta } from '../../../pwa/src/data/db.js';
import { vote } from '../../../pwa/src/data/actions.js';
import { unsentForOtherPerson } from '../../../pwa/src/data/session.js';
import { publicId } from './fake-sync-server.js';

const dbs: HuddleDb[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

describe('logging in as someone else on a device with unsent changes', () => {
  it('counts the previous person’s unsent changes, so the login screen can ask before deleting them', async () => {
    const db = new HuddleDb(`shared-${crypto.randomUUID()}`);
    dbs.push(db);
    await setMeta(db, 'person', { email: 'night.nurse@trust.example', roles: ['participant'] });
    const conversationId = publicId();
    await vote(db, { conversationId, itemKind: 'idea', itemId: publicId(), value: 'like' });
    await vote(db, { conversationId, itemKind: 'idea', itemId: publicId(), value: 'dislike' });

    expect(await unsentForOtherPerson(db, 'day.porter@trust.example')).toBe(2);
    // The same person (any case, stray spaces) is not "someone else".
    expect(await unsentForOtherPerson(db, '  Night.Nurse@Trust.example ')).toBe(0);
  });

  it('has nothing to warn about on a fresh device or once everything is sent', async () => {
    const db = new HuddleDb(`shared-${crypto.randomUUID()}`);
    dbs.push(db);
    expect(await unsentForOtherPerson(db, 'anyone@trust.example')).toBe(0);
    await setMeta(db, 'person', { email: 'night.nurse@trust.example', roles: ['participant'] });
    expect(await unsentForOtherPerson(db, 'day.porter@trust.example')).toBe(0);
  });
});
