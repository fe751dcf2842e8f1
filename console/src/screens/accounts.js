// 職員アカウント: the instance's staff accounts, for its own staff (permission
// Gateway.ManageAccounts): who has an account, in which role, whether it is in use, has a second
// factor, is logged in; create one (a temporary password, shown once, replaced at the first
// log-in), disable and enable it (its sessions end at once), reset its password or its second
// factor (a lost phone).
import { get, post, seg } from '../api.js';
import { h, replace } from '../dom.js';
import { input, actionForm, focusHeading } from '../forms.js';
import { confirmThen } from '../confirm.js';
import { cardRows } from '../tables.js';
import { can } from '../permissions.js';
import { ROLES, label } from '../words.js';

// The roles the instance's staff may give (as the gateway allows them per level).
/** @param {renkei.v1.ConsoleSession} session */
function assignable(session) {
  const level = session.instance && session.instance.level;
  const roles = level === 'municipality' ? ['ROLE_COORDINATOR', 'ROLE_MUNICIPAL_STAFF']
    : level === 'prefecture' ? ['ROLE_PREFECTURE_STAFF', 'ROLE_LEAD_COORDINATOR']
      : ['ROLE_NATIONAL_STAFF', 'ROLE_LEAD_COORDINATOR'];
  return ROLES.filter(([v]) => roles.includes(String(v)));
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  if (!can(ctx.session, 'Gateway.ManageAccounts')) {
    replace(main, h('h1', {}, '職員アカウント'),
      h('p', {}, 'アカウントの管理は、このインスタンスの職員 (市町村担当者・都道府県担当者・国の担当者) が行います。'));
    return;
  }
  const list = /** @type {renkei.v1.AccountList} */ (await get('/api/v1/accounts'));
  if (!ctx.isCurrent()) return;
  const shown = h('div', { id: 'temporary-password-area' });
  replace(main,
    h('h1', {}, '職員アカウント'),
    h('p', {}, `${(ctx.session.instance && ctx.session.instance.name) || ''}のコンソールにログインする職員のアカウントです。`),
    shown,
    accountsTable(list.accounts || [], ctx),
    createForm(ctx));
}

/**
 * @param {HTMLElement} area
 * @param {string} login
 * @param {string} password
 */
function showTemporaryPassword(area, login, password) {
  replace(area, h('section', { class: 'notice-box', 'aria-labelledby': 'temporary-heading' },
    h('h2', { id: 'temporary-heading', tabindex: '-1' }, `${login} の初期パスワード (この画面でだけ表示します)`),
    h('p', {}, h('code', { class: 'temporary-password', id: 'temporary-password' }, password)),
    h('p', {}, '本人に直接伝えてください (メールには書かないでください)。最初のログインで本人が新しいパスワードに変えます。')));
  focusHeading('temporary-heading');
}

/**
 * @param {renkei.v1.AccountSummary} a
 */
function stateText(a) {
  if (a.disabled) return '停止中';
  if (a.mustChangePassword) return '初期パスワード (未ログイン)';
  return '利用中';
}

/**
 * @param {renkei.v1.AccountSummary[]} accounts
 * @param {ui.ScreenContext} ctx
 */
