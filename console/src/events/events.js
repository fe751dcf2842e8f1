// The residents' events page (住民向けイベント, docs/outreach.md "Events for residents"), /events/,
// without an account: the instance's public events (talks, workshops, 出前講座) with a filter by
// theme, registration with its cancellation link, the cancellation from that link, and the
// anonymous awareness questionnaire. It reads the gateway's public routes only (docs/gateway.md,
// "Public pages"); the three forms carry a proof of work (proof.js).
//
// Routes (the hash):
//   (none)                                      the list of events
//   #event=<training id>                        an event and its registration form (the receipt
//                                               replaces it after registering)
//   #cancel=<token>                             a registration from its cancellation link
//   #awareness=<training id>&phase=before|after the awareness questionnaire
import { newRequestId } from '../api.js';
import { h } from '../dom.js';
import { formatDate, formatTimestamp, tokyoDateTime, weekdayOf } from '../dates.js';
import { AUDIENCES, AWARENESS_PHASES, LIKERT, REGISTRATION_STATUSES, TRAINING_STATUSES, label, labels } from '../words.js';
import { fetchProof } from '../proof.js';
import { PublicError, clearErrors, markInvalid, messageOf, post } from '../public.js';

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const view = byId('view');
const status = byId('status');

const PAGE_NAME = '住民向けイベント';

// --- the page -----------------------------------------------------------------------------------

/** Says something to screen readers (the visually hidden status region). @param {string} text */
function announce(text) {
  status.textContent = text;
}

// Each render takes a number; an answer arriving after the person moved on is dropped.
let renders = 0;
// Set by a navigation inside the page (not on opening it): the view it leads to takes the focus.
let navigated = false;

/**
 * Shows a view: its parts replace the page's. Its <h1> gets the focus when the view follows a
 * navigation or a submission (focus), not while it is loading.
 * @param {string} title the document's title ('' for the page's own)
 * @param {ui.Child[]} parts
 * @param {{focus?: boolean, loading?: boolean}} [options]
 */
