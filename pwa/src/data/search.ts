/**
 * Offline full-text search over what this device holds (ideas and comments), and the "is this the same as …?"
 * suggestions while writing. Both use MiniSearch in memory, built on demand from Dexie (never stored: the
 * device copy of the content is the source, and an index of a few thousand posts builds in milliseconds).
 * MiniSearch itself is loaded on first use, so the first screen does not wait for it.
 */
import type MiniSearch from 'minisearch';
import type { SearchResult } from 'minisearch';
import type { CommentDoc, IdeaDoc } from '../../../shared/src/documents.js';

export interface SearchDoc {
  /** `idea:<id>` or `comment:<id>`: ideas and comments share one index. */
  id: string;
  kind: 'idea' | 'comment';
  /** The idea to open: the idea itself, or the idea a comment belongs to. */
  ideaId: string;
  title: string;
  body: string;
}

export interface SearchHit {
  key: string;
  kind: 'idea' | 'comment';
  ideaId: string;
  /** The idea's title (for a comment: the title of the idea it is on). */
  title: string;
  /** The start of the matching text. */
  excerpt: string;
}

/** Words too common to say two ideas are about the same thing. */
const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could do does for from had has have i if in into is it its me more ' +
    'my no not of on or our so some than that the their them then there these they this to too us was we were ' +
    'what when where which who why will with would you your all any also just get got please should need very'
  ).split(' '),
);

function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  return lower.length < 2 || STOP_WORDS.has(lower) ? null : lower;
}

const visibleIdeas = (ideas: readonly IdeaDoc[]) => ideas.filter((i) => i.status === 'visible');

export function toSearchDocs(ideas: readonly IdeaDoc[], comments: readonly CommentDoc[]): SearchDoc[] {
  const shown = visibleIdeas(ideas);
  const titles = new Map(shown.map((i) => [i.id, i.title]));
  const docs: SearchDoc[] = shown.map((i) => ({
    id: `idea:${i.id}`,
    kind: 'idea',
    ideaId: i.id,
    title: i.title,
    body: i.body,
  }));
  for (const c of comments) {
    const title = titles.get(c.ideaId);
    if (c.status !== 'visible' || title === undefined) continue;
    docs.push({ id: `comment:${c.id}`, kind: 'comment', ideaId: c.ideaId, title, body: c.body });
  }
  return docs;
}

export type DeviceSearchIndex = MiniSearch<SearchDoc>;

export async function buildSearchIndex(docs: readonly SearchDoc[]): Promise<DeviceSearchIndex> {
  const { default: MiniSearchClass } = await import('minisearch');
  const index = new MiniSearchClass<SearchDoc>({
    fields: ['title', 'body'],
    storeFields: ['kind', 'ideaId', 'title', 'body'],
    processTerm,
  });
  index.addAll(docs);
  return index;
}

function excerpt(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function toHit(r: SearchResult): SearchHit {
  const kind = r.kind as SearchDoc['kind'];
  return {
    key: String(r.id),
    kind,
    ideaId: String(r.ideaId),
    title: String(r.title),
    excerpt: excerpt(kind === 'idea' ? String(r.body) || String(r.title) : String(r.body)),
  };
}

/** Every word must match (prefix and small typos allowed); comments whose idea matches rank below it. */
export function searchDevice(index: DeviceSearchIndex, query: string, limit = 50): SearchHit[] {
  if (!query.trim()) return [];
  return index
    .search(query, { prefix: true, fuzzy: 0.2, combineWith: 'AND', boost: { title: 2 } })
    .slice(0, limit)
    .map(toHit);
}

export interface SimilarIdea {
  ideaId: string;
  title: string;
}

/**
 * Existing ideas that look like the one being written, so people can vote instead of posting a duplicate.
 * An idea is suggested only when it shares at least two meaningful words with the draft (one, for a one-word
 * draft), most shared first.
 */
export function findSimilarIdeas(
  index: DeviceSearchIndex,
  draft: { title: string; body: string },
  limit = 3,
): SimilarIdea[] {
  const text = `${draft.title} ${draft.body}`.trim();
  const words = new Set(
    text
      .split(/[^\p{L}\p{N}']+/u)
      .map((w) => processTerm(w))
      .filter((w): w is string => w !== null && w.length >= 3),
  );
  if (words.size === 0) return [];
  const needed = Math.min(2, words.size);
  return index
    .search([...words].join(' '), {
      fuzzy: 0.2,
      prefix: (term) => term.length >= 4,
      combineWith: 'OR',
      boost: { title: 2 },
      filter: (r) => r.kind === 'idea',
    })
    .filter((r) => new Set(r.queryTerms).size >= needed)
    .slice(0, limit)
    .map((r) => ({ ideaId: String(r.ideaId), title: String(r.title) }));
}
