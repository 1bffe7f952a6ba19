// Charts drawn as SVG (no library): a stacked bar per day, and bars inside tables.
import { h, number, s, uid } from './dom.js';

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/**
 * Tokens per day as stacked bars (prompt below, completion above), with a y axis, day labels, a
 * <title>/<desc> for screen readers and a <title> on every bar (a tooltip on hover).
 * days: [{day: 'YYYY-MM-DD', prompt, completion}], width: the pixels available.
 */
export function dayChart(days, width, title) {
  const height = 240;
  const margin = { top: 12, right: 8, bottom: 30, left: 52 };
  const plotWidth = Math.max(120, width - margin.left - margin.right);
  const plotHeight = height - margin.top - margin.bottom;
  const max = niceMax(Math.max(0, ...days.map((d) => d.prompt + d.completion)));
  const y = (value) => margin.top + plotHeight - (value / max) * plotHeight;
  const band = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(1, band * 0.72);
  const every = Math.max(1, Math.ceil(days.length / Math.max(1, Math.floor(plotWidth / 58))));
  const titleId = uid('chart-title');
  const descId = uid('chart-desc');
  const total = days.reduce((sum, d) => sum + d.prompt + d.completion, 0);
  const busiest = days.reduce((best, d) => (d.prompt + d.completion > best.prompt + best.completion ? d : best), days[0]);

  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  return s('svg', {
    class: 'chart', width: margin.left + plotWidth + margin.right, height, role: 'img',
    viewBox: `0 0 ${margin.left + plotWidth + margin.right} ${height}`, 'aria-labelledby': `${titleId} ${descId}`,
  },
  s('title', { id: titleId }, title),
  s('desc', { id: descId }, `${number(total)} tokens over ${days.length} days`
    + (busiest && total > 0 ? `; the busiest day was ${busiest.day} with ${number(busiest.prompt + busiest.completion)}.` : '.')
    + ' The table below lists every day.'),
  ticks.map((tick) => s('g', { class: 'tick' },
    s('line', { x1: margin.left, x2: margin.left + plotWidth, y1: y(tick), y2: y(tick), class: tick === 0 ? 'axis' : 'grid' }),
    s('text', { x: margin.left - 6, y: y(tick) + 4, 'text-anchor': 'end', class: 'label' }, compact.format(tick)))),
  days.map((d, i) => {
    const x = margin.left + i * band + (band - barWidth) / 2;
    const date = new Date(`${d.day}T00:00:00Z`);
    return s('g', { class: 'bar' },
      s('title', null, `${d.day}: ${number(d.prompt + d.completion)} tokens (prompt ${number(d.prompt)}, completion ${number(d.completion)})`),
      s('rect', { x, width: barWidth, y: y(d.prompt), height: Math.max(0, y(0) - y(d.prompt)), class: 'prompt' }),
      s('rect', { x, width: barWidth, y: y(d.prompt + d.completion), height: Math.max(0, y(d.prompt) - y(d.prompt + d.completion)), class: 'completion' }),
      i % every === 0 ? s('text', { x: x + barWidth / 2, y: height - margin.bottom + 16, 'text-anchor': 'middle', class: 'label' }, dayLabel.format(date)) : null);
  }));
}

/** The legend of dayChart. */
export function dayLegend() {
  return h('p', { class: 'legend', 'aria-hidden': 'true' },
    h('span', { class: 'swatch prompt' }), 'prompt tokens ', h('span', { class: 'swatch completion' }), 'completion tokens');
}

/** A bar as wide as value's share of max, for a table cell; its text is the number. */
export function bar(value, max) {
  const fill = h('span', { class: 'bar-fill' });
  fill.style.width = `${max > 0 ? Math.max(value > 0 ? 1 : 0, (value / max) * 100) : 0}%`;
  return h('span', { class: 'bar-cell', 'aria-hidden': 'true' }, fill);
}

/** 1, 2, 5 × 10^n at or above value (and at least 1), so the axis reads in round numbers. */
export function niceMax(value) {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}
