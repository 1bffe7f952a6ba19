// A member's own gateway usage: tokens per day, and by model and by sandbox, with a CSV download.
import { get } from './client.js';
import { bar, dayChart, dayLegend } from './charts.js';
import { emptyState, h, money, number, replace, table, tableBox } from './dom.js';
import { lastDays, rangeField } from './range.js';

const GROUP_BY = 'day,model,sandbox';

/** The names of the member's sandboxes that still exist, by id; none when they cannot be listed. */
async function sandboxNames() {
  try {
    const answer = await get('/api/v1/sandbox/sessions');
    return new Map((answer.sandboxes ?? []).filter((s) => s.name).map((s) => [s.id, s.name]));
  } catch {
    return new Map();
  }
}

function sandboxLabel(id, names) {
  if (id == null) return 'outside sandboxes (tokens and sessions)';
  const name = names.get(id);
  return name ? `${name} (${id})` : id;
}

export function renderUsage(main, ui) {
  let alive = true;
  let range = 30;
  let last = null;
  const body = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' });
  const csv = h('a', { class: 'button secondary', download: '' }, 'Download CSV');

  async function load() {
    const { from, to, days } = lastDays(range);
    const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&groupBy=${GROUP_BY}`;
    csv.href = `/api/v1/usage?${query}&format=csv`;
    csv.setAttribute('download', `gatehouse-usage-${days[0]}-${days[days.length - 1]}.csv`);
    body.setAttribute('aria-busy', 'true');
    try {
      const answer = await get(`/api/v1/usage?${query}`);
      const names = await sandboxNames();
      if (!alive) return;
      last = { answer, days, names };
      draw();
    } catch (error) {
      if (!alive) return;
      replace(body, h('p', { class: 'muted' }, 'Your usage could not be loaded.'));
      ui.showError(error, 'Loading your usage');
    } finally {
      body.removeAttribute('aria-busy');
    }
  }

  function draw() {
    if (!last) return;
    const { answer, days, names } = last;
    const groups = Array.isArray(answer.groups) ? answer.groups : [];
    const currency = answer.currency ?? null;
    if (!groups.length) {
      replace(body, emptyState(`No usage in the last ${range} days.`,
        h('p', { class: 'muted' }, 'Calls to the LLM gateway with your tokens and sandboxes show up here.')));
      return;
    }
    const perDay = new Map(days.map((day) => [day, { day, prompt: 0, completion: 0, requests: 0 }]));
    for (const g of groups) {
      const day = perDay.get(g.day);
      if (!day) continue;
      day.prompt += g.prompt_tokens ?? 0;
      day.completion += g.completion_tokens ?? 0;
      day.requests += g.requests ?? 0;
    }
    const totals = sum(groups);
    const width = Math.max(280, body.clientWidth || main.clientWidth || 700);
    replace(body,
      h('div', { class: 'tiles' },
        tile('Requests', number(totals.requests)),
        tile('Tokens', number(totals.total_tokens)),
        tile('Prompt / completion', `${number(totals.prompt_tokens)} / ${number(totals.completion_tokens)}`),
        currency || totals.spend_micros ? tile('Spend', money(totals.spend_micros, currency)) : null),
      answer.truncated ? h('p', { class: 'warning' }, 'More groups existed than one answer holds: these figures are incomplete. Choose a shorter range.') : null,
      h('section', { class: 'card', 'aria-labelledby': 'usage-per-day' },
        h('h2', { id: 'usage-per-day' }, 'Tokens per day'),
        h('div', { class: 'chart-box' }, dayChart([...perDay.values()], width - 40, `Tokens per day, last ${range} days`)),
        dayLegend(),
        h('details', null, h('summary', null, 'Show as a table'),
          tableBox('Tokens per day', table('Tokens per day',
            ['Day', { label: 'Requests', numeric: true }, { label: 'Prompt', numeric: true }, { label: 'Completion', numeric: true }, { label: 'Total', numeric: true }],
            [...perDay.values()].map((d) => [d.day, number(d.requests), number(d.prompt), number(d.completion), number(d.prompt + d.completion)]))))),
      breakdown('By model', 'model', groups, (key) => key ?? 'unknown model', currency),
      breakdown('By sandbox', 'sandbox', groups, (key) => sandboxLabel(key, names), currency));
  }

  const onResize = debounce(draw, 200);
  window.addEventListener('resize', onResize);
  replace(main,
    h('h1', null, 'Usage'),
    h('p', { class: 'lead' }, 'Your own calls through the LLM gateway, by day, model and sandbox (UTC days).'),
    h('div', { class: 'toolbar' }, rangeField(range, (days) => { range = days; load(); }), csv),
    body);
  load();
  return () => {
    alive = false;
    window.removeEventListener('resize', onResize);
  };
}

function breakdown(title, dimension, groups, name, currency) {
  const byKey = new Map();
  for (const g of groups) {
    const key = g[dimension] ?? null;
    const row = byKey.get(key) ?? { key, requests: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, spend_micros: 0 };
    for (const field of ['requests', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'spend_micros']) row[field] += g[field] ?? 0;
    byKey.set(key, row);
  }
  const rows = [...byKey.values()].sort((a, b) => b.total_tokens - a.total_tokens);
  const max = Math.max(0, ...rows.map((r) => r.total_tokens));
  const id = `usage-${dimension}`;
  const headers = ['', { label: 'Requests', numeric: true }, { label: 'Tokens', numeric: true }, { label: 'Share', bar: true }];
  headers[0] = dimension === 'model' ? 'Model' : 'Sandbox';
  if (currency) headers.push({ label: 'Spend', numeric: true });
  return h('section', { class: 'card', 'aria-labelledby': id },
    h('h2', { id }, title),
    tableBox(title, table(title, headers, rows.map((r) => {
      const cells = [h('span', { class: r.key ? 'name' : 'muted' }, name(r.key)), number(r.requests), number(r.total_tokens), bar(r.total_tokens, max)];
      if (currency) cells.push(money(r.spend_micros, currency));
      return cells;
    }), { class: 'data bars' })));
}

function sum(groups) {
  const total = { requests: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, spend_micros: 0 };
  for (const g of groups) for (const key of Object.keys(total)) total[key] += g[key] ?? 0;
  return total;
}

function tile(label, value) {
  return h('div', { class: 'tile' }, h('span', { class: 'tile-label' }, label), h('span', { class: 'tile-value' }, value));
}

function debounce(fn, ms) {
  let timer = null;
  return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
}
