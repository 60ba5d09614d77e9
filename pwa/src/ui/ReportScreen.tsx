/** Report a post against one of the guidelines; it goes to the facilitation team. Anonymous like everything else. */
import { useState, type FormEvent } from 'react';
import type { Guideline } from '../../../shared/src/documents.js';
import { LIMITS } from '../../../shared/src/protocol.js';
import { InvalidInputError, huddle } from '../data/hooks.js';
import { useReportTarget } from '../data/participant-hooks.js';
import { href, navigate, type PostKind } from './use-hash-route.js';

const GUIDELINES: Array<{ value: Guideline; label: string; hint: string }> = [
  {
    value: 'names-someone',
    label: 'It names someone or describes them so they could be recognised',
    hint: 'For example a name, or “the new matron on Ward 7”.',
  },
  { value: 'abusive', label: 'It is abusive or offensive', hint: 'Insults, threats, discrimination.' },
  { value: 'off-topic', label: 'It is off the topic', hint: 'Not about the conversation’s question.' },
  { value: 'other', label: 'Something else', hint: 'Tell the team in the note below.' },
];

export function ReportScreen({ kind, id }: { kind: PostKind; id: string }) {
  const target = useReportTarget(kind, id);
  const [guideline, setGuideline] = useState<Guideline | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (target === undefined) return <p className="muted">Loading…</p>;
  if (target === null || target.isOwn)
    return (
      <>
        <h1 tabIndex={-1}>This post cannot be reported</h1>
        <p>It may have been removed already, or it is your own.</p>
        <p>
          <a href={href.streams()}>Back to the topics</a>
        </p>
      </>
    );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!guideline) {
      setError('Choose which guideline it breaks.');
      return;
    }
    try {
      await huddle.reportPost({
        conversationId: target.conversationId,
        itemKind: kind,
        itemId: id,
        guideline,
        note,
      });
      navigate(href.idea(target.ideaId));
    } catch (err) {
      setError(
        err instanceof InvalidInputError ? err.message : 'Your report could not be saved on this device.',
      );
    }
  };
  return (
    <div className="narrow">
      <p className="breadcrumb">
        <a href={href.idea(target.ideaId)}>Back without reporting</a>
      </p>
      <h1 tabIndex={-1}>Report this {kind}</h1>
      <blockquote className="quoted">{target.text}</blockquote>
      <p>
        The facilitation team will look at it. Nobody else sees your report, and it does not carry your name.
      </p>
      {error && (
        <p className="error-message" role="alert">
          {error}
        </p>
      )}
      <form onSubmit={submit}>
        <fieldset className="field">
          <legend>Which guideline does it break?</legend>
          {GUIDELINES.map((g) => (
            <div key={g.value} className="radio">
              <input
                id={`guideline-${g.value}`}
                type="radio"
                name="guideline"
                value={g.value}
                checked={guideline === g.value}
                onChange={() => setGuideline(g.value)}
                aria-describedby={`guideline-${g.value}-hint`}
              />
              <label htmlFor={`guideline-${g.value}`}>{g.label}</label>
              <p className="hint" id={`guideline-${g.value}-hint`}>
                {g.hint}
              </p>
            </div>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="report-note">Note for the team (optional)</label>
          <textarea
            id="report-note"
            rows={3}
            maxLength={LIMITS.reportNoteMax}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
        </div>
        <button type="submit" className="button">
          Send report
        </button>
      </form>
    </div>
  );
}
