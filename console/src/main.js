// The console's shell: log-in, header (who is logged in, which instance, 和暦 toggle, log-out),
// the navigation of the nine screens and the hash router (#/intake, #/resources, #/issues,
// #/trainings, #/indicators, #/digest, #/network, #/practices, #/sharing), so the gateway serves one
// index.html and needs no fallback route.
import { get, post, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { useWareki, setWareki } from './dates.js';
import { statusRegion, announce, announcements, clearStatus } from './status.js';
import { refreshDates } from './datetext.js';
import { ROLES } from './words.js';
import { municipalityName } from './municipalities.js';
import { can } from './permissions.js';
import { saveDrafts, restoreDrafts, dropDrafts } from './drafts.js';
import * as login from './screens/login.js';
import * as intake from './screens/intake.js';
import * as consultation from './screens/consultation.js';
import * as intakeForm from './screens/intake_form.js';
import * as resources from './screens/resources.js';
import * as surveys from './screens/surveys.js';
import * as issues from './screens/issues.js';
import * as issue from './screens/issue.js';
import * as trainings from './screens/trainings.js';
import * as training from './screens/training.js';
import * as indicators from './screens/indicators.js';
import * as digest from './screens/digest.js';
import * as network from './screens/network.js';
import * as practices from './screens/practices.js';
import * as sharing from './screens/sharing.js';
import * as account from './screens/account.js';
import * as accounts from './screens/accounts.js';

// Each screen of the navigation with the call it opens with: a screen whose call the user may not
// make here (the role, or a service this instance does not run) is not offered.
const NAV = [
  ['#/intake', '相談受付', 'IntakeService.ListConsultations'],
  ['#/resources', '資源検索', 'DirectoryService.SearchResources'],
  ['#/issues', '地域課題', 'IssuesService.ListIssues'],
  ['#/trainings', '研修', 'TrainingService.ListTrainings'],
  ['#/indicators', '指標', 'IndicatorsService.ListIndicators'],
  ['#/digest', '定例ミーティング資料', 'IntakeService.GetDigest'],
  ['#/network', 'ネットワーク', 'NetworkService.ListPeerRequests'],
  ['#/practices', '取組事例', 'NetworkService.SearchPractices'],
  ['#/sharing', '情報共有', 'SharingService.ListDocuments'],
];

/** @param {renkei.v1.ConsoleSession | null} session */
function navOf(session) {
  return NAV.filter(([, , needs]) => can(session, needs));
}

// Where a user lands: the first screen offered to them (自分のアカウント when none is).
/** @param {renkei.v1.ConsoleSession | null} session */
function homeOf(session) {
  const first = navOf(session)[0];
  return first ? first[0] : '#/account';
}

// Route table: the first path segment picks the screen; a second one is an id.
/** @type {{[name: string]: {list: ui.Screen, item?: ui.Screen, create?: ui.Screen, nav: string}}} */
const SCREENS = {
  intake: { list: intake, item: consultation, create: intakeForm, nav: '#/intake' },
  resources: { list: resources, nav: '#/resources' },
  // 資源調査: reached from 資源検索 (not a screen of the navigation of its own).
  surveys: { list: surveys, item: { render: surveys.renderItem }, nav: '#/resources' },
  issues: { list: issues, item: issue, nav: '#/issues' },
  trainings: { list: trainings, item: training, nav: '#/trainings' },
  indicators: { list: indicators, nav: '#/indicators' },
  digest: { list: digest, nav: '#/digest' },
  network: { list: network, item: { render: network.renderItem }, nav: '#/network' },
  practices: { list: practices, item: { render: practices.renderItem }, nav: '#/practices' },
  sharing: { list: sharing, nav: '#/sharing' },
  // 自分のアカウント and 職員アカウント: reached from the header.
  account: { list: account, nav: '' },
  accounts: { list: accounts, nav: '' },
};

const app = {
  /** @type {renkei.v1.ConsoleSession | null} */
  session: null,
  afterLogin: '#/intake',
  renderId: 0,
  /** @type {string | null} */
  route: null, // the hash of the screen on show ('#/login' for the log-in screen)
  announced: 0, // announcements() when that screen was drawn
  byConsole: false, // the next render was asked for by the console itself, not by a link or Back
};

const shell = {
  root: /** @type {HTMLElement} */ (document.getElementById('app')), // index.html's
  /** @type {HTMLElement | null} */
  header: null,
  /** @type {HTMLElement | null} */
  nav: null,
  main: h('main', { id: 'main', tabindex: '-1' }), // replaced by layout() before each screen
  status: statusRegion(),
};

/** @param {string} hash */
export function parseHash(hash) {
  const raw = (hash || '').replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(qs || '') };
}

