// 研修: the trainings the municipality can see (national, its prefecture's, its own), as a month
// calendar with each session on its day (training_calendar.js) or as a list for a fiscal year
// grouped by the month of their first session — カレンダー / 一覧, kept in the URL (view=) and in
// localStorage; the .ics calendar of all of them; and a new training with its first session —
// optionally a public event for residents (公開ページ, theme tags, awareness questionnaire),
// offered only to those who may create one. Also the pieces the training's page shares with it
// (the organizer's words, the .ics download, a session's fields, the states' badges).
import { sha256Hex } from '../proof.js';
import {
  get, post, dateParams, ApiError,
} from '../api.js';
import { can } from '../permissions.js';
import { calendarSection, parseMonthParam, monthParam } from './training_calendar.js';
import { h, replace, uid } from '../dom.js';
import {
  input, dateInput, dateValue, choices, checkbox, actionForm, normNumber, norm,
} from '../forms.js';
import {
  tokyoToday, fiscalYearOf, fiscalYearRange, fiscalYearLabel, tokyoDateTime, parseTimeInput, tokyoTimestamp, addDays,
  formatTime,
} from '../dates.js';
import { timestampText, fiscalYearOption, periodText } from '../datetext.js';
import { downloadText } from '../download.js';
import { municipalityName } from '../municipalities.js';
import {
  label, ORGANIZER_LEVELS, TRAINING_STATUSES, AUDIENCES, SURVEY_ITEM_KINDS,
} from '../words.js';

/**
 * The state the views of the screen share (trainings.js render()).
 * @typedef {object} TrainingsEnv
 * @property {ui.ScreenContext} ctx
 * @property {string} code the municipality's code, or ''
 * @property {renkei.v1.Date} today
 * @property {{view: string, fy: number, fyChosen: boolean, month: Month | null, includeCancelled: boolean}} state
 * @property {Map<string, Promise<import('./training_calendar.js').SessionTime[] | null>>} cache
 * @property {() => void} saveUrl
 */
/** @typedef {{year: number, month: number}} Month */
/** @typedef {HTMLElement & {load(): Promise<number | null>}} ViewSection */

// The instance's own jurisdiction: what it organizes (a training organized above is changed at
// its organizer's instance only).
/** @param {renkei.v1.ConsoleSession} session */
export function ownCode(session) {
  return (session.instance && session.instance.code) || session.jurisdiction || '';
}

/** @param {renkei.v1.TrainingSummary | renkei.v1.Training} t */
export function organizerText(t) {
  const level = label(ORGANIZER_LEVELS, t.organizerLevel);
  const code = t.organizerCode;
  return code && code !== '000000' ? `${level} (${municipalityName(code)})` : level;
}

/** @param {renkei.v1.TrainingSummary} t */
export function seatsText(t) {
  return `定員 ${t.capacity ?? 0} ／ 参加確定 ${t.confirmed ?? 0} ／ キャンセル待ち ${t.waitlisted ?? 0}`;
}

/**
 * @param {ui.Query} query
 * @param {(text: string) => void} announce
 */
export async function downloadCalendar(query, announce) {
  const cal = /** @type {renkei.v1.Calendar} */ (await get('/api/v1/calendar', query));
  const content = cal.content || '';
  downloadText(cal.fileName || 'trainings.ics', content, cal.contentType || 'text/calendar; charset=utf-8');
  announce(`カレンダーを出力しました (${cal.eventCount ?? 0}件)`);
}

// Reads "date + time" pairs into a Timestamp; throws a field error naming `field`.
/**
 * @param {ui.Field} dateWrap
 * @param {ui.Field} timeWrap
 * @param {string} field
 */
export function timestampOf(dateWrap, timeWrap, field) {
  const d = dateValue(dateWrap);
  const timeText = norm(timeWrap.control.value);
  const t = timeText ? parseTimeInput(timeText) : null;
  if (!d) return undefined;
  if (!t) {
    throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください',
      [{ field, description: timeText ? '時刻として読めません (例: 14:00)' : '時刻を入力してください' }]);
  }
  return tokyoTimestamp(d, t);
}

