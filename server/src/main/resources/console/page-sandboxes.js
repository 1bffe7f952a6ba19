// Sandboxes: start one from a profile, watch it start (polled every second), open it, stop it.
import { api, get } from './client.js';
import { badge, busy, confirmDialog, emptyState, field, h, localPath, replace, table, tableBox, time } from './dom.js';

const STATUS_KIND = { pending: 'warn', running: 'ok', stopping: 'warn', stopped: 'neutral', failed: 'bad' };
const SETTLED = new Set(['running', 'stopped', 'failed']);
const POLL_MS = 1000;

export function renderSandboxes(main, ui) {
  let alive = true;
  let timer = null;
  const progress = h('div', { class: 'progress-slot' });
  const list = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading your sandboxes…'));
  const formSlot = h('div', null);

  async function load() {
    try {
      const answer = await get('/api/v1/sandbox/sessions');
      if (alive) showList(answer.sandboxes ?? []);
    } catch (error) {
      if (!alive) return;
      replace(list, h('p', { class: 'muted' }, 'Your sandboxes could not be loaded.'));
      ui.showError(error, 'Loading your sandboxes');
    } finally {
      list.removeAttribute('aria-busy');
    }
  }

  function showList(sandboxes) {
    if (!sandboxes.length) {
      replace(list, emptyState('No sandboxes yet — start one above.'));
      return;
    }
    const rows = sandboxes.map((sandbox) => [
      h('span', { class: 'name' }, sandbox.name ?? '—'),
      sandbox.profile ?? '—',
      sandbox.model ?? h('span', { class: 'muted' }, 'profile default'),
      sandbox.mode === 'byos' ? `own subscription (${sandbox.provider})` : 'gateway',
      h('span', null, badge(sandbox.status, STATUS_KIND[sandbox.status]),
        sandbox.reason ? h('span', { class: 'reason' }, ` ${sandbox.reason}`) : null),
      time(sandbox.created_at),
      time(sandbox.expires_at),
      h('span', { class: 'row-actions' },
        sandbox.status === 'running' && localPath(sandbox.url)
          ? h('a', { class: 'button small', href: localPath(sandbox.url), target: '_blank', rel: 'noopener',
            'aria-label': `Open sandbox ${sandbox.name ?? sandbox.id} (new tab)` }, 'Open')
          : null,
        h('button', { type: 'button', class: 'button danger small', 'aria-label': `Stop sandbox ${sandbox.name ?? sandbox.id}`,
          onclick: () => stop(sandbox) }, 'Stop')),
    ]);
    replace(list, tableBox('Your sandboxes', table('Your sandboxes',
      ['Name', 'Profile', 'Model', 'Mode', 'Status', 'Created', 'Expires', { label: 'Actions' }], rows)));
  }

  async function stop(sandbox) {
    const label = sandbox.name ?? sandbox.id;
    const yes = await confirmDialog(`Stop “${label}”?`,
      'Its runtime is removed and its gateway token revoked; anything open in it is lost.', 'Stop sandbox');
    if (!yes || !alive) return;
    ui.clearError();
    try {
      await api('DELETE', `/api/v1/sandbox/sessions/${encodeURIComponent(sandbox.id)}`);
      ui.notify(`Sandbox “${label}” stopped and removed.`);
    } catch (error) {
      ui.showError(error, `Stopping “${label}”`);
    }
    await load();
  }

  /** Polls the new sandbox every second until it runs or fails, with a visible and spoken progress. */
  function watch(sandbox) {
    const started = Date.now();
    const label = sandbox.name ?? sandbox.id;
    const text = h('p', { id: 'sandbox-progress-text', 'aria-live': 'polite' });
    const bar = h('progress', { 'aria-labelledby': 'sandbox-progress-text' });
    const panel = h('section', { class: 'card progress-card', 'aria-label': `Starting ${label}` }, bar, text);
    replace(progress, panel);

    const show = (current) => {
      const seconds = Math.round((Date.now() - started) / 1000);
      if (current.status === 'running') {
        bar.remove();
        const url = localPath(current.url);
        replace(text, `“${label}” is running. `,
          url ? h('a', { href: url, target: '_blank', rel: 'noopener' }, 'Open it (new tab)') : null);
        panel.classList.add('done');
      } else if (SETTLED.has(current.status)) {
        bar.remove();
        text.textContent = `“${label}” ${current.status}: ${current.reason ?? 'no reason given'}`;
        panel.classList.add('failed');
      } else {
        text.textContent = `Starting “${label}”… ${current.status} for ${seconds} s.`;
      }
    };
    show(sandbox);
    const tick = async () => {
      if (!alive) return;
      let current;
      try {
        current = await get(`/api/v1/sandbox/sessions/${encodeURIComponent(sandbox.id)}`);
      } catch (error) {
        if (!alive) return;
        bar.remove();
        text.textContent = `Could not follow “${label}”.`;
        ui.showError(error, `Following “${label}”`);
        return;
      }
      if (!alive) return;
      show(current);
      if (SETTLED.has(current.status)) {
        load();
        return;
      }
      timer = setTimeout(tick, POLL_MS);
    };
    if (!SETTLED.has(sandbox.status)) timer = setTimeout(tick, POLL_MS);
  }

  replace(main,
    h('h1', null, 'Sandboxes'),
    h('p', { class: 'lead' }, 'A sandbox is a workspace for an AI agent. It gets its own gateway token and nothing of yours; you reach it through Gatehouse.'),
    progress,
    formSlot,
    h('h2', null, 'Your sandboxes'),
    list);
  startForm(ui, () => alive).then((form) => {
    if (!alive) return;
    replace(formSlot, form);
    form.addEventListener('sandbox-started', (event) => {
      watch(event.detail);
      load();
    });
  }).catch((error) => {
    if (alive && error.status !== 401) ui.showError(error, 'Preparing the start form');
  });
  load();
  return () => {
    alive = false;
    clearTimeout(timer);
  };
}

