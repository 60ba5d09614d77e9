/**
 * The home screen: the conversation's topics (streams) in their set order, the rules shown once after first
 * login, the optional "about you" questions, search and the quick-break entry point. Each topic says how many
 * ideas are new since the person last opened it on this device (worked out on the device: seen.ts).
 */
import { huddle, useConversations, useStreams } from '../data/hooks.js';
import { useNewIdeaCounts, usePreferences } from '../data/participant-hooks.js';
import { plural } from './format.js';
import { ClosedBanner } from './ClosedBanner.js';
import { RulesSummary } from './RulesScreen.js';
import { SearchForm } from './SearchScreen.js';
import { href } from './use-hash-route.js';

function NewIdeas({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <p className="badge badge--new" data-testid="stream-news">
      {plural(count, 'new idea')}
    </p>
  );
}

export function StreamsScreen() {
  const streams = useStreams();
  const conversations = useConversations();
  const preferences = usePreferences();
  const newIdeas = useNewIdeaCounts(streams?.map((s) => s.id));
  const conversation = conversations?.find((c) => c.status !== 'draft');
  const isLive = conversation?.status === 'live';
  return (
    <>
      <h1 tabIndex={-1}>{conversation?.title ?? 'Topics'}</h1>
      {conversation?.description && <p className="lead">{conversation.description}</p>}
      {conversation?.status === 'closed' && <ClosedBanner />}
      {preferences && !preferences.hasSeenRules && (
        <section className="card card--welcome" aria-labelledby="welcome-heading" data-testid="welcome">
          <h2 id="welcome-heading">Before you start</h2>
          <RulesSummary />
          <div className="button-row">
            <button type="button" className="button" onClick={() => void huddle.markRulesSeen()}>
              I understand
            </button>
            <a className="button button--secondary" href={href.rules()}>
              Read the full rules and questions
            </a>
          </div>
        </section>
      )}
      {preferences?.hasSeenRules && preferences.questionnaireFor && (
        <section className="card card--welcome" aria-labelledby="about-you-heading">
          <h2 id="about-you-heading">Optional: a little about you</h2>
          <p>
            Two or three short questions, used only for statistics about groups of 10 or more people. You can
            skip them.
          </p>
          <div className="button-row">
            <a className="button" href={href.aboutYou()}>
              Answer the questions
            </a>
            <button
              type="button"
              className="button button--secondary"
              onClick={() => void huddle.skipQuestionnaire(preferences.questionnaireFor!.conversation.id)}
            >
              Skip
            </button>
          </div>
        </section>
      )}
      <SearchForm initialQuery="" />
      {isLive && (
        <p>
          <a className="button button--secondary button--block" href={href.quickBreak()}>
            Quick break: vote on ideas one at a time
          </a>
        </p>
      )}
      {streams === undefined ? (
        <p className="muted">Loading…</p>
      ) : streams.length === 0 ? (
        <p>Nothing here yet. Topics appear once this device has synced with Huddle.</p>
      ) : (
        <>
          <h2>Topics</h2>
          <ul className="card-list">
            {streams.map((s) => (
              <li key={s.id} className="card">
                <h3 className="card__title">
                  <a href={href.stream(s.id)}>
                    <bdi>{s.title}</bdi>
                  </a>
                </h3>
                <NewIdeas count={newIdeas?.get(s.id) ?? 0} />
                {s.description && <p>{s.description}</p>}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
