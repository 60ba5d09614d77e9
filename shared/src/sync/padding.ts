/**
 * Push bodies (and the server's push answers) padded to fixed size buckets, so a proxy that sees only
 * request and response sizes (a hospital's, without TLS inspection) cannot tell a push carrying a
 * 5,000-character idea from one carrying a vote (attack (2b) of the attacker suite, docs/anonymity.md).
 *
 * A `pad` field of filler ('.', one byte in UTF-8 and never escaped in JSON) is added so the body's
 * serialized UTF-8 length is exactly the next multiple of the bucket. One bucket holds any single post
 * at the maximum lengths (below); bigger batches go to the next multiple; the last bucket is the
 * server's body limit itself, so padding never takes a body the server would accept over its limit.
 * Old servers strip the unknown field (zod objects drop extra keys): no protocol change.
 */
import { z } from 'zod';
import { LIMITS } from '../protocol.js';

export const PAD_FILLER = '.';

/**
 * Request bucket. The worst single post: an idea at ideaTitleMax + ideaBodyMax (5,140 UTF-16 units)
 * in a script of 3 UTF-8 bytes per unit (CJK, Devanagari...; an emoji is 4 bytes for 2 units) is
 * 15,420 bytes of text, plus about 320 bytes of mutation (ids at their 64-character maximum) and the
 * push envelope with a cursor (500) and an address (254 characters, 762 bytes) at their schema maxima:
 * about 17,000 bytes, under 18 KiB. Text made of control characters (escaped to 6 bytes each) or lone
 * surrogates is the only way past it; no script writes that. Checked in tests/unit/shared/padding.test.ts.
 */
export const PUSH_PAD_BUCKET_BYTES = 18 * 1024;

/** Answer bucket: one push's results (ids, statuses, a rejection's reason) fit in a few KiB. */
export const PUSH_ANSWER_PAD_BUCKET_BYTES = 4 * 1024;

/**
 * The most a push envelope (protocolVersion, cursor, person, the brackets and keys, pad's own key)
 * adds to its mutations: what a device keeps free when it sizes a batch (pwa/src/data/push.ts).
 */
export const PUSH_ENVELOPE_MAX_BYTES = 2048;

/**
 * The most bytes of mutations (JSON, commas included) a device puts in one push so that, padded, the
 * body never exceeds the server's limit: the largest whole bucket under the limit, less the envelope.
 */
export const PUSH_BATCH_MAX_BYTES =
  Math.floor(LIMITS.pushBodyBytes / PUSH_PAD_BUCKET_BYTES) * PUSH_PAD_BUCKET_BYTES - PUSH_ENVELOPE_MAX_BYTES;

/** What the server accepts as `pad`: filler only, and always less than one bucket (padToBucket never adds more). */
export const padSchema = z
  .string()
  .max(PUSH_PAD_BUCKET_BYTES - 1, `pad can be at most ${PUSH_PAD_BUCKET_BYTES - 1} characters`)
  .regex(/^\.*$/, `pad holds only filler ('${PAD_FILLER}' characters)`);

/** UTF-8 length of a string (shared/ has no TextEncoder or Buffer); a lone surrogate counts as U+FFFD. */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** The size a body of `bytes` is padded to: the next multiple of `bucket`, or `limit` past the last one. */
export function paddedSize(bytes: number, bucket: number, limit = Infinity): number {
  const target = Math.max(bucket, Math.ceil(bytes / bucket) * bucket);
  if (target > limit && bytes <= limit) return limit;
  return target;
}

/**
 * `body` with a `pad` field (replacing any) so JSON.stringify of the result is exactly
 * paddedSize(...) bytes of UTF-8. A body already past `limit` is padded to its bucket (the server will
 * refuse it whatever its padding).
 */
export function padToBucket<T extends object>(
  body: T,
  bucket: number,
  limit = Infinity,
): Omit<T, 'pad'> & { pad: string } {
  const bare = { ...body, pad: '' };
  const bytes = utf8Bytes(JSON.stringify(bare));
  return { ...bare, pad: PAD_FILLER.repeat(paddedSize(bytes, bucket, limit) - bytes) };
}

/** A push body as every device sends it: padded to the request bucket, never past the server's limit. */
export const padPushBody = <T extends object>(body: T) =>
  padToBucket(body, PUSH_PAD_BUCKET_BYTES, LIMITS.pushBodyBytes);

/** A push answer as the server sends it. */
export const padPushAnswer = <T extends object>(answer: T) =>
  padToBucket(answer, PUSH_ANSWER_PAD_BUCKET_BYTES);

/**
 * Pull answers: the caller's own part (their waiting posts, votes, drafts, settings) is padded to a
 * multiple of this, so a device's first pull after its person voted or posted weighs the same as any
 * other device's pull of the same release. A long post or draft takes it to the next bucket.
 */
export const PULL_OWN_PAD_BUCKET_BYTES = 4 * 1024;

/** A pull answer with `pad` filler bringing its own part (serialized `own` plus `pad`) to whole buckets. */
export function padPullAnswer<T extends { own: unknown }>(answer: T): T & { pad: string } {
  const bytes = utf8Bytes(JSON.stringify(answer.own));
  return { ...answer, pad: PAD_FILLER.repeat(paddedSize(bytes, PULL_OWN_PAD_BUCKET_BYTES) - bytes) };
}
