// The professionals' page (医療・介護関係者向けのお知らせ, docs/outreach.md "Information sharing
// among professionals"), /board/, without an account: the public notices of this instance and of
// those above it (the prefecture, the nation), the rules and forms with every version's file, and
// the notice mail's subscription (double opt-in) with its confirmation and unsubscribe links. It
// reads the gateway's public routes only (docs/gateway.md, "Public pages"); the subscription
// carries a proof of work (proof.js).
//
// Routes (the hash):
//   (none), or the id of a notice or a document   the board (the id: scrolled to)
//   #confirm=<token>                              confirms a subscription (the mail's link)
//   #unsubscribe=<token>                          stops the mail, after a button
import { newRequestId } from '../api.js';
import { h } from '../dom.js';
import { formatDate, formatTimestamp } from '../dates.js';
import { AUDIENCES, DOCUMENT_KINDS, NOTICE_LINK_KINDS, label, labels } from '../words.js';
import { municipalityName } from '../municipalities.js';
import { fetchProof } from '../proof.js';
import { PublicError, clearErrors, markInvalid, messageOf, post } from '../public.js';

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const view = byId('view');
const status = byId('status');

const PAGE_NAME = '医療・介護関係者向けのお知らせ';
// The audiences a professional subscribes for: every role but the residents'.
const PROFESSIONAL_AUDIENCES = AUDIENCES.filter(([v]) => v !== 'AUDIENCE_ROLE_PERSON_AND_FAMILY' && v !== 'AUDIENCE_ROLE_RESIDENTS');

// --- the gateway (its calls and errors: ../public.js) -----------------------------------------------

/** A link of a mail that no longer works (or never did). @param {PublicError} err */
const linkRefused = (err) => err.httpStatus === 401 || (err.fields || []).some((f) => f.field === 'token');

// --- the page -----------------------------------------------------------------------------------

/** Says something to screen readers (the visually hidden status region). @param {string} text */
function announce(text) {
  status.textContent = text;
}

// Each render takes a number; an answer arriving after the person moved on is dropped.
let renders = 0;
// Set by a navigation inside the page (not on opening it): the view it leads to takes the focus.
let navigated = false;
// What the page shows: 'board', 'confirm' or 'unsubscribe'.
let current = '';

/**
 * Shows a view: its parts replace the page's; its <h1> gets the focus after a navigation.
 * @param {string} title the document's title
 * @param {ui.Child[]} parts
 * @param {{loading?: boolean}} [options]
 */
