// The sign-in page: one button per Keycloak realm, and the local development form when it is on.
import { api } from './client.js';
import { busy, field, h, localPath, replace } from './dom.js';

const CAPABILITIES = [
  { name: 'org:admin', hint: 'see and stop every sandbox, token and usage record of the organization' },
  { name: 'gatehouse:admin', hint: 'operate Gatehouse: channels, audit log, usage per organization' },
];

export function renderSignIn(main, signIn, ui, signedIn) {
  document.title = 'Sign in · Gatehouse console';
  const realms = Array.isArray(signIn.keycloak) ? signIn.keycloak : [];
  const sections = [];
  if (realms.length) {
    sections.push(h('section', { class: 'card', 'aria-labelledby': 'sign-in-sso' },
      h('h2', { id: 'sign-in-sso' }, 'Sign in with your organization'),
      h('ul', { class: 'button-list' }, realms.map((realm) => {
        const url = localPath(realm.url);
        return url ? h('li', null, h('a', { class: 'button', href: url }, `Sign in with ${realm.name}`)) : null;
      }))));
  }
  if (signIn.local) sections.push(localForm(ui, signedIn));
  if (!sections.length) {
    sections.push(h('p', { class: 'empty' }, 'No way to sign in is configured. An operator turns on Keycloak sign-in'
      + ' (identity.keycloak) or, on a laptop, local sign-in (identity.local).'));
  }
  replace(main,
    h('h1', null, 'Sign in to Gatehouse'),
    h('p', { class: 'lead' }, 'Manage your access tokens, sandboxes and subscriptions, and see your usage.'),
    sections);
  const first = main.querySelector('a.button, input');
  first?.focus();
}

function localForm(ui, signedIn) {
  const user = h('input', { name: 'user', autocomplete: 'username', required: true, maxlength: '200', spellcheck: 'false' });
  const organization = h('input', { name: 'organization', autocomplete: 'organization', required: true, maxlength: '200', spellcheck: 'false' });
  const boxes = CAPABILITIES.map((capability) => {
    const box = h('input', { type: 'checkbox', name: 'capabilities', value: capability.name, id: `cap-${capability.name.replace(':', '-')}` });
    return { box, element: h('div', { class: 'check' }, box,
      h('label', { for: box.id }, h('code', null, capability.name), ` — ${capability.hint}`)) };
  });
  const form = h('form', { class: 'stack', novalidate: true },
    field('User', user),
    field('Organization', organization),
    h('fieldset', null, h('legend', null, 'Extra capabilities (optional)'), boxes.map((b) => b.element)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Sign in locally')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ui.clearError();
    const missing = [[user, 'User'], [organization, 'Organization']].find(([input]) => !input.value.trim());
    if (missing) {
      ui.showError({ code: 'missing_field', detail: `${missing[1]}: empty (expected: a name).` });
      missing[0].focus();
      return;
    }
    const body = {
      user: user.value.trim(),
      organization: organization.value.trim(),
      capabilities: boxes.filter((b) => b.box.checked).map((b) => b.box.value),
    };
    busy(form, async () => {
      try {
        await api('POST', '/console/login/local', body);
      } catch (error) {
        ui.showError(error, 'Signing in');
        return;
      }
      if (!/^#\//.test(location.hash)) history.replaceState(null, '', '#/tokens');
      await signedIn();
    });
  });
  return h('section', { class: 'card dev-only', 'aria-labelledby': 'sign-in-local' },
    h('h2', { id: 'sign-in-local' }, 'Local sign-in ', h('span', { class: 'badge badge-warn' }, 'development only')),
    h('p', null, 'No password: anyone who can reach this Gatehouse can sign in as anyone. It is on because ',
      h('code', null, 'identity.local'), ' is set; never use it in production.'),
    form);
}
