/** Like / Dislike with a pressed state; pressing the pressed one again undoes the vote. */
import type { ItemKind } from '../../../shared/src/documents.js';
import { huddle, useMyVote } from '../data/hooks.js';
import { plural } from './format.js';

interface Props {
  conversationId: string;
  itemKind: ItemKind;
  itemId: string;
  likes: number;
  dislikes: number;
  canVote: boolean;
  /** What the item is, for screen readers: "idea", "comment". */
  label: string;
}

export function VoteButtons({ conversationId, itemKind, itemId, likes, dislikes, canVote, label }: Props) {
  const mine = useMyVote(itemId) ?? 'none';
  const set = (value: 'like' | 'dislike') =>
    void huddle.vote({ conversationId, itemKind, itemId, value: mine === value ? 'none' : value });
  return (
    <div className="votes" role="group" aria-label={`Vote on this ${label}`}>
      {canVote && (
        <>
          <button
            type="button"
            className="vote-button vote-button--like"
            aria-pressed={mine === 'like'}
            onClick={() => set('like')}
          >
            Like
          </button>
          <button
            type="button"
            className="vote-button vote-button--dislike"
            aria-pressed={mine === 'dislike'}
            onClick={() => set('dislike')}
          >
            Dislike
          </button>
        </>
      )}
      <p className="votes__counts">
        <span data-testid="likes">{plural(likes, 'like')}</span>,{' '}
        <span data-testid="dislikes">{plural(dislikes, 'dislike')}</span>
        {mine !== 'none' && (
          <span className="votes__mine">
            {' '}
            · You {mine === 'like' ? 'liked' : 'disliked'} this (counted at the next batch)
          </span>
        )}
      </p>
    </div>
  );
}
