/** The app frame: header with the menu, the current screen, the sync status bar and the update banner. */
import { useEffect, useRef } from 'react';
import { useRejectedDrafts, useSession } from '../data/hooks.js';
import { AboutYouScreen } from './AboutYouScreen.js';
import { DraftsScreen } from './DraftsScreen.js';
import { EditPostScreen } from './EditPostScreen.js';
import { IdeaScreen } from './IdeaScreen.js';
import { LoginScreen } from './LoginScreen.js';
import { Menu } from './Menu.js';
import { MyActivityScreen } from './MyActivityScreen.js';
import { NoticesScreen } from './NoticesScreen.js';
import { OtherPersonPrompt } from './OtherPersonPrompt.js';
import { PostIdeaScreen } from './PostIdeaScreen.js';
import { QuickBreakScreen } from './QuickBreakScreen.js';
import { ReportScreen } from './ReportScreen.js';
import { RulesScreen } from './RulesScreen.js';
import { SearchScreen } from './SearchScreen.js';
import { StreamScreen } from './StreamScreen.js';
import { StreamsScreen } from './StreamsScreen.js';
import { SyncStatusBar } from './SyncStatusBar.js';
import { UpdateBanner } from './UpdateBanner.js';
import { href, useHashRoute, type Route } from './use-hash-route.js';

export function App() {
  const session = useSession();
  const route = useHashRoute();
  const mainRef = useRef<HTMLElement>(null);
  const routeKey = JSON.stringify(route);

  // Move focus to the new screen's heading, so screen readers hear where they are.
  useEffect(() => {
    const heading = mainRef.current?.querySelector('h1');
    if (heading instanceof HTMLElement && document.activeElement !== heading)
      heading.focus({ preventScroll: false });
  }, [routeKey, session.status]);

  const isSignedIn = session.status === 'signed-in';
  return (
    <>
      {/* Hash routing owns the fragment: move focus instead of navigating to #main. */}
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <a className="site-header__brand" href={href.streams()}>
            Huddle
          </a>
          {isSignedIn && <Menu email={session.person.email} canContribute={session.canContribute} />}
        </div>
      </header>
      <UpdateBanner />
      {isSignedIn && session.otherPerson && (
        <OtherPersonPrompt previous={session.person.email} other={session.otherPerson.email} />
      )}
      {isSignedIn && <SyncStatusBar />}
      {isSignedIn && <RejectedNotice />}
      <main id="main" ref={mainRef} className="page" tabIndex={-1}>
        {session.status === 'loading' ? (
          <p className="muted">Loading…</p>
        ) : session.status === 'signed-out' ? (
          <LoginScreen />
        ) : (
          <Screen
            route={route}
            canContribute={session.canContribute}
            needsLogin={session.needsLogin}
            email={session.person.email}
          />
        )}
      </main>
    </>
  );
}

function Screen({
  route,
  canContribute,
  needsLogin,
  email,
}: {
  route: Route;
  canContribute: boolean;
  needsLogin: boolean;
  email: string;
}) {
  switch (route.name) {
    case 'streams':
      return <StreamsScreen />;
    case 'stream':
      return <StreamScreen streamId={route.id} sort={route.sort} canContribute={canContribute} />;
    case 'idea':
      return <IdeaScreen ideaId={route.id} canContribute={canContribute} />;
    case 'post':
      return canContribute ? (
        <PostIdeaScreen streamId={route.streamId} draftId={route.draftId} />
      ) : (
        <NotAllowed />
      );
    case 'drafts':
      return canContribute ? <DraftsScreen /> : <NotAllowed />;
    case 'rules':
      return <RulesScreen />;
    case 'about-you':
      return canContribute ? <AboutYouScreen /> : <NotAllowed />;
    case 'search':
      return <SearchScreen query={route.query} />;
    case 'quick-break':
      return canContribute ? <QuickBreakScreen /> : <NotAllowed />;
    case 'activity':
      return canContribute ? <MyActivityScreen /> : <NotAllowed />;
    case 'notices':
      return <NoticesScreen canContribute={canContribute} />;
    case 'edit':
      return canContribute ? <EditPostScreen kind={route.kind} id={route.id} /> : <NotAllowed />;
    case 'report':
      return canContribute ? <ReportScreen kind={route.kind} id={route.id} /> : <NotAllowed />;
    case 'login':
      return needsLogin ? <LoginScreen knownEmail={email} /> : <AlreadySignedIn />;
    case 'not-found':
      return (
        <>
          <h1 tabIndex={-1}>Page not found</h1>
          <p>
            <a href={href.streams()}>Go to the list of topics</a>
          </p>
        </>
      );
  }
}

function NotAllowed() {
  return (
    <>
      <h1 tabIndex={-1}>You can read but not post</h1>
      <p>Your account can read the conversation but not post in it.</p>
    </>
  );
}

function AlreadySignedIn() {
  return (
    <>
      <h1 tabIndex={-1}>You are logged in</h1>
      <p>
        <a href={href.streams()}>Go to the list of topics</a>
      </p>
    </>
  );
}

function RejectedNotice() {
  const rejected = useRejectedDrafts();
  if (!rejected || rejected.length === 0) return null;
  return (
    <div className="notice notice--warning" role="region" aria-label="Posts not accepted">
      <p>
        {rejected.length === 1 ? '1 post was' : `${rejected.length} posts were`} not accepted. Your text is
        kept in <a href={href.drafts()}>your drafts</a>.
      </p>
    </div>
  );
}