function show(title, parts, { focus = navigated, loading = false } = {}) {
  document.title = title ? `${title} | ${PAGE_NAME}` : PAGE_NAME;
  view.replaceChildren(...parts.flat().filter((p) => p instanceof Node));
  view.setAttribute('aria-busy', String(loading));
  const heading = view.querySelector('h1');
  if (heading && focus && !loading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

/** A view's first state while its data loads. @param {string} title */
function loadingView(title) {
  show(title, [h('h1', {}, title), h('p', {}, '読み込んでいます…')], { loading: true });
}

/**
 * A page that only says something: a refused link, a failed load.
 * @param {string} title
 * @param {string} message
 * @param {{error?: boolean, retry?: boolean}} [options]
 */
function noticeView(title, message, { error = true, retry = false } = {}) {
  show(title, [
    h('h1', {}, title),
    h('div', { class: error ? 'notice error-box' : 'notice' }, h('p', {}, message)),
    retry ? h('p', {}, h('button', { type: 'button', onClick: () => route() }, 'もう一度読み込む')) : null,
    backLink(),
  ]);
  announce(message);
}

function backLink() {
  return h('p', { class: 'back' }, h('a', { href: '#' }, 'イベントの一覧に戻る'));
}

// --- words --------------------------------------------------------------------------------------

const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];

/** "2026年12月12日(土)". @param {renkei.v1.Date} d */
function dayText(d) {
  return `${formatDate(d, { era: false })}(${WEEKDAYS[weekdayOf(d)]})`;
}

/** "14:00". @param {{hour: number, minute: number}} t */
const clock = (t) => `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;

/**
 * A session's date and time in Asia/Tokyo: "2026年12月12日(土) 14:00〜16:00".
 * @param {renkei.v1.PublicEventSession} s
 */
function whenText(s) {
  if (!s.startsAt) return '日時は決まりしだいお知らせします';
  const a = tokyoDateTime(new Date(s.startsAt));
  const start = `${dayText(a.date)} ${clock(a)}`;
  if (!s.endsAt) return `${start}〜`;
  const b = tokyoDateTime(new Date(s.endsAt));
  const sameDay = a.date.year === b.date.year && a.date.month === b.date.month && a.date.day === b.date.day;
  return sameDay ? `${start}〜${clock(b)}` : `${start}〜${dayText(b.date)} ${clock(b)}`;
}

/** @param {renkei.v1.PublicEventSession} s */
function placeText(s) {
  if (s.online) return s.venue ? `オンライン (${s.venue})` : 'オンライン (参加方法はお申し込みの後にお知らせします)';
  return s.venue ? `会場: ${s.venue}` : '会場は決まりしだいお知らせします';
}

/** @param {number} left */
function seatsText(left) {
  return left > 0 ? `残り ${left} 席` : '満席 (キャンセル待ちで受け付けます)';
}

/** @param {renkei.v1.PublicEvent} e */
const activeSessions = (e) => (e.sessions || []).filter((s) => !s.cancelled);
/** @param {renkei.v1.PublicEvent} e */
const isCancelled = (e) => e.status === 'TRAINING_STATUS_CANCELLED';
// Several sessions, each taken on its own: the form asks which.
/** @param {renkei.v1.PublicEvent} e */
const choosesSessions = (e) => !e.sessionsAreOneCourse && activeSessions(e).length > 1;

/**
 * The seats of the event as a whole (one session, or one course: its fullest session); null when
 * they are per session or registration is closed.
 * @param {renkei.v1.PublicEvent} e
 */
function eventSeats(e) {
  const active = activeSessions(e);
  if (!e.registrationOpen || isCancelled(e) || !active.length || choosesSessions(e)) return null;
  return seatsText(Math.min(...active.map((s) => s.seatsLeft || 0)));
}

/** @param {renkei.v1.PublicEvent} e */
function audienceText(e) {
  return labels(AUDIENCES, e.audiences) || 'どなたでも';
}

/** @param {renkei.v1.PublicEvent} e */
function registrationText(e) {
  if (isCancelled(e)) return '';
  if (!e.registrationOpen) return 'お申し込みの受付は終了しました';
  const deadline = formatTimestamp(e.registrationDeadline, { era: false });
  return deadline ? `お申し込み受付中 (締切: ${deadline})` : 'お申し込み受付中';
}

/**
 * The sessions of an event, one line each: date and time, place, and seats when they are per
 * session.
 * @param {renkei.v1.PublicEvent} e
 * @param {string[]} [only] these sessions only (a registration's)
 */
function sessionList(e, only) {
  const perSession = e.registrationOpen && !isCancelled(e) && choosesSessions(e);
  const sessions = (e.sessions || []).filter((s) => !only || !only.length || only.includes(s.sessionId));
  return h('ul', { class: 'sessions' }, sessions.map((s) => h('li', { class: s.cancelled ? 'cancelled-session' : '' }, [
    h('span', { class: 'when' }, whenText(s)),
    ' ',
    h('span', { class: 'where' }, placeText(s)),
    s.cancelled ? h('strong', { class: 'tag-cancelled' }, ' (この回は中止)') : null,
    perSession && !s.cancelled ? h('span', { class: 'seats' }, ` ${seatsText(s.seatsLeft || 0)}`) : null,
  ])));
}

/**
 * A definition list of [term, description] rows (rows without a description left out).
 * @param {[string, ui.Child][]} rows
 * @param {string} [className]
 */
function facts(rows, className = 'facts') {
  return h('dl', { class: className }, rows.filter(([, d]) => d !== '' && d !== null && d !== undefined)
    .map(([t, d]) => h('div', {}, [h('dt', {}, t), h('dd', {}, d)])));
}

/** @param {renkei.v1.PublicEvent} e */
function cancelledBox(e) {
  if (!isCancelled(e)) return null;
  return h('div', { class: 'notice error-box' }, [
    h('p', {}, h('strong', {}, `このイベントは${label(TRAINING_STATUSES, e.status) || '中止'}になりました。`)),
    e.cancellationReason ? h('p', {}, `理由: ${e.cancellationReason}`) : null,
  ]);
}

/** @param {string[]} tags @param {string} [className] */
function tagList(tags, className = 'tags') {
  if (!tags || !tags.length) return '';
  return h('ul', { class: className }, tags.map((t) => h('li', {}, t)));
}

/**
 * A long address that wraps on a phone: a break opportunity after each / . = # - and before
 * each _ (each piece its own text node, so no run of letters and underscores in a token reads
 * as one word).
 * @param {string} url
 */
function breakable(url) {
  const pieces = url.split(/(?<=[/.=#-])|(?=_)/);
  return pieces.flatMap((p, i) => (i ? [h('wbr'), p] : [p]));
}

// --- the list -----------------------------------------------------------------------------------

// The chosen theme, kept while the person looks at an event and comes back.
let theme = '';

async function listView() {
  const render = ++renders;
  loadingView('');
  /** @type {renkei.v1.ListPublicEventsResponse} */
  let answer;
  try {
    answer = await post('/public/v1/events', {});
  } catch (err) {
    if (render !== renders) return;
    noticeView('住民向けイベント', `イベントの一覧を読み込めませんでした。${messageOf(/** @type {Error} */ (err))}`, { retry: true });
    return;
  }
  if (render !== renders) return;
  const events = answer.events || [];
  const place = answer.jurisdictionName || '';
  const title = `${place ? `${place}の` : ''}在宅医療・介護 住民向けイベント`;
  const themes = [...new Set(events.flatMap((e) => e.themeTags || []))];
  if (theme && !themes.includes(theme)) theme = '';

  const listTitle = h('h2', { id: 'list-title' }, '');
  const list = h('ul', { class: 'events', 'aria-labelledby': 'list-title' });
  const draw = () => {
    const shown = theme ? events.filter((e) => (e.themeTags || []).includes(theme)) : events;
    listTitle.textContent = theme ? `「${theme}」のイベント (${shown.length} 件)` : `これからのイベント (${shown.length} 件)`;
    list.replaceChildren(...shown.map(eventCard));
    if (!shown.length) list.append(h('li', { class: 'empty' }, '今のところ、予定されているイベントはありません。'));
    return shown.length;
  };

  /** @type {HTMLButtonElement[]} */
  const buttons = [];
  const filter = themes.length ? h('section', { class: 'filter', 'aria-labelledby': 'filter-title' }, [
    h('h2', { id: 'filter-title' }, 'テーマで探す'),
    h('div', { class: 'theme-buttons', role: 'group', 'aria-labelledby': 'filter-title' },
      ['', ...themes].map((t) => {
        const b = h('button', { type: 'button', class: 'theme', 'aria-pressed': String(t === theme) }, t || 'すべて');
        b.addEventListener('click', () => {
          theme = t;
          for (const other of buttons) other.setAttribute('aria-pressed', String(other === b));
          const n = draw();
          announce(t ? `「${t}」のイベントを表示しています (${n} 件)` : `すべてのイベントを表示しています (${n} 件)`);
        });
        buttons.push(b);
        return b;
      })),
  ]) : null;
  draw();
  show('', [
    h('h1', {}, title),
    h('p', { class: 'lead' }, `在宅医療や介護、人生の最終段階の過ごし方 (人生会議) などを知っていただくための、講演会・ワークショップ・出前講座などのご案内です。${place ? `${place}が主催します。` : ''}このページからお申し込みができます。`),
    filter,
    h('section', { class: 'list', 'aria-labelledby': 'list-title' }, [listTitle, list]),
    h('section', { class: 'calendar', 'aria-labelledby': 'calendar-title' }, [
      h('h2', { id: 'calendar-title' }, 'カレンダーで受け取る'),
      h('p', {}, h('a', { href: '/public/v1/events.ics', class: 'button' }, 'カレンダーに登録 (iCalendar)')),
      h('p', { class: 'hint' }, 'お使いのカレンダー (スマートフォンのカレンダーなど) に、これからのイベントの日時を取り込めます。'),
    ]),
  ]);
  document.title = title;
  announce(`${events.length} 件のイベントがあります`);
}

/** @param {renkei.v1.PublicEvent} e */
function eventCard(e) {
  const titleId = `title-${e.id}`;
  return h('li', { class: isCancelled(e) ? 'card cancelled' : 'card' }, h('article', { 'aria-labelledby': titleId }, [
    h('h3', { id: titleId }, [
      isCancelled(e) ? h('span', { class: 'badge badge-cancelled' }, label(TRAINING_STATUSES, e.status) || '中止') : null,
      isCancelled(e) ? ' ' : null,
      e.title,
    ]),
    isCancelled(e) && e.cancellationReason ? h('p', { class: 'reason' }, `中止の理由: ${e.cancellationReason}`) : null,
    facts([
      ['日時・会場', sessionList(e)],
      ['テーマ', tagList(e.themeTags)],
      ['対象', audienceText(e)],
      ['空き状況', eventSeats(e) || ''],
      ['主催', e.organizerName || ''],
    ]),
    registrationText(e) ? h('p', { class: e.registrationOpen ? 'open' : 'closed' }, registrationText(e)) : null,
    h('p', { class: 'more' }, h('a', { class: 'button', href: `#event=${encodeURIComponent(e.id)}`, 'aria-describedby': titleId },
      e.registrationOpen && !isCancelled(e) ? '詳細・お申し込み' : '詳細を見る')),
  ]));
}

