/**
 * What the update banner needs to know before it offers to restart into a new version:
 * whether the person has unsent text open on the screen (a comment being written on an
 * idea). The text is saved as typed, but a reload under someone's fingers loses their place.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { getRuntime } from './runtime.js';

export function useHasCommentInProgress(ideaId: string | null): boolean {
  return (
    useLiveQuery(async () => {
      if (!ideaId) return false;
      const drafts = await getRuntime().db.drafts.toArray();
      return drafts.some((d) => d.kind === 'comment' && d.ideaId === ideaId && !d.rejection && d.body.trim() !== '');
    }, [ideaId]) ?? false
  );
}
