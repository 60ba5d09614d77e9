/**
 * The small HTML pages behind the e-mailed login link. Opening the link (GET) only
 * shows a button: mail scanners open links, and must not use them up. No scripts or
 * styles inline (the CSP is default-src 'self'); every text is escaped.
 */

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)}</title>`,
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
      '<form method="post" action="/login/link">',
      `<input type="hidden" name="token" value="${escapeHtml(token)}">`,
      '<button type="submit">Log in to Huddle</button>',
      '</form>',
    ].join('\n'),
  );
}

export function linkNotUsablePage(): string {
  return page(
    'This login link no longer works',
    [
      '<p>Login links work once, for a limited time. This one has been used already or has expired.</p>',
      '<p>No problem: ask for a new code with your e-mail address.</p>',
      '<p><a href="/">Go to Huddle</a></p>',
    ].join('\n'),
  );
}