// --- an event and its registration --------------------------------------------------------------

/** @param {string} id */
async function eventView(id) {
  const render = ++renders;
  loadingView('イベントの詳細');
  /** @type {renkei.v1.PublicEvent} */
  let e;
  try {
    e = await post('/public/v1/events/get', { id });
  } catch (err) {
    if (render !== renders) return;
    noticeView('イベントの詳細', messageOf(/** @type {Error} */ (err)), { retry: /** @type {PublicError} */ (err).httpStatus !== 404 });
    return;
  }
  if (render !== renders) return;
  const parts = [
    h('h1', {}, e.title),
    e.organizerName ? h('p', { class: 'organizer' }, `主催: ${e.organizerName}`) : null,
    cancelledBox(e),
    e.description ? h('p', { class: 'description' }, e.description) : null,
    facts([
      [e.sessionsAreOneCourse && activeSessions(e).length > 1 ? `日時・会場 (全 ${activeSessions(e).length} 回の連続講座)` : '日時・会場', sessionList(e)],
      ['テーマ', tagList(e.themeTags)],
      ['対象', audienceText(e)],
      ['空き状況', eventSeats(e) || ''],
      ['申込締切', isCancelled(e) ? '' : formatTimestamp(e.registrationDeadline, { era: false })],
    ]),
    h('section', { class: 'register', 'aria-labelledby': 'register-title' }, [
      h('h2', { id: 'register-title' }, 'お申し込み'),
      ...(e.registrationOpen && !isCancelled(e)
        ? [registrationForm(e)]
        : [h('p', { class: 'notice' }, isCancelled(e) ? 'このイベントは中止になったため、お申し込みはできません。' : 'このイベントのお申し込みの受付は終了しました。')]),
    ]),
    backLink(),
  ];
  show(e.title, parts);
  announce(`${e.title} の詳細を表示しています`);
}

