/**
 * Hash routing: every screen has an address that works offline with no server round trip.
 * #/  #/stream/<id>?sort=top  #/idea/<id>  #/post?stream=<id>&draft=<id>  #/drafts  #/login
 * #/rules  #/about-you  #/search?q=  #/quick-break  #/activity  #/notices  #/edit/<kind>/<id>  #/report/<kind>/<id>
 */
import { useSyncExternalStore } from 'react';
import { SORTS as IDEA_SORTS } from '../../../shared/src/ranking.js';
import type { IdeaSort } from '../data/hooks.js';

export type PostKind = 'idea' | 'comment';

export type Route =
  | { name: 'streams' }
  | { name: 'stream'; id: string; sort: IdeaSort }
  | { name: 'idea'; id: string }
  | { name: 'post'; streamId?: string; draftId?: string }
  | { name: 'drafts' }
  | { name: 'rules' }
  | { name: 'about-you' }
  | { name: 'search'; query: string }
  | { name: 'quick-break' }
  | { name: 'activity' }
  | { name: 'notices' }
  | { name: 'edit'; kind: PostKind; id: string }
  | { name: 'report'; kind: PostKind; id: string }
  | { name: 'login' }
  | { name: 'not-found' };

const SIMPLE = ['rules', 'about-you', 'quick-break', 'activity', 'notices'] as const;
const isPostKind = (s: string | undefined): s is PostKind => s === 'idea' || s === 'comment';

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = raw.split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'streams' };
  if (parts[0] === 'stream' && parts[1]) {
    const sort = IDEA_SORTS.find((s) => s === params.get('sort')) ?? 'top';
    return { name: 'stream', id: parts[1], sort };
  }
  if (parts[0] === 'idea' && parts[1]) return { name: 'idea', id: parts[1] };
  if (parts[0] === 'post') {
    const draftId = params.get('draft') ?? undefined;
    return { name: 'post', streamId: params.get('stream') ?? undefined, ...(draftId ? { draftId } : {}) };
  }
  if (parts[0] === 'drafts') return { name: 'drafts' };
  if (parts.length === 1 && SIMPLE.includes(parts[0] as (typeof SIMPLE)[number]))
    return { name: parts[0] as (typeof SIMPLE)[number] };
  if (parts[0] === 'search') return { name: 'search', query: params.get('q') ?? '' };
  if ((parts[0] === 'edit' || parts[0] === 'report') && isPostKind(parts[1]) && parts[2])
    return { name: parts[0], kind: parts[1], id: parts[2] };
  if (parts[0] === 'login') return { name: 'login' };
  return { name: 'not-found' };
}

export const href = {
  streams: () => '#/',
  stream: (id: string, sort: IdeaSort = 'top') =>
    `#/stream/${encodeURIComponent(id)}${sort === 'top' ? '' : `?sort=${sort}`}`,
  idea: (id: string) => `#/idea/${encodeURIComponent(id)}`,
  post: (streamId?: string, draftId?: string) => {
    const query = new URLSearchParams();
    if (streamId) query.set('stream', streamId);
    if (draftId) query.set('draft', draftId);
    const qs = query.toString();
    return `#/post${qs ? `?${qs}` : ''}`;
  },
  drafts: () => '#/drafts',
  rules: () => '#/rules',
  aboutYou: () => '#/about-you',
  search: (query = '') => `#/search${query ? `?q=${encodeURIComponent(query)}` : ''}`,
  quickBreak: () => '#/quick-break',
  activity: () => '#/activity',
  notices: () => '#/notices',
  edit: (kind: PostKind, id: string) => `#/edit/${kind}/${encodeURIComponent(id)}`,
  report: (kind: PostKind, id: string) => `#/report/${kind}/${encodeURIComponent(id)}`,
  login: () => '#/login',
} as const;

export function navigate(to: string): void {
  window.location.hash = to.replace(/^#/, '');
}

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

export function useHashRoute(): Route {
  const hash = useSyncExternalStore(
    subscribe,
    () => window.location.hash,
    () => '',
  );
  return parseRoute(hash);
}
