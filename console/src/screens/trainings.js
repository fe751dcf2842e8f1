// 研修 (list): the trainings the municipality can see (national, its prefecture's, its own) for
// a fiscal year, grouped by month and day of their first session, the .ics calendar of all of
// them, and a new training with its first session.
import {
  get, post, dateParams, ApiError,
} from '../api.js';
import { h, replace } from '../dom.js';
import {
  input, dateInput, dateValue, choices, checkbox, actionForm, normNumber, norm,
} from '../forms.js';
import {
  tokyoToday, fiscalYearOf, fiscalYearRange, tokyoDateTime, parseTimeInput, tokyoTimestamp, addDays, formatTime,
} from '../dates.js';
import { timestampText, fiscalYearOption, periodText } from '../datetext.js';
import { downloadText } from '../download.js';
import { municipalityName } from '../municipalities.js';
import {
  label, ORGANIZER_LEVELS, TRAINING_STATUSES, AUDIENCES, SURVEY_ITEM_KINDS,
} from '../words.js';

export function organizerText(t) {
  const level = label(ORGANIZER_LEVELS, t.organizerLevel);
  const code = t.organizerCode;
  return code && code !== '000000' ? `${level} (${municipalityName(code)})` : level;
}

export function seatsText(t) {
  return `定員 ${t.capacity ?? 0} ／ 参加確定 ${t.confirmed ?? 0} ／ キャンセル待ち ${t.waitlisted ?? 0}`;
}

export async function downloadCalendar(query, announce) {
  const cal = await get('/api/v1/calendar', query);
  const content = cal.content || '';
  downloadText(cal.fileName || 'trainings.ics', content, cal.contentType || 'text/calendar; charset=utf-8');
  announce(`カレンダーを出力しました (${cal.eventCount ?? 0}件)`);
}

// Reads "date + time" pairs into a Timestamp; throws a field error naming `field`.
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
export function sessionFields(prefix, { date } = {}) {
  const day = dateInput({ label: '開催日', field: `${prefix}.starts_at`, value: date, required: true, hint: '' });
  const start = input({ label: '開始時刻', field: `${prefix}.starts_at.time`, value: '14:00', width: 'short', inputmode: 'numeric', required: true });
  const end = input({ label: '終了時刻', field: `${prefix}.ends_at`, value: '16:00', width: 'short', inputmode: 'numeric', required: true });
  const venue = input({ label: '会場', field: `${prefix}.venue`, width: 'long' });
  const online = checkbox({ label: 'オンラインでも開催する', field: `${prefix}.online` });
  const url = input({ label: 'オンラインのURL', field: `${prefix}.online_url`, type: 'url', width: 'long' });
  const capacity = input({ label: '定員', field: `${prefix}.capacity`, value: '30', width: 'short', inputmode: 'numeric', required: true });
  const lecturer = input({ label: '講師の氏名', field: `${prefix}.lecturers[0].name` });
  const affiliation = input({ label: '講師の所属', field: `${prefix}.lecturers[0].affiliation` });
  const box = h('fieldset', { class: 'session', 'data-field': prefix },
    h('legend', {}, '回 (日時・会場・定員)'),
    h('div', { class: 'row' }, day, start, end), venue, online, url, capacity,
    h('div', { class: 'row' }, lecturer, affiliation));
  box.value = () => {
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
    if (lecturer.control.value.trim()) {
      s.lecturers = [{ name: lecturer.control.value.trim(), affiliation: affiliation.control.value.trim() }];
    }
    return s;
  };
  return box;
}

const DEFAULT_SURVEY = [
  ['研修の内容は、日々の業務に役立つと思いますか', 'SURVEY_ITEM_KIND_LIKERT', true],
  ['学んだことを、家族や関係者への説明に使えそうですか', 'SURVEY_ITEM_KIND_LIKERT', true],
  ['ご意見・ご感想', 'SURVEY_ITEM_KIND_FREE_TEXT', false],
];