/**
 * A labelled text field with an optional hint: [label, hint, input].
 * @param {{id: string, label: string, hint?: string, required?: boolean, attrs?: ui.Attrs}} o
 */
function textField(o) {
  const hintId = o.hint ? `${o.id}-hint` : '';
  return h('div', { class: 'field' }, [
    h('label', { for: o.id }, [o.label, o.required ? h('span', { class: 'required' }, ' (必須)') : null]),
    o.hint ? h('p', { class: 'hint', id: hintId }, o.hint) : null,
    h('input', {
      id: o.id, type: 'text', 'aria-describedby': hintId || undefined, 'data-hint': hintId || undefined,
      required: o.required, ...(o.attrs || {}),
    }),
  ]);
}

/** The control to focus for a field's error. @param {HTMLElement} target */
function focusable(target) {
  return /** @type {HTMLElement} */ (target instanceof HTMLFieldSetElement ? target.querySelector('input') || target : target);
}

/**
 * The field errors of a failed submission next to their fields (idOf: the element id of a
 * field, or '' when it is not on the form). Returns whether any was shown; the first gets the
 * focus.
 * @param {HTMLElement} form
 * @param {ui.FieldError[]} fields
 * @param {(field: string) => string} idOf
 */
function showFieldErrors(form, fields, idOf) {
  /** @type {HTMLElement | null} */
  let first = null;
  const done = new Set();
  for (const f of fields) {
    const id = idOf(f.field);
    const target = id ? /** @type {HTMLElement | null} */ (form.querySelector(`#${CSS.escape(id)}`)) : null;
    if (!target || done.has(id)) continue;
    done.add(id);
    markInvalid(target, f.description || '入力を確かめてください');
    first = first || target;
  }
  if (first) focusable(first).focus();
  return first !== null;
}

/**
 * The part of a form that says how the submission goes, and the announcement of it.
 * @param {HTMLElement} line
 * @param {string} text
 * @param {boolean} [error]
 */
function say(line, text, error = false) {
  line.textContent = text;
  line.classList.toggle('error-line', error);
  announce(text);
}

/**
 * Sends a form with a proof of work: waits for the proof, posts, and on failure shows the field
 * errors next to their fields (or the message under the button) and fetches a new proof.
 * @param {{form: HTMLFormElement, line: HTMLElement, path: string,
 *   body: (problems: ui.FieldError[]) => object,
 *   idOf: (field: string) => string, onDone: (answer: any) => void,
 *   onLinkRefused?: (message: string) => void}} o
 */