// The controls of one session; prefix names its fields ("training.sessions[0]" or "session").
// A session given fills them (its change: UpdateSession replaces the whole session, so lecturers
// past the first one are kept as they are).
/**
 * @param {string} prefix
 * @param {{date?: renkei.v1.Date, session?: renkei.v1.Session, legend?: string}} [options]
 */
export function sessionFields(prefix, { date, session, legend = '回 (日時・会場・定員)' } = {}) {
  const start0 = session && session.startsAt ? tokyoDateTime(new Date(session.startsAt)).date : date;
  const [first, ...otherLecturers] = (session && session.lecturers) || [];
  const day = dateInput({ label: '開催日', field: `${prefix}.starts_at`, value: start0, required: true, hint: '' });
  const start = input({ label: '開始時刻', field: `${prefix}.starts_at.time`, value: session ? formatTime(session.startsAt) : '14:00', width: 'short', inputmode: 'numeric', required: true });
  const end = input({ label: '終了時刻', field: `${prefix}.ends_at`, value: session ? formatTime(session.endsAt) : '16:00', width: 'short', inputmode: 'numeric', required: true });
  const venue = input({ label: '会場', field: `${prefix}.venue`, width: 'long', value: session ? session.venue : '' });
  const online = checkbox({ label: 'オンラインでも開催する', field: `${prefix}.online`, value: Boolean(session && session.online) });
  const url = input({ label: 'オンラインのURL', field: `${prefix}.online_url`, type: 'url', width: 'long', value: session ? session.onlineUrl : '' });
  const capacity = input({ label: '定員', field: `${prefix}.capacity`, value: session ? String(session.capacity ?? '') : '30', width: 'short', inputmode: 'numeric', required: true });
  const lecturer = input({ label: '講師の氏名', field: `${prefix}.lecturers[0].name`, value: first ? first.name : '' });
  const affiliation = input({ label: '講師の所属', field: `${prefix}.lecturers[0].affiliation`, value: first ? first.affiliation : '' });
  const box = h('fieldset', { class: 'session', 'data-field': prefix },
    h('legend', {}, legend),
    h('div', { class: 'row' }, day, start, end), venue, online, url, capacity,
    h('div', { class: 'row' }, lecturer, affiliation));
  return Object.assign(box, { first: day.control, value: () => {
    /** @type {Partial<renkei.v1.Session>} */
    const s = {
      startsAt: timestampOf(day, start, `${prefix}.starts_at.time`),
      endsAt: timestampOf(day, end, `${prefix}.ends_at`),
      venue: venue.control.value.trim(),
      online: online.control.checked,
      onlineUrl: url.control.value.trim(),
    };
    const cap = normNumber(capacity.control.value);
    if (Number.isNaN(cap)) {
      throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください', [{ field: `${prefix}.capacity`, description: '数値を入力してください' }]);
    }
    if (cap !== undefined) s.capacity = cap;
    /** @type {renkei.v1.Lecturer[]} */
    const lecturers = [];
    if (lecturer.control.value.trim()) {
      lecturers.push({ name: lecturer.control.value.trim(), affiliation: affiliation.control.value.trim() });
    }
    lecturers.push(...otherLecturers);
    if (lecturers.length) s.lecturers = lecturers;
    return s;
  } });
}

/** @type {[string, string, boolean][]} */
const DEFAULT_SURVEY = [
  ['研修の内容は、日々の業務に役立つと思いますか', 'SURVEY_ITEM_KIND_LIKERT', true],
  ['学んだことを、家族や関係者への説明に使えそうですか', 'SURVEY_ITEM_KIND_LIKERT', true],
  ['ご意見・ご感想', 'SURVEY_ITEM_KIND_FREE_TEXT', false],
];

/**
 * @param {number} i
 * @param {[string, string, boolean]} item
 */
function surveyItemRow(i, [question, kind, required]) {
  const q = input({ label: `設問${i + 1}`, field: `training.survey_items[${i}].question`, value: question, width: 'long' });
  const k = input({ label: `設問${i + 1}の形式`, field: `training.survey_items[${i}].kind`, options: SURVEY_ITEM_KINDS, value: kind });
  const r = checkbox({ label: `設問${i + 1}は回答必須`, field: `training.survey_items[${i}].required`, value: required });
  const row = h('div', { class: 'row survey-item' }, q, k, r);
  return Object.assign(row, { value: () => (q.control.value.trim()
    ? { id: `q${i + 1}`, question: q.control.value.trim(), kind: k.control.value, required: r.control.checked } : null) });
}

