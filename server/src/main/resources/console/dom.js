// Building the DOM without ever parsing HTML: every piece of data goes in as text.

const SVG_NS = 'http://www.w3.org/2000/svg';
let ids = 0;

/** A fresh id for pairing a <label> with its control. */
export function uid(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

/**
 * h('button', {class: 'x', type: 'button', onclick: fn}, 'text', child...): an element. Props named
 * on* with a function are listeners; `text` sets textContent; everything else is an attribute.
 * There is no way to set a style attribute: the Content-Security-Policy refuses inline styles.
 */
export function h(tag, props, ...children) {
  return build(document.createElement(tag), props, children);
}

/** The same for SVG elements. */
export function s(tag, props, ...children) {
  return build(document.createElementNS(SVG_NS, tag), props, children);
}

function build(element, props, children) {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'style') throw new Error('inline styles are refused by the CSP; use a class');
    if (name === 'text') element.textContent = String(value);
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class' && !(element instanceof SVGElement)) element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything in `element` with `children`. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A labelled control: <div class="field"><label for=id>label</label> control <p class="hint"></div>. */
export function field(label, control, hint) {
  const id = control.id || uid('f');
  control.id = id;
  const hintElement = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintElement) control.setAttribute('aria-describedby', hintElement.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintElement);
}

/** A scrollable region for a wide table: it scrolls sideways on a phone and is reachable by keyboard. */
export function tableBox(label, table) {
  return h('div', { class: 'table-scroll', role: 'region', 'aria-label': label, tabindex: '0' }, table);
}

/** A table with a header row and body rows of cells (strings or nodes); see columnClass for headers. */
export function table(caption, headers, rows, options = {}) {
  return h('table', { class: options.class ?? 'data' },
    caption ? h('caption', { class: options.showCaption ? '' : 'visually-hidden' }, caption) : null,
    h('thead', null, h('tr', null, headers.map((header) =>
      h('th', { scope: 'col', class: columnClass(header) }, header.label ?? header)))),
    h('tbody', null, rows.map((cells) => h('tr', null, cells.map((cell, i) =>
      h('td', { class: columnClass(headers[i]) }, cell))))));
}

/** A header is a string, or {label, numeric?: true (right-aligned), bar?: true (a bar's wide cell)}. */
function columnClass(header) {
  if (header?.numeric) return 'num';
  if (header?.bar) return 'bar-col';
  return null;
}

export function emptyState(text, extra) {
  return h('div', { class: 'empty' }, h('p', null, text), extra);
}

export function badge(text, kind) {
  return h('span', { class: `badge badge-${kind ?? 'neutral'}` }, text);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const numbers = new Intl.NumberFormat();

/** <time> showing a readable local time, the exact instant in its title; "—" for none. */
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return h('time', { datetime: iso, title: iso }, dateTime.format(date));
}

export function number(value) {
  return typeof value === 'number' && Number.isFinite(value) ? numbers.format(value) : '—';
}

/** Money in micros (millionths of the currency) as e.g. "EUR 0.0077". */
export function money(micros, currency) {
  if (typeof micros !== 'number') return '—';
  const amount = micros / 1e6;
  const digits = amount !== 0 && Math.abs(amount) < 0.01 ? 4 : 2;
  const text = amount.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return currency ? `${currency} ${text}` : text;
}

/** A modal confirmation (a real <dialog>: focus stays inside, Escape cancels). Resolves true or false. */
export function confirmDialog(title, message, confirmLabel) {
  return new Promise((resolve) => {
    const titleId = uid('dialog-title');
    const cancel = h('button', { type: 'button', class: 'button secondary' }, 'Cancel');
    const confirm = h('button', { type: 'button', class: 'button danger' }, confirmLabel);
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title),
      h('p', null, message),
      h('div', { class: 'actions' }, cancel, confirm));
    let answer = false;
    cancel.addEventListener('click', () => dialog.close());
    confirm.addEventListener('click', () => { answer = true; dialog.close(); });
    dialog.addEventListener('close', () => { dialog.remove(); resolve(answer); });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** Disables a form's controls while `work` runs, so a double click does not submit twice. */
export async function busy(form, work) {
  const controls = [...form.querySelectorAll('button, input, select, textarea')].filter((c) => !c.disabled);
  controls.forEach((c) => { c.disabled = true; });
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    controls.forEach((c) => { c.disabled = false; });
    form.removeAttribute('aria-busy');
  }
}

/** Only a same-origin path may become a link's target (never javascript: or another site). */
export function localPath(url) {
  if (typeof url !== 'string' || !url.startsWith('/')) return null;
  try {
    // Browsers read "/\\host" as "//host": only a path that stays on this origin is a local path.
    return new URL(url, location.origin).origin === location.origin ? url : null;
  } catch {
    return null;
  }
}