function proofForm(o) {
  let proof = fetchProof();
  let busy = false;
  // The same form sent again (its answer was lost, the service was restarting) carries the same
  // request id, so the service answers it once: a resident who presses again is not registered
  // twice. A changed form is a new request.
  let sent = { body: '', requestId: '' };
  const submit = /** @type {HTMLButtonElement} */ (o.form.querySelector('button[type=submit]'));
  o.form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    clearErrors(o.form);
    /** @type {ui.FieldError[]} */
    const local = [];
    const body = o.body(local);
    if (local.length) {
      showFieldErrors(o.form, local, o.idOf);
      say(o.line, '入力を確かめてください。説明のある項目を直してから、もう一度送信してください。', true);
      return;
    }
    busy = true;
    submit.setAttribute('aria-disabled', 'true');
    say(o.line, '送信しています…');
    try {
      const headers = await proof.header();
      const text = JSON.stringify(body);
      if (text !== sent.body) sent = { body: text, requestId: newRequestId() };
      const answer = await post(o.path, { ...body, requestId: sent.requestId }, headers);
      o.onDone(answer);
    } catch (e) {
      const err = /** @type {PublicError} */ (e);
      proof = fetchProof();
      const fields = err.fields || [];
      // Errors of the fields on the form stand beside them; one of a field the form does not
      // show (proof, registration_deadline, token, ...) is what messageOf says, below.
      if (showFieldErrors(o.form, fields, o.idOf)) {
        say(o.line, '入力を確かめてください。説明のある項目を直してから、もう一度送信してください。', true);
      } else if (o.onLinkRefused && (err.httpStatus === 401 || fields.some((f) => f.field === 'token'))) {
        o.onLinkRefused(messageOf(err));
      } else {
        say(o.line, `${messageOf(err)}${err.httpStatus === 0 ? '' : ' (入力した内容はこのページに残っています)'}`, true);
      }
    } finally {
      busy = false;
      submit.removeAttribute('aria-disabled');
    }
  });
}

/** @param {renkei.v1.PublicEvent} e */
function registrationForm(e) {
  const choose = choosesSessions(e);
  const form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': 'register-title' });
  const sessions = choose ? h('fieldset', { id: 'f-session_ids' }, [
    h('legend', {}, ['参加する回', h('span', { class: 'required' }, ' (1つ以上選んでください)')]),
    ...activeSessions(e).map((s) => h('label', { class: 'choice' }, [
      h('input', { type: 'checkbox', name: 'session', value: s.sessionId }),
      h('span', {}, [whenText(s), h('br'), h('span', { class: 'hint' }, `${placeText(s)}・${seatsText(s.seatsLeft || 0)}`)]),
    ])),
  ]) : null;
  const party = h('select', { id: 'f-party_size', 'aria-describedby': 'f-party_size-hint', 'data-hint': 'f-party_size-hint' },
    Array.from({ length: 10 }, (_, i) => h('option', { value: String(i + 1) }, `${i + 1} 名`)));
  const line = h('p', { class: 'form-line' });
  form.append(
    e.sessionsAreOneCourse && activeSessions(e).length > 1
      ? h('p', { class: 'hint' }, `全 ${activeSessions(e).length} 回の連続講座です。すべての回に参加するお申し込みになります。`)
      : '',
    textField({ id: 'f-name', label: 'お名前', required: true, attrs: { autocomplete: 'name', maxlength: 100 } }),
    textField({
      id: 'f-contact', label: 'ご連絡先 (メールアドレスか電話番号)', required: true,
      hint: 'メールアドレスを入力すると、取り消し用のリンクを書いた確認のメールをお送りします。電話番号の場合はメールをお送りしないため、お申し込みの後に表示されるリンクを控えてください。',
      attrs: { maxlength: 200, spellcheck: 'false', autocapitalize: 'off' },
    }),
    h('div', { class: 'field' }, [
      h('label', { for: 'f-party_size' }, '参加人数'),
      h('p', { class: 'hint', id: 'f-party_size-hint' }, 'ご家族などとご一緒のときは、その方も含めた人数を選んでください (10 名まで)。'),
      party,
    ]),
    sessions || '',
    h('p', { class: 'privacy' }, 'お名前とご連絡先は、このイベントの運営にだけ使い、終了後に消去します。'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '申し込む')),
    line,
  );
  /** @param {string} id */
  const value = (id) => /** @type {HTMLInputElement} */ (form.querySelector(`#${id}`)).value.trim();
  let contact = '';
  proofForm({
    form, line, path: '/public/v1/events/register',
    body(problems) {
      const name = value('f-name');
      contact = value('f-contact');
      if (!name) problems.push({ field: 'name', description: 'お名前を入力してください' });
      if (!contact) problems.push({ field: 'contact', description: 'メールアドレスか電話番号を入力してください' });
      /** @type {Record<string, unknown>} */
      const body = { trainingId: e.id, name, contact, partySize: Number(/** @type {HTMLSelectElement} */ (party).value) };
      if (sessions) {
        const ids = [...sessions.querySelectorAll('input:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value);
        if (!ids.length) problems.push({ field: 'session_ids', description: '参加する回を選んでください' });
        body.sessionIds = ids;
      }
      return body;
    },
    idOf: (field) => ({ name: 'f-name', contact: 'f-contact', party_size: 'f-party_size', session_ids: 'f-session_ids' })[field.replace(/\[\d+\]$/, '')] || '',
    onDone: (reg) => receiptView(reg, contact),
  });
  return form;
}

/**
 * The cancellation link of a registration, with a button to copy it where the browser allows.
 * @param {string} token
 */
function cancelLinkBox(token) {
  const url = `${location.origin}/events/#cancel=${token}`;
  const copy = navigator.clipboard ? h('button', { type: 'button' }, 'リンクをコピー') : null;
  copy?.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(url);
      announce('取り消し用のリンクをコピーしました');
      copy.textContent = 'コピーしました';
    } catch {
      announce('コピーできませんでした。リンクを長押しして控えてください');
    }
  });
  return [
    h('p', { class: 'cancel-link' }, h('a', { href: url, id: 'cancel-link' }, breakable(url))),
    copy ? h('p', {}, copy) : null,
  ];
}

