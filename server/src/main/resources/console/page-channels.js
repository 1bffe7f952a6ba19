// Operators: every gateway channel's health and traffic (the figures /metrics exports).
import { get } from './client.js';
import { badge, emptyState, h, number, replace, table, tableBox, time } from './dom.js';

export function renderChannels(main, ui) {
  let alive = true;
  const body = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading the channels…'));
  const generated = h('p', { class: 'muted' });
  const refresh = h('button', { type: 'button', class: 'button secondary', onclick: () => load() }, 'Refresh');

  async function load() {
    ui.clearError();
    refresh.disabled = true;
    body.setAttribute('aria-busy', 'true');
    try {
      const answer = await get('/admin/channels');
      if (!alive) return;
      replace(generated, 'As of ', time(answer.generated_at ?? new Date().toISOString()), '.');
      show(Array.isArray(answer.channels) ? answer.channels : []);
    } catch (error) {
      if (!alive) return;
      replace(body, h('p', { class: 'muted' }, 'The channels could not be loaded.'));
      ui.showError(error, 'Loading the channels');
    } finally {
      refresh.disabled = false;
      body.removeAttribute('aria-busy');
    }
  }

  function show(channels) {
    if (!channels.length) {
      replace(body, emptyState('No gateway channels are configured (gateway.channels).'));
      return;
    }
    const rows = channels.map((c) => [
      h('span', { class: 'name' }, c.name ?? '—'),
      c.provider ?? '—',
      h('span', null, c.state === 'in' ? badge('in service', 'ok') : c.state === 'out' ? badge('taken out', 'bad') : badge(String(c.state ?? 'unknown'), 'neutral'),
        c.since ? h('span', { class: 'muted small' }, ' since ', time(c.since)) : null),
      list(c.models),
      list(c.protocols),
      counts(c.requests),
      counts(c.upstream_errors),
      c.tokens ? `${number(c.tokens.prompt)} / ${number(c.tokens.completion)}` : '—',
      seconds(c.first_byte_seconds),
      seconds(c.request_duration_seconds),
      h('span', { class: 'url' }, c.base_url ?? '—'),
    ]);
    replace(body, tableBox('Gateway channels', table('Gateway channels',
      ['Channel', 'Provider', 'State', 'Models', 'Protocols', 'Requests', 'Upstream errors', 'Tokens (prompt / completion)', 'Time to first byte', 'Request duration', 'Base URL'], rows)));
  }

  replace(main,
    h('h1', null, 'Channels'),
    h('p', { class: 'lead' }, 'The gateway’s upstreams: whether each is in service, and its traffic since this replica started.'),
    h('div', { class: 'toolbar' }, refresh, generated),
    body);
  load();
  return () => { alive = false; };
}

function list(values) {
  return Array.isArray(values) && values.length ? values.join(', ') : h('span', { class: 'muted' }, '—');
}

/** {"completed": 3, "failed": 1, "total": 4} as "4 (completed 3, failed 1)"; anything else as text. */
function counts(value) {
  if (typeof value === 'number') return number(value);
  if (!value || typeof value !== 'object') return h('span', { class: 'muted' }, '—');
  const parts = Object.entries(value).filter(([key, n]) => key !== 'total' && typeof n === 'number' && n > 0)
    .map(([key, n]) => `${key.replaceAll('_', ' ')} ${number(n)}`);
  const total = typeof value.total === 'number' ? value.total
    : Object.values(value).filter((n) => typeof n === 'number').reduce((a, b) => a + b, 0);
  return parts.length ? `${number(total)} (${parts.join(', ')})` : number(total);
}

/** A latency summary ({count, mean, max} in seconds) as "mean 0.120 s · max 0.480 s · 12 timed". */
function seconds(value) {
  if (typeof value === 'number') return `${value.toFixed(3)} s`;
  if (!value || typeof value !== 'object' || value.count === 0) return h('span', { class: 'muted' }, 'none timed');
  const parts = [];
  if (typeof value.mean === 'number') parts.push(`mean ${value.mean.toFixed(3)} s`);
  else if (typeof value.sum === 'number' && value.count > 0) parts.push(`mean ${(value.sum / value.count).toFixed(3)} s`);
  if (typeof value.max === 'number') parts.push(`max ${value.max.toFixed(3)} s`);
  if (typeof value.count === 'number') parts.push(`${number(value.count)} timed`);
  return parts.length ? parts.join(' · ') : h('span', { class: 'muted' }, '—');
}