const MAX_THEME_TAGS = 10;
const MAX_THEME_TAG_CHARS = 20;
const MAX_AWARENESS_ITEMS = 20;

// Theme tags as typed: "看取り、ACP" / "看取り ACP" / "看取り,ACP" → ["看取り", "ACP"], each once.
/** @param {string} text */
export function themeTags(text) {
  return [...new Set(String(text ?? '').split(/[,、，\s]+/).map((s) => s.trim()).filter(Boolean))];
}

// The checks the service makes of the tags (≤ 10 of ≤ 20 characters), said here before sending.
/** @param {string[]} tags */
function checkThemeTags(tags) {
  const long = tags.find((t) => [...t].length > MAX_THEME_TAG_CHARS);
  const problem = tags.length > MAX_THEME_TAGS ? `タグは${MAX_THEME_TAGS}個までです (いま${tags.length}個)`
    : long ? `タグは1つ${MAX_THEME_TAG_CHARS}文字までです (「${long}」)` : '';
  if (problem) {
    throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください', [{ field: 'training.theme_tags', description: problem }]);
  }
}

// The awareness questionnaire's items, row by row. An item's id comes from its statement (a
// digest of it), so the same question asked at another event is the same item — the derived
// indicator of the share agreeing counts it across the municipality's events — and two questions
// never share an indicator. Rows are drawn again on add and remove so their labels keep their
// numbers.
/**
 * "a" and 12 hex digits of the SHA-256 of the statement as people would write it again (NFKC,
 * spaces folded): the same question, the same id.
 * @param {string} statement
 */
export function awarenessItemId(statement) {
  return `a${sha256Hex(statement.normalize('NFKC').replace(/\s+/g, ' ').trim()).slice(0, 12)}`;
}

function awarenessEditor() {
  /** @type {string[]} */
  let statements = ['', ''];
  /** @type {{row: HTMLElement, wrap: ui.Field}[]} */
  let drawn = [];
  const list = h('div', { class: 'awareness-rows' });
  const add = h('button', { type: 'button', class: 'small secondary' }, '項目を追加');
  const box = h('fieldset', { class: 'field awareness-items', 'data-field': 'training.awareness_items' },
    h('legend', {}, '意識調査の項目 (参加前と参加後に同じ項目を尋ねます)'),
    h('p', { class: 'hint' }, `1つの文に「そう思う」〜「そう思わない」の5段階で答えてもらいます (${MAX_AWARENESS_ITEMS}項目まで)。例: 人生会議 (ACP) を知っている`),
    list, h('div', { class: 'actions' }, add),
    h('p', { class: 'field-error', id: uid('awareness-err'), hidden: true }));
  const read = () => { statements = drawn.map((d) => d.wrap.control.value); };
  /** @param {number} [focusRow] */
  const draw = (focusRow) => {
    replace(list);
    drawn = statements.map((text, i) => {
      const n = i + 1;
      const statement = input({
        label: `項目${n}の文`, field: `training.awareness_items[${i}].statement`, value: text, width: 'long', maxlength: 200,
      });
      const remove = h('button', { type: 'button', class: 'small secondary' }, `項目${n}を削除`);
      remove.addEventListener('click', () => {
        read();
        statements.splice(i, 1);
        draw();
        add.focus();
      });
      const row = h('div', { class: 'awareness-row', 'data-field': `training.awareness_items[${i}]` },
        h('div', { class: 'row' }, statement, remove),
        h('p', { class: 'field-error', id: uid('awareness-row-err'), hidden: true }));
      list.append(row);
      return { row, wrap: statement };
    });
    add.disabled = statements.length >= MAX_AWARENESS_ITEMS;
    if (focusRow !== undefined && drawn[focusRow]) drawn[focusRow].wrap.control.focus();
  };
  add.addEventListener('click', () => {
    read();
    if (statements.length >= MAX_AWARENESS_ITEMS) return;
    statements.push('');
    draw(statements.length - 1);
  });
  draw();
  // The items with a statement, their ids from their statements. The service names an item by
  // its place in the request, so each row takes that name for its errors (a blank row none).
  /** @returns {renkei.v1.AwarenessItem[]} */
  const values = () => {
    /** @type {renkei.v1.AwarenessItem[]} */
    const items = [];
    for (const { row, wrap } of drawn) {
      const statement = wrap.control.value.trim();
      const k = items.length;
      row.dataset.field = statement ? `training.awareness_items[${k}]` : '';
      wrap.dataset.field = statement ? `training.awareness_items[${k}].statement` : '';
      if (statement) items.push({ id: awarenessItemId(statement), statement });
    }
    return items;
  };
  return Object.assign(box, { values });
}

