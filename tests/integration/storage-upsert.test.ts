/** upsert: read-modify-write that survives concurrent writers (retries on conflict), on the embedded store. */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PouchStorage } from '../../sync-server/src/storage/pouch-adapter.js';
import { upsert } from '../../sync-server/src/storage/upsert.js';
import { makeTempDir } from '../support/test-server.js';

describe('upsert', () => {
  const dir = makeTempDir('huddle-upsert-');
  const storage = new PouchStorage({ dataDir: dir });
  afterAll(async () => {
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lands every one of several concurrent read-modify-writes', async () => {
    const db = storage.db('private');
    const bump = () =>
      upsert<{ _id: string; n: number }>(db, 'counter', (existing) => ({ n: (existing?.n ?? 0) + 1 }), 20);
    await Promise.all(Array.from({ length: 5 }, bump));
    expect((await db.get<{ _id: string; n: number }>('counter'))?.n).toBe(5);
  });

  it('writes nothing when the new body is undefined', async () => {
    const db = storage.db('private');
    const before = (await db.get('counter'))?._rev;
    expect(await upsert(db, 'counter', () => undefined)).toBe('unchanged');
    expect((await db.get('counter'))?._rev).toBe(before);
  });
});
