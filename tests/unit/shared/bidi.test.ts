/**
 * Stored and shown text cannot carry bidi override, embedding or isolate controls: "evil" written
 * backwards behind a right-to-left override would read as "live". Checked on the shared pieces
 * both sides use: the mutation schemas (what is stored) and the public document schemas (what a
 * device shows, whenever it was stored).
 */
import { describe, expect, it } from 'vitest';
import { BIDI_CONTROLS, stripBidiControls } from '../../../shared/src/text/bidi.js';
import { mutationSchema } from '../../../shared/src/mutations.js';
import { publicDocSchema } from '../../../shared/src/documents.js';
import { SCHEMA_VERSION } from '../../../shared/src/protocol.js';

const RLO = '\u202E';
const PDF = '\u202C';
/** Shown as "Night shift is live" by a browser that honours the override; its letters say "evil". */
const SPOOF = `Night shift is ${RLO}evil${PDF}`;
const EVERY_CONTROL = '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069';
const id = () => crypto.randomUUID();
const publicId = 'AbCdEfGhIjKlMnOp1234';

describe('bidi controls are stripped from what people post', () => {
  it('the "evil" spoof loses its override and shows the letters it has, not "live"', () => {
    expect(stripBidiControls(SPOOF)).toBe('Night shift is evil');
    expect(stripBidiControls(`a${EVERY_CONTROL}b`)).toBe('ab');
    // Right-to-left writing and its direction marks stay.
    expect(stripBidiControls('שלום \u200Fעולם\u200E مرحبا')).toBe('שלום \u200Fעולם\u200E مرحبا');
  });

  it('idea titles and descriptions, comments, edits and report notes are stored without them', () => {
    const idea = mutationSchema.parse({
      id: id(),
      kind: 'idea.create',
      conversationId: publicId,
      streamId: publicId,
      title: `${EVERY_CONTROL}${SPOOF}`,
      body: `${SPOOF}\nSecond line ${'\u2067'}isolated${'\u2069'}`,
    });
    expect(idea).toMatchObject({
      title: 'Night shift is evil',
      body: 'Night shift is evil\nSecond line isolated',
    });
    const comment = mutationSchema.parse({
      id: id(),
      kind: 'comment.create',
      conversationId: publicId,
      ideaId: publicId,
      body: SPOOF,
    });
    expect(comment).toMatchObject({ body: 'Night shift is evil' });
    for (const parsed of [idea, comment]) expect(JSON.stringify(parsed)).not.toMatch(BIDI_CONTROLS);
  });

  it('a title made only of controls is empty, and refused like one', () => {
    const res = mutationSchema.safeParse({
      id: id(),
      kind: 'idea.create',
      conversationId: publicId,
      streamId: publicId,
      title: `${RLO}${PDF}  ${'\u2066'}`,
      body: '',
    });
    expect(res.success).toBe(false);
  });

  it('public ideas, comments and topic titles reach the device without them, whenever they were stored', () => {
    const base = { _id: 'x', schemaVersion: SCHEMA_VERSION, id: publicId, conversationId: publicId };
    const docs = [
      {
        ...base,
        type: 'idea',
        streamId: publicId,
        title: SPOOF,
        body: SPOOF,
        createdHour: '2026-12-05T06:00:00.000Z',
        status: 'visible',
      },
      {
        ...base,
        type: 'comment',
        ideaId: publicId,
        body: SPOOF,
        createdHour: '2026-12-05T06:00:00.000Z',
        status: 'visible',
      },
      { ...base, type: 'stream', title: SPOOF, description: SPOOF, order: 1 },
    ];
    for (const doc of docs) {
      const parsed = publicDocSchema.parse(doc);
      expect(JSON.stringify(parsed), doc.type).not.toMatch(BIDI_CONTROLS);
      expect(JSON.stringify(parsed), doc.type).toContain('Night shift is evil');
    }
  });
});