// The fieldset that makes a training a public event for residents: the public page takes its
// registrations; theme tags and the awareness questionnaire go with it.
/** @param {ui.Choices} audiences */
function publicEventFields(audiences) {
  const publicEvent = checkbox({
    label: '住民向けの公開イベントにする (公開ページで申込を受け付ける)', field: 'training.public_event',
  });
  const note = h('p', { class: 'hint', 'aria-live': 'polite' });
  const tags = input({
    label: 'テーマのタグ (読点・カンマ・空白で区切る)', field: 'training.theme_tags', width: 'long',
    placeholder: '例: 看取り、ACP', hint: `住民が公開ページでイベントを探すときのテーマです。${MAX_THEME_TAGS}個まで、1つ${MAX_THEME_TAG_CHARS}文字まで。`,
  });
  const items = awarenessEditor();
  const details = h('div', { class: 'public-event-details' }, tags, items);
  const residents = () => /** @type {HTMLInputElement | undefined} */ (
    [...audiences.querySelectorAll('input')].find((b) => b.value === 'AUDIENCE_ROLE_RESIDENTS'));
  const show = () => {
    const on = publicEvent.control.checked;
    details.hidden = !on;
    note.textContent = '';
    if (!on) return;
    // The service refuses a public event for professionals only: 地域住民 is proposed.
    const forResidents = audiences.values().some((v) => v === 'AUDIENCE_ROLE_RESIDENTS' || v === 'AUDIENCE_ROLE_PERSON_AND_FAMILY');
    const box = residents();
    if (!forResidents && box) {
      box.checked = true;
      note.textContent = '対象に「地域住民」を選びました (公開イベントの対象には「地域住民」か「本人・家族」が必要です)。';
    }
  };
  publicEvent.control.addEventListener('change', show);
  show();
  const box = h('fieldset', { class: 'public-event' },
    h('legend', {}, '住民向けの公開イベント'), publicEvent, note, details);
  return Object.assign(box, {
    /** @returns {ui.Body} */
    values: () => {
      if (!publicEvent.control.checked) return { publicEvent: false };
      const t = themeTags(norm(tags.control.value));
      checkThemeTags(t);
      return { publicEvent: true, themeTags: t, awarenessItems: items.values() };
    },
  });
}