function surveyItemRow(i, [question, kind, required]) {
  const q = input({ label: `設問${i + 1}`, field: `training.survey_items[${i}].question`, value: question, width: 'long' });
  const k = input({ label: `設問${i + 1}の形式`, field: `training.survey_items[${i}].kind`, options: SURVEY_ITEM_KINDS, value: kind });
  const r = checkbox({ label: `設問${i + 1}は回答必須`, field: `training.survey_items[${i}].required`, value: required });
  const row = h('div', { class: 'row survey-item' }, q, k, r);
  row.value = () => (q.control.value.trim()
    ? { id: `q${i + 1}`, question: q.control.value.trim(), kind: k.control.value, required: r.control.checked } : null);
  return row;
}

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
  const form = actionForm({
    label: '研修を作る', submitLabel: '研修を作る',
    children: [title, description, audiences, h('div', { class: 'row' }, deadlineDay, deadlineTime), quota, oneCourse, session,
      h('fieldset', { 'data-field': 'training.survey_items' }, h('legend', {}, '研修後のアンケート'), items)],
    onSubmit: async () => {
      const q = normNumber(quota.control.value);
      const training = {
        title: title.control.value.trim(),
        description: description.control.value.trim(),
        audiences: audiences.values(),
        quotaPerMunicipality: Number.isNaN(q) || q === undefined ? 0 : q,
        sessionsAreOneCourse: oneCourse.control.checked,
        sessions: [session.value()],
        surveyItems: items.map((r) => r.value()).filter(Boolean),
      };
      const deadline = timestampOf(deadlineDay, deadlineTime, 'training.registration_deadline');
      if (deadline) training.registrationDeadline = deadline;
      const t = await post('/api/v1/trainings', { training });
      ctx.announce('研修を作りました');
      ctx.navigate(`#/trainings/${encodeURIComponent(t.id)}`);
    },
  });
  return form;
}

function groupByMonth(trainings) {
  const months = new Map();
  for (const t of trainings) {
    const start = t.firstStartsAt ? tokyoDateTime(new Date(t.firstStartsAt)).date : null;
    const key = start ? `${start.year}-${String(start.month).padStart(2, '0')}` : '—';
    if (!months.has(key)) months.set(key, { start, items: [] });
    months.get(key).items.push({ t, start });
  }
  return [...months.entries()];
}

export async function render(main, ctx) {
  const today = tokyoToday();
  const fy = Number(ctx.query.get('fy')) || fiscalYearOf(today);
  const code = /^\d{6}$/.test(ctx.session.jurisdiction || '') ? ctx.session.jurisdiction : '';
  const range = fiscalYearRange(fy);
  const includeCancelled = ctx.query.get('cancelled') === '1';
  const r = await get('/api/v1/trainings', {
    municipality_code: code, ...dateParams('from', range.from), ...dateParams('to', range.to),
    include_cancelled: includeCancelled ? 'true' : '', page_size: 200,
  });
  const trainings = r.trainings || [];

  const fySelect = h('select', { id: 'training-fy' }, [fy - 1, fy, fy + 1].map((y) => fiscalYearOption(y, y === fy)));
  const cancelledBox = h('input', { type: 'checkbox', id: 'training-cancelled', checked: includeCancelled });
  const show = h('button', { type: 'button' }, '表示');
  show.addEventListener('click', () => ctx.navigate(`#/trainings?fy=${fySelect.value}${cancelledBox.checked ? '&cancelled=1' : ''}`));

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

  const groups = groupByMonth(trainings);
  replace(main,
    h('h1', {}, '研修'),
    h('p', {}, `${code ? municipalityName(code) : 'このインスタンス'}で参加できる研修 (国・都道府県・市区町村の主催)。`),
    h('div', { class: 'toolbar' },
      h('label', { for: 'training-fy' }, '年度'), fySelect,
      h('span', { class: 'check' }, cancelledBox, h('label', { for: 'training-cancelled' }, '中止した研修も表示')),
      show, ics),
    icsAlert,
    h('section', { 'aria-labelledby': 'cal-h' },
      h('h2', { id: 'cal-h' }, `研修の予定 (${trainings.length}件)`),
      trainings.length === 0 ? h('p', { class: 'empty' }, 'この年度の研修はまだありません。下の「研修を作る」から登録できます。')
        : groups.map(([key, g]) => h('div', { class: 'month' },
          h('h3', {}, g.start ? periodText(key) : '日程未定'),
          h('ul', { class: 'cards trainings' }, g.items.map(({ t }) => h('li', { class: `card training ${t.status === 'TRAINING_STATUS_CANCELLED' ? 'cancelled' : ''}` },
            h('p', { class: 'when' }, timestampText(t.firstStartsAt, { time: false }), ` ${formatTime(t.firstStartsAt)}〜`,
              t.sessionCount > 1 ? ` (全${t.sessionCount}回)` : ''),
            h('a', { href: `#/trainings/${encodeURIComponent(t.id)}`, class: 'title' }, t.title),
            h('p', { class: 'meta' }, `主催: ${organizerText(t)} ／ ${seatsText(t)}`),
            h('p', { class: 'meta' }, t.registrationDeadline ? ['申込締切 ', timestampText(t.registrationDeadline)] : null,
              t.status === 'TRAINING_STATUS_CANCELLED' ? h('span', { class: 'badge' }, label(TRAINING_STATUSES, t.status)) : null))))))),
    h('section', { 'aria-labelledby': 'new-training-h' },
      h('h2', { id: 'new-training-h' }, '研修を作る'),
      h('details', { class: 'add', open: trainings.length === 0 }, h('summary', {}, '研修と最初の回を登録する'), createForm(ctx))));
}