/** @param {string} hash */
function navigate(hash) {
  app.byConsole = true;
  if (location.hash === hash) render();
  else location.hash = hash;
}

// Back to the log-in screen after a log-out (the header's button, or this computer's session
// ended from 自分のアカウント): nothing typed is kept.
/** @param {string} said */
function loggedOut(said) {
  app.session = null;
  app.afterLogin = '#/intake';
  dropDrafts();
  navigate('#/login');
  announce(said);
}

/** @param {renkei.v1.ConsoleSession} s */
function instanceName(s) {
  const inst = s.instance;
  if (inst && typeof inst === 'object') return inst.name || municipalityName(inst.code);
  return inst || municipalityName(s.jurisdiction);
}

function headerBar() {
  const s = app.session;
  const warekiBox = h('input', { type: 'checkbox', id: 'wareki-toggle', checked: useWareki() });
  warekiBox.addEventListener('change', () => {
    setWareki(warekiBox.checked);
    announce(warekiBox.checked ? '日付を和暦で表示します' : '日付を西暦で表示します');
  });
  const logout = h('button', { type: 'button', class: 'link-button', id: 'logout' }, 'ログアウト');
  logout.addEventListener('click', async () => {
    try {
      await post('/api/v1/logout', {});
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // The gateway cleared this browser's session whatever failed; the token itself may live
      // on until it expires: say so rather than "logged out".
      loggedOut('ログアウトを記録できませんでした。この端末のログインは終わりましたが、念のため「自分のアカウント」でログイン中の端末を確かめてください');
      return;
    }
    loggedOut('ログアウトしました');
  });
  const accountLinks = s ? h('p', { class: 'account-links' },
    h('a', { href: '#/account', id: 'my-account' }, '自分のアカウント'),
    can(s, 'Gateway.ManageAccounts') ? h('a', { href: '#/accounts', id: 'staff-accounts' }, '職員アカウント') : null) : null;
  return h('header', { class: 'site-header no-print' },
    h('div', { class: 'brand' },
      h('span', { class: 'brand-name', lang: 'ja' }, '連携'),
      h('span', { class: 'brand-sub' }, '在宅医療・介護連携コンソール')),
    s ? h('div', { class: 'who' },
      h('p', { class: 'instance' }, h('span', { class: 'sr-label' }, 'インスタンス: '),
        instanceName(s)),
      h('p', { class: 'user' }, h('span', { class: 'sr-label' }, 'ログイン中: '),
        `${s.displayName || s.login} (${roleText(s.role)})`),
      h('p', { class: 'date-style' }, warekiBox, h('label', { for: 'wareki-toggle' }, '和暦で表示')),
      accountLinks,
      logout) : null);
}

// The role as people read it; a role the console does not know (or none) reads 不明な役割,
// never its enum name.
/** @param {unknown} role */
function roleText(role) {
  const hit = ROLES.find(([v]) => v === role);
  return hit ? hit[1] : '不明な役割';
}

/** @param {string | null} active */
function navBar(active) {
  return h('nav', { class: 'site-nav no-print', 'aria-label': '画面' },
    h('ul', {}, navOf(app.session).map(([href, text]) => h('li', {},
      h('a', { href, 'aria-current': href === active ? 'page' : null }, text)))));
}

/** @param {string | null} active */
function layout(active) {
  const skip = h('a', { class: 'skip-link', href: '#main' }, '本文へスキップ');
  // The skip link targets the main landmark without touching the router's hash.
  skip.addEventListener('click', (e) => {
    e.preventDefault();
    shell.main.focus();
  });
  shell.header = headerBar();
  shell.nav = app.session ? navBar(active) : null;
  shell.main = h('main', { id: 'main', tabindex: '-1' });
  replace(shell.root, skip, shell.header, shell.nav, shell.status, shell.main);
}

