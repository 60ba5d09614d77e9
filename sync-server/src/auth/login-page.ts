/**
 * The small HTML pages behind the e-mailed login link. Opening the link (GET) only
 * shows a button: mail scanners open links, and must not use them up. No scripts or
 * styles inline (the CSP is default-src 'self': LOGIN_PAGE_CSS and LOGIN_PAGE_JS are
 * served as files); every text is escaped. Whatever goes wrong, a person gets one of
 * these pages with a way on, never a JSON error.
 */

export const LOGIN_PAGE_CSS_PATH = '/login/page.css';

/** Readable and thumb-sized on a small phone; the PWA's colours. */
export const LOGIN_PAGE_CSS = `
body { margin: 0; font: 1.125rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #212b32; background: #f0f4f5; }
main { max-width: 36rem; margin: 0 auto; padding: 1.5rem 1rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 1rem; }
a { color: #005eb8; }
button { font: inherit; font-weight: 600; min-height: 3rem; padding: 0.5rem 1.5rem; border: 0; border-radius: 4px; background: #005eb8; color: #fff; cursor: pointer; }
button:hover { background: #003087; }
a:focus, button:focus { outline: 3px solid #ffeb3b; outline-offset: 0; box-shadow: 0 0 0 6px #212b32; }
`.trimStart();

export const LOGIN_PAGE_JS_PATH = '/login/page.js';

/**
 * Sends the form once. A second tap while the first is on its way (a double tap, an
 * impatient tap on a slow phone) would post again; the browser then drops the first
 * answer, with its session cookie, and shows the second: "this link no longer works",
 * because the first post used it up. The page works without it (plain form).
 */
export const LOGIN_PAGE_JS = `
'use strict';
const form = document.querySelector('form[data-send-once]');
const button = form && form.querySelector('button');
if (form && button) {
  const label = button.textContent;
  let isSent = false;
  form.addEventListener('submit', (event) => {
    if (isSent) return event.preventDefault();
    isSent = true;
    button.setAttribute('aria-disabled', 'true');
    button.textContent = 'Logging in…';
  });
  // Back to this page from the history cache: the first post is over, one more is allowed.
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    isSent = false;
    button.removeAttribute('aria-disabled');
    button.textContent = label;
  });
}
`.trimStart();

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string, options: { hasScript?: boolean } = {}): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)}</title>`,
    `<link rel="stylesheet" href="${LOGIN_PAGE_CSS_PATH}">`,
    ...(options.hasScript ? [`<script src="${LOGIN_PAGE_JS_PATH}" defer></script>`] : []),
    '</head>',
    '<body>',
    '<main>',
    `<h1>${escapeHtml(title)}</h1>`,
    body,
    '</main>',
    '</body>',
    '</html>',
  ].join('\n');
}

export function loginFormPage(token: string): string {
  return page(
    'Log in to Huddle',
    [
      '<p>Press the button to log in on this device.</p>',
      '<form method="post" action="/login/link" data-send-once>',
      `<input type="hidden" name="token" value="${escapeHtml(token)}">`,
      '<button type="submit">Log in to Huddle</button>',
      '</form>',
    ].join('\n'),
    { hasScript: true },
  );
}

const GO_TO_HUDDLE = '<p><a href="/">Go to Huddle</a></p>';

export function linkNotUsablePage(): string {
  return page(
    'This login link no longer works',
    [
      '<p>Login links work once, for a limited time. This one has been used already (a link or code from another e-mail may have been used: that ends them all) or has expired.</p>',
      '<p>If you have just logged in with it on this device, Huddle opens as usual. If not, ask there for a new code with your e-mail address.</p>',
      GO_TO_HUDDLE,
    ].join('\n'),
  );
}

/** Too many links that do not work were opened from one network (login-budgets.ts). */
export function linksRateLimitedPage(wait: string): string {
  return page(
    'Please try again in a moment',
    [
      `<p>Too many login links that do not work were opened from this network. Please try again in ${wait}.</p>`,
      '<p>A login link that still works is never refused: if you have one, open it again.</p>',
      GO_TO_HUDDLE,
    ].join('\n'),
  );
}

/** The button pressed again (a second tab, the back button) by someone this device already has logged in. */
export function linkUsedWhileSignedInPage(): string {
  return page(
    'You are already logged in',
    [
      '<p>This login link has been used already: links work once. This device is logged in to Huddle.</p>',
      GO_TO_HUDDLE,
    ].join('\n'),
  );
}

/** The form post was not sent by our own page in this browser (see http/csrf.ts). The link is not used up. */
export function linkFormRefusedPage(): string {
  return page(
    'Please open the link again',
    [
      '<p>For your safety, Huddle only accepts this button on the page that the link in your e-mail opens, in the same browser.</p>',
      '<p>Open the link from your e-mail again and press the button there, or go to Huddle and enter the code from the same e-mail.</p>',
      GO_TO_HUDDLE,
    ].join('\n'),
  );
}