async function startForm(ui, isAlive) {
  const name = h('input', { name: 'name', maxlength: '100', autocomplete: 'off', placeholder: 'e.g. review-bot' });
  const model = h('input', { name: 'model', autocomplete: 'off', placeholder: 'the profile’s default' });
  const profile = await profileControl(ui, isAlive);
  const providers = await connectedProviders();
  const modeGateway = h('input', { type: 'radio', name: 'mode', value: 'gateway', id: 'mode-gateway', checked: true });
  const modeByos = h('input', { type: 'radio', name: 'mode', value: 'byos', id: 'mode-byos', disabled: !providers.length });
  const provider = h('select', { name: 'provider', disabled: true },
    providers.map((p) => h('option', { value: p }, p)));
  const syncMode = () => { provider.disabled = !modeByos.checked; };
  modeGateway.addEventListener('change', syncMode);
  modeByos.addEventListener('change', syncMode);

  const form = h('form', { class: 'card stack', 'aria-labelledby': 'start-sandbox-title', novalidate: true },
    h('h2', { id: 'start-sandbox-title' }, 'Start a sandbox'),
    h('div', { class: 'row' },
      field('Name (optional)', name),
      profile.field,
      field('Model (optional)', model, 'A model its channels serve.')),
    h('fieldset', null, h('legend', null, 'LLM access'),
      h('div', { class: 'check' }, modeGateway, h('label', { for: 'mode-gateway' }, 'Through the organization’s gateway (metered)')),
      h('div', { class: 'check' }, modeByos, h('label', { for: 'mode-byos' }, 'With my own subscription',
        providers.length ? '' : ' — connect one under Subscriptions first')),
      providers.length ? field('Subscription', provider) : null),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Start sandbox')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ui.clearError();
    const body = {};
    if (name.value.trim()) body.name = name.value.trim();
    if (profile.value()) body.profile = profile.value();
    if (model.value.trim()) body.model = model.value.trim();
    if (modeByos.checked) {
      body.mode = 'byos';
      body.provider = provider.value;
    }
    busy(form, async () => {
      try {
        const sandbox = await api('POST', '/api/v1/sandbox/sessions', body);
        form.reset();
        syncMode();
        ui.notify(`Sandbox “${sandbox.name ?? sandbox.id}” is starting.`);
        form.dispatchEvent(new CustomEvent('sandbox-started', { detail: sandbox }));
      } catch (error) {
        ui.showError(error, 'Starting the sandbox');
      }
    });
  });
  return form;
}

/** A select of the configured profiles; a free-text field when they cannot be listed. */
async function profileControl(ui, isAlive) {
  try {
    const answer = await get('/api/v1/sandbox/profiles');
    const profiles = answer.profiles ?? [];
    if (profiles.length) {
      const select = h('select', { name: 'profile' }, profiles.map((p) =>
        h('option', { value: p.name, selected: Boolean(p.default) }, profileLabel(p))));
      const first = profiles[0];
      const limits = typeof first.idle_timeout_seconds === 'number' && typeof first.max_lifetime_seconds === 'number'
        ? `Stops after ${duration(first.idle_timeout_seconds)} unused, at most ${duration(first.max_lifetime_seconds)} after it starts.`
        : null;
      return { field: field('Profile', select, limits), value: () => select.value };
    }
  } catch (error) {
    if (error.status === 401 || !isAlive()) throw error;
  }
  const input = h('input', { name: 'profile', autocomplete: 'off', placeholder: 'default' });
  return { field: field('Profile (optional)', input, 'Empty means the default profile.'), value: () => input.value.trim() };
}

function profileLabel(profile) {
  const parts = [];
  if (profile.default && profile.name !== 'default') parts.push('default');
  if (profile.model) parts.push(`model ${profile.model}`);
  return parts.length ? `${profile.name} (${parts.join(', ')})` : profile.name;
}

function duration(seconds) {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

async function connectedProviders() {
  try {
    const answer = await get('/api/v1/sandbox/byos');
    return (answer.providers ?? []).filter((p) => p.connected && p.status !== 'broken').map((p) => p.provider);
  } catch (error) {
    return [];
  }
}