async function loadSession() {
  try {
    app.session = /** @type {renkei.v1.ConsoleSession} */ (await get('/api/v1/session'));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    app.session = null;
  }
  return app.session;
}

// The status line belongs to the screen that set it: on a change of route it is cleared, unless
// the console itself moved on right after saying something for the next screen ("相談を受け付けました"
// then the consultation, "ログアウトしました" then the log-in screen). The same route drawn again
// (a rerender after a change) keeps it, and so does a message a screen sets once drawn.
/** @param {string} route */
function statusOnRouteChange(route) {
  const carried = app.byConsole && announcements() !== app.announced;
  if (route !== app.route && !carried) clearStatus();
  app.byConsole = false;
  app.route = route;
  app.announced = announcements();
}

async function render({ focus = true } = {}) {
  const id = ++app.renderId;
  const { parts, query } = parseHash(location.hash);
  const name = parts[0] || 'intake';
  statusOnRouteChange(name === 'login' || !app.session ? '#/login' : location.hash);

  if (name === 'login' || !app.session) {
    if (name !== 'login') app.afterLogin = location.hash || '#/intake';
    layout(null);
    document.title = 'ログイン — 連携';
    login.render(shell.main, {
      onLoggedIn: async () => {
        await loadSession();
        navigate(app.afterLogin && !app.afterLogin.startsWith('#/login') && app.afterLogin !== '#/intake'
          ? app.afterLogin : homeOf(app.session));
      },
    });
    if (name !== 'login') history.replaceState(null, '', '#/login');
    return;
  }

  const screen = SCREENS[name];
  if (!screen || !parts[0]) {
    navigate(homeOf(app.session));
    return;
  }
  layout(screen.nav);
  const entry = NAV.find(([href]) => href === screen.nav);
  if (entry && !can(app.session, entry[2])) {
    replace(shell.main, h('h1', { tabindex: '-1' }, entry[1]),
      h('p', {}, 'この画面は、このアカウントの役割では使いません (このインスタンスにない機能を含みます)。'),
      h('p', {}, h('a', { href: homeOf(app.session) }, '使える画面へ')));
    document.title = `${entry[1]} — 連携`;
    if (focus) /** @type {HTMLElement} */ (shell.main.querySelector('h1')).focus();
    return;
  }
  let module = parts[1] && screen.item ? screen.item : screen.list;
  if (parts[1] === 'new' && screen.create) module = screen.create;
  /** @type {ui.ScreenContext} */
  const ctx = {
    session: app.session,
    query,
    id: parts[1] ?? '',
    navigate,
    announce,
    isCurrent: () => id === app.renderId,
    rerender: () => render({ focus: false }),
  };
  try {
    await module.render(shell.main, ctx);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 401) return;
    if (id !== app.renderId) return;
    replace(shell.main, h('h1', { tabindex: '-1' }, 'エラー'),
      h('p', { class: 'form-alert', role: 'alert' }, err.message));
  }
  if (id !== app.renderId) return;
  if (restoreDrafts(app.session.login, location.hash, shell.main)) {
    announce('ログインが切れる前に入力していた内容を戻しました。確かめてから保存してください');
  }
  const title = shell.main.querySelector('h1');
  document.title = `${title ? title.textContent : ''} — 連携`;
  if (focus && title) {
    title.setAttribute('tabindex', '-1');
    title.focus();
  }
}

window.addEventListener('hashchange', () => render());
window.addEventListener('renkei:unauthenticated', () => {
  if (!app.session) return;
  // What was being typed is kept for the same user's next log-in (drafts.js).
  saveDrafts(app.session.login, location.hash, shell.main);
  app.session = null;
  app.afterLogin = location.hash;
  announce('ログインの有効期限が切れました。もう一度ログインしてください');
  app.byConsole = true;
  render();
});
window.addEventListener('renkei:datestyle', () => refreshDates(document.body));
window.addEventListener('renkei:loggedout', () => loggedOut('ログアウトしました'));

async function boot() {
  await loadSession();
  await render({ focus: false });
}

boot();