/** "参加確定", "キャンセル待ち 2 番目", "取り消し済み". @param {renkei.v1.PublicRegistration} reg */
function statusText(reg) {
  if (reg.status === 'REGISTRATION_STATUS_CANCELLED') return '取り消し済み';
  if (reg.status === 'REGISTRATION_STATUS_WAITLISTED' && reg.waitlistPosition > 0) {
    return `${label(REGISTRATION_STATUSES, reg.status)} ${reg.waitlistPosition} 番目`;
  }
  return label(REGISTRATION_STATUSES, reg.status) || '受付済み';
}

/**
 * The facts of a registration: the event (a link to it, except on its own page), its sessions,
 * the party, the status.
 * @param {renkei.v1.PublicRegistration} reg
 * @param {boolean} linkEvent
 */
function registrationFacts(reg, linkEvent) {
  const e = reg.event;
  return facts([
    ['状態', h('strong', { class: `reg-status ${String(reg.status).toLowerCase().replace(/^registration_status_/, 'is-')}` }, statusText(reg))],
    ['イベント', e ? (linkEvent ? h('a', { href: `#event=${encodeURIComponent(e.id)}` }, e.title) : e.title) : ''],
    ['日時・会場', e ? sessionList(e, reg.sessionIds) : ''],
    ['人数', `${reg.partySize || 1} 名`],
  ]);
}

/**
 * The receipt after registering: the status, the event, the cancellation link.
 * @param {renkei.v1.PublicRegistration} reg
 * @param {string} contact what was typed (an e-mail address or a phone number)
 */
function receiptView(reg, contact) {
  ++renders;
  const e = reg.event;
  const waiting = reg.status === 'REGISTRATION_STATUS_WAITLISTED';
  const byMail = contact.includes('@');
  const mailText = reg.mailQueued
    ? '確認のメールをお送りしました。メールにも取り消し用のリンクが書いてあります。届かないときは、このリンクを控えてください。'
    : byMail
      ? '確認のメールはお送りできませんでした。このリンクを必ず控えてください。'
      : '電話番号でのお申し込みのため、確認のメールはお送りしていません。このリンクを必ず控えてください (リンクのコピー、画面の撮影、メモなど)。';
  show(e ? e.title : 'お申し込み', [
    h('h1', { id: 'receipt-title' }, waiting ? 'キャンセル待ちで受け付けました' : 'お申し込みを受け付けました'),
    h('div', { class: waiting ? 'notice waiting' : 'notice' }, [
      h('p', {}, h('strong', {}, statusText(reg))),
      reg.message ? h('p', {}, reg.message) : null,
    ]),
    registrationFacts(reg, false),
    h('section', { class: reg.mailQueued ? 'link-box' : 'link-box important', 'aria-labelledby': 'link-title' }, [
      h('h2', { id: 'link-title' }, '取り消し用のリンク (このリンクを控えてください)'),
      h('p', {}, '参加できなくなったときは、このリンクを開いてお申し込みを取り消してください。'),
      ...cancelLinkBox(reg.token),
      h('p', { class: 'mail' }, mailText),
    ]),
    e && (e.awarenessItems || []).length ? h('section', { 'aria-labelledby': 'awareness-title' }, [
      h('h2', { id: 'awareness-title' }, '参加前アンケートのお願い'),
      h('p', {}, 'よろしければ、参加の前に簡単なアンケート (無記名・1〜2分) にお答えください。'),
      h('p', {}, h('a', { class: 'button', href: `#awareness=${encodeURIComponent(e.id)}&phase=before` }, '参加前アンケートに答える')),
    ]) : null,
    backLink(),
  ], { focus: true });
  announce(`${statusText(reg)}。${reg.mailQueued ? '確認のメールをお送りしました。' : '取り消し用のリンクを控えてください。'}`);
}