function accountsTable(accounts, ctx) {
  const rows = accounts.map((a) => {
    const actions = h('div', { class: 'row-actions' });
    const self = a.login === ctx.session.login;
    if (!self) {
      const toggle = h('button', { type: 'button', class: 'secondary' }, a.disabled ? '再開する' : '停止する');
      toggle.addEventListener('click', async () => {
        const done = await confirmThen(toggle, {
          title: a.disabled ? `${a.displayName || a.login} のアカウントを再開します` : `${a.displayName || a.login} のアカウントを停止します`,
          lines: [a.disabled ? 'もう一度ログインできるようになります。' : 'ログイン中の端末はすぐに使えなくなり、ログインもできなくなります。'],
          confirmLabel: a.disabled ? '再開する' : '停止する',
          action: () => post(`/api/v1/accounts/${seg(a.login)}/disable`, { disabled: !a.disabled }),
        });
        if (!done) return;
        ctx.announce(a.disabled ? 'アカウントを再開しました' : 'アカウントを停止しました');
        await ctx.rerender();
        focusHeading('accounts-heading');
      });
      actions.append(toggle);
    }
    // One's own password is changed in 自分のアカウント (a reset would end one's own session
    // before the temporary password could be read).
    if (!self) {
      const reset = h('button', { type: 'button', class: 'secondary' }, 'パスワードを再設定');
      reset.addEventListener('click', async () => {
        const done = /** @type {renkei.v1.AccountCreated | undefined} */ (await confirmThen(reset, {
          title: `${a.displayName || a.login} のパスワードを再設定します`,
          lines: ['初期パスワードを発行します。ログイン中の端末はすぐに使えなくなります。'],
          confirmLabel: '再設定する',
          action: () => post(`/api/v1/accounts/${seg(a.login)}/password-reset`, {}),
        }));
        if (!done) return;
        await ctx.rerender();
        showTemporaryPassword(/** @type {HTMLElement} */ (document.getElementById('temporary-password-area')), a.login, done.temporaryPassword);
      });
      actions.append(reset);
    }
    if (a.twoFactor && !self) {
      const factor = h('button', { type: 'button', class: 'secondary' }, '二要素認証を解除');
      factor.addEventListener('click', async () => {
        const done = await confirmThen(factor, {
          title: `${a.displayName || a.login} の二要素認証を解除します`,
          lines: ['認証アプリを紛失したときに使います。本人であることを確かめてから解除してください。次のログインで登録し直します。'],
          confirmLabel: '解除する',
          action: () => post(`/api/v1/accounts/${seg(a.login)}/two-factor-reset`, {}),
        });
        if (!done) return;
        ctx.announce('二要素認証を解除しました');
        await ctx.rerender();
        focusHeading('accounts-heading');
      });
      actions.append(factor);
    }
    return h('tr', {},
      h('td', {}, a.login),
      h('td', {}, a.displayName || '—'),
      h('td', {}, label(ROLES, a.role) || '—'),
      h('td', {}, stateText(a)),
      h('td', {}, a.twoFactor ? '登録済み' : '未登録'),
      h('td', {}, `${a.activeSessions || 0}台`),
      h('td', {}, actions));
  });
  return h('section', { 'aria-labelledby': 'accounts-heading' },
    h('h2', { id: 'accounts-heading' }, `アカウント (${accounts.length}件)`),
    cardRows(h('table', { class: 'data', id: 'accounts-table' },
      h('thead', {}, h('tr', {}, ['ログインID', '名前', '役割', '状態', '二要素認証', 'ログイン中の端末', '操作']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows))));
}

/** @param {ui.ScreenContext} ctx */
function createForm(ctx) {
  const login = input({
    label: 'ログインID', field: 'login', required: true, autocomplete: 'off', hint: '英小文字・数字・「.」「_」「-」の3〜64文字 (例: inagi-tanaka)',
  });
  const name = input({ label: '名前 (画面に表示)', field: 'display_name', required: true });
  const role = input({ label: '役割', field: 'role', required: true, options: assignable(ctx.session), empty: '選んでください' });
  const form = actionForm({
    label: 'アカウントを作る',
    className: 'form narrow',
    submitLabel: 'アカウントを作る',
    children: [login, name, role],
    onSubmit: async () => {
      const created = /** @type {renkei.v1.AccountCreated} */ (await post('/api/v1/accounts', {
        login: login.control.value.normalize('NFKC').trim(),
        displayName: name.control.value.trim(),
        role: role.control.value || undefined,
      }));
      const who = created.account ? created.account.login : '';
      ctx.announce(`アカウント ${who} を作りました`);
      await ctx.rerender();
      showTemporaryPassword(/** @type {HTMLElement} */ (document.getElementById('temporary-password-area')), who, created.temporaryPassword);
    },
  });
  return h('section', { 'aria-labelledby': 'create-heading' }, h('h2', { id: 'create-heading' }, 'アカウントを作る'), form);
}
