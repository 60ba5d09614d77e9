/**
 * Push padding (shared/src/sync/padding.ts): every body lands exactly on a bucket boundary, measured
 * with Node's own UTF-8 encoder (not the module's); the worst single post at the maximum lengths fits
 * the first bucket; the biggest batch a device forms stays under the server's limit once padded; the
 * server's schema takes filler and refuses anything else with a message.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pushBodySchema } from '../../../shared/src/api.js';
import { createCommentMutationSchema } from '../../../shared/src/mutations/comment-create.js';
import { createIdeaMutationSchema } from '../../../shared/src/mutations/idea-create.js';
import { editIdeaMutationSchema } from '../../../shared/src/mutations/idea-edit.js';
import { LIMITS, PROTOCOL_VERSION } from '../../../shared/src/protocol.js';
import {
  padPushAnswer,
  padPushBody,
  padToBucket,
  PUSH_ANSWER_PAD_BUCKET_BYTES,
  PUSH_BATCH_MAX_BYTES,
  PUSH_ENVELOPE_MAX_BYTES,
  PUSH_PAD_BUCKET_BYTES,
  utf8Bytes,
} from '../../../shared/src/sync/padding.js';

const wireBytes = (body: unknown) => Buffer.byteLength(JSON.stringify(body), 'utf8');
const id64 = 'A'.repeat(64);

/** Text from every kind of script a person writes: ASCII, accents, CJK, RTL, emoji with modifiers. */
const mixedText = (maxLength: number) =>
  fc
    .array(
      fc.oneof(
        fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
        fc.string({ unit: 'grapheme', maxLength: 20 }),
        fc.constantFrom('é', 'ß', '語', '夜勤', 'שלום', 'مرحبا', '👩🏽‍⚕️', '🏥', '"', '\\', '\n', '\t'),
      ),
      { maxLength: 200 },
    )
    .map((parts) => parts.join('').slice(0, maxLength));

const mutationArb = fc.oneof(
  fc.record({
    id: fc.uuid(),
    kind: fc.constant('idea.create'),
    conversationId: fc.constant(id64),
    streamId: fc.constant(id64),
    title: mixedText(LIMITS.ideaTitleMax),
    body: mixedText(LIMITS.ideaBodyMax),
  }),
  fc.record({
    id: fc.uuid(),
    kind: fc.constant('vote.set'),
    conversationId: fc.constant(id64),
    itemKind: fc.constant('idea'),
    itemId: fc.constant(id64),
    value: fc.constantFrom('like', 'dislike', 'none'),
  }),
);

const bodyArb = fc.record(
  {
    protocolVersion: fc.constant(PROTOCOL_VERSION),
    mutations: fc.array(mutationArb, { minLength: 1, maxLength: 12 }),
    cursor: fc.string({ unit: 'grapheme-ascii', maxLength: 500 }),
    person: mixedText(254),
  },
  { requiredKeys: ['protocolVersion', 'mutations'] },
);

