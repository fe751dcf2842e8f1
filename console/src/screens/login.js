// ログイン: the staff account's log-in and its further steps (docs/gateway.md, "Log-in"): the
// password (POST /api/v1/login), then what the answer's nextStep asks — a new password in place of
// a temporary one, the authenticator's code (or a recovery code), or enrolling an authenticator
// when the role must have a second factor (a QR code to scan, a code to confirm, the recovery
// codes shown once). The gateway keeps the log-in under way in an HttpOnly cookie; the session
// cookie is set only when every step is done.
import { post, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { input, actionForm } from '../forms.js';
import { svgFromMarkup, recoveryCodesPanel } from '../second_factor.js';

/**
 * @typedef {{onLoggedIn: () => Promise<void>}} LoginOptions
 */

/**
 * @param {HTMLElement} main
 * @param {LoginOptions} options
 */
export function render(main, options) {
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
      const answer = /** @type {renkei.v1.ConsoleSession} */ (await post('/api/v1/login', {
        login: loginField.control.value.normalize('NFKC').trim(),
        password: passwordField.control.value,
      }));
      await next(main, answer, options);
    },
  });
  replace(main,
    h('h1', {}, 'ログイン'),
    h('p', {}, '在宅医療・介護連携推進事業の職員アカウントでログインしてください。'),
    form);
  loginField.control.focus();
}

// Goes on after a step: the next one the gateway asks for, or the session.
/**
 * @param {HTMLElement} main
 * @param {renkei.v1.ConsoleSession} answer
 * @param {LoginOptions} options
 */
async function next(main, answer, options) {
  switch (answer.nextStep) {
    case 'new_password':
      return newPassword(main, options);
    case 'totp':
      return secondFactor(main, options);
    case 'totp_enrollment':
      return enroll(main, options);
    default:
      return options.onLoggedIn();
  }
}

/**
 * @param {string} text
 * @param {ui.Child[]} body
 * @param {HTMLElement} main
 */
function step(main, text, body) {
  replace(main, h('h1', { tabindex: '-1' }, text), ...body);
  /** @type {HTMLElement} */ (main.querySelector('h1')).focus();
  document.title = `${text} — 連携`;
}

/**
 * @param {HTMLElement} main
 * @param {LoginOptions} options
 */
function newPassword(main, options) {
  const field = input({
    label: '新しいパスワード', field: 'new_password', type: 'password', required: true,
    autocomplete: 'new-password', hint: '12文字以上。ほかのサービスと同じものは使わないでください。',
  });
  const again = input({ label: '新しいパスワード (確認)', field: 'new_password_again', type: 'password', required: true, autocomplete: 'new-password' });
  const form = actionForm({
    label: 'パスワードの設定',
    className: 'form narrow',
    submitLabel: 'パスワードを設定する',
    children: [field, again],
    onSubmit: async () => {
      if (field.control.value !== again.control.value) {
        throw mismatch();
      }
      const answer = /** @type {renkei.v1.ConsoleSession} */ (await post('/api/v1/login/new-password', { newPassword: field.control.value }));
      await next(main, answer, options);
    },
  });
  step(main, '新しいパスワードの設定', [
    h('p', {}, '仮のパスワードでログインしました。ご自分だけが知るパスワードに変えてください。'),
    form,
  ]);
}

function mismatch() {
  return new ApiError(400, 'INVALID_ARGUMENT', '確認用のパスワードが一致しません', [
    { field: 'new_password_again', description: '上のパスワードと同じものを入力してください' },
  ]);
}

/**
 * @param {HTMLElement} main
 * @param {LoginOptions} options
 */
function secondFactor(main, options) {
  const code = input({
    label: '確認コード (6桁)', field: 'code', inputmode: 'numeric', autocomplete: 'one-time-code',
    hint: '認証アプリに表示されている6桁の数字',
  });
  const recovery = input({
    label: '回復コード', field: 'recovery_code', autocomplete: 'off',
    hint: '認証アプリを使えないとき: 登録のときに控えた回復コード (1つにつき1回だけ使えます)',
  });
  const useRecovery = h('details', { class: 'recovery' }, h('summary', {}, '認証アプリを使えないとき'), recovery);
  const form = actionForm({
    label: '確認コード',
    className: 'form narrow',
    submitLabel: 'ログイン',
    children: [code, useRecovery],
    onSubmit: async () => {
      const typed = code.control.value.normalize('NFKC').replace(/\s/g, '');
      const body = typed ? { code: typed } : { recoveryCode: recovery.control.value.normalize('NFKC').trim() };
      const answer = /** @type {renkei.v1.ConsoleSession} */ (await post('/api/v1/login/second-factor', body));
      await next(main, answer, options);
    },
  });
  step(main, '二要素認証', [h('p', {}, 'このアカウントは二要素認証を使っています。'), form]);
  code.control.focus();
}

/**
 * @param {HTMLElement} main
 * @param {LoginOptions} options
 */
async function enroll(main, options) {
  const enrollment = /** @type {renkei.v1.TotpEnrollment} */ (await post('/api/v1/login/totp-enrollment', {}));
  step(main, '認証アプリの登録', [
    h('p', {}, 'この役割のアカウントは二要素認証が必要です。スマートフォンの認証アプリ (Google Authenticator、Microsoft Authenticator など) で登録してください。'),
    enrollmentPanel(enrollment, async (code) => {
      const done = /** @type {renkei.v1.TotpEnrolled} */ (await post('/api/v1/login/totp-confirmation', { code }));
      showRecoveryCodes(main, done.recoveryCodes || [], options);
    }),
  ]);
}

// The QR code, the key to type instead, and the confirmation form.
/**
 * @param {renkei.v1.TotpEnrollment} enrollment
 * @param {(code: string) => Promise<void>} confirm
 */
export function enrollmentPanel(enrollment, confirm) {
  const code = input({
    label: '認証アプリに表示された6桁の数字', field: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', required: true,
  });
  const form = actionForm({
    label: '認証アプリの確認',
    className: 'form narrow',
    submitLabel: '登録する',
    children: [code],
    onSubmit: () => confirm(code.control.value.normalize('NFKC').replace(/\s/g, '')),
  });
  return h('section', { class: 'enrollment', 'aria-labelledby': 'enroll-steps' },
    h('h2', { id: 'enroll-steps' }, '登録の手順'),
    h('ol', {},
      h('li', {}, '認証アプリでこの QR コードを読み取ります。',
        h('div', { class: 'qr', id: 'totp-qr' }, svgFromMarkup(enrollment.qrSvg))),
      h('li', {}, '読み取れないときは、次のキーを手入力します (時間ベース、6桁): ',
        h('code', { class: 'totp-key', id: 'totp-key' }, groupKey(enrollment.secret))),
      h('li', {}, 'アプリに表示された6桁の数字を入力して「登録する」を押します。')),
    form);
}

/** @param {string} secret */
function groupKey(secret) {
  return (secret || '').replace(/(.{4})/g, '$1 ').trim();
}

/**
 * @param {HTMLElement} main
 * @param {string[]} codes
 * @param {LoginOptions} options
 */
function showRecoveryCodes(main, codes, options) {
  const go = h('button', { type: 'button', class: 'primary' }, '控えたので始める');
  go.addEventListener('click', () => { options.onLoggedIn(); });
  step(main, '回復コード', [recoveryCodesPanel(codes), h('div', { class: 'actions' }, go)]);
}
