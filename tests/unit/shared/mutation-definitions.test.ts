/**
 * One definition per kind of change (shared/src/mutations/): every kind has all its pieces (a kind
 * without a rejection handler does not even compile: see the @ts-expect-error below, which fails
 * `npm run typecheck` if that ever stops being true), and no kind's rejection drops what the person
 * wrote. Run against a device store held in memory.
 */
import { describe, expect, it } from 'vitest';
import type { DevicePrefs, DeviceStore } from '../../../shared/src/device.js';
import {
  MUTATIONS,
  MUTATION_KINDS,
  definitionOf,
  mutationSchema,
  voteSet,
  type Mutation,
  type MutationDefinition,
  type MutationInput,
  type MutationKind,
  type MutationOf,
} from '../../../shared/src/mutations.js';

// A registry whose vote kind has no onRejected must not type-check.
const _incomplete = {
  ...MUTATIONS,
  // @ts-expect-error onRejected is required for every kind
  'vote.set': { ...voteSet, onRejected: undefined },
} satisfies { [K in MutationKind]: MutationDefinition<MutationOf<K>> };
void _incomplete;

function memoryStore(): DeviceStore & { dump(): Record<string, unknown> } {
  const tables = {
    localPosts: new Map<string, unknown>(),
    votes: new Map<string, unknown>(),
    drafts: new Map<string, unknown>(),
    ownPosts: new Map<string, unknown>(),
    ideas: new Map<string, unknown>(),
    comments: new Map<string, unknown>(),
  };
  const prefs = new Map<string, unknown>();
  const keyOf: Record<keyof typeof tables, string> = {
    localPosts: 'mutationId',
    votes: 'itemId',
    drafts: 'id',
    ownPosts: 'contentId',
    ideas: 'id',
    comments: 'id',
  };
  const table = (name: keyof typeof tables) => ({
    get: async (key: string) => structuredClone(tables[name].get(key)) as never,
    put: async (value: unknown) => {
      tables[name].set(String((value as Record<string, unknown>)[keyOf[name]]), structuredClone(value));
    },
    delete: async (key: string) => {
      tables[name].delete(key);
    },
  });
  return {
    localPosts: table('localPosts'),
    votes: table('votes'),
    drafts: table('drafts'),
    ownPosts: table('ownPosts'),
    ideas: table('ideas'),
    comments: table('comments'),
    getPref: async <K extends keyof DevicePrefs>(key: K) => prefs.get(key) as DevicePrefs[K] | undefined,
    setPref: async <K extends keyof DevicePrefs>(key: K, value: DevicePrefs[K]) => {
      prefs.set(key, structuredClone(value));
    },
    now: () => '2026-12-04T10:00:00.000Z',
    dump: () => ({
      ...Object.fromEntries(Object.entries(tables).map(([k, v]) => [k, Object.fromEntries(v)])),
      prefs: Object.fromEntries(prefs),
    }),
  };
}

const id = () => crypto.randomUUID();
const pub = 'pubIdAAAAAAAAAAAAAAAAA';
const conversationId = 'convAAAAAAAAAAAAAAAAAA';

