/**
 * The storage contract: what every adapter of sync-server/src/storage/port.ts must do, run
 * against the embedded PouchDB store and against CouchDB through nano (express-pouchdb here,
 * a real CouchDB when COUCHDB_URL is set). The server relies on exactly these semantics:
 * conflicts as errors, per-document bulk results, opaque change cursors that resume exactly,
 * grouped tallies from a built-in reducer, and purge that forgets old revision bodies.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { voteDocSchema, type VoteDoc, type VoteValue } from '../../shared/src/documents.js';
import { SCHEMA_VERSION } from '../../shared/src/protocol.js';
import {
  ConflictError,
  type DbName,
  type DocStore,
  type Storage,
} from '../../sync-server/src/storage/port.js';

export interface ContractBackend {
  /** A storage on a fresh, empty backend, not yet init()ed. */
  storage: Storage;
  /** Another Storage on the same backend, as a second server instance would open it. */
  sibling(): Storage;
  /** Reads one revision straight from the backend, bypassing the port: undefined when gone. */
  readRevision(db: DbName, id: string, rev: string): Promise<unknown>;
  /**
   * Writes a second leaf revision of an existing document straight into the backend (what two cluster
   * nodes each accepting a write leave behind), answering its rev.
   */
  writeConflict(db: DbName, id: string, body: Record<string, unknown>): Promise<string>;
  /** Closes the storage and its siblings and deletes the backend's data. */
  cleanup(): Promise<void>;
  /**
   * A CouchDB cluster: a write is acknowledged once a quorum of copies has it, and `_changes` and
   * views answer from one copy per shard, so they show a write only once the copies have caught
   * up (internal replication, within a second or two). Documents read by id are read from a
   * quorum and see every acknowledged write at once, as on a single node.
   */
  hasLaggingReads?: boolean;
}

const CONVERSATION = 'conversation-0001-abcdef';

function vote(voter: string, itemId: string, value: VoteValue): VoteDoc {
  return voteDocSchema.parse({
    _id: `vote:${voter}:${itemId}`,
    schemaVersion: SCHEMA_VERSION,
    type: 'vote',
    // The storage contract does not open it: any sealed-shaped value will do.
    voterSeal: { keyId: 'contract', iv: voter, tag: 'tag', ciphertext: 'sealed' },
    conversationId: CONVERSATION,
    itemId,
    itemKind: 'idea',
    value,
  });
}

async function allChanges(store: DocStore, since?: string): Promise<string[]> {
  const page = await store.changes({ ...(since !== undefined ? { since } : {}) });
  return page.results.map((r) => r.id);
}

const sorted = (ids: string[]) => [...ids].sort();

