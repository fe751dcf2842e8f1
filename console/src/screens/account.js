// 自分のアカウント: one's own password, second factor (an authenticator app: QR code, the recovery
// codes shown once) and the computers one is logged in on (each can be ended from here: its token
// is refused by every service from then on).
import { get, post, del, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { input, actionForm, focusHeading } from '../forms.js';
import { confirmThen } from '../confirm.js';
import { cardRows } from '../tables.js';
import { formatTimestamp } from '../dates.js';
import { ROLES, label } from '../words.js';
import { enrollmentPanel } from './login.js';
import { recoveryCodesPanel } from '../second_factor.js';

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  const [session, sessions] = await Promise.all([
    /** @type {Promise<renkei.v1.ConsoleSession>} */ (get('/api/v1/session')),
    /** @type {Promise<renkei.v1.ConsoleSessionList>} */ (get('/api/v1/sessions')),
  ]);
  if (!ctx.isCurrent()) return;
  replace(main,
    h('h1', {}, '自分のアカウント'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'ログインID'), h('dd', {}, session.login),
      h('dt', {}, '名前'), h('dd', {}, session.displayName || '—'),
      h('dt', {}, '役割'), h('dd', {}, label(ROLES, session.role) || '—')),
    passwordSection(ctx),
    secondFactorSection(session, ctx),
    sessionsSection(sessions.sessions || [], ctx));
}

/** @param {ui.ScreenContext} ctx */
function passwordSection(ctx) {
  const current = input({ label: '今のパスワード', field: 'current_password', type: 'password', required: true, autocomplete: 'current-password' });
  const fresh = input({
    label: '新しいパスワード', field: 'new_password', type: 'password', required: true, autocomplete: 'new-password', hint: '12文字以上',
  });
  const form = actionForm({
    label: 'パスワードを変える',
    className: 'form narrow',
    submitLabel: 'パスワードを変える',
    children: [current, fresh],
    onSubmit: async () => {
      await post('/api/v1/account/password', { currentPassword: current.control.value, newPassword: fresh.control.value });
      current.control.value = '';
      fresh.control.value = '';
      ctx.announce('パスワードを変えました。ほかの端末のログインは終わりました');
      focusHeading('password-heading');
    },
  });
  return h('section', { 'aria-labelledby': 'password-heading' }, h('h2', { id: 'password-heading' }, 'パスワード'), form);
}

/**
 * @param {renkei.v1.ConsoleSession} session
 * @param {ui.ScreenContext} ctx
 */
function secondFactorSection(session, ctx) {
  const area = h('div', { id: 'second-factor-area' });
  const state = session.twoFactor
    ? '認証アプリを登録済みです。ログインのたびに確認コードを入力します。'
    : session.twoFactorRequired
      ? 'この役割では二要素認証が必要です。'
      : '二要素認証は使っていません。登録すると、パスワードに加えて認証アプリの確認コードでログインします。';
  const start = h('button', { type: 'button', class: 'secondary', id: 'enroll-totp' },
    session.twoFactor ? '認証アプリを登録し直す' : '認証アプリを登録する');
  // The password first: a session left open is not enough to change the second factor.
  start.addEventListener('click', () => {
    const password = input({
      label: '今のパスワード', field: 'password', type: 'password', required: true, autocomplete: 'current-password',
    });
    const form = actionForm({
      label: '本人の確認',
      className: 'form narrow',
      submitLabel: 'QR コードを表示する',
      children: [h('p', {}, '登録の前に、今のパスワードを入力してください。'), password],
      onSubmit: async () => {
        const enrollment = /** @type {renkei.v1.TotpEnrollment} */ (await post('/api/v1/account/totp-enrollment',
          { password: password.control.value }));
        replace(area, enrollmentPanel(enrollment, async (code) => {
          const done = /** @type {renkei.v1.TotpEnrolled} */ (await post('/api/v1/account/totp-confirmation', { code }));
          replace(area, recoveryCodesPanel(done.recoveryCodes || []));
          ctx.announce('認証アプリを登録しました。ほかの端末のログインは終わりました。回復コードを控えてください');
          focusHeading('recovery-heading');
        }));
        focusHeading('enroll-steps');
      },
    });
    replace(area, form);
    password.control.focus();
  });
  return h('section', { 'aria-labelledby': 'second-factor-heading' },
    h('h2', { id: 'second-factor-heading' }, '二要素認証'),
    h('p', { id: 'second-factor-state' }, state),
    start,
    area);
}

/**
 * @param {renkei.v1.ConsoleSessionInfo[]} sessions
 * @param {ui.ScreenContext} ctx
 */
function sessionsSection(sessions, ctx) {
  const rows = sessions.map((s) => {
    const end = h('button', { type: 'button', class: 'secondary' }, s.current ? 'この端末からログアウト' : 'ログインを終わらせる');
    end.addEventListener('click', async () => {
      const done = await confirmThen(end, {
        title: s.current ? 'この端末からログアウトします' : 'この端末のログインを終わらせます',
        lines: [`${browserName(s.userAgent)} (${s.address || '不明'}) のログインは、すぐに使えなくなります。`],
        confirmLabel: s.current ? 'ログアウトする' : '終わらせる',
        action: () => del(`/api/v1/sessions/${seg(s.id)}`),
      });
      if (!done) return;
      ctx.announce(s.current ? 'ログアウトしました' : 'ログインを終わらせました');
      if (s.current) {
        // Ending this computer's session is a log-out: nothing typed is kept.
        window.dispatchEvent(new CustomEvent('renkei:loggedout'));
        return;
      }
      await ctx.rerender();
      focusHeading('sessions-heading');
    });
    return h('tr', { 'data-session': s.id },
      h('td', {}, epochText(s.issuedAt)),
      h('td', {}, epochText(s.expiresAt)),
      h('td', {}, browserName(s.userAgent), s.current ? h('strong', {}, ' (この端末)') : null),
      h('td', {}, s.address || '—'),
      h('td', {}, end));
  });
  return h('section', { 'aria-labelledby': 'sessions-heading' },
    h('h2', { id: 'sessions-heading' }, 'ログイン中の端末'),
    cardRows(h('table', { class: 'data' },
      h('thead', {}, h('tr', {}, ['開始', '有効期限', 'ブラウザ', '接続元', '操作'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows))));
}

// Seconds since the epoch (a 64-bit integer: a string in JSON) as a Japanese date and time.
/** @param {string | number | undefined} seconds */
function epochText(seconds) {
  const n = Number(seconds || 0);
  return n > 0 ? formatTimestamp(new Date(n * 1000).toISOString()) : '—';
}

// What people call the browser of a User-Agent header.
/** @param {string | undefined} ua */
export function browserName(ua) {
  const s = ua || '';
  if (/Edg\//.test(s)) return 'Microsoft Edge';
  if (/Chrome\//.test(s)) return 'Google Chrome・Chromium';
  if (/Firefox\//.test(s)) return 'Firefox';
  if (/Safari\//.test(s)) return 'Safari';
  return s ? 'その他のブラウザ' : '不明なブラウザ';
}
