/**
 * The optional "about you" questions configured for the conversation (staff group, site, …). Skippable; the
 * answers are used only for statistics about groups of at least 10 people, never next to anyone's posts.
 */
import { useState, type FormEvent } from 'react';
import type { ConversationDoc } from '../../../shared/src/documents.js';
import { huddle } from '../data/hooks.js';
import { useQuestionnaire } from '../data/participant-hooks.js';
import { href, navigate } from './use-hash-route.js';

const NOT_SAY = '';

export function AboutYouScreen() {
  const questionnaire = useQuestionnaire();
  if (questionnaire === undefined) return <p className="muted">Loading…</p>;
  if (questionnaire === null)
    return (
      <div className="narrow">
        <h1 tabIndex={-1}>About you</h1>
        <p>This conversation does not ask any questions about you.</p>
        <p>
          <a href={href.streams()}>Go to the topics</a>
        </p>
      </div>
    );
  return <AboutYouForm conversation={questionnaire.conversation} isAnswered={questionnaire.answered} />;
}

function AboutYouForm({ conversation, isAnswered }: { conversation: ConversationDoc; isAnswered: boolean }) {
  const questions = conversation.questionnaire ?? [];
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const isLive = conversation.status === 'live';
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const chosen = Object.fromEntries(Object.entries(answers).filter(([, v]) => v !== NOT_SAY));
    try {
      await huddle.submitQuestionnaire({ conversationId: conversation.id, answers: chosen });
      navigate(href.streams());
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Your answers could not be saved on this device.');
    }
  };
  return (
    <div className="narrow">
      <h1 tabIndex={-1}>About you (optional)</h1>
      <p>
        These answers are used only to count how different groups of staff took part, and only for groups of{' '}
        <strong>10 or more people</strong>. They are never shown next to your posts or votes. Every question
        can be left as “Prefer not to say”.
      </p>
      {isAnswered && (
        <p className="notice notice--info">You have answered already. Sending again replaces your answers.</p>
      )}
      {error && (
        <p className="error-message" role="alert">
          {error}
        </p>
      )}
      <form onSubmit={submit}>
        {questions.map((q) => (
          <fieldset key={q.id} className="field">
            <legend>{q.label}</legend>
            {[...q.options, { id: NOT_SAY, label: 'Prefer not to say' }].map((o) => {
              const inputId = `q-${q.id}-${o.id || 'none'}`;
              return (
                <div key={inputId} className="radio">
                  <input
                    id={inputId}
                    type="radio"
                    name={q.id}
                    checked={(answers[q.id] ?? NOT_SAY) === o.id}
                    onChange={() => setAnswers((a) => ({ ...a, [q.id]: o.id }))}
                  />
                  <label htmlFor={inputId}>{o.label}</label>
                </div>
              );
            })}
          </fieldset>
        ))}
        <div className="button-row">
          <button type="submit" className="button" disabled={!isLive}>
            Send my answers
          </button>
          <button
            type="button"
            className="button button--secondary"
            onClick={() =>
              void huddle.skipQuestionnaire(conversation.id).then(() => navigate(href.streams()))
            }
          >
            Skip
          </button>
        </div>
      </form>
    </div>
  );
}
