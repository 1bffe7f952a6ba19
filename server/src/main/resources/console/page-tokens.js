// Personal access tokens: create (the value shown once), list with last use, revoke.
import { api, get } from './client.js';
import { badge, busy, confirmDialog, emptyState, field, h, replace, table, tableBox, time } from './dom.js';

const LIFETIMES = [['1d', '1 day'], ['7d', '7 days'], ['30d', '30 days'], ['90d', '90 days']];
const STATUS_KIND = { active: 'ok', expired: 'neutral', revoked: 'bad' };

export function renderTokens(main, ui) {
  let alive = true;
  const created = h('div', { class: 'created-slot' });
  const list = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading your tokens…'));

  async function load() {
    try {
      const answer = await get('/auth/pats');
      if (alive) showList(answer.pats ?? []);
    } catch (error) {
      if (!alive) return;
      replace(list, h('p', { class: 'muted' }, 'Your tokens could not be loaded.'));
      ui.showError(error, 'Loading your tokens');
    } finally {
      list.removeAttribute('aria-busy');
    }
  }

  function showList(pats) {
    if (!pats.length) {
      replace(list, emptyState('No personal access tokens yet — create one above.'));
      return;
    }
    const rows = pats.map((pat) => [
      h('span', { class: 'name' }, pat.name),
      pat.audience ?? '—',
      (pat.capabilities ?? []).length ? h('span', null, pat.capabilities.map((c) => h('code', { class: 'cap' }, c))) : h('span', { class: 'muted' }, 'none'),
      time(pat.created_at),
      time(pat.expires_at),
      pat.last_used_at ? time(pat.last_used_at) : h('span', { class: 'muted' }, 'never'),
      badge(pat.status, STATUS_KIND[pat.status]),
      pat.status === 'active'
        ? h('button', { type: 'button', class: 'button danger small', 'aria-label': `Revoke token ${pat.name}`, onclick: () => revoke(pat) }, 'Revoke')
        : '',
    ]);
    replace(list, tableBox('Your personal access tokens', table('Your personal access tokens',
      ['Name', 'Audience', 'Capabilities', 'Created', 'Expires', 'Last used', 'Status', { label: 'Actions' }], rows)));
  }

  async function revoke(pat) {
    const yes = await confirmDialog(`Revoke “${pat.name}”?`,
      'Anything that uses this token stops working within seconds. This cannot be undone.', 'Revoke token');
    if (!yes || !alive) return;
    ui.clearError();
    try {
      await api('DELETE', `/auth/pats/${encodeURIComponent(pat.id)}`);
      ui.notify(`Token “${pat.name}” revoked.`);
    } catch (error) {
      ui.showError(error, `Revoking “${pat.name}”`);
    }
    await load();
  }

  function showCreated(pat) {
    const value = h('input', { id: 'new-token-value', class: 'secret', readonly: true, spellcheck: 'false', autocomplete: 'off' });
    value.value = pat.token;
    const copied = h('span', { class: 'muted', role: 'status' });
    const copy = h('button', { type: 'button', class: 'button' , onclick: async () => {
      try {
        await navigator.clipboard.writeText(value.value);
        copied.textContent = 'Copied.';
      } catch (e) {
        value.select();
        copied.textContent = 'Copying is not allowed here: the value is selected, press Ctrl+C (⌘C).';
      }
    } }, 'Copy');
    const done = h('button', { type: 'button', class: 'button secondary', onclick: () => { created.replaceChildren(); } }, 'Done');
    replace(created, h('section', { class: 'card created stack', 'aria-labelledby': 'new-token-title' },
      h('h2', { id: 'new-token-title' }, `Your new token “${pat.name}”`),
      h('p', { class: 'warning' }, h('strong', null, 'Copy it now: it will not be shown again. '),
        'Gatehouse keeps no copy of the value; if you lose it, revoke it and create another.'),
      field('Token value', value),
      h('div', { class: 'actions' }, copy, done, copied),
      h('p', { class: 'muted' }, 'Expires ', time(pat.expires_at), '.'),
      tryIt(pat)));
    value.focus();
    value.select();
  }

  /** For a gateway token: commands that call the gateway with it (the page itself never uses it). */
  function tryIt(pat) {
    if (pat.audience !== 'gateway' || !(pat.capabilities ?? []).includes('llm:use')) return null;
    return h('details', { class: 'try-it' }, h('summary', null, 'Try it: call the LLM gateway with this token'),
      h('pre', null, h('code', null, gatewayCommands())));
  }

  function gatewayCommands() {
    const body = JSON.stringify({ model: 'MODEL', messages: [{ role: 'user', content: 'Hello!' }] });
    const auth = '-H "Authorization: Bearer $GATEHOUSE_TOKEN"';
    return `export GATEHOUSE_TOKEN='<the value above>'\n`
      + `curl -s ${location.origin}/v1/models ${auth}\n`
      + `# then, with MODEL one of the ids it lists:\n`
      + `curl -s ${location.origin}/v1/chat/completions ${auth} \\\n`
      + `  -H 'Content-Type: application/json' -d '${body}'`;
  }

  replace(main,
    h('h1', null, 'Personal access tokens'),
    h('p', { class: 'lead' }, 'A token lets a script, a CI job or another service act as you in this organization, with only the capabilities you give it.'),
    createForm(ui, (pat) => { showCreated(pat); load(); }),
    created,
    h('h2', null, 'Your tokens'),
    list);
  load();
  return () => { alive = false; };
}

