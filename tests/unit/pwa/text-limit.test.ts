/** The length limits as the writing screens count and explain them (pwa/src/ui/text-limit.ts). */
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../shared/src/protocol.js';
import { createIdeaMutationSchema } from '../../../shared/src/mutations.js';
import {
  countAnnouncement,
  countText,
  limitState,
  overLimitMessage,
  overLimitRefusal,
} from '../../../pwa/src/ui/text-limit.js';

describe('text limits on the writing screens', () => {
  it('counts as the shared validator does: trimmed, so a text the screen accepts is one the server accepts', () => {
    const body = `  ${'a'.repeat(LIMITS.ideaBodyMax)}  \n`;
    expect(limitState(body, LIMITS.ideaBodyMax)).toMatchObject({ length: 5000, isOver: false, excess: 0 });
    const idea = {
      id: crypto.randomUUID(),
      kind: 'idea.create',
      conversationId: 'c'.repeat(22),
      streamId: 's'.repeat(22),
      title: 'A fine title',
    };
    expect(createIdeaMutationSchema.safeParse({ ...idea, body }).success).toBe(true);
    const over = `  ${'a'.repeat(LIMITS.ideaBodyMax + 1)}  \n`;
    expect(limitState(over, LIMITS.ideaBodyMax)).toMatchObject({ isOver: true, excess: 1 });
    expect(createIdeaMutationSchema.safeParse({ ...idea, body: over }).success).toBe(false);
  });

  it('says nothing far from the limit, the count as it nears, how far over past it', () => {
    expect(countText(limitState('a'.repeat(3999), 5000))).toBe('');
    expect(countText(limitState('a'.repeat(4000), 5000))).toBe('4,000 / 5,000 characters');
    expect(countAnnouncement(limitState('a'.repeat(4870), 5000))).toBe('130 characters left of 5,000');
    expect(countText(limitState('a'.repeat(5000), 5000))).toBe('5,000 / 5,000 characters');
    expect(countText(limitState('a'.repeat(5001), 5000))).toBe('1 character over the limit of 5,000');
    expect(countAnnouncement(limitState('a'.repeat(6234), 5000))).toBe(
      '1,234 characters over the limit of 5,000',
    );
  });

  it('explains what to shorten, naming every box that is over, and nothing when all are within', () => {
    const title = { name: 'title', state: limitState('t'.repeat(150), 140) };
    const body = { name: 'description', state: limitState('b'.repeat(5100), 5000) };
    const fine = { name: 'description', state: limitState('ok', 5000) };
    expect(overLimitMessage([title, fine], 'post it')).toBe(
      'Shorten the title by 10 characters to post it. Nothing you wrote has been removed.',
    );
    expect(overLimitMessage([title, body], 'post it')).toBe(
      'Shorten the title by 10 characters and the description by 100 characters to post it. ' +
        'Nothing you wrote has been removed.',
    );
    expect(overLimitRefusal([title, body], { done: 'posted', todo: 'post' })).toBe(
      'Not posted: the title is longer than 140 characters and the description is longer than ' +
        '5,000 characters. Shorten them to post; nothing you wrote has been removed.',
    );
    expect(overLimitMessage([fine], 'post it')).toBeNull();
    expect(overLimitRefusal([fine], { done: 'posted', todo: 'post' })).toBeNull();
  });
});
