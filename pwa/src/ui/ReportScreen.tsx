/** Report a post against one of the guidelines; it goes to the facilitation team. Anonymous like everything else. */
import { useRef, useState, type FormEvent } from 'react';
import type { Guideline } from '../../../shared/src/documents.js';
import { LIMITS } from '../../../shared/src/protocol.js';
import { InvalidInputError, huddle } from '../data/hooks.js';
import { useReportTarget } from '../data/participant-hooks.js';
import { href, navigate, type PostKind } from './use-hash-route.js';
import { CharacterCount } from './CharacterCount.js';
import { SubmitButton } from './SubmitButton.js';
import { limitState, overLimitMessage, overLimitRefusal } from './text-limit.js';
import { useSingleSubmit } from './use-single-submit.js';

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
  const [refusal, setRefusal] = useState<string | null>(null);
  const noteBox = useRef<HTMLTextAreaElement>(null);
  const { isSubmitting, run } = useSingleSubmit();
  const noteLimit = limitState(note, LIMITS.reportNoteMax);
  const limited = [{ name: 'note', state: noteLimit }];
  const blocked = overLimitMessage(limited, 'send the report');
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
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!guideline) {
      setError('Choose which guideline it breaks.');
      return;
    }
    if (blocked) {
      setRefusal(overLimitRefusal(limited, { done: 'sent', todo: 'send the report' }));
      noteBox.current?.focus();
      return;
    }
    run(async () => {
      try {
        await huddle.reportPost({
          conversationId: target.conversationId,
          itemKind: kind,
          itemId: id,
          guideline,
          note,
        });
        navigate(href.idea(target.ideaId));
        return true;
      } catch (err) {
        setError(
          err instanceof InvalidInputError ? err.message : 'Your report could not be saved on this device.',
        );
        return false;
      }
    });
  };
  return (
    <div className="narrow">
      <p className="breadcrumb">
        <a href={href.idea(target.ideaId)}>Back without reporting</a>
      </p>
      <h1 tabIndex={-1}>Report this {kind}</h1>
      <blockquote className="quoted" dir="auto">
        {target.text}
      </blockquote>
      <p>
        The facilitation team will look at it. Nobody else sees your report, and it does not carry your name.
      </p>
      <div role="alert">
        {error && <p className="error-message">{error}</p>}
        {blocked && refusal && <p className="error-message">{refusal}</p>}
      </div>
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
          <p className="hint" id="report-note-hint">
            Up to {LIMITS.reportNoteMax} characters.
          </p>
          <textarea
            dir="auto"
            ref={noteBox}
            readOnly={isSubmitting}
            id="report-note"
            rows={3}
            aria-describedby="report-note-hint report-note-count"
            aria-invalid={noteLimit.isOver || undefined}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
          <CharacterCount id="report-note-count" state={noteLimit} />
        </div>
        <SubmitButton
          label="Send report"
          blockedId="report-send-blocked"
          blockedMessage={blocked}
          isSubmitting={isSubmitting}
        />
      </form>
    </div>
  );
}
