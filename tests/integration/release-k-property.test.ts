/**
 * Property: over random interleavings of posts and votes by random people in conversations with
 * random k, and releases (single, or two releasers at once as on two instances), no release ever
 * publishes a conversation's posts from fewer than k distinct authors or moves its tally with the
 * votes of fewer than k distinct voters, and a release publishes everything of a kind as soon as that
 * kind's waiting contributions come from k people (release-plan.ts: each kind on its own).
 *
 * The model: per conversation, the posts not yet public (with their authors), each person's vote on
 * the conversation's one idea, and the votes the votes database holds. A person whose vote differs
 * from what the database holds counts as a voter when the tally changes (votes that leave the tally
 * as it is show nothing, count nobody, and are written through at the next release).
 * Mutations go through the real push (applyMutations) and releases through the real releaser, on
 * the embedded store, without HTTP (the routes are covered by release-k-anonymity.test.ts).
 */
import crypto from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ideaDocSchema, tallyDocSchema, type VoteValue } from '../../shared/src/documents.js';
import { docId } from '../../shared/src/ids.js';
import { createNotifier } from '../../sync-server/src/sync/notifier.js';
import { applyMutations } from '../../sync-server/src/sync/push.js';
import { releaseBatch } from '../../sync-server/src/sync/releaser.js';
import { createTestAccount, type TestAccount } from '../support/accounts.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { ideaCreate, seedConversation, seedIdea, voteSet, type Seeded } from './sync-fixtures.js';

const PEOPLE = 5;
const CONVERSATIONS = 2;

type Op =
  | { type: 'post'; person: number; conversation: number }
  | { type: 'vote'; person: number; conversation: number; value: VoteValue }
  | { type: 'release'; releasers: 1 | 2 };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('post' as const),
      person: fc.nat(PEOPLE - 1),
      conversation: fc.nat(CONVERSATIONS - 1),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('vote' as const),
      person: fc.nat(PEOPLE - 1),
      conversation: fc.nat(CONVERSATIONS - 1),
      value: fc.constantFrom<VoteValue>('like', 'dislike', 'none'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ type: fc.constant('release' as const), releasers: fc.constantFrom<1 | 2>(1, 2) }),
  },
);

let ts: TestServer;
const people: TestAccount[] = [];

beforeAll(async () => {
  ts = await startTestServer({ RELEASE_INTERVAL_SECONDS: '3600' });
  for (let i = 0; i < PEOPLE; i++) people.push(await createTestAccount(ts.server.storage, ts.dataDir));
});
afterAll(async () => {
  await ts?.close();
});

interface ConversationModel {
  seeded: Seeded;
  ideaId: string;
  k: number;
  /** Posts pushed and not yet public: content id -> author. */
  pendingPosts: Map<string, number>;
  /** Each person's current vote on the idea, and the votes the votes database holds. */
  votes: VoteValue[];
  publishedVotes: VoteValue[];
}

const tallyOf = (votes: VoteValue[]) => [
  votes.filter((v) => v === 'like').length,
  votes.filter((v) => v === 'dislike').length,
];
const sameTally = (a: VoteValue[], b: VoteValue[]) => tallyOf(a).join() === tallyOf(b).join();

/** The people whose waiting vote differs from what the votes database holds. */
const voters = (c: ConversationModel) =>
  new Set(c.votes.flatMap((v, person) => (v !== c.publishedVotes[person] ? [person] : [])));

/** The posts are due with k distinct authors; the votes when k voters move the tally. */
const isPostsDue = (c: ConversationModel) =>
  c.pendingPosts.size > 0 && new Set(c.pendingPosts.values()).size >= c.k;
const isVotesDue = (c: ConversationModel) => !sameTally(c.votes, c.publishedVotes) && voters(c).size >= c.k;