/** One example of every kind; the test fails if a kind is added without one. */
const EXAMPLES = {
  'idea.create': {
    id: id(),
    kind: 'idea.create',
    conversationId,
    streamId: pub,
    title: 'Idea title words',
    body: 'idea body words',
  },
  'comment.create': { id: id(), kind: 'comment.create', conversationId, ideaId: pub, body: 'comment words' },
  'vote.set': { id: id(), kind: 'vote.set', conversationId, itemKind: 'idea', itemId: pub, value: 'like' },
  'idea.edit': {
    id: id(),
    kind: 'idea.edit',
    conversationId,
    ideaId: pub,
    title: 'Edited title words',
    body: 'edited body words',
  },
  'comment.edit': {
    id: id(),
    kind: 'comment.edit',
    conversationId,
    commentId: pub,
    body: 'edited comment words',
  },
  'idea.withdraw': { id: id(), kind: 'idea.withdraw', conversationId, ideaId: pub },
  'comment.withdraw': { id: id(), kind: 'comment.withdraw', conversationId, commentId: pub },
  'report.create': {
    id: id(),
    kind: 'report.create',
    conversationId,
    itemKind: 'idea',
    itemId: pub,
    guideline: 'other',
    note: 'report note words',
  },
  'questionnaire.submit': { id: id(), kind: 'questionnaire.submit', conversationId, answers: { band: 'b5' } },
  'draft.save': {
    id: id(),
    kind: 'draft.save',
    draftId: id(),
    draftKind: 'idea',
    conversationId,
    title: 'draft title words',
    body: 'draft body words',
  },
  'draft.delete': { id: id(), kind: 'draft.delete', draftId: id() },
  'notifications.set': { id: id(), kind: 'notifications.set', commentDigest: true },
} satisfies { [K in MutationKind]: MutationInput & { kind: K } };

/** The words a person wrote in a mutation (what a rejection must never drop). */
function wordsOf(m: Mutation): string[] {
  const record = m as Record<string, unknown>;
  return ['title', 'body', 'note'].flatMap((f) =>
    typeof record[f] === 'string' && record[f] ? [record[f] as string] : [],
  );
}

describe('one definition per kind of change', () => {
  it('every kind in the union has a definition with schema, permission and the three device effects', () => {
    expect(MUTATION_KINDS.sort()).toEqual(Object.keys(EXAMPLES).sort());
    for (const kind of MUTATION_KINDS) {
      const d = MUTATIONS[kind];
      expect(d.kind).toBe(kind);
      expect(typeof d.applyLocal).toBe('function');
      expect(typeof d.onAccepted).toBe('function');
      expect(typeof d.onRejected).toBe('function');
      expect(['contribute', 'moderate', 'administer', 'read', 'view-dashboard']).toContain(d.permission);
    }
  });

  it.each(MUTATION_KINDS)("a rejection of %s never drops the person's words", async (kind) => {
    const m = mutationSchema.parse(EXAMPLES[kind]);
    const store = memoryStore();
    // The device state a person would have: the change made here, own posts known.
    await store.ownPosts.put({
      contentId: pub,
      kind: kind.startsWith('comment') ? 'comment' : 'idea',
      conversationId,
    });
    if (kind === 'draft.save')
      await store.drafts.put({
        id: (m as MutationOf<'draft.save'>).draftId,
        kind: 'idea',
        body: '',
        updatedAt: store.now(),
      });
    await definitionOf(m).applyLocal(m, store);
    await definitionOf(m).onRejected(m, { code: 'forbidden', message: 'Refused for this test.' }, store);
    const after = JSON.stringify(store.dump());
    for (const words of wordsOf(m)) expect(after, `${kind}: ${words}`).toContain(words);
    // A change with text either keeps it in drafts or records the refusal with it; one without text is told.
    if (
      wordsOf(m).length > 0 ||
      kind.endsWith('withdraw') ||
      kind === 'notifications.set' ||
      kind === 'questionnaire.submit'
    )
      expect(after).toMatch(/Refused for this test|draft/);
  });

  it.each(MUTATION_KINDS)(
    'applying %s on the device twice is the same as once (rebase re-applies pending changes)',
    async (kind) => {
      const m = mutationSchema.parse(EXAMPLES[kind]);
      const once = memoryStore();
      const twice = memoryStore();
      for (const store of [once, twice])
        await store.ownPosts.put({
          contentId: pub,
          kind: kind.startsWith('comment') ? 'comment' : 'idea',
          conversationId,
        });
      await definitionOf(m).applyLocal(m, once);
      await definitionOf(m).applyLocal(m, twice);
      await definitionOf(m).applyLocal(m, twice);
      expect(twice.dump()).toEqual(once.dump());
    },
  );
});