// --- a registration from its cancellation link ---------------------------------------------------

/** @param {string} token */
async function cancelView(token) {
  const render = ++renders;
  const title = 'お申し込みの確認・取り消し';
  loadingView(title);
  if (!token) {
    noticeView(title, 'リンクが正しくありません。メールやお控えのリンクをそのまま開いてください。');
    return;
  }
  /** @type {renkei.v1.PublicRegistration} */
  let reg;
  try {
    reg = await post('/public/v1/events/registration', { token });
  } catch (err) {
    if (render !== renders) return;
    const e = /** @type {PublicError} */ (err);
    noticeView(title, messageOf(e), { retry: e.httpStatus === 0 || e.httpStatus >= 500 });
    return;
  }
  if (render !== renders) return;
  registrationView(reg, token, false);
}

/**
 * A registration with the way to cancel it (or the result of cancelling).
 * @param {renkei.v1.PublicRegistration} reg
 * @param {string} token
 * @param {boolean} justCancelled
 */
function registrationView(reg, token, justCancelled) {
  const cancelled = reg.status === 'REGISTRATION_STATUS_CANCELLED';
  const e = reg.event;
  /** @type {ui.Child[]} */
  const parts = [
    h('h1', {}, justCancelled ? 'お申し込みを取り消しました' : 'お申し込みの確認・取り消し'),
    e ? cancelledBox(e) : null,
    reg.message ? h('div', { class: cancelled ? 'notice muted' : 'notice' }, h('p', {}, reg.message)) : null,
    registrationFacts(reg, true),
  ];
  if (!cancelled) {
    const line = h('p', { class: 'form-line' });
    const ask = h('button', { type: 'button', class: 'danger-outline' }, '申込を取り消す');
    const confirmText = h('p', { id: 'confirm-text' }, 'このお申し込みを取り消します。取り消すと元に戻せません (もう一度参加するには、改めてお申し込みください)。よろしいですか？');
    const yes = h('button', { type: 'button', class: 'danger', 'aria-describedby': 'confirm-text' }, 'はい、取り消します');
    const no = h('button', { type: 'button' }, 'やめる');
    const confirmBox = h('div', { class: 'confirm', hidden: true }, [confirmText, h('div', { class: 'actions' }, [yes, no])]);
    ask.addEventListener('click', () => {
      confirmBox.hidden = false;
      ask.hidden = true;
      yes.focus();
    });
    no.addEventListener('click', () => {
      confirmBox.hidden = true;
      ask.hidden = false;
      ask.focus();
      say(line, '取り消しをやめました。お申し込みはそのままです。');
    });
    let busy = false;
    yes.addEventListener('click', async () => {
      if (busy) return;
      busy = true;
      say(line, '取り消しています…');
      try {
        const done = await post('/public/v1/events/cancel', { token, requestId: newRequestId() });
        ++renders;
        registrationView(done, token, true);
        announce('お申し込みを取り消しました');
      } catch (err) {
        const x = /** @type {PublicError} */ (err);
        if (x.httpStatus === 401 || (x.fields || []).some((f) => f.field === 'token')) {
          noticeView('お申し込みの確認・取り消し', messageOf(x));
        } else {
          say(line, messageOf(x), true);
        }
      } finally {
        busy = false;
      }
    });
    parts.push(h('section', { class: 'cancel', 'aria-labelledby': 'cancel-title' }, [
      h('h2', { id: 'cancel-title' }, 'お申し込みの取り消し'),
      h('p', {}, '参加できなくなったときは、取り消してください。席が空くと、キャンセル待ちの方が参加できるようになります。'),
      h('div', { class: 'actions' }, ask),
      confirmBox,
      line,
    ]));
  }
  parts.push(backLink());
  show(justCancelled ? 'お申し込みを取り消しました' : 'お申し込みの確認・取り消し', parts, { focus: navigated || justCancelled });
  if (!justCancelled) announce(`お申し込みの状態: ${statusText(reg)}`);
}

// --- the awareness questionnaire -----------------------------------------------------------------

/**
 * @param {string} trainingId
 * @param {string} phaseName "before" or "after"
 */