function show(title, parts, { loading = false } = {}) {
  document.title = title;
  view.replaceChildren(...parts.flat().filter((p) => p instanceof Node));
  view.setAttribute('aria-busy', String(loading));
  const heading = view.querySelector('h1');
  if (heading && navigated && !loading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

function boardLink() {
  return h('p', { class: 'back' }, h('a', { href: '#' }, 'お知らせの一覧へ'));
}

/**
 * A page that only says something: a refused link, a failed load.
 * @param {string} title
 * @param {string} message
 * @param {{error?: boolean, retry?: () => void}} [options]
 */
function noticeView(title, message, { error = true, retry } = {}) {
  show(`${title} | ${PAGE_NAME}`, [
    h('h1', {}, title),
    h('div', { class: error ? 'notice error-box' : 'notice' }, h('p', {}, message)),
    retry ? h('p', {}, h('button', { type: 'button', onClick: retry }, 'もう一度読み込む')) : null,
    boardLink(),
  ]);
  announce(message);
}

// --- words --------------------------------------------------------------------------------------

/** "2026年11月24日" (Asia/Tokyo) of a timestamp. @param {string | undefined} ts */
const dayOf = (ts) => formatTimestamp(ts, { time: false, era: false });

/**
 * A date as <time>: the text people read, the machine's form in datetime.
 * @param {string | undefined} ts
 */
function timeOf(ts) {
  return h('time', { datetime: ts || undefined }, dayOf(ts));
}

/**
 * Who issued a notice or a document: this jurisdiction by its name, a prefecture ("130001") by
 * the prefecture's, the nation ("000000") as 国.
 * @param {string} code
 * @param {renkei.v1.ProfessionalsBoard} board
 */
function issuerName(code, board) {
  if (code && code === board.jurisdictionCode) return board.jurisdictionName || municipalityName(code);
  if (!code || code === '000000') return '国';
  return municipalityName(code);
}

/** @param {renkei.v1.AudienceRole[]} audiences */
const audienceText = (audiences) => labels(AUDIENCES, audiences) || '医療・介護関係者のみなさま';

// The kind of a file as people name it, from its content type (else its name's extension).
/** @type {[RegExp, string][]} */
const FILE_TYPES = [
  [/pdf/, 'PDF'],
  [/spreadsheetml|ms-excel/, 'Excel'],
  [/wordprocessingml|msword/, 'Word'],
  [/csv/, 'CSV'],
];

/** @param {renkei.v1.DocumentVersion} v */
function fileType(v) {
  const hit = FILE_TYPES.find(([re]) => re.test(v.contentType || ''));
  if (hit) return hit[1];
  const ext = (v.fileName || '').match(/\.([A-Za-z0-9]+)$/);
  return ext ? ext[1].toUpperCase() : 'ファイル';
}

/** "1.2 MB", "350 KB", "900 バイト" (int64 arrives as a string). @param {string | number} size */
function sizeText(size) {
  const n = Number(size) || 0;
  if (n < 1024) return `${n} バイト`;
  if (n < 1024 * 1024) return `${Math.max(1, Math.round(n / 1024))} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * "第2版 (2026年4月1日施行)" — or the day it was published when no effective date is set.
 * @param {renkei.v1.DocumentVersion} v
 * @param {boolean} superseded
 */
function versionText(v, superseded) {
  const when = v.effectiveOn && v.effectiveOn.year
    ? `${formatDate(v.effectiveOn, { era: false })}施行`
    : v.publishedAt ? `${dayOf(v.publishedAt)}公開` : '';
  const notes = [when, superseded ? '改定により廃止' : ''].filter(Boolean).join('・');
  return `第${v.number}版${notes ? ` (${notes})` : ''}`;
}

/**
 * A version's file: a download link "入退院支援ルール.pdf (PDF, 1.2 MB)", or a note while the
 * file is still arriving from the issuer.
 * @param {renkei.v1.SharedDocument} d
 * @param {renkei.v1.DocumentVersion} v
 * @param {boolean} current
 */
function fileLink(d, v, current) {
  if (!v.fileAvailable) return h('span', { class: 'receiving' }, 'ファイルを受信中です。しばらくしてから、もう一度開いてください。');
  const href = `/public/v1/documents/${encodeURIComponent(d.id)}/file${current ? '' : `?version=${v.number}`}`;
  return h('a', { href, class: 'file' }, `${v.fileName || 'ファイル'} (${fileType(v)}, ${sizeText(v.size)})`);
}

// --- the board ------------------------------------------------------------------------------------

async function boardView() {
  const render = ++renders;
  current = 'board';
  show(PAGE_NAME, [h('h1', {}, PAGE_NAME), h('p', {}, '読み込んでいます…')], { loading: true });
  /** @type {renkei.v1.ProfessionalsBoard} */
  let board;
  try {
    board = await post('/public/v1/board', {});
  } catch (err) {
    if (render !== renders) return;
    current = 'failed';
    noticeView(PAGE_NAME, `お知らせを読み込めませんでした。${messageOf(/** @type {Error} */ (err))}`, { retry: boardView });
    return;
  }
  if (render !== renders) return;
  const title = `${board.jurisdictionName ? `${board.jurisdictionName} ` : ''}${PAGE_NAME}`;
  const notices = [...(board.notices || [])].sort((a, b) => Date.parse(b.publishedAt || '') - Date.parse(a.publishedAt || ''));
  const documents = board.documents || [];
  const documentIds = new Set(documents.map((d) => d.id));
  show(title, [
    h('h1', {}, title),
    h('p', { class: 'lead' }, `在宅医療・介護に関わる医療・介護関係者のみなさまへの、${board.jurisdictionName || '市区町村'}・都道府県・国からのお知らせと、地域のルール・様式です。`),
    h('nav', { class: 'toc', 'aria-label': 'このページの内容' }, h('ul', {}, [
      h('li', {}, h('a', { href: '#notices' }, 'お知らせ')),
      h('li', {}, h('a', { href: '#documents' }, 'ルール・様式')),
      h('li', {}, h('a', { href: '#subscribe' }, 'お知らせメールの登録')),
    ])),
    h('section', { id: 'notices', 'aria-labelledby': 'notices-title' }, [
      h('h2', { id: 'notices-title' }, 'お知らせ'),
      h('p', { class: 'feed' }, [
        h('a', { href: '/public/v1/notices.atom', type: 'application/atom+xml' }, 'お知らせのフィード (Atom)'),
        h('span', { class: 'hint' }, ' フィードリーダーで新しいお知らせを受け取れます。'),
      ]),
      notices.length
        ? h('div', { class: 'notices' }, notices.map((n) => noticeArticle(n, board, documentIds)))
        : h('p', { class: 'empty' }, '今のところ、お知らせはありません。'),
    ]),
    h('section', { id: 'documents', 'aria-labelledby': 'documents-title' }, [
      h('h2', { id: 'documents-title' }, 'ルール・様式'),
      documents.length
        ? h('div', { class: 'documents' }, documents.map((d) => documentArticle(d, board)))
        : h('p', { class: 'empty' }, '今のところ、公開しているルール・様式はありません。'),
    ]),
    subscribeSection(),
  ]);
  announce(`お知らせ ${notices.length} 件、ルール・様式 ${documents.length} 件を表示しています`);
  // A link to one notice or document (the mails link /board/#<id>): its place, now it is drawn.
  const anchor = location.hash.slice(1);
  if (anchor && !anchor.includes('=')) {
    const target = document.getElementById(decodeURIComponent(anchor));
    if (target) target.scrollIntoView();
  }
}

/**
 * @param {renkei.v1.Notice} n
 * @param {renkei.v1.ProfessionalsBoard} board
 * @param {Set<string>} documentIds the documents on this page
 */
function noticeArticle(n, board, documentIds) {
  const titleId = `${n.id}-title`;
  const updated = n.updatedAt && n.updatedAt !== n.publishedAt && dayOf(n.updatedAt) ? n.updatedAt : '';
  return h('article', { id: n.id, class: 'notice-item', 'aria-labelledby': titleId }, [
    h('h3', { id: titleId }, n.title),
    h('p', { class: 'meta' }, [
      timeOf(n.publishedAt),
      updated ? h('span', {}, [' (更新 ', timeOf(updated), ')']) : null,
      h('span', { class: 'sep' }, ' ・ '),
      `発信: ${issuerName(n.issuerCode, board)}`,
    ]),
    h('p', { class: 'meta' }, `対象: ${audienceText(n.audiences)}`),
    h('div', { class: 'body' }, n.body),
    (n.links || []).length ? h('ul', { class: 'links', 'aria-label': '関連するリンク' }, n.links.map((l) => h('li', {}, noticeLink(l, documentIds)))) : null,
  ]);
}

/**
 * A notice's link: a document → its place on this page, a web page → the page (outside),
 * a training or a practice → its title.
 * @param {renkei.v1.NoticeLink} l
 * @param {Set<string>} documentIds
 */
function noticeLink(l, documentIds) {
  const kind = label(NOTICE_LINK_KINDS, l.kind);
  const title = l.title || kind || 'リンク';
  /** @type {ui.Child} */
  let target = title;
  if (l.kind === 'NOTICE_LINK_KIND_DOCUMENT' && documentIds.has(l.target)) {
    target = h('a', { href: `#${l.target}` }, title);
  } else if (l.kind === 'NOTICE_LINK_KIND_WEB' && /^https?:\/\//i.test(l.target)) {
    target = [h('a', { href: l.target, rel: 'noopener noreferrer' }, title), h('span', { class: 'hint' }, ' (外部のページ)')];
  }
  return [kind ? h('span', { class: 'link-kind' }, `${kind}: `) : null, target];
}

/**
 * @param {renkei.v1.SharedDocument} d
 * @param {renkei.v1.ProfessionalsBoard} board
 */
function documentArticle(d, board) {
  const titleId = `${d.id}-title`;
  const versions = [...(d.versions || [])].sort((a, b) => a.number - b.number);
  const now = versions[versions.length - 1];
  const older = versions.slice(0, -1).reverse();
  return h('article', { id: d.id, class: 'doc', 'aria-labelledby': titleId }, [
    h('h3', { id: titleId }, [
      d.kind && label(DOCUMENT_KINDS, d.kind) ? h('span', { class: 'kind' }, label(DOCUMENT_KINDS, d.kind)) : null,
      ' ',
      d.title,
    ]),
    h('p', { class: 'meta' }, `発信: ${issuerName(d.issuerCode, board)} ・ 対象: ${audienceText(d.audiences)}`),
    d.description ? h('div', { class: 'body' }, d.description) : null,
    now ? h('div', { class: 'current' }, [
      h('p', { class: 'version' }, [h('strong', {}, versionText(now, false)), h('span', { class: 'badge' }, '現行版')]),
      now.changeNote ? h('p', { class: 'change' }, `改定の内容: ${now.changeNote}`) : null,
      h('p', { class: 'download' }, fileLink(d, now, true)),
    ]) : h('p', {}, 'ファイルはまだありません。'),
    older.length ? h('div', { class: 'older' }, [
      h('h4', {}, '旧版'),
      h('ul', { class: 'superseded' }, older.map((v) => h('li', {}, [
        h('span', { class: 'version' }, versionText(v, true)),
        v.changeNote ? h('span', { class: 'change' }, ` ${v.changeNote}`) : null,
        h('br'),
        fileLink(d, v, false),
      ]))),
    ]) : null,
  ]);
}

// --- the subscription -------------------------------------------------------------------------------

function subscribeSection() {
  const form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': 'subscribe-title' });
  const email = h('input', {
    id: 'f-email', type: 'email', autocomplete: 'email', maxlength: 254, required: true, spellcheck: 'false',
    'aria-describedby': 'f-email-hint', 'data-hint': 'f-email-hint',
  });
  const audiences = h('fieldset', { id: 'f-audiences', 'aria-describedby': 'f-audiences-hint', 'data-hint': 'f-audiences-hint' }, [
    h('legend', {}, '受け取るお知らせの対象'),
    h('p', { class: 'hint', id: 'f-audiences-hint' }, '選ばないときは、すべてのお知らせをお送りします。'),
    h('div', { class: 'choices' }, PROFESSIONAL_AUDIENCES.map(([value, text]) => h('label', { class: 'choice' }, [
      h('input', { type: 'checkbox', name: 'audience', value: String(value) }),
      text,
    ]))),
  ]);
  const line = h('p', { class: 'form-line' });
  const answer = h('div', { id: 'subscribe-answer', class: 'notice', hidden: true, tabindex: '-1' });
  const submit = h('button', { type: 'submit', class: 'primary' }, '登録する');
  form.append(
    h('div', { class: 'field' }, [
      h('label', { for: 'f-email' }, ['メールアドレス', h('span', { class: 'required' }, ' (必須)')]),
      h('p', { class: 'hint', id: 'f-email-hint' }, '例: renkei@example.jp'),
      email,
    ]),
    audiences,
    h('div', { class: 'actions' }, submit),
    line,
  );

  let proof = fetchProof();
  let busy = false;
  /** @param {string} text @param {boolean} [error] */
  const say = (text, error = false) => {
    line.textContent = text;
    line.classList.toggle('error-line', error);
    announce(text);
  };
  // The same address and choice sent again carries the same request id (one confirmation mail).
  let sent = { body: '', requestId: '' };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    clearErrors(form);
    answer.hidden = true;
    const address = email.value.trim();
    if (!address) {
      markInvalid(email, 'メールアドレスを入力してください');
      email.focus();
      say('入力を確かめてください。', true);
      return;
    }
    const chosen = [...audiences.querySelectorAll('input:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value);
    busy = true;
    submit.setAttribute('aria-disabled', 'true');
    say('送信しています…');
    try {
      const headers = await proof.header();
      const text = JSON.stringify({ address, chosen });
      if (text !== sent.body) sent = { body: text, requestId: newRequestId() };
      /** @type {renkei.v1.SubscriptionAnswer} */
      const done = await post('/public/v1/subscriptions', { email: address, audiences: chosen, requestId: sent.requestId }, headers);
      proof = fetchProof();
      say('');
      answer.replaceChildren(h('p', {}, done.message || '確認のメールをお送りしました。メールにあるリンクを開くと登録が完了します。'));
      answer.hidden = false;
      answer.focus();
      announce(done.message || '確認のメールをお送りしました。');
    } catch (e) {
      const err = /** @type {PublicError} */ (e);
      proof = fetchProof();
      /** @type {HTMLElement | null} */
      let first = null;
      for (const f of err.fields || []) {
        const target = f.field === 'email' ? email : /^audiences/.test(f.field) ? audiences : null;
        if (!target || target.querySelector('.error') || target.getAttribute('aria-invalid')) continue;
        markInvalid(target, f.description || '入力を確かめてください');
        first = first || target;
      }
      if (first) {
        (first === audiences ? /** @type {HTMLElement} */ (audiences.querySelector('input')) : first).focus();
        say('入力を確かめてください。説明のある項目を直してから、もう一度送信してください。', true);
      } else {
        say(messageOf(err), true);
      }
    } finally {
      busy = false;
      submit.removeAttribute('aria-disabled');
    }
  });

  return h('section', { id: 'subscribe', 'aria-labelledby': 'subscribe-title' }, [
    h('h2', { id: 'subscribe-title' }, 'お知らせメールの登録'),
    h('p', {}, '新しいお知らせを、メールでもお届けします。登録のお申し込みをすると、入力したアドレスに確認のメールが届きます。メールにあるリンクを開くと登録が完了します (二段階の確認)。'),
    h('p', {}, 'メールアドレスは、このお知らせの配信にだけ使います。配信はいつでも、お知らせメールにあるリンクから停止でき、停止するとアドレスの記録は消去します。'),
    form,
    answer,
  ]);
}

// --- the mail's links ---------------------------------------------------------------------------------

/** @param {string} token */
async function confirmView(token) {
  const render = ++renders;
  current = 'confirm';
  const title = 'お知らせメールの登録の確認';
  show(`${title} | ${PAGE_NAME}`, [h('h1', {}, title), h('p', {}, '登録を確かめています…')], { loading: true });
  if (!token) {
    noticeView(title, 'リンクが正しくありません。メールにあるリンクをそのまま開いてください。');
    return;
  }
  try {
    /** @type {renkei.v1.SubscriptionAnswer} */
    const done = await post('/public/v1/subscriptions/confirm', { token, requestId: newRequestId() });
    if (render !== renders) return;
    noticeView(title, done.message || '登録が完了しました。', { error: false });
  } catch (e) {
    if (render !== renders) return;
    const err = /** @type {PublicError} */ (e);
    noticeView(title, messageOf(err), { retry: linkRefused(err) ? undefined : () => confirmView(token) });
  }
}

/** @param {string} token */
function unsubscribeView(token) {
  ++renders;
  current = 'unsubscribe';
  const title = 'お知らせメールの配信停止';
  if (!token) {
    noticeView(title, 'リンクが正しくありません。メールにあるリンクをそのまま開いてください。');
    return;
  }
  const line = h('p', { class: 'form-line' });
  const stop = h('button', { type: 'button', class: 'primary' }, '配信を停止する');
  let busy = false;
  stop.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    stop.setAttribute('aria-disabled', 'true');
    line.textContent = '停止しています…';
    announce('停止しています…');
    try {
      /** @type {renkei.v1.SubscriptionAnswer} */
      const done = await post('/public/v1/subscriptions/unsubscribe', { token, requestId: newRequestId() });
      navigated = true;
      noticeView(title, done.message || '配信を停止しました。', { error: false });
    } catch (e) {
      const err = /** @type {PublicError} */ (e);
      if (linkRefused(err)) {
        navigated = true;
        noticeView(title, messageOf(err));
      } else {
        line.textContent = messageOf(err);
        line.classList.add('error-line');
        announce(messageOf(err));
      }
    } finally {
      busy = false;
      stop.removeAttribute('aria-disabled');
    }
  });
  show(`${title} | ${PAGE_NAME}`, [
    h('h1', {}, title),
    h('p', {}, 'このメールアドレスへの、医療・介護関係者向けお知らせメールの配信を停止します。停止すると、アドレスの記録は消去します。'),
    h('p', {}, 'また受け取りたくなったときは、このページの「お知らせメールの登録」から、いつでも登録し直せます。'),
    h('div', { class: 'actions' }, stop),
    line,
    boardLink(),
  ]);
}

// --- the router -----------------------------------------------------------------------------------

function route() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  if (params.has('confirm')) return confirmView(params.get('confirm') || '');
  if (params.has('unsubscribe')) return unsubscribeView(params.get('unsubscribe') || '');
  // The board, unless it is shown already (the hash then names a place on it: the browser goes
  // there).
  if (current !== 'board') return boardView();
  return undefined;
}

window.addEventListener('hashchange', () => {
  navigated = true;
  route();
});
route();