export function runStorageContract(label: string, make: () => Promise<ContractBackend>): void {
  describe(`storage contract: ${label}`, () => {
    const backends: ContractBackend[] = [];

    let hasLaggingReads = false;
    /** A fresh backend; its storage is init()ed unless asked not to. */
    async function start(options: { init?: boolean } = {}): Promise<ContractBackend> {
      const backend = await make();
      backends.push(backend);
      hasLaggingReads = backend.hasLaggingReads ?? false;
      if (options.init ?? true) await backend.storage.init();
      return backend;
    }

    /**
     * Reads of changes and views right after writes: at once, or on a cluster as soon as the
     * copies have caught up (hasLaggingReads). The assertions are the same either way.
     */
    const settled = (check: () => Promise<void>): Promise<void> =>
      hasLaggingReads ? vi.waitFor(check, { timeout: 30_000, interval: 250 }) : check();

    afterEach(async () => {
      const done = backends.splice(0);
      for (const backend of done) await backend.cleanup();
    });

    describe('documents', () => {
      it('a missing document reads as undefined', async () => {
        const { storage } = await start();
        expect(await storage.db('public').get('idea:nope')).toBeUndefined();
        expect(await storage.db('private').get('account:nope')).toBeUndefined();
      });

      it('create writes once; a second create answers exists and keeps the first content', async () => {
        const db = (await start()).storage.db('private');
        expect(await db.create({ _id: 'receipt:1', outcome: 'first' })).toBe('created');
        expect(await db.create({ _id: 'receipt:1', outcome: 'second' })).toBe('exists');
        expect((await db.get('receipt:1'))?.['outcome']).toBe('first');
        // A _rev passed to create is ignored: it is a create, not an update.
        expect(await db.create({ _id: 'receipt:2', _rev: '1-abc', outcome: 'x' })).toBe('created');
      });

      it('put with the current rev updates the document', async () => {
        const db = (await start()).storage.db('public');
        const first = await db.put({ _id: 'idea:a', title: 'one' });
        expect(first.id).toBe('idea:a');
        const second = await db.put({ _id: 'idea:a', _rev: first.rev, title: 'two' });
        expect(second.rev).not.toBe(first.rev);
        const read = await db.get('idea:a');
        expect(read).toMatchObject({ _id: 'idea:a', _rev: second.rev, title: 'two' });
      });

      it('a stale or missing rev is refused with ConflictError and changes nothing', async () => {
        const db = (await start()).storage.db('public');
        const first = await db.put({ _id: 'idea:a', title: 'one' });
        const second = await db.put({ _id: 'idea:a', _rev: first.rev, title: 'two' });
        const stale = db.put({ _id: 'idea:a', _rev: first.rev, title: 'stale' });
        await expect(stale).rejects.toBeInstanceOf(ConflictError);
        await expect(db.put({ _id: 'idea:a', title: 'no rev' })).rejects.toMatchObject({ status: 409 });
        expect(await db.get('idea:a')).toMatchObject({ _rev: second.rev, title: 'two' });
      });

      it('remove with the current rev deletes; with a stale rev it is a ConflictError', async () => {
        const db = (await start()).storage.db('public');
        const first = await db.put({ _id: 'idea:a', title: 'one' });
        const second = await db.put({ _id: 'idea:a', _rev: first.rev, title: 'two' });
        await expect(db.remove('idea:a', first.rev)).rejects.toBeInstanceOf(ConflictError);
        expect(await db.get('idea:a')).toBeDefined();
        await db.remove('idea:a', second.rev);
        expect(await db.get('idea:a')).toBeUndefined();
        // Once deleted, the id can be created again.
        expect(await db.create({ _id: 'idea:a', title: 'again' })).toBe('created');
      });

      it('bulkPut answers per document: a conflict does not stop the others', async () => {
        const db = (await start()).storage.db('public');
        const old = await db.put({ _id: 'idea:b', n: 1 });
        await db.put({ _id: 'idea:b', _rev: old.rev, n: 2 });
        await db.put({ _id: 'idea:c', n: 1 });
        const results = await db.bulkPut([
          { _id: 'idea:new', n: 1 },
          { _id: 'idea:b', _rev: old.rev, n: 99 },
          { _id: 'idea:c', n: 99 },
          { _id: 'idea:other', n: 1 },
        ]);
        expect(results.map((r) => r.id)).toEqual(['idea:new', 'idea:b', 'idea:c', 'idea:other']);
        expect(results[0]).toMatchObject({ rev: expect.any(String) });
        expect(results[0]?.error).toBeUndefined();
        expect(results[1]?.error).toBe('conflict');
        expect(results[2]?.error).toBe('conflict');
        expect(results[3]).toMatchObject({ rev: expect.any(String) });
        expect((await db.get('idea:new'))?.['n']).toBe(1);
        expect((await db.get('idea:other'))?.['_rev']).toBe(results[3]?.rev);
        expect((await db.get('idea:b'))?.['n']).toBe(2);
        expect((await db.get('idea:c'))?.['n']).toBe(1);
        expect(await db.bulkPut([])).toEqual([]);
      });
    });

    describe('list', () => {
      it('list by prefix answers matching ids in id order; deleted documents vanish', async () => {
        const db = (await start()).storage.db('public');
        for (const id of ['idea:c', 'idea:a', 'comment:a', 'idea;z', 'idea', 'ideas:x'])
          await db.put({ _id: id, id });
        const b = await db.put({ _id: 'idea:b', id: 'idea:b' });
        expect((await db.list({ prefix: 'idea:' })).map((r) => r.id)).toEqual(['idea:a', 'idea:b', 'idea:c']);
        await db.remove('idea:b', b.rev);
        // On a cluster a read may reach a shard copy that has not seen the removal yet.
        await settled(async () => {
          const rows = await db.list({ prefix: 'idea:', includeDocs: true });
          expect(rows.map((r) => r.id)).toEqual(['idea:a', 'idea:c']);
          expect(rows[0]?.doc).toMatchObject({ _id: 'idea:a', id: 'idea:a' });
          expect(rows[0]?.rev).toBe((await db.get('idea:a'))?._rev);
        });
        expect((await db.list({ prefix: 'idea:' }))[0]?.doc).toBeUndefined();
        expect((await db.list({ prefix: 'idea:', limit: 1 })).map((r) => r.id)).toEqual(['idea:a']);
      });

      it('list by keys answers the existing ones, skipping missing and deleted ids', async () => {
        const db = (await start()).storage.db('private');
        await db.put({ _id: 'draft:1', text: 'one' });
        await db.put({ _id: 'draft:3', text: 'three' });
        const gone = await db.put({ _id: 'draft:gone', text: 'x' });
        await db.remove('draft:gone', gone.rev);
        const keys = ['draft:3', 'draft:missing', 'draft:1', 'draft:gone'];
        const rows = await db.list({ keys, includeDocs: true });
        expect(sorted(rows.map((r) => r.id))).toEqual(['draft:1', 'draft:3']);
        expect(rows.find((r) => r.id === 'draft:3')?.doc).toMatchObject({ text: 'three' });
        const bare = await db.list({ keys });
        expect(bare.every((r) => r.doc === undefined && typeof r.rev === 'string')).toBe(true);
        expect(await db.list({ keys: [] })).toEqual([]);
      });
    });

    describe('changes', () => {
      it('a since cursor answers only the changes made after it', async () => {
        const db = (await start()).storage.db('public');
        const a = await db.put({ _id: 'idea:a' });
        await db.put({ _id: 'idea:b' });
        let first = await db.changes({});
        await settled(async () => {
          first = await db.changes({});
          expect(sorted(first.results.map((r) => r.id))).toEqual(['idea:a', 'idea:b']);
        });
        expect(first.results.every((r) => typeof r.seq === 'string')).toBe(true);
        expect(typeof first.lastSeq).toBe('string');
        await db.put({ _id: 'idea:c' });
        await db.put({ _id: 'idea:a', _rev: a.rev, edited: true });
        let later = first;
        await settled(async () => {
          later = await db.changes({ since: first.lastSeq });
          expect(sorted(later.results.map((r) => r.id))).toEqual(['idea:a', 'idea:c']);
        });
        expect((await db.changes({ since: later.lastSeq })).results).toEqual([]);
      });

      it('paging with limit resumes exactly: no change lost, none repeated', async () => {
        const db = (await start()).storage.db('public');
        const ids = Array.from({ length: 8 }, (_, i) => `idea:${String(i).padStart(2, '0')}`);
        await db.bulkPut(ids.map((id) => ({ _id: id })));
        const seen: string[] = [];
        let since: string | undefined;
        let pages = 0;
        // On a cluster, later changes may show up on later reads: the cursor must resume exactly.
        await settled(async () => {
          for (;;) {
            const page = await db.changes({ limit: 3, ...(since !== undefined ? { since } : {}) });
            if (page.results.length === 0) break;
            expect(page.results.length).toBeLessThanOrEqual(3);
            seen.push(...page.results.map((r) => r.id));
            since = page.lastSeq;
            pages += 1;
            expect(pages).toBeLessThan(10);
          }
          expect(sorted(seen)).toEqual(ids);
        });
        expect(pages).toBeGreaterThanOrEqual(3);
      });

      it('a deletion comes through as a change flagged deleted', async () => {
        const db = (await start()).storage.db('public');
        const x = await db.put({ _id: 'idea:x' });
        let before = await db.updateSeq();
        await settled(async () => {
          before = await db.updateSeq();
          expect(await allChanges(db, before)).toEqual([]);
        });
        await db.remove('idea:x', x.rev);
        let page = await db.changes({ since: before, includeDocs: true });
        await settled(async () => {
          page = await db.changes({ since: before, includeDocs: true });
          expect(page.results).toHaveLength(1);
          expect(page.results[0]).toMatchObject({ id: 'idea:x', deleted: true });
        });
        await db.put({ _id: 'idea:y' });
        await settled(async () => {
          const next = await db.changes({ since: page.lastSeq });
          expect(next.results).toEqual([expect.objectContaining({ id: 'idea:y', deleted: false })]);
        });
      });

      it('changes with includeDocs carry the document bodies', async () => {
        const db = (await start()).storage.db('public');
        await db.put({ _id: 'idea:a', title: 'hello' });
        await settled(async () => {
          const withDocs = await db.changes({ includeDocs: true });
          expect(withDocs.results[0]?.doc).toMatchObject({ _id: 'idea:a', title: 'hello' });
        });
        const without = await db.changes({});
        expect(without.results[0]?.doc).toBeUndefined();
      });

      it('a cursor is an opaque string that survives a JSON round trip', async () => {
        const db = (await start()).storage.db('public');
        await db.put({ _id: 'idea:a' });
        await db.put({ _id: 'idea:b' });
        let page = await db.changes({});
        await settled(async () => {
          page = await db.changes({});
          expect(page.results).toHaveLength(2);
        });
        const wire = JSON.parse(JSON.stringify({ cursor: page.lastSeq, rowSeq: page.results[0]?.seq })) as {
          cursor: unknown;
          rowSeq: unknown;
        };
        expect(typeof wire.cursor).toBe('string');
        await db.put({ _id: 'idea:c' });
        await settled(async () => {
          expect(await allChanges(db, wire.cursor as string)).toEqual(['idea:c']);
          // A row's seq resumes right after that row.
          const afterFirst = await allChanges(db, wire.rowSeq as string);
          expect(afterFirst).not.toContain(page.results[0]?.id);
          expect(sorted(afterFirst)).toEqual(
            sorted(['idea:a', 'idea:b', 'idea:c'].filter((id) => id !== page.results[0]?.id)),
          );
        });
      });

      it('updateSeq moves after a write and is accepted as since', async () => {
        const db = (await start()).storage.db('public');
        const before = await db.updateSeq();
        expect(typeof before).toBe('string');
        await db.put({ _id: 'idea:a' });
        let after = before;
        await settled(async () => {
          after = await db.updateSeq();
          expect(after).not.toBe(before);
          expect(await allChanges(db, before)).toEqual(['idea:a']);
          expect(await allChanges(db, after)).toEqual([]);
        });
        await db.put({ _id: 'idea:b' });
        await settled(async () => expect(await allChanges(db, after)).toEqual(['idea:b']));
      });
    });

    describe('views', () => {
      it('tally/byItem sums [likes, dislikes] per item, grouped, from vote documents', async () => {
        const votes = (await start()).storage.db('votes');
        const itemA = 'idea-aaaaaaaaaaaaaaaa';
        const itemB = 'idea-bbbbbbbbbbbbbbbb';
        const itemC = 'idea-cccccccccccccccc';
        const results = await votes.bulkPut([
          vote('voter1', itemA, 'like'),
          vote('voter2', itemA, 'like'),
          vote('voter3', itemA, 'dislike'),
          vote('voter1', itemB, 'dislike'),
          vote('voter2', itemC, 'none'),
          // Not a vote: ignored by the view.
          { _id: 'other:1', type: 'other', itemId: itemA, value: 'like' },
        ]);
        expect(results.every((r) => r.error === undefined)).toBe(true);
        const tally = async (options: { keys?: string[] } = {}) =>
          Object.fromEntries(
            (await votes.query('tally/byItem', { group: true, ...options })).map((r) => [r.key, r.value]),
          );
        await settled(async () =>
          expect(await tally()).toEqual({ [itemA]: [2, 1], [itemB]: [0, 1], [itemC]: [0, 0] }),
        );
        expect(await tally({ keys: [itemB] })).toEqual({ [itemB]: [0, 1] });

        // Changing and withdrawing votes moves the tally: no counters, the reducer recomputes.
        const v2 = await votes.get(`vote:voter2:${itemA}`);
        await votes.put({ ...v2!, value: 'dislike' });
        const v3 = await votes.get(`vote:voter3:${itemA}`);
        await votes.remove(v3!._id, v3!._rev);
        await settled(async () => expect(await tally({ keys: [itemA] })).toEqual({ [itemA]: [1, 1] }));

        const rows = await votes.query('tally/byItem', { reduce: false, keys: [itemA] });
        expect(rows).toHaveLength(2);
        expect(sorted(rows.map((r) => JSON.stringify(r.value)))).toEqual(['[0,1]', '[1,0]']);
      });
    });

    describe('conflicting revisions', () => {
      it('list shows the other leaves in _conflicts when asked, and getRevisions reads them', async () => {
        const { storage, writeConflict } = await start();
        const db = storage.db('private');
        await db.put({ _id: 'draft:c', type: 'draft', body: 'phone text' });
        const other = await writeConflict('private', 'draft:c', { type: 'draft', body: 'desk text' });
        const [row] = await db.list({ keys: ['draft:c'], includeDocs: true, conflicts: true });
        const winner = row!.doc!;
        const conflicts = winner['_conflicts'] as string[];
        expect(conflicts).toHaveLength(1);
        const losers = await db.getRevisions('draft:c', conflicts);
        expect([winner['body'], ...losers.map((d) => d['body'])].sort()).toEqual(['desk text', 'phone text']);
        expect(conflicts[0] === other || row!.rev === other).toBe(true);
        // Without the flag nothing changes for callers that do not care.
        const [plain] = await db.list({ keys: ['draft:c'], includeDocs: true });
        expect(plain!.doc!['_conflicts']).toBeUndefined();
        expect(await db.getRevisions('draft:missing', ['1-abc'])).toEqual([]);
      });
    });

    describe('purge', () => {
      it('purge forgets the document and the bodies of its old revisions', async () => {
        const backend = await start();
        const db = backend.storage.db('public');
        const secret = 'Staff Nurse Jane Placeholder-Doe';
        const first = await db.put({ _id: 'comment:p', body: `${secret} on ward 7 said this` });
        const second = await db.put({ _id: 'comment:p', _rev: first.rev, body: `${secret} (moderated)` });
        await db.put({ _id: 'comment:q', body: 'unrelated' });
        expect(await backend.readRevision('public', 'comment:p', first.rev)).toBeDefined();

        await db.purge('comment:p');

        // On a cluster a read may reach a shard copy that has not applied the purge yet: wait for all.
        await settled(async () => {
          expect(await db.get('comment:p')).toBeUndefined();
          expect(await backend.readRevision('public', 'comment:p', first.rev)).toBeUndefined();
          expect(await backend.readRevision('public', 'comment:p', second.rev)).toBeUndefined();
          expect((await db.list({ prefix: 'comment:' })).map((r) => r.id)).toEqual(['comment:q']);
          const feed = await db.changes({ includeDocs: true });
          expect(JSON.stringify(feed)).not.toContain(secret);
        });
        expect((await db.get('comment:q'))?.['body']).toBe('unrelated');
        // The id is free again ('exists' writes nothing, so asking again is safe).
        await settled(async () => {
          expect(await db.create({ _id: 'comment:p', body: 'clean' })).toBe('created');
        });
      });

      it('purge of a missing document does nothing', async () => {
        const db = (await start()).storage.db('public');
        await expect(db.purge('comment:never')).resolves.toBeUndefined();
      });
    });

    describe('init', () => {
      it('init twice keeps the data and the design documents', async () => {
        const { storage } = await start();
        await storage.db('votes').put(vote('voter1', 'idea-aaaaaaaaaaaaaaaa', 'like'));
        await storage.init();
        expect(await storage.db('votes').get('vote:voter1:idea-aaaaaaaaaaaaaaaa')).toBeDefined();
        await settled(async () =>
          expect(await storage.db('votes').query('tally/byItem', { group: true })).toEqual([
            { key: 'idea-aaaaaaaaaaaaaaaa', value: [1, 0] },
          ]),
        );
      });

      it('two instances init concurrently on one fresh backend: both succeed and share the data', async () => {
        const backend = await start({ init: false });
        const other = backend.sibling();
        await Promise.all([backend.storage.init(), other.init()]);
        await backend.storage.db('votes').put(vote('voter1', 'idea-aaaaaaaaaaaaaaaa', 'dislike'));
        expect(await other.db('votes').get('vote:voter1:idea-aaaaaaaaaaaaaaaa')).toBeDefined();
        await settled(async () =>
          expect(await other.db('votes').query('tally/byItem', { group: true })).toEqual([
            { key: 'idea-aaaaaaaaaaaaaaaa', value: [0, 1] },
          ]),
        );
        const designs = await other.db('votes').list({ prefix: '_design/' });
        expect(designs.map((r) => r.id)).toEqual(['_design/tally']);
      });
    });
  });
}