describe('k-anonymous batches (property)', () => {
  it('never publishes a batch from fewer than k people, and publishes everything once k is reached', async () => {
    const deps = {
      storage: ts.server.storage,
      secrets: ts.server.secrets,
      notifier: createNotifier(),
      now: () => new Date(),
    };
    const publicDb = ts.server.storage.db('public');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: CONVERSATIONS, maxLength: CONVERSATIONS }),
        fc.array(opArb, { minLength: 1, maxLength: 24 }),
        async (ks, ops) => {
          const conversations: ConversationModel[] = [];
          for (const k of ks) {
            const seeded = await seedConversation(ts.server.storage, 'live', { releaseMinContributors: k });
            conversations.push({
              seeded,
              ideaId: await seedIdea(ts.server.storage, seeded),
              k,
              pendingPosts: new Map(),
              votes: Array<VoteValue>(PEOPLE).fill('none'),
              publishedVotes: Array<VoteValue>(PEOPLE).fill('none'),
            });
          }
          const as = (person: number) => ({
            accountId: people[person]!.accountId,
            roles: ['participant' as const],
          });
          for (const op of [...ops, { type: 'release', releasers: 1 } as const]) {
            if (op.type === 'post') {
              const c = conversations[op.conversation]!;
              const [result] = await applyMutations(deps, as(op.person), [
                { ...ideaCreate(c.seeded), id: crypto.randomUUID() },
              ]);
              expect(result!.status).toBe('applied');
              c.pendingPosts.set((result as { contentId: string }).contentId, op.person);
            } else if (op.type === 'vote') {
              const c = conversations[op.conversation]!;
              const [result] = await applyMutations(deps, as(op.person), [
                voteSet(c.seeded, c.ideaId, op.value),
              ]);
              expect(result!.status).toBe('applied');
              c.votes[op.person] = op.value;
            } else {
              const postsDue = conversations.map(isPostsDue);
              const votesDue = conversations.map(isVotesDue);
              const before = conversations.map((c) => ({
                authors: [...new Set(c.pendingPosts.values())],
                voters: [...voters(c)],
              }));
              await Promise.all(Array.from({ length: op.releasers }, () => releaseBatch(deps)));
              for (const [i, c] of conversations.entries()) {
                const ids = [...c.pendingPosts.keys()];
                const rows = await publicDb.list({ keys: ids.map(docId.idea), includeDocs: true });
                const published = rows.flatMap((r) => {
                  const idea = ideaDocSchema.safeParse(r.doc);
                  return idea.success ? [idea.data.id] : [];
                });
                const tally = tallyDocSchema.safeParse(await publicDb.get(docId.tally(c.ideaId)));
                const shown = tally.success ? [tally.data.likes, tally.data.dislikes] : [0, 0];
                const tallyMoved = shown.join() !== tallyOf(c.publishedVotes).join();
                const what = `conversation ${i} (k=${c.k}), waiting before: ${JSON.stringify(before[i])}`;
                if (published.length > 0) {
                  const authors = new Set(published.map((id) => c.pendingPosts.get(id)!));
                  expect(authors.size, `posts from too few authors: ${what}`).toBeGreaterThanOrEqual(c.k);
                }
                if (tallyMoved)
                  expect(voters(c).size, `a tally moved by too few voters: ${what}`).toBeGreaterThanOrEqual(
                    c.k,
                  );
                if (postsDue[i])
                  expect(published.sort(), `all posts are published once k wrote them: ${what}`).toEqual(
                    ids.sort(),
                  );
                else expect(published, `no post is published before k authors: ${what}`).toEqual([]);
                if (votesDue[i]) expect(shown, what).toEqual(tallyOf(c.votes));
                else expect(tallyMoved, `no tally moves before k voters: ${what}`).toBe(false);
                for (const id of published) c.pendingPosts.delete(id);
                // Released, or leaving the tally as it is (written through): the database holds them now.
                if (votesDue[i] || sameTally(c.votes, c.publishedVotes)) c.publishedVotes = [...c.votes];
              }
            }
          }
        },
      ),
      // No shrinking: runs share one server, so a shrunk case replays against another run's leftovers.
      { numRuns: 40, endOnFailure: true },
    );
  }, 180_000);
});
