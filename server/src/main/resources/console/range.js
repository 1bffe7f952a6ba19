// The time ranges the usage pages offer: the last 7, 30 or 90 whole days (UTC), today included.
import { field, h } from './dom.js';

export const RANGES = [7, 30, 90];

/** {from, to, days}: from the start of the first day to the start of tomorrow, both ISO instants. */
export function lastDays(count) {
  const now = new Date();
  const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const first = tomorrow - count * 86400000;
  const days = [];
  for (let t = first; t < tomorrow; t += 86400000) days.push(new Date(t).toISOString().slice(0, 10));
  return { from: iso(first), to: iso(tomorrow), days };
}

function iso(millis) {
  return new Date(millis).toISOString().replace('.000Z', 'Z');
}

/** A labelled select of the ranges; onChange(days) when it changes. */
export function rangeField(selected, onChange) {
  const select = h('select', { name: 'range' }, RANGES.map((days) =>
    h('option', { value: String(days), selected: days === selected }, `Last ${days} days`)));
  select.addEventListener('change', () => onChange(Number(select.value)));
  return field('Range', select);
}