async function awarenessView(trainingId, phaseName) {
  const render = ++renders;
  /** @type {renkei.v1.AwarenessPhase | ''} */
  const phase = phaseName === 'before' ? 'AWARENESS_PHASE_BEFORE' : phaseName === 'after' ? 'AWARENESS_PHASE_AFTER' : '';
  const title = phase ? `${label(AWARENESS_PHASES, phase)}アンケート` : 'アンケート';
  loadingView(title);
  if (!trainingId || !phase) {
    noticeView(title, 'アンケートのリンクが正しくありません。配られた用紙の QR コードか、主催者からのリンクを開いてください。');
    return;
  }
  /** @type {renkei.v1.PublicEvent} */
  let e;
  try {
    e = await post('/public/v1/events/get', { id: trainingId });
  } catch (err) {
    if (render !== renders) return;
    const x = /** @type {PublicError} */ (err);
    noticeView(title, messageOf(x), { retry: x.httpStatus === 0 || x.httpStatus >= 500 });
    return;
  }
  if (render !== renders) return;
  const items = e.awarenessItems || [];
  if (!items.length) {
    noticeView(title, 'このイベントにはアンケートがありません。');
    return;
  }
  const form = h('form', { class: 'form awareness', novalidate: true, 'aria-labelledby': 'awareness-form-title' });
  items.forEach((item, i) => {
    form.append(h('fieldset', { id: `f-answer-${i}`, class: 'likert' }, [
      h('legend', {}, `問${i + 1}. ${item.statement}`),
      h('div', { class: 'scale' }, LIKERT.map(([value, text]) => h('label', { class: 'choice' }, [
        h('input', { type: 'radio', name: `q${i}`, value: String(value) }),
        text,
      ]))),
    ]));
  });
  const line = h('p', { class: 'form-line' });
  form.append(h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '回答を送信する')), line);
  // The item each sent answer is about, in the order sent (the errors name answers[i]).
  /** @type {number[]} */
  let sent = [];
  proofForm({
    form, line, path: '/public/v1/events/awareness',
    body(problems) {
      sent = [];
      /** @type {renkei.v1.AwarenessAnswer[]} */
      const answers = [];
      items.forEach((item, i) => {
        const chosen = /** @type {HTMLInputElement | null} */ (form.querySelector(`input[name=q${i}]:checked`));
        if (!chosen) return;
        sent.push(i);
        answers.push({ itemId: item.id, likert: Number(chosen.value) });
      });
      if (!answers.length) problems.push({ field: 'answers[0].likert', description: '1 問以上お答えください' });
      if (!answers.length) sent = [0];
      return { trainingId: e.id, phase, answers };
    },
    idOf: (field) => {
      const m = field.match(/^answers\[(\d+)\]/);
      return m && sent[Number(m[1])] !== undefined ? `f-answer-${sent[Number(m[1])]}` : '';
    },
    onDone: (receipt) => thanksView(e, /** @type {renkei.v1.AwarenessReceipt} */ (receipt)),
  });
  show(`${title} (${e.title})`, [
    h('h1', {}, title),
    h('p', { class: 'organizer' }, e.title),
    h('div', { class: 'notice' }, [
      h('p', {}, h('strong', {}, 'このアンケートは無記名です。')),
      h('p', {}, 'お名前やご連絡先はうかがいません。回答は、地域の取組を考えるための集計にだけ使います。'),
    ]),
    h('h2', { id: 'awareness-form-title' }, '質問'),
    h('p', { class: 'hint' }, `それぞれ、いまのお気持ちにいちばん近いものを 1 つ選んでください (全 ${items.length} 問)。答えにくい質問は空欄のままでかまいません。`),
    form,
  ]);
  announce(`${title}を表示しています (全 ${items.length} 問)`);
}

/**
 * @param {renkei.v1.PublicEvent} e
 * @param {renkei.v1.AwarenessReceipt} receipt
 */
function thanksView(e, receipt) {
  ++renders;
  show('ご回答ありがとうございました', [
    h('h1', { id: 'thanks-title' }, 'ご回答ありがとうございました'),
    h('div', { class: 'notice' }, h('p', {}, `「${e.title}」の${label(AWARENESS_PHASES, receipt.phase) || ''}アンケートの回答 (${receipt.answers || 0} 問) を受け付けました。`)),
    backLink(),
  ], { focus: true });
  announce('ご回答ありがとうございました。回答を受け付けました。');
}

// --- the router -----------------------------------------------------------------------------------

function route() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  if (params.has('event')) return eventView(params.get('event') || '');
  if (params.has('cancel')) return cancelView(params.get('cancel') || '');
  if (params.has('awareness')) return awarenessView(params.get('awareness') || '', params.get('phase') || '');
  return listView();
}

window.addEventListener('hashchange', () => {
  navigated = true;
  window.scrollTo(0, 0);
  route();
});
route();
