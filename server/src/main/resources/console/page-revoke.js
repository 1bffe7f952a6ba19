// Operators: revoke every gateway token of one sandbox.
import { api } from './client.js';
import { busy, confirmDialog, field, h, number, replace } from './dom.js';

export function renderRevoke(main, ui) {
  const id = h('input', { name: 'sandbox_id', required: true, autocomplete: 'off', spellcheck: 'false', maxlength: '200', placeholder: '4dd9f062-27f0-4c69-b2ea-34a5fd90ed9a' });
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card stack', 'aria-labelledby': 'revoke-title', novalidate: true },
    h('h2', { id: 'revoke-title' }, 'Revoke a sandbox’s tokens'),
    field('Sandbox id', id, 'The sandbox token’s sub, as in the audit log or the usage records.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button danger' }, 'Revoke its tokens')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    ui.clearError();
    const sandbox = id.value.trim();
    if (!sandbox) {
      ui.showError({ code: 'missing_field', detail: 'Sandbox id: empty (expected: the id of a sandbox).' });
      id.focus();
      return;
    }
    const yes = await confirmDialog(`Revoke every token of sandbox ${sandbox}?`,
      'The sandbox can no longer call the gateway (within seconds on every replica) until it gets a new token.', 'Revoke tokens');
    if (!yes) return;
    await busy(form, async () => {
      try {
        const answer = await api('DELETE', `/admin/tokens/sandbox/${encodeURIComponent(sandbox)}`);
        const count = answer?.revoked;
        replace(result, h('section', { class: 'card done' },
          h('h2', null, 'Revoked'),
          h('p', null, `Sandbox ${answer?.sandbox_id ?? sandbox}: ${typeof count === 'number' ? number(count) : 'its'} token${count === 1 ? '' : 's'} revoked.`)));
        ui.notify(`Tokens of sandbox ${sandbox} revoked.`);
      } catch (error) {
        replace(result);
        ui.showError(error, `Revoking the tokens of ${sandbox}`);
      }
    });
  });
  replace(main,
    h('h1', null, 'Revoke sandbox tokens'),
    h('p', { class: 'lead' }, 'For a sandbox that misbehaves or whose token leaked. Revoking is idempotent; a sandbox that is still running needs a new token afterwards.'),
    form, result);
  return null;
}
