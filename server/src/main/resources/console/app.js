// The console's shell: the session, the header, the navigation, the messages and hash routing.
import { api, get, setCsrfToken, setSessionEndedHandler } from './client.js';
import { h, replace } from './dom.js';
import { renderSignIn } from './page-signin.js';
import { renderTokens } from './page-tokens.js';
import { renderSandboxes } from './page-sandboxes.js';
import { renderSubscriptions } from './page-subscriptions.js';
import { renderUsage } from './page-usage.js';
import { renderChannels } from './page-channels.js';
import { renderAudit } from './page-audit.js';
import { renderOrgUsage } from './page-org-usage.js';
import { renderRevoke } from './page-revoke.js';
import { handleByosReturn } from './byos-return.js';

const ADMIN = 'gatehouse:admin';
const PAGES = [
  { path: 'tokens', label: 'Tokens', render: renderTokens },
  { path: 'sandboxes', label: 'Sandboxes', render: renderSandboxes },
  { path: 'subscriptions', label: 'Subscriptions', render: renderSubscriptions },
  { path: 'usage', label: 'Usage', render: renderUsage },
  { path: 'channels', label: 'Channels', render: renderChannels, admin: true },
  { path: 'audit', label: 'Audit', render: renderAudit, admin: true },
  { path: 'org-usage', label: 'Org usage', render: renderOrgUsage, admin: true },
  { path: 'revoke', label: 'Revoke', render: renderRevoke, admin: true },
];
const DEFAULT_PAGE = 'tokens';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const whoName = document.getElementById('who-name');
const errorBox = document.getElementById('error');
const noticeBox = document.getElementById('notice');

let session = null;
let leavePage = null;
let pendingNotice = null;
let pendingError = null;
let noticeTimer = null;
const NOTICE_MS = 10000;

/** What every page gets: the session, and the shared message areas. */
const ui = {
  get session() { return session; },
  isAdmin: () => Boolean(session?.principal?.capabilities?.includes(ADMIN)),
  /** Shows an ApiError (or any Error) in the alert area: its detail, and its code. */
  showError(error, context) {
    const code = error?.code ? ` (${error.code})` : '';
    const prefix = context ? `${context}: ` : '';
    replace(errorBox,
      h('p', null, h('strong', null, 'Error. '), `${prefix}${error?.detail ?? error?.message ?? String(error)}${code}`),
      error?.requestId ? h('p', { class: 'muted' }, `Request id ${error.requestId}`) : null,
      h('button', { type: 'button', class: 'button link', onclick: () => ui.clearError() }, 'Dismiss'));
    errorBox.hidden = false;
    errorBox.scrollIntoView({ block: 'nearest' });
  },
  clearError() {
    errorBox.hidden = true;
    errorBox.replaceChildren();
  },
  /** A short confirmation, read out by screen readers ("Token revoked."); it goes after a while. */
  notify(text) {
    noticeBox.textContent = text;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { noticeBox.textContent = ''; }, NOTICE_MS);
  },
};

setSessionEndedHandler(() => {
  if (session) {
    pendingNotice = 'Your session ended. Sign in again to continue.';
    start();
  }
});

document.getElementById('sign-out').addEventListener('click', async () => {
  let answer = null;
  try {
    answer = await api('POST', '/console/logout', undefined, { quiet401: true });
  } catch (error) {
    if (error.status !== 401) {
      ui.showError(error, 'Signing out');
      return;
    }
  }
  // A Keycloak session ends at Keycloak too, which then sends the browser back to the console.
  const keycloak = answer?.end_session_url;
  if (typeof keycloak === 'string' && /^https?:\/\//.test(keycloak)) {
    location.assign(keycloak);
    return;
  }
  pendingNotice = 'You are signed out.';
  await start();
});

window.addEventListener('hashchange', () => {
  if (session?.signed_in) route(true);
});

async function start() {
  ui.clearError();
  leave();
  let answer;
  try {
    answer = await get('/console/api/session', { quiet401: true });
  } catch (error) {
    replace(main, h('h1', null, 'Gatehouse console'));
    ui.showError(error, 'Loading your session');
    return;
  }
  session = answer;
  if (!session.signed_in) {
    setCsrfToken(null);
    who.hidden = true;
    nav.hidden = true;
    nav.replaceChildren();
    renderSignIn(main, session.sign_in ?? {}, ui, start);
    flushNotice();
    return;
  }
  setCsrfToken(session.csrf_token);
  const principal = session.principal ?? {};
  whoName.textContent = `${principal.name ?? principal.user ?? principal.subject ?? 'signed in'} · ${principal.organization ?? 'no organization'}`;
  whoName.title = `${principal.subject ?? ''} (${session.method ?? 'session'})`;
  who.hidden = false;
  buildNav();
  route(false);
  flushNotice();
}

function flushNotice() {
  if (pendingNotice) {
    ui.notify(pendingNotice);
    pendingNotice = null;
  }
  if (pendingError) {
    ui.showError({ detail: pendingError });
    pendingError = null;
  }
}

function buildNav() {
  const visible = PAGES.filter((page) => !page.admin || ui.isAdmin());
  const members = visible.filter((page) => !page.admin);
  const operators = visible.filter((page) => page.admin);
  const link = (page) => h('li', null, h('a', { href: `#/${page.path}`, 'data-page': page.path }, page.label));
  replace(nav,
    h('ul', { class: 'nav-list' }, members.map(link)),
    operators.length ? h('ul', { class: 'nav-list nav-operators', 'aria-label': 'Operators' },
      h('li', { class: 'nav-group', 'aria-hidden': 'true' }, 'Operators'), operators.map(link)) : null);
  nav.hidden = false;
}

function currentPath() {
  const match = /^#\/([a-z-]+)/.exec(location.hash);
  return match ? match[1] : DEFAULT_PAGE;
}

function route(moveFocus) {
  leave();
  ui.clearError();
  noticeBox.textContent = '';
  const path = currentPath();
  const page = PAGES.find((p) => p.path === path);
  for (const a of nav.querySelectorAll('a[data-page]')) {
    if (a.dataset.page === path) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.replaceChildren();
  if (!page) {
    document.title = 'Not found · Gatehouse console';
    main.append(h('h1', null, 'No such page'),
      h('p', null, 'There is no page here. ', h('a', { href: `#/${DEFAULT_PAGE}` }, 'Go to your tokens.')));
  } else if (page.admin && !ui.isAdmin()) {
    document.title = `${page.label} · Gatehouse console`;
    main.append(h('h1', null, page.label),
      h('p', null, 'This page is for operators: it needs the capability gatehouse:admin, which your session does not hold.'));
  } else {
    document.title = `${page.label} · Gatehouse console`;
    leavePage = page.render(main, ui) ?? null;
  }
  const heading = main.querySelector('h1');
  heading?.setAttribute('tabindex', '-1');
  if (moveFocus) {
    // Tell screen readers the page changed: focus its heading, as a new page load would.
    heading?.focus();
  }
}

function leave() {
  if (typeof leavePage === 'function') leavePage();
  leavePage = null;
}

if (!handleByosReturn((text, connected) => {
  if (connected) pendingNotice = text;
  else pendingError = text;
})) {
  start();
}
