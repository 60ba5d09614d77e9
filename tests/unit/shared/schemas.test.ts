import { describe, expect, it } from 'vitest';
import { mutationSchema } from '../../../shared/src/mutations.js';
import { checkProtocol, PROTOCOL_VERSION, INCOMPATIBILITY_REASONS } from '../../../shared/src/protocol.js';
import { toCoarseHour, coarseTimeSchema } from '../../../shared/src/ids.js';
import { assertCan, can, NotAllowedError } from '../../../shared/src/authorization.js';
import { ideaDocSchema } from '../../../shared/src/documents.js';

const id = '6f1c1f9e-8d55-4a43-9e1a-8d4f1d0b2a11';
const conv = 'conversation-id-0001';

describe('mutation schemas', () => {
  it('accept a well-formed idea and trim its text', () => {
    const parsed = mutationSchema.parse({
      id,
      kind: 'idea.create',
      conversationId: conv,
      streamId: 'stream-id-000000001',
      title: '  More water fountains  ',
      body: ' please ',
    });
    expect(parsed).toMatchObject({ title: 'More water fountains', body: 'please' });
  });

  it('reject an idea whose title is only spaces, with a message a person can read', () => {
    const result = mutationSchema.safeParse({
      id,
      kind: 'idea.create',
      conversationId: conv,
      streamId: 'stream-id-000000001',
      title: '   ',
      body: '',
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toMatch(/title needs at least 3 characters/i);
  });

  it('reject unknown kinds, non-UUID ids and bad vote values', () => {
    expect(mutationSchema.safeParse({ id, kind: 'idea.delete' }).success).toBe(false);
    expect(
      mutationSchema.safeParse({
        id: '1',
        kind: 'vote.set',
        conversationId: conv,
        itemKind: 'idea',
        itemId: conv,
        value: 'like',
      }).success,
    ).toBe(false);
    expect(
      mutationSchema.safeParse({
        id,
        kind: 'vote.set',
        conversationId: conv,
        itemKind: 'idea',
        itemId: conv,
        value: 'love',
      }).success,
    ).toBe(false);
  });

  it('carry no client time (timing is identity)', () => {
    const parsed = mutationSchema.parse({
      id,
      kind: 'vote.set',
      conversationId: conv,
      itemKind: 'idea',
      itemId: conv,
      value: 'like',
      clientTime: '2026-11-24T07:13:22.123Z',
    });
    expect(parsed).not.toHaveProperty('clientTime');
  });
});

describe('protocol', () => {
  it('accepts the current version and names the side that is too old', () => {
    expect(checkProtocol(PROTOCOL_VERSION)).toBeNull();
    expect(checkProtocol(0)).toBe(INCOMPATIBILITY_REASONS.clientTooOld);
    expect(checkProtocol(PROTOCOL_VERSION + 1)).toBe(INCOMPATIBILITY_REASONS.serverTooOld);
  });
});

describe('coarse public times', () => {
  it('truncate to the hour', () => {
    expect(toCoarseHour(new Date('2026-11-24T07:59:59.999Z'))).toBe('2026-11-24T07:00:00.000Z');
    expect(coarseTimeSchema.safeParse('2026-11-24T07:13:00.000Z').success).toBe(false);
  });

  it('public idea documents refuse fine-grained times', () => {
    const idea = {
      _id: 'idea:abcdefghijklmnopqrstuv',
      type: 'idea',
      schemaVersion: 1,
      id: 'abcdefghijklmnopqrstuv',
      conversationId: conv,
      streamId: 'stream-id-000000001',
      title: 'Quiet room',
      body: '',
      createdHour: '2026-11-24T07:13:22.000Z',
      status: 'visible',
    };
    expect(ideaDocSchema.safeParse(idea).success).toBe(false);
    expect(ideaDocSchema.safeParse({ ...idea, createdHour: '2026-11-24T07:00:00.000Z' }).success).toBe(true);
  });
});

describe('authorization', () => {
  it('lets participants and moderators contribute, not sponsors or admins', () => {
    expect(can(['participant'], 'contribute')).toBe(true);
    expect(can(['moderator'], 'contribute')).toBe(true);
    expect(can(['sponsor'], 'contribute')).toBe(false);
    expect(() => assertCan(['admin'], 'contribute')).toThrow(NotAllowedError);
  });

  it('keeps moderation to moderators and administration to admins', () => {
    expect(can(['sponsor', 'participant'], 'moderate')).toBe(false);
    expect(can(['moderator'], 'moderate')).toBe(true);
    expect(can(['moderator'], 'administer')).toBe(false);
    expect(can(['admin'], 'administer')).toBe(true);
  });
});