function createForm(ui, onCreated) {
  const name = h('input', { name: 'name', required: true, maxlength: '100', autocomplete: 'off', placeholder: 'e.g. ci' });
  const ttl = h('select', { name: 'ttl' }, LIFETIMES.map(([value, label]) => h('option', { value, selected: value === '7d' }, label)));
  const audience = h('input', { name: 'audience', autocomplete: 'off', placeholder: 'gateway' });
  const held = ui.session.principal?.capabilities ?? [];
  const boxes = held.map((capability) => {
    const box = h('input', { type: 'checkbox', value: capability, id: `pat-cap-${capability.replace(/[^a-z0-9]/gi, '-')}`, checked: capability === 'llm:use' });
    return h('div', { class: 'check' }, box, h('label', { for: box.id }, h('code', null, capability),
      capability === 'llm:use' ? ' — call the LLM gateway' : ''));
  });
  const form = h('form', { class: 'card stack', 'aria-labelledby': 'create-token-title', novalidate: true },
    h('h2', { id: 'create-token-title' }, 'Create a token'),
    h('div', { class: 'row' },
      field('Name', name, 'A label for you; 1 to 100 characters.'),
      field('Lifetime', ttl),
      field('Audience (optional)', audience, 'Who accepts it; empty means the default (gateway).')),
    h('fieldset', null, h('legend', null, 'Capabilities'),
      boxes.length ? boxes : h('p', { class: 'muted' }, 'Your session holds no capabilities; the token will have none.'),
      h('p', { class: 'hint' }, 'A token can hold only capabilities your session holds.')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Create token')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ui.clearError();
    if (!name.value.trim()) {
      ui.showError({ code: 'missing_field', detail: 'Name: empty (expected: 1 to 100 characters).' });
      name.focus();
      return;
    }
    const body = { name: name.value.trim(), ttl: ttl.value };
    if (audience.value.trim()) body.audience = audience.value.trim();
    body.capabilities = [...form.querySelectorAll('fieldset input:checked')].map((box) => box.value);
    busy(form, async () => {
      try {
        const pat = await api('POST', '/auth/pat', body);
        form.reset();
        ui.notify(`Token “${pat.name}” created. Copy its value now.`);
        onCreated(pat);
      } catch (error) {
        ui.showError(error, 'Creating the token');
      }
    });
  });
  return form;
}