/** @param {ui.ScreenContext} ctx */
function createForm(ctx) {
  const title = input({ label: '研修のテーマ', field: 'training.title', required: true, width: 'long' });
  const description = input({ label: '研修の説明', field: 'training.description', multiline: true, rows: 3 });
  const audiences = choices({ label: '対象', field: 'training.audiences', options: AUDIENCES, multiple: true, columns: true, required: true });
  const deadlineDay = dateInput({ label: '申込締切日 (任意)', field: 'training.registration_deadline', hint: '空欄なら最初の回の開始まで' });
  const deadlineTime = input({ label: '申込締切の時刻', field: 'training.registration_deadline.time', value: '17:00', width: 'short' });
  const quota = input({ label: '1市区町村あたりの申込上限 (0は上限なし)', field: 'training.quota_per_municipality', value: '0', width: 'short', inputmode: 'numeric' });
  const oneCourse = checkbox({ label: 'すべての回をセットで受講する (全回セット)', field: 'training.sessions_are_one_course', value: true });
  const session = sessionFields('training.sessions[0]', { date: addDays(tokyoToday(), 14) });
  const items = DEFAULT_SURVEY.map((d, i) => surveyItemRow(i, d));
  const publicEvent = publicEventFields(audiences);
  const form = actionForm({
    label: '研修を作る', submitLabel: '研修を作る',
    children: [title, description, audiences, publicEvent, h('div', { class: 'row' }, deadlineDay, deadlineTime), quota, oneCourse, session,
      h('fieldset', { 'data-field': 'training.survey_items' }, h('legend', {}, '研修後のアンケート'), items)],
    onSubmit: async () => {
      const q = normNumber(quota.control.value);
      /** @type {ui.Body} */
      const training = {
        title: title.control.value.trim(),
        description: description.control.value.trim(),
        audiences: audiences.values(),
        quotaPerMunicipality: Number.isNaN(q) || q === undefined ? 0 : q,
        sessionsAreOneCourse: oneCourse.control.checked,
        sessions: [session.value()],
        surveyItems: items.map((r) => r.value()).filter(Boolean),
        ...publicEvent.values(),
      };
      const deadline = timestampOf(deadlineDay, deadlineTime, 'training.registration_deadline');
      if (deadline) training.registrationDeadline = deadline;
      const t = /** @type {renkei.v1.Training} */ (await post('/api/v1/trainings', { training }));
      ctx.announce('研修を作りました');
      ctx.navigate(`#/trainings/${encodeURIComponent(t.id)}`);
    },
  });
  return form;
}

/** @param {renkei.v1.TrainingSummary[]} trainings */
function groupByMonth(trainings) {
  /** @type {Map<string, {start: renkei.v1.Date | null, items: {t: renkei.v1.TrainingSummary, start: renkei.v1.Date | null}[]}>} */
  const months = new Map();
  for (const t of trainings) {
    const start = t.firstStartsAt ? tokyoDateTime(new Date(t.firstStartsAt)).date : null;
    const key = start ? `${start.year}-${String(start.month).padStart(2, '0')}` : '—';
    const month = months.get(key) ?? { start, items: [] };
    months.set(key, month);
    month.items.push({ t, start });
  }
  return [...months.entries()];
}

// Where a training stands, in words (never by colour alone): 中止, 終了, 申込締切済み, 満席 with
// the waiting registrations, or 申込受付中. Each is [text, class].
/**
 * @param {renkei.v1.TrainingSummary} t
 * @param {number} [now] milliseconds
 * @returns {[string, string][]}
 */
export function trainingStates(t, now = Date.now()) {
  if (t.status === 'TRAINING_STATUS_CANCELLED') return [[label(TRAINING_STATUSES, t.status), 'cancelled']];
  const ended = t.lastEndsAt && Date.parse(t.lastEndsAt) < now;
  if (ended) return [['終了', 'ended']];
  /** @type {[string, string][]} */
  const out = [];
  const deadline = t.registrationDeadline || t.firstStartsAt;
  const closed = deadline && Date.parse(deadline) <= now;
  const full = (t.capacity ?? 0) > 0 && (t.confirmed ?? 0) >= (t.capacity ?? 0);
  if (closed) out.push(['申込締切済み', 'closed']);
  if (full) out.push(['満席', 'full']);
  if ((t.waitlisted ?? 0) > 0) out.push([`キャンセル待ち ${t.waitlisted}件`, 'waiting']);
  if (!closed && !full) out.push(['申込受付中', 'open']);
  return out;
}

/** @param {[string, string][]} states */
export function stateBadges(states) {
  return h('span', { class: 'states' }, states.map(([text, cls]) => h('span', { class: `badge state ${cls}` }, text)));
}

