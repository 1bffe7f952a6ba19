// Operators: the audit log, filtered, a page at a time (newest first).
import { get } from './client.js';
import { badge, busy, emptyState, field, h, replace, table, tableBox, time } from './dom.js';

// The actions Gatehouse records today; the field also takes any other name.
const ACTIONS = ['pat.issued', 'pat.revoked', 'pat.revoke_refused', 'sandbox.created', 'sandbox.deleted', 'sandbox.stopped',
  'sandbox.failed', 'sandbox.orphan_collected', 'sandbox_token.issued', 'sandbox_token.revoked', 'byos.connected',
  'byos.disconnected', 'byos.refresh_failed', 'key.revoked', 'audit.read'];
const PAGE_SIZES = [25, 50, 100];

export function renderAudit(main, ui) {
  let alive = true;
  const action = h('input', { name: 'action', list: 'audit-actions', autocomplete: 'off', spellcheck: 'false' });
  const actor = h('input', { name: 'actor', autocomplete: 'off', spellcheck: 'false' });
  const organization = h('input', { name: 'organization', autocomplete: 'off', spellcheck: 'false' });
  const since = h('input', { name: 'since', type: 'datetime-local', step: '1' });
  const until = h('input', { name: 'until', type: 'datetime-local', step: '1' });
  const limit = h('select', { name: 'limit' }, PAGE_SIZES.map((n) => h('option', { value: String(n), selected: n === 50 }, String(n))));
  const results = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card stack', 'aria-labelledby': 'audit-filter-title', novalidate: true },
    h('h2', { id: 'audit-filter-title' }, 'Filter'),
    h('datalist', { id: 'audit-actions' }, ACTIONS.map((a) => h('option', { value: a }))),
    h('div', { class: 'row' },
      field('Event type (action)', action, 'e.g. pat.issued'),
      field('Actor (subject)', actor),
      field('Organization', organization)),
    h('div', { class: 'row' },
      field('Since (your local time)', since),
      field('Until (your local time, exclusive)', until),
      field('Events per page', limit)),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button' }, 'Show events'),
      h('button', { type: 'reset', class: 'button secondary' }, 'Clear filters')));

  // Pages go back in time: each next page ends where the previous one's oldest event is.
  let filters = null;
  let pages = [];

  function query(untilInstant) {
    const params = new URLSearchParams();
    for (const name of ['action', 'actor', 'organization']) {
      if (filters[name]) params.set(name, filters[name]);
    }
    if (filters.since) params.set('since', filters.since);
    const end = untilInstant ?? filters.until;
    if (end) params.set('until', end);
    params.set('limit', String(filters.limit));
    return `/admin/audit?${params}`;
  }

  async function showPage(index) {
    const page = pages[index];
    ui.clearError();
    try {
      const answer = await get(query(page.until));
      if (!alive) return;
      const previous = index > 0 ? pages[index - 1].ids : new Set();
      // `until` is exclusive, so the next page asks up to the oldest event's millisecond + 1 and
      // leaves out what the previous page already showed (events sharing that millisecond).
      const events = (answer.events ?? []).filter((e) => !previous.has(e.id));
      page.ids = new Set((answer.events ?? []).map((e) => e.id));
      page.full = (answer.events ?? []).length >= filters.limit;
      page.oldest = events.length ? events[events.length - 1].occurred_at : null;
      render(index, events);
    } catch (error) {
      if (!alive) return;
      replace(results);
      ui.showError(error, 'Reading the audit log');
    }
  }

  function render(index, events) {
    const page = pages[index];
    const pager = () => h('div', { class: 'pager' },
      h('button', { type: 'button', class: 'button secondary', disabled: index === 0, onclick: () => showPage(index - 1) }, 'Newer'),
      h('span', { class: 'muted' }, `Page ${index + 1}`),
      h('button', { type: 'button', class: 'button secondary', disabled: !page.full || !page.oldest, onclick: () => {
        pages = pages.slice(0, index + 1);
        pages.push({ until: new Date(Date.parse(page.oldest) + 1).toISOString() });
        showPage(index + 1);
      } }, 'Older'));
    if (!events.length) {
      replace(results, emptyState(index === 0 ? 'No audit events match these filters.' : 'No older events.'), index > 0 ? pager() : null);
      return;
    }
    const rows = events.map((e) => [
      time(e.occurred_at),
      h('code', null, e.action),
      e.actor ? h('span', { title: e.actor.issuer ?? '' }, e.actor.subject ?? '—',
        e.actor.client ? h('span', { class: 'muted' }, ` (client ${e.actor.client})`) : null,
        e.actor.on_behalf_of ? h('span', { class: 'muted' }, ` for ${e.actor.on_behalf_of}`) : null) : '—',
      e.organization ?? h('span', { class: 'muted' }, '—'),
      e.target ? h('code', { class: 'id' }, e.target) : h('span', { class: 'muted' }, '—'),
      badge(e.outcome, e.outcome === 'success' ? 'ok' : 'bad'),
      e.source_ip ?? '—',
      detail(e.detail),
    ]);
    const paged = index > 0 || page.full;
    replace(results, paged ? pager() : null, tableBox('Audit events', table('Audit events',
      ['Time', 'Action', 'Actor', 'Organization', 'Target', 'Outcome', 'Source', 'Detail'], rows)), paged ? pager() : null);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const toInstant = (input) => (input.value ? new Date(input.value).toISOString() : null);
    filters = {
      action: action.value.trim(), actor: actor.value.trim(), organization: organization.value.trim(),
      since: toInstant(since), until: toInstant(until), limit: Number(limit.value),
    };
    pages = [{ until: null }];
    busy(form, () => showPage(0));
  });
  form.addEventListener('reset', () => setTimeout(() => form.requestSubmit()));

  replace(main,
    h('h1', null, 'Audit log'),
    h('p', { class: 'lead' }, 'Every credential issued or revoked, every sandbox started or stopped, every subscription connected, newest first. Reading the log is recorded too.'),
    form, results);
  form.requestSubmit();
  return () => { alive = false; };
}

function detail(value) {
  if (!value || typeof value !== 'object' || !Object.keys(value).length) return h('span', { class: 'muted' }, '—');
  const entries = Object.entries(value);
  const text = entries.map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`);
  if (text.join('; ').length <= 60) return h('span', { class: 'detail' }, text.join('; '));
  return h('details', null, h('summary', null, `${entries.length} fields`), h('ul', { class: 'detail-list' }, text.map((t) => h('li', null, t))));
}