describe('padToBucket', () => {
  it('lands every push body of mixed scripts exactly on a bucket boundary, no more than one bucket up', () => {
    fc.assert(
      fc.property(bodyArb, (body) => {
        const padded = padPushBody(body);
        const bytes = wireBytes(padded);
        expect(bytes % PUSH_PAD_BUCKET_BYTES).toBe(0);
        expect(bytes).toBeGreaterThanOrEqual(wireBytes(body));
        expect(bytes - wireBytes({ ...body, pad: '' })).toBeLessThan(PUSH_PAD_BUCKET_BYTES);
        // What the server reads back is what was sent, plus filler it ignores.
        const parsed = pushBodySchema.parse(JSON.parse(JSON.stringify(padded)));
        expect(parsed.mutations).toEqual(body.mutations);
      }),
      { numRuns: 300 },
    );
  });

  it('counts UTF-8 like Node does for any string, lone surrogates escaped as JSON escapes them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const json = JSON.stringify({ text });
        expect(utf8Bytes(json)).toBe(Buffer.byteLength(json, 'utf8'));
      }),
      { numRuns: 200 },
    );
  });

  it('lands on any bucket, including when the body already ends on one', () => {
    for (const bucket of [1, 7, 64, 4096]) {
      for (let n = 0; n < 40; n++) {
        const body = { text: 'é'.repeat(n), n };
        expect(wireBytes(padToBucket(body, bucket)) % bucket).toBe(0);
      }
    }
    const exact = { a: '' };
    const size = wireBytes({ ...exact, pad: '' });
    expect(padToBucket(exact, size).pad).toBe('');
  });

  it('replaces a pad the body already had', () => {
    const once = padPushBody({ protocolVersion: PROTOCOL_VERSION, mutations: [{ a: 1 }] });
    expect(wireBytes(padPushBody(once))).toBe(PUSH_PAD_BUCKET_BYTES);
  });

  it('pads a body past the last whole bucket to the server limit exactly, never over it', () => {
    const lastBucket = Math.floor(LIMITS.pushBodyBytes / PUSH_PAD_BUCKET_BYTES) * PUSH_PAD_BUCKET_BYTES;
    const body = { protocolVersion: PROTOCOL_VERSION, mutations: ['x'.repeat(lastBucket + 10)] };
    expect(wireBytes(padPushBody(body))).toBe(LIMITS.pushBodyBytes);
  });

  it('pads push answers to their own bucket', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.uuid(), status: fc.constant('rejected'), reason: mixedText(300) })),
        (results) => {
          expect(wireBytes(padPushAnswer({ results })) % PUSH_ANSWER_PAD_BUCKET_BYTES).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('the first bucket holds any single post at the maximum lengths', () => {
  // 3 bytes of UTF-8 per UTF-16 unit is the most any script takes (an emoji pair is 4 for 2 units).
  const cjk = (n: number) => '語'.repeat(n);
  const worstEnvelope = { protocolVersion: PROTOCOL_VERSION, cursor: 'c'.repeat(500), person: cjk(254) };
  const posts = [
    createIdeaMutationSchema.parse({
      id: crypto.randomUUID(),
      kind: 'idea.create',
      conversationId: id64,
      streamId: id64,
      title: cjk(LIMITS.ideaTitleMax),
      body: cjk(LIMITS.ideaBodyMax),
    }),
    editIdeaMutationSchema.parse({
      id: crypto.randomUUID(),
      kind: 'idea.edit',
      conversationId: id64,
      ideaId: id64,
      title: cjk(LIMITS.ideaTitleMax),
      body: cjk(LIMITS.ideaBodyMax),
    }),
    createCommentMutationSchema.parse({
      id: crypto.randomUUID(),
      kind: 'comment.create',
      conversationId: id64,
      ideaId: id64,
      body: cjk(LIMITS.commentBodyMax),
    }),
    createIdeaMutationSchema.parse({
      id: crypto.randomUUID(),
      kind: 'idea.create',
      conversationId: id64,
      streamId: id64,
      title: '🏥'.repeat(LIMITS.ideaTitleMax / 2),
      body: '👩‍⚕️'.repeat(Math.floor(LIMITS.ideaBodyMax / 5)),
    }),
  ];
  const vote = {
    id: crypto.randomUUID(),
    kind: 'vote.set',
    conversationId: id64,
    itemKind: 'idea',
    itemId: id64,
    value: 'like',
  };

  it.each(posts.map((p) => [p.kind, p] as const))(
    '%s, with the longest cursor and address, pads to one bucket like a vote',
    (_, post) => {
      const withPost = padPushBody({ ...worstEnvelope, mutations: [post] });
      const withVote = padPushBody({ protocolVersion: PROTOCOL_VERSION, mutations: [vote] });
      expect(wireBytes(withPost)).toBe(PUSH_PAD_BUCKET_BYTES);
      expect(wireBytes(withVote)).toBe(PUSH_PAD_BUCKET_BYTES);
      // The envelope at its maxima stays within what devices keep free for it when they size a batch.
      expect(wireBytes({ ...worstEnvelope, mutations: [], pad: '' })).toBeLessThan(PUSH_ENVELOPE_MAX_BYTES);
    },
  );
});

describe('batching under the server limit', () => {
  it('the biggest batch a device forms, padded with the longest envelope, is under the server limit', () => {
    const batchBytes = Math.min(LIMITS.pushBatchBytes, PUSH_BATCH_MAX_BYTES);
    // Mutations of any sizes adding up to the batch limit (push.ts counts each one's JSON plus a comma).
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 100 }),
        (sizes) => {
          const mutations: string[] = [];
          let total = 0;
          for (const size of sizes) {
            if (mutations.length > 0 && total + size + 3 > batchBytes) break;
            mutations.push('x'.repeat(size));
            total += size + 3;
          }
          if (total > batchBytes) return; // a single mutation bigger than a batch goes alone (push.ts narrows on 413)
          const body = padPushBody({
            protocolVersion: PROTOCOL_VERSION,
            mutations,
            cursor: 'c'.repeat(500),
            person: '語'.repeat(254),
          });
          expect(wireBytes(body)).toBeLessThanOrEqual(LIMITS.pushBodyBytes);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the server push schema and pad', () => {
  const base = { protocolVersion: PROTOCOL_VERSION, mutations: [{ any: 'thing' }] };

  it('accepts filler and ignores it', () => {
    expect(pushBodySchema.parse({ ...base, pad: '.'.repeat(100) }).mutations).toEqual(base.mutations);
    expect(pushBodySchema.safeParse(base).success).toBe(true);
  });

  it.each([
    ['a letter', 'ab'],
    ['a space', '.. ..'],
    ['a number', 12],
    ['more than a bucket', '.'.repeat(PUSH_PAD_BUCKET_BYTES)],
  ])('refuses a pad with %s, saying so', (_, pad) => {
    const result = pushBodySchema.safeParse({ ...base, pad });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['pad']);
  });
});
