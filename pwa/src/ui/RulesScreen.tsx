/** The rules of engagement and the questions people ask: shown once after first login, always in the menu. */
import { huddle } from '../data/hooks.js';
import { usePreferences } from '../data/participant-hooks.js';
import { href } from './use-hash-route.js';

export function RulesSummary() {
  return (
    <ul className="rules-list">
      <li>
        <strong>You are anonymous.</strong> Nobody at the Trust can see who wrote an idea, a comment or a
        vote.
      </li>
      <li>
        <strong>Do not name anyone</strong>, and do not describe someone so they could be recognised (for
        example “the new matron on Ward 7”). That includes yourself.
      </li>
      <li>
        <strong>Be kind and stay on the topic.</strong> An independent facilitation team reads everything and
        may edit or hide posts that break these rules.
      </li>
    </ul>
  );
}

const FAQ: Array<{ q: string; a: string }> = [
  {
    q: 'What does anonymous mean here?',
    a: 'Your ideas, comments and votes are shown without your name, e-mail or any account number. Times are rounded to the hour and new posts appear in batches, so nobody can match a post to who was on shift. Only the independent facilitation team can send you a message about your post, through Huddle, without seeing your address.',
  },
  {
    q: 'Who can see what I write?',
    a: 'Everyone taking part can read ideas and comments. The Trust receives a report of the themes. Nobody at the Trust can see who wrote what.',
  },
  {
    q: 'What gets moderated?',
    a: 'Posts that name a person, describe someone so they could be recognised, are abusive, or are off the topic. The facilitation team may edit such a post (it will say “edited by the moderators”) or hide it, with a reason. You will see what happened in “My activity”.',
  },
  {
    q: 'Why can I not name people, even to praise them?',
    a: 'Because a named or recognisable person cannot answer back here, and praise or blame of individuals is not what this conversation is for. Describe the situation instead: what happened and what would help.',
  },
  {
    q: 'Can I change my mind?',
    a: 'Yes. You can change or undo your votes, edit your own posts or withdraw them while the conversation is open.',
  },
  {
    q: 'Does it work without signal?',
    a: 'Yes. Everything you do is saved on this phone first and sent when you are back online. The bar at the top says what is still waiting to send.',
  },
  {
    q: 'What is the “about you” questionnaire?',
    a: 'A few optional questions, such as your staff group. The answers are used only for statistics about groups of at least 10 people, never shown next to your posts. You can skip them.',
  },
];

export function RulesScreen() {
  const preferences = usePreferences();
  return (
    <div className="narrow">
      <h1 tabIndex={-1}>How Huddle works</h1>
      <h2>The rules</h2>
      <RulesSummary />
      {preferences && !preferences.hasSeenRules && (
        <p>
          <button type="button" className="button" onClick={() => void huddle.markRulesSeen()}>
            I understand
          </button>
        </p>
      )}
      <h2>Questions and answers</h2>
      <dl className="faq">
        {FAQ.map(({ q, a }) => (
          <div key={q} className="faq__item">
            <dt>{q}</dt>
            <dd>{a}</dd>
          </div>
        ))}
      </dl>
      <p>
        <a href={href.streams()}>Go to the topics</a>
      </p>
    </div>
  );
}