/** @param {renkei.v1.TrainingSummary[]} trainings */
function trainingCards(trainings) {
  const now = Date.now();
  return groupByMonth(trainings).map(([key, g]) => h('div', { class: 'month' },
    h('h3', {}, g.start ? periodText(key) : '日程未定'),
    h('ul', { class: 'cards trainings' }, g.items.map(({ t }) => h('li', { class: `card training ${t.status === 'TRAINING_STATUS_CANCELLED' ? 'cancelled' : ''}` },
      h('p', { class: 'when' }, timestampText(t.firstStartsAt, { time: false }), ` ${formatTime(t.firstStartsAt)}〜`,
        t.sessionCount > 1 ? ` (全${t.sessionCount}回)` : ''),
      h('a', { href: `#/trainings/${encodeURIComponent(t.id)}`, class: 'title' }, t.title),
      h('p', { class: 'meta state-line' }, h('span', { class: 'sr-only' }, '状態: '), stateBadges(trainingStates(t, now))),
      h('p', { class: 'meta' }, `主催: ${organizerText(t)} ／ ${seatsText(t)}`),
      t.registrationDeadline ? h('p', { class: 'meta' }, '申込締切 ', timestampText(t.registrationDeadline)) : null)))));
}

// The list section: the trainings of a fiscal year by month. 表示 reloads it in place.
// section.load() fetches and draws; it resolves to the number of trainings.
/**
 * @param {TrainingsEnv} env
 * @returns {ViewSection}
 */
function listSection(env) {
  const { ctx, code, state } = env;
  const fySelect = h('select', { id: 'training-fy' }, [state.fy - 1, state.fy, state.fy + 1].map((y) => fiscalYearOption(y, y === state.fy)));
  const cancelledBox = h('input', { type: 'checkbox', id: 'training-cancelled', checked: state.includeCancelled });
  const show = h('button', { type: 'button' }, '表示');
  const heading = h('h2', { id: 'list-h' }, '研修の予定');
  const alert = h('div', { class: 'form-alert', role: 'alert', hidden: true });
  const box = h('div', { class: 'list-box' });
  let seq = 0;

  async function load({ save = true } = {}) {
    const n = ++seq;
    alert.hidden = true;
    box.setAttribute('aria-busy', 'true');
    try {
      const range = fiscalYearRange(state.fy);
      const r = /** @type {renkei.v1.ListTrainingsResponse} */ (await get('/api/v1/trainings', {
        municipality_code: code, ...dateParams('from', range.from), ...dateParams('to', range.to),
        include_cancelled: state.includeCancelled ? 'true' : '', page_size: 200,
      }));
      if (n !== seq || !ctx.isCurrent()) return null;
      const trainings = r.trainings || [];
      heading.textContent = `研修の予定 (${trainings.length}件)`;
      replace(box, trainings.length === 0
        ? h('p', { class: 'empty' }, can(ctx.session, 'TrainingService.CreateTraining')
          ? 'この年度の研修はまだありません。下の「研修を作る」から登録できます。' : 'この年度の研修はまだありません。')
        : trainingCards(trainings));
      if (save) {
        env.saveUrl();
        ctx.announce(`${fiscalYearLabel(state.fy)}の研修: ${trainings.length}件`);
      }
      return trainings.length;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.handled || n !== seq) return null;
      alert.textContent = err.message;
      alert.hidden = false;
      return null;
    } finally {
      if (n === seq) box.removeAttribute('aria-busy');
    }
  }

  show.addEventListener('click', () => {
    state.fy = Number(fySelect.value);
    state.fyChosen = true;
    state.includeCancelled = cancelledBox.checked;
    load();
  });
  const section = h('section', { class: 'training-list', 'aria-labelledby': 'list-h' },
    heading,
    h('div', { class: 'toolbar no-print' },
      h('label', { for: 'training-fy' }, '年度'), fySelect,
      h('span', { class: 'check' }, cancelledBox, h('label', { for: 'training-cancelled' }, '中止した研修も表示')),
      show),
    alert,
    box);
  return Object.assign(section, { load: () => load({ save: false }) });
}

const VIEWS = [['calendar', 'カレンダー'], ['list', '一覧']];
const VIEW_KEY = 'renkei.trainings.view';

function storedView() {
  try {
    return globalThis.localStorage?.getItem(VIEW_KEY) || null;
  } catch {
    return null;
  }
}

/** @param {string} view */
function storeView(view) {
  try {
    globalThis.localStorage?.setItem(VIEW_KEY, view);
  } catch {
    // Private mode: the URL still carries the choice.
  }
}

/**
 * @param {string | null} v
 * @returns {v is string}
 */
