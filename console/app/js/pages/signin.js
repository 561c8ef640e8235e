// Sign in with an admin or tenant token; it is kept for this browser tab only.
import { h } from '../h.js';
import { session } from '../session.js';

export function signInPage(root, { onSignedIn, whoAmI }) {
  const input = h('input#token', {
    type: 'password', name: 'token', autocomplete: 'current-password', required: true,
    spellcheck: 'false', 'aria-describedby': 'token-help',
  });
  const error = h('p#token-error.field-error', { role: 'alert' });
  const submit = h('button.btn.btn-primary.btn-block', { type: 'submit' }, 'Sign in');
  const form = h('form.signin-form', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      const token = input.value.trim();
      if (!token) { error.textContent = 'Paste a token first.'; input.focus(); return; }
      submit.disabled = true;
      submit.textContent = 'Signing in…';
      try {
        session.me = await whoAmI(token);
        session.token = token;
        onSignedIn();
      } catch (err) {
        error.textContent = err.status === 401 ? 'Herald did not accept this token.' : err.message;
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', 'token-help token-error');
        input.focus();
      } finally {
        submit.disabled = false;
        submit.textContent = 'Sign in';
      }
    },
  },
  h('label', { for: 'token' }, 'API token'),
  input,
  h('p#token-help.help', 'The admin token (HERALD_ADMIN_TOKEN) or a tenant token (hrd_…). It is kept in this tab only and sent only in the Authorization header.'),
  error,
  submit);
  root.append(h('div.signin',
    h('div.signin-card',
      h('div.brand.brand-large', h('span.brand-mark', { 'aria-hidden': 'true' }, 'H'), 'Herald'),
      h('h1', 'Sign in to the console'),
      h('p.subtitle', 'Set up notifications, see every delivery and fix what failed.'),
      form)));
  input.focus();
}
