/**
 * Hash routing: every screen has an address that works offline with no server round trip.
 * #/  #/stream/<id>?sort=top  #/idea/<id>  #/post?stream=<id>  #/drafts  #/login
 */
import { useSyncExternalStore } from 'react';
import type { IdeaSort } from '../data/hooks.js';

export type Route =
  | { name: 'streams' }
  | { name: 'stream'; id: string; sort: IdeaSort }
  | { name: 'idea'; id: string }
  | { name: 'post'; streamId?: string }
  | { name: 'drafts' }
  | { name: 'login' }
  | { name: 'not-found' };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = raw.split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'streams' };
  if (parts[0] === 'stream' && parts[1])
    return { name: 'stream', id: parts[1], sort: params.get('sort') === 'newest' ? 'newest' : 'top' };
  if (parts[0] === 'idea' && parts[1]) return { name: 'idea', id: parts[1] };
  if (parts[0] === 'post') return { name: 'post', streamId: params.get('stream') ?? undefined };
  if (parts[0] === 'drafts') return { name: 'drafts' };
  if (parts[0] === 'login') return { name: 'login' };
  return { name: 'not-found' };
}

export const href = {
  streams: () => '#/',
  stream: (id: string, sort: IdeaSort = 'top') =>
    `#/stream/${encodeURIComponent(id)}${sort === 'top' ? '' : `?sort=${sort}`}`,
  idea: (id: string) => `#/idea/${encodeURIComponent(id)}`,
  post: (streamId?: string) => `#/post${streamId ? `?stream=${encodeURIComponent(streamId)}` : ''}`,
  drafts: () => '#/drafts',
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
