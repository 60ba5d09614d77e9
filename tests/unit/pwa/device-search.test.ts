import { describe, expect, it } from 'vitest';
import {
  buildSearchIndex,
  findSimilarIdeas,
  searchDevice,
  toSearchDocs,
} from '../../../pwa/src/data/search.js';
import type { CommentDoc, IdeaDoc } from '../../../shared/src/documents.js';
import { publicId } from './fake-sync-server.js';

const conversationId = publicId();
const streamId = publicId();
const hour = '2026-11-24T08:00:00.000Z';

const idea = (title: string, body = '', status: IdeaDoc['status'] = 'visible'): IdeaDoc => {
  const id = publicId();
  return {
    _id: `idea:${id}`,
    schemaVersion: 1,
    type: 'idea',
    id,
    conversationId,
    streamId,
    title,
    body,
    createdHour: hour,
    status,
  };
};
const comment = (ideaId: string, body: string): CommentDoc => {
  const id = publicId();
  return {
    _id: `comment:${id}`,
    schemaVersion: 1,
    type: 'comment',
    id,
    conversationId,
    ideaId,
    body,
    createdHour: hour,
    status: 'visible',
  };
};

const parking = idea('Free parking for night staff', 'The car park fills up before the night shift starts.');
const food = idea('Hot food after 8pm', 'The canteen closes at 7.');
const quiet = idea('A quiet room on every ward', 'Somewhere to sit for ten minutes.');
const hidden = idea('Parking permits are a scandal', '', 'hidden');
const onFood = comment(food.id, 'A microwave in the staff room would already help.');
const index = await buildSearchIndex(toSearchDocs([parking, food, quiet, hidden], [onFood]));

describe('offline search finds what the device holds', () => {
  it('finds ideas and comments by their words, with prefixes and small typos', () => {
    expect(searchDevice(index, 'parking').map((h) => h.ideaId)).toEqual([parking.id]);
    expect(searchDevice(index, 'microwav')).toMatchObject([
      { kind: 'comment', ideaId: food.id, title: food.title },
    ]);
    expect(searchDevice(index, 'canten').map((h) => h.ideaId)).toEqual([food.id]);
    expect(searchDevice(index, 'quiet ward').map((h) => h.ideaId)).toEqual([quiet.id]);
  });

  it('never shows hidden posts, and an empty query finds nothing', () => {
    expect(searchDevice(index, 'scandal')).toEqual([]);
    expect(searchDevice(index, '   ')).toEqual([]);
  });
});

describe('“is this the same as …?” suggests existing ideas while writing', () => {
  it('suggests an idea that shares the meaningful words of the draft', () => {
    expect(findSimilarIdeas(index, { title: 'Parking for the night shift', body: '' })).toEqual([
      { ideaId: parking.id, title: parking.title },
    ]);
  });

  it('stays quiet for unrelated drafts and for common words alone', () => {
    expect(findSimilarIdeas(index, { title: 'Better lockers', body: 'for our coats' })).toEqual([]);
    // One shared word ("night") is not enough to call two ideas the same.
    expect(findSimilarIdeas(index, { title: 'Night bus timetable', body: 'buses after midnight' })).toEqual(
      [],
    );
    expect(findSimilarIdeas(index, { title: 'for the', body: 'and a' })).toEqual([]);
  });
});
