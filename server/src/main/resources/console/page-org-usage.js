// Operators: gateway usage summed per organization.
import { get } from './client.js';
import { bar } from './charts.js';
import { emptyState, h, money, number, replace, table, tableBox } from './dom.js';
import { lastDays, rangeField } from './range.js';

export function renderOrgUsage(main, ui) {
  let alive = true;
  let range = 30;
  const body = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' });

  async function load() {
    const { from, to } = lastDays(range);
    body.setAttribute('aria-busy', 'true');
    try {
      const answer = await get(`/admin/usage?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&groupBy=organization`);
      if (alive) show(answer);
    } catch (error) {
      if (!alive) return;
      replace(body, h('p', { class: 'muted' }, 'Usage could not be loaded.'));
      ui.showError(error, 'Loading usage per organization');
    } finally {
      body.removeAttribute('aria-busy');
    }
  }

  function show(answer) {
    const groups = (Array.isArray(answer.groups) ? answer.groups : []).slice().sort((a, b) => (b.total_tokens ?? 0) - (a.total_tokens ?? 0));
    if (!groups.length) {
      replace(body, emptyState(`No gateway usage in the last ${range} days.`));
      return;
    }
    const max = Math.max(0, ...groups.map((g) => g.total_tokens ?? 0));
    const currency = answer.currency ?? null;
    const spend = Boolean(currency) || groups.some((g) => (g.spend_micros ?? 0) > 0);
    replace(body,
      answer.truncated ? h('p', { class: 'warning' }, 'More groups existed than one answer holds: the list is incomplete.') : null,
      tableBox('Usage per organization', table('Usage per organization',
        ['Organization', { label: 'Requests', numeric: true }, { label: 'Prompt', numeric: true }, { label: 'Completion', numeric: true },
          { label: 'Total tokens', numeric: true }, { label: 'Share', bar: true }].concat(spend ? [{ label: 'Spend', numeric: true }] : []),
        groups.map((g) => [
          g.organization ? h('span', { class: 'name' }, g.organization) : h('span', { class: 'muted' }, 'none'),
          number(g.requests), number(g.prompt_tokens), number(g.completion_tokens), number(g.total_tokens),
          bar(g.total_tokens ?? 0, max)].concat(spend ? [money(g.spend_micros, currency)] : [])),
        { class: 'data bars' })));
  }

  replace(main,
    h('h1', null, 'Usage per organization'),
    h('p', { class: 'lead' }, 'Every organization’s calls through the LLM gateway (UTC days).'),
    h('div', { class: 'toolbar' }, rangeField(range, (days) => { range = days; load(); })),
    body);
  load();
  return () => { alive = false; };
}
