// ログイン: the staff account's log-in (POST /api/v1/login sets the HttpOnly session cookie and
// the readable CSRF cookie).
import { post } from '../api.js';
import { h, replace } from '../dom.js';
import { input, actionForm } from '../forms.js';

/**
 * @param {HTMLElement} main
 * @param {{onLoggedIn: () => Promise<void>}} options
 */
export function render(main, { onLoggedIn }) {
  const loginField = input({ label: 'ログインID', field: 'login', required: true, autocomplete: 'username' });
  const passwordField = input({
    label: 'パスワード', field: 'password', type: 'password', required: true, autocomplete: 'current-password',
  });
  const form = actionForm({
    label: 'ログイン',
    className: 'form narrow',
    submitLabel: 'ログイン',
    children: [loginField, passwordField],
    onSubmit: async () => {
      await post('/api/v1/login', {
        login: loginField.control.value.normalize('NFKC').trim(),
        password: passwordField.control.value,
      });
      await onLoggedIn();
    },
  });
  replace(main,
    h('h1', {}, 'ログイン'),
    h('p', {}, '在宅医療・介護連携推進事業の職員アカウントでログインしてください。'),
    form);
  loginField.control.focus();
}