const isView = (v) => VIEWS.some(([name]) => name === v);

// The screen's state in its hash: #/trainings?view=calendar&month=2026-11 or
// #/trainings?view=list&fy=2026, with &cancelled=1.
/** @param {TrainingsEnv['state']} state */
function hashOf(state) {
  const q = new URLSearchParams({ view: state.view });
  if (state.month) q.set('month', monthParam(state.month));
  if (state.fyChosen) q.set('fy', String(state.fy));
  if (state.includeCancelled) q.set('cancelled', '1');
  return `#/trainings?${q}`;
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  const today = tokyoToday();
  const code = /^\d{6}$/.test(ctx.session.jurisdiction || '') ? ctx.session.jurisdiction : '';
  const asked = ctx.query.get('view');
  const stored = storedView();
  /** @type {TrainingsEnv['state']} */
  const state = {
    // The URL's choice, else the last one made on this browser, else the calendar.
    view: isView(asked) ? asked : (isView(stored) ? stored : 'calendar'),
    fy: Number(ctx.query.get('fy')) || fiscalYearOf(today),
    fyChosen: Boolean(Number(ctx.query.get('fy'))),
    month: parseMonthParam(ctx.query.get('month')),
    includeCancelled: ctx.query.get('cancelled') === '1',
  };
  /** @type {TrainingsEnv} */
  const env = {
    ctx,
    code,
    today,
    state,
    cache: new Map(),
    // The view and month chosen stay in the URL (no new history entry, no redraw by the router).
    saveUrl: () => {
      if (ctx.isCurrent()) history.replaceState(history.state, '', hashOf(state));
    },
  };

  const icsAlert = h('div', { class: 'form-alert', role: 'alert', hidden: true });
  const ics = h('button', { type: 'button', class: 'secondary' }, '研修カレンダー (.ics) をダウンロード');
  ics.addEventListener('click', async () => {
    icsAlert.hidden = true;
    try {
      await downloadCalendar({ municipality_code: code }, ctx.announce);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      icsAlert.textContent = err.message;
      icsAlert.hidden = false;
    }
  });

  /** @type {(view: string) => ViewSection} */
  const makeSection = (view) => (view === 'list' ? listSection(env) : calendarSection(env));
  const viewBox = h('div', { class: 'training-view' });
  const buttons = VIEWS.map(([view, text]) => h('button', {
    type: 'button', class: 'view-button', 'data-view': view, 'aria-pressed': String(view === state.view),
  }, text));
  let switching = 0;
  for (const button of buttons) {
    button.addEventListener('click', async () => {
      const view = /** @type {string} */ (button.dataset.view);
      if (view === state.view) return;
      const n = ++switching;
      const section = makeSection(view);
      viewBox.setAttribute('aria-busy', 'true');
      await section.load();
      if (n !== switching || !ctx.isCurrent()) return;
      viewBox.removeAttribute('aria-busy');
      state.view = view;
      storeView(view);
      for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.view === view));
      replace(viewBox, section);
      env.saveUrl();
    });
  }

  const first = makeSection(state.view);
  const count = await first.load();
  replace(viewBox, first);
  const creating = can(ctx.session, 'TrainingService.CreateTraining');
  replace(main,
    h('h1', {}, '研修'),
    h('p', {}, `${code ? municipalityName(code) : 'このインスタンス'}で参加できる研修 (国・都道府県・市区町村の主催)。`,
      '研修の目標となるスキルは', h('a', { href: '#/trainings/skills' }, 'スキルの枠組み'), 'で確かめられます。'),
    h('div', { class: 'toolbar view-toolbar no-print' },
      h('div', { class: 'view-switch', role: 'group', 'aria-label': '表示のしかた' }, buttons),
      ics),
    icsAlert,
    viewBox,
    // Offered only to those who may create a training (a coordinator registers, the staff plan).
    creating ? h('section', { class: 'no-print', 'aria-labelledby': 'new-training-h' },
      h('h2', { id: 'new-training-h' }, '研修を作る'),
      h('details', { class: 'add', open: count === 0 }, h('summary', {}, '研修と最初の回を登録する'), createForm(ctx))) : null);
}
