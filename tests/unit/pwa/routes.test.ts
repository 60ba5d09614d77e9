import { describe, expect, it } from 'vitest';
import { href, parseRoute } from '../../../pwa/src/ui/use-hash-route.js';

describe('every screen has an address that round-trips without a server', () => {
  it('parses what href builds', () => {
    expect(parseRoute(href.streams())).toEqual({ name: 'streams' });
    expect(parseRoute(href.stream('abc_DEF-123456789', 'newest'))).toEqual({
      name: 'stream',
      id: 'abc_DEF-123456789',
      sort: 'newest',
    });
    expect(parseRoute(href.stream('abc_DEF-123456789'))).toMatchObject({ sort: 'top' });
    expect(parseRoute(href.idea('abc_DEF-123456789'))).toEqual({ name: 'idea', id: 'abc_DEF-123456789' });
    expect(parseRoute(href.post('s1'))).toEqual({ name: 'post', streamId: 's1' });
    expect(parseRoute(href.drafts())).toEqual({ name: 'drafts' });
    expect(parseRoute('')).toEqual({ name: 'streams' });
    expect(parseRoute('#/nowhere')).toEqual({ name: 'not-found' });
  });
});
