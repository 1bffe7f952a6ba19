// Subscriptions (bring your own): connect through the provider's OAuth page in a popup, see the
// status, paste a key instead, disconnect.
import { api, get } from './client.js';
import { badge, busy, confirmDialog, emptyState, field, h, replace, time } from './dom.js';
import { BYOS_CHANNEL, NONCE_MARK, POPUP_MARK, describeOutcome, rememberNonce } from './byos-return.js';

const POLL_MS = 2000;
const WAIT_MS = 10 * 60 * 1000;

export function renderSubscriptions(main, ui) {
  let alive = true;
  let waiting = null;
  const list = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading your subscriptions…'));

  async function load() {
    try {
      const answer = await get('/api/v1/sandbox/byos');
      if (alive) show(answer.providers ?? []);
    } catch (error) {
      if (!alive) return;
      if (error.status === 503) {
        replace(list, emptyState('No subscription providers are configured on this Gatehouse.', h('p', { class: 'muted' }, error.detail)));
      } else {
        replace(list, h('p', { class: 'muted' }, 'Your subscriptions could not be loaded.'));
        ui.showError(error, 'Loading your subscriptions');
      }
    } finally {
      list.removeAttribute('aria-busy');
    }
  }

  function show(providers) {
    if (!providers.length) {
      replace(list, emptyState('No subscription providers are configured on this Gatehouse.',
        h('p', { class: 'muted' }, 'An operator adds them under byos.providers.')));
      return;
    }
    replace(list, h('div', { class: 'cards' }, providers.map(card)));
  }

  function card(provider) {
    const name = provider.provider;
    const titleId = `byos-${name.replace(/[^a-z0-9]/gi, '-')}`;
    const state = !provider.connected ? badge('not connected', 'neutral')
      : provider.status === 'broken' ? badge('broken', 'bad')
        : badge(provider.kind === 'key' ? 'connected (key)' : 'connected', 'ok');
    const facts = provider.connected ? h('dl', { class: 'facts' },
      fact('Connected', time(provider.connected_at)),
      provider.kind === 'oauth' ? fact('Access token expires', time(provider.expires_at)) : null,
      provider.kind === 'oauth' ? fact('Last refreshed', provider.last_refresh_at ? time(provider.last_refresh_at) : 'not yet') : null,
      (provider.scopes ?? []).length ? fact('Scopes', provider.scopes.join(' ')) : null,
      provider.last_error ? fact('Last error', provider.last_error) : null) : null;
    const actions = h('div', { class: 'actions' },
      provider.oauth ? h('button', { type: 'button', class: 'button', onclick: () => connect(name) },
        provider.connected ? 'Reconnect' : 'Connect') : null,
      provider.connected ? h('button', { type: 'button', class: 'button danger', onclick: () => disconnect(name) }, 'Disconnect') : null);
    return h('section', { class: 'card', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, name, ' ', state),
      provider.oauth ? null : h('p', { class: 'muted' }, 'This provider connects with a key of your own account, not by signing in.'),
      facts, actions, keyForm(name, provider));
  }

  function keyForm(name, provider) {
    const key = h('input', { type: 'password', name: 'key', autocomplete: 'off', spellcheck: 'false', required: true });
    const form = h('form', { class: 'inline-form', novalidate: true },
      field(`API key for ${name}`, key, 'Replaces any earlier connection. It is stored encrypted and never shown again.'),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button secondary' }, 'Save key')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      ui.clearError();
      if (!key.value) {
        ui.showError({ code: 'missing_field', detail: `API key for ${name}: empty (expected: the key of your account).` });
        key.focus();
        return;
      }
      busy(form, async () => {
        try {
          await api('PUT', `/api/v1/sandbox/byos/${encodeURIComponent(name)}/key`, { key: key.value });
          key.value = '';
          ui.notify(`Your key for ${name} is saved.`);
          await load();
        } catch (error) {
          ui.showError(error, `Saving the key for ${name}`);
        }
      });
    });
    const summary = provider.oauth ? 'Paste an API key instead' : provider.connected ? 'Replace the key' : 'Paste your API key';
    return h('details', { class: 'key-details', open: !provider.oauth && !provider.connected }, h('summary', null, summary), form);
  }

  async function disconnect(name) {
    const yes = await confirmDialog(`Disconnect ${name}?`,
      'Gatehouse revokes the connection at the provider and deletes it; sandboxes using it stop.', 'Disconnect');
    if (!yes || !alive) return;
    ui.clearError();
    try {
      const answer = await api('DELETE', `/api/v1/sandbox/byos/${encodeURIComponent(name)}`);
      const how = { revoked: 'revoked at the provider', not_supported: 'the provider offers no revocation', failed: 'revoking it at the provider failed; it is deleted here' };
      ui.notify(`${name} disconnected (${how[answer?.revocation] ?? answer?.revocation ?? 'done'}).`);
    } catch (error) {
      ui.showError(error, `Disconnecting ${name}`);
    }
    await load();
  }

  async function connect(name) {
    ui.clearError();
    stopWaiting();
    // Opened now, in the click, so that popup blockers let it through; pointed at the provider below.
    const popup = window.open('', 'gatehouse-byos', 'popup,width=560,height=720');
    const nonce = popup ? crypto.randomUUID() : rememberNonce();
    const returnTo = `${location.origin}/console/?${POPUP_MARK}=${popup ? 'popup' : 'page'}&${NONCE_MARK}=${nonce}`;
    let answer;
    try {
      answer = await startConnection(name, returnTo);
    } catch (error) {
      popup?.close();
      ui.showError(error, `Connecting ${name}`);
      return;
    }
    const target = httpUrl(answer.authorize_url);
    if (!target) {
      popup?.close();
      ui.showError({ code: 'bad_authorize_url', detail: `Gatehouse answered an authorize URL that is not http(s) for ${name}.` });
      return;
    }
    if (!popup) {
      location.assign(target);
      return;
    }
    popup.location.href = target;
    wait(name, nonce);
  }

  /** Waits for the popup's word (BroadcastChannel or postMessage) while polling the status. */
  function wait(name, nonce) {
    const text = h('p', { id: 'byos-wait-text', 'aria-live': 'polite' },
      `Finish connecting ${name} in the window that opened. This page updates by itself.`);
    const panel = h('section', { class: 'card progress-card', 'aria-label': `Connecting ${name}` },
      h('progress', { 'aria-labelledby': 'byos-wait-text' }), text,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button secondary', onclick: () => { stopWaiting(); load(); } }, 'Stop waiting')));
    list.before(panel);
    const started = Date.now();
    const channel = 'BroadcastChannel' in window ? new BroadcastChannel(BYOS_CHANNEL) : null;
    const finish = (message) => {
      stopWaiting();
      if (message.outcome === 'connected') ui.notify(describeOutcome(message));
      else ui.showError({ code: message.error ?? message.outcome, detail: describeOutcome(message) });
      load();
    };
    const onMessage = (event) => {
      const data = event.data ?? {};
      if (data.type === 'gatehouse-byos' && data.provider === name && data.nonce === nonce) finish(data);
    };
    const onWindowMessage = (event) => { if (event.origin === location.origin) onMessage(event); };
    channel?.addEventListener('message', onMessage);
    window.addEventListener('message', onWindowMessage);
    let timer = null;
    const poll = async () => {
      if (!waiting) return;
      if (Date.now() - started > WAIT_MS) {
        stopWaiting();
        ui.showError({ code: 'timeout', detail: `Connecting ${name} was not finished within 10 minutes; start again.` });
        return;
      }
      try {
        const status = await get(`/api/v1/sandbox/byos/${encodeURIComponent(name)}/status`);
        if (waiting && status.connected && status.connected_at && Date.parse(status.connected_at) >= started - 5000) {
          finish({ provider: name, outcome: 'connected' });
          return;
        }
      } catch (error) {
        // The popup's own message or the next poll tells.
      }
      if (waiting) timer = setTimeout(poll, POLL_MS);
    };
    waiting = () => {
      clearTimeout(timer);
      channel?.close();
      window.removeEventListener('message', onWindowMessage);
      panel.remove();
    };
    timer = setTimeout(poll, POLL_MS);
  }

  function stopWaiting() {
    const stop = waiting;
    waiting = null;
    stop?.();
  }

  replace(main,
    h('h1', null, 'Subscriptions'),
    h('p', { class: 'lead' }, 'Connect your own LLM subscription once; sandboxes you start with it use it directly instead of the organization’s gateway.'),
    list);
  load();
  return () => {
    alive = false;
    stopWaiting();
  };
}

/** POST …/start with return_to; without it when this Gatehouse has no console URL to return to. */
async function startConnection(name, returnTo) {
  const url = `/api/v1/sandbox/byos/${encodeURIComponent(name)}/start`;
  try {
    return await api('POST', url, { return_to: returnTo });
  } catch (error) {
    if (error.code !== 'redirect_not_allowed') throw error;
    return api('POST', url, {});
  }
}

function httpUrl(url) {
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch (e) {
    return null;
  }
}

function fact(term, value) {
  return [h('dt', null, term), h('dd', null, value)];
}
