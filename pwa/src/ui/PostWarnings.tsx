/**
 * A calm note under a post being written when the text seems to name or single out someone,
 * identify the author, or contain abusive words. Works offline (the detector and the roster
 * hash set are on the device), updates a moment after typing stops, and never blocks posting.
 */
import { IDENTIFYING_GUIDELINE, useTextWarnings, type TextWarning } from '../data/text-warnings.js';
import { href } from './use-hash-route.js';

const HEADINGS: Record<TextWarning['kind'], string> = {
  'names-person': 'This may name someone',
  'identifies-by-role': 'This may let people work out who you mean',
  'identifies-self': 'This may identify you',
  abusive: 'This may read as abusive',
};

export function PostWarnings({ text, id }: { text: string; id?: string }) {
  const warnings = useTextWarnings(text);
  // One line per distinct finding: a name written twice is mentioned once.
  const seen = new Set<string>();
  const distinct = warnings.filter((w) => {
    const key = `${w.kind}:${w.text.toLowerCase()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const kinds = [...new Set(distinct.map((w) => w.kind))];
  return (
    <div id={id} role="status" aria-live="polite" className="post-warnings">
      {distinct.length > 0 && (
        <div className="notice notice--caution">
          <p className="post-warnings__title">
            <strong>{kinds.map((k) => HEADINGS[k]).join('. ')}.</strong>
          </p>
          <ul className="post-warnings__list">
            {distinct.map((w) => (
              <li key={`${w.kind}:${w.start}`}>{w.message}</li>
            ))}
          </ul>
          <p className="hint">
            The guideline: “{IDENTIFYING_GUIDELINE}” <a href={href.rules()}>Read the rules</a>. You can still
            post; moderators may edit a post that identifies someone.
          </p>
        </div>
      )}
    </div>
  );
}
