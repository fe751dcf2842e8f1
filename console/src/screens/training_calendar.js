// 研修カレンダー: one month of the trainings the municipality can see (national, its prefecture's,
// its own), each session on its day in Asia/Tokyo, on a grid of weeks from Sunday (日 月 火 水 木
// 金 土) as Japanese calendars are drawn. The grid is a <table>: a <caption> with the month
// (2026年11月, 令和8年11月 with 和暦), <th scope="col"> for the days of the week, and in each day
// cell its full date for screen readers, then the sessions (start time + title) as links to the
// training. 前の月 / 次の月 / 今月 redraw the grid in place, so the focus stays on the button.
import { get, seg, dateParams, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import {
  tokyoDateTime, compareDates, monthWeeks, addMonths, daysInMonth, isoDate, formatDate, formatTime, monthLabel,
} from '../dates.js';
import { periodText } from '../datetext.js';

const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];
const CANCELLED = 'TRAINING_STATUS_CANCELLED';

/** @typedef {import('./trainings.js').Month} Month */
/** @typedef {import('./trainings.js').TrainingsEnv} TrainingsEnv */
/**
 * One session's times; n counts from 1.
 * @typedef {{startsAt?: string, endsAt?: string, n: number, cancelled: boolean}} SessionTime
 */
/**
 * A session on the calendar, with its training and its start in minutes of the day.
 * @typedef {{t: renkei.v1.TrainingSummary, s: SessionTime, minutes: number}} CalendarEvent
 */
/** @typedef {{byDay: Map<string, CalendarEvent[]>, trainings: number, sessions: number}} MonthData */

// "2026-11" ⇄ {year: 2026, month: 11}; null for anything else.
/**
 * @param {string | null} text
 * @returns {Month | null}
 */
export function parseMonthParam(text) {
  const m = /^(\d{4})-(\d{2})$/.exec(text || '');
  if (!m) return null;
  const month = Number(m[2]);
  return month >= 1 && month <= 12 ? { year: Number(m[1]), month } : null;
}

/** @param {Month} m */
export function monthParam(m) {
  return `${String(m.year).padStart(4, '0')}-${String(m.month).padStart(2, '0')}`;
}

/**
 * @param {renkei.v1.Date} d
 * @returns {Month}
 */
function monthOf(d) {
  return { year: d.year, month: d.month };
}

// The sessions of a training: the summary names the first one only, so a training of several
// sessions is read in full (once per screen: `cache` keeps the answers). When it cannot be read,
// its first session stands for it.
/**
 * @param {renkei.v1.TrainingSummary} t
 * @param {TrainingsEnv['cache']} cache
 * @returns {Promise<SessionTime[]>}
 */
async function sessionsOf(t, cache) {
  /** @type {SessionTime[]} */
  const first = [{ startsAt: t.firstStartsAt, endsAt: t.lastEndsAt, n: 1, cancelled: false }];
  if ((t.sessionCount ?? 1) <= 1 || !t.id) return first;
  if (!cache.has(t.id)) {
    cache.set(t.id, get(`/api/v1/trainings/${seg(t.id)}`).then(
      (answer) => (/** @type {renkei.v1.Training} */ (answer).sessions || []).map((s, i) => ({
        startsAt: s.startsAt, endsAt: s.endsAt, n: i + 1, cancelled: Boolean(s.cancelled),
      })),
      (err) => {
        cache.delete(t.id);
        if (!(err instanceof ApiError) || err.handled) throw err;
        return null;
      },
    ));
  }
  const sessions = await cache.get(t.id);
  return sessions && sessions.length ? sessions : first;
}

// The month holding the first session on or after today of the trainings the municipality can
// see (not cancelled), or this month when there is none.
/**
 * @param {{code: string, today: renkei.v1.Date, cache: TrainingsEnv['cache']}} env
 * @returns {Promise<Month>}
 */
export async function firstUpcomingMonth({ code, today, cache }) {
  const r = /** @type {renkei.v1.ListTrainingsResponse} */ (
    await get('/api/v1/trainings', { municipality_code: code, ...dateParams('from', today), page_size: 200 }));
  /** @type {renkei.v1.Date | null} */
  let best = null;
  const running = []; // begun before today, a session still to come
  for (const t of r.trainings || []) {
    if (!t.firstStartsAt) continue;
    const first = tokyoDateTime(new Date(t.firstStartsAt)).date;
    if (compareDates(first, today) >= 0) {
      if (!best || compareDates(first, best) < 0) best = first;
    } else {
      running.push(t);
    }
  }
  // A running training has its next session today or later: it matters only when nothing is
  // planned this month yet.
  const thisMonth = monthOf(today);
  if (running.length && !(best && best.year === today.year && best.month === today.month)) {
    const lists = await Promise.all(running.map((t) => sessionsOf(t, cache)));
    for (const s of lists.flat()) {
      if (s.cancelled || !s.startsAt) continue;
      const d = tokyoDateTime(new Date(s.startsAt)).date;
      if (compareDates(d, today) >= 0 && (!best || compareDates(d, best) < 0)) best = d;
    }
  }
  return best ? monthOf(best) : thisMonth;
}

// The sessions of a month by day ("2026-11-24" → [{t, s, minutes}], by start time), and how many
// trainings and sessions that is.
/**
 * @param {{code: string, month: Month, includeCancelled: boolean, cache: TrainingsEnv['cache']}} query
 * @returns {Promise<MonthData>}
 */
export async function loadMonth({ code, month, includeCancelled, cache }) {
  const r = /** @type {renkei.v1.ListTrainingsResponse} */ (await get('/api/v1/trainings', {
    municipality_code: code,
    ...dateParams('from', { ...month, day: 1 }),
    ...dateParams('to', { ...month, day: daysInMonth(month.year, month.month) }),
    include_cancelled: includeCancelled ? 'true' : '',
    page_size: 200,
  }));
  const trainings = r.trainings || [];
  /** @type {MonthData['byDay']} */
  const byDay = new Map();
  const shown = new Set();
  let sessions = 0;
  const lists = await Promise.all(trainings.map((t) => sessionsOf(t, cache)));
  trainings.forEach((t, i) => {
    for (const s of lists[i]) {
      if (!s.startsAt || (s.cancelled && !includeCancelled)) continue;
      const start = tokyoDateTime(new Date(s.startsAt));
      if (start.date.year !== month.year || start.date.month !== month.month) continue;
      const key = isoDate(start.date);
      const day = byDay.get(key) ?? [];
      byDay.set(key, day);
      day.push({ t, s, minutes: start.hour * 60 + start.minute });
      shown.add(t.id);
      sessions += 1;
    }
  });
  for (const list of byDay.values()) {
    list.sort((a, b) => a.minutes - b.minutes || String(a.t.title).localeCompare(String(b.t.title), 'ja'));
  }
  return { byDay, trainings: shown.size, sessions };
}

/** @param {CalendarEvent} event */
function eventItem({ t, s }) {
  const cancelled = t.status === CANCELLED || s.cancelled;
  return h('li', { class: `cal-event${cancelled ? ' cancelled' : ''}` },
    h('a', { href: `#/trainings/${encodeURIComponent(t.id)}` },
      h('span', { class: 'cal-time' }, formatTime(s.startsAt)), ' ',
      h('span', { class: 'cal-title' }, t.title),
      t.sessionCount > 1 ? h('span', { class: 'cal-nth' }, ` (第${s.n}回)`) : null,
      cancelled ? [' ', h('span', { class: 'badge' }, '中止')] : null));
}

/**
 * @param {renkei.v1.Date} d
 * @param {number} column
 * @param {CalendarEvent[]} items
 * @param {renkei.v1.Date} today
 */
function dayCell(d, column, items, today) {
  const isToday = compareDates(d, today) === 0;
  const classes = ['cal-day', column === 0 ? 'sun' : '', column === 6 ? 'sat' : '', isToday ? 'today' : '',
    items.length ? 'busy' : ''].filter(Boolean).join(' ');
  return h('td', { class: classes, 'data-day': isoDate(d), 'aria-current': isToday ? 'date' : null },
    h('p', { class: 'cal-date' },
      h('span', { class: 'cal-num', 'aria-hidden': 'true' }, String(d.day)),
      // The full date for screen readers; data-date lets the 和暦 toggle rewrite it in place.
      h('span', { class: 'sr-only', 'data-date': isoDate(d) }, formatDate(d)),
      isToday ? h('span', { class: 'cal-today' }, '今日') : null),
    items.length ? h('ul', { class: 'cal-events' }, items.map(eventItem)) : null);
}

// The month's grid: a table of weeks, Sunday first.
/**
 * @param {Month} month
 * @param {MonthData} data
 * @param {renkei.v1.Date} today
 */
export function calendarTable(month, data, today) {
  const weeks = monthWeeks(month.year, month.month);
  return h('table', { class: 'calendar' },
    h('caption', {},
      h('span', { class: 'cal-month' }, periodText(monthParam(month))),
      h('span', { class: 'cal-count' }, data.sessions
        ? ` 研修 ${data.trainings}件${data.sessions > data.trainings ? ` (${data.sessions}回)` : ''}`
        : ' 研修の予定はありません')),
    h('thead', {}, h('tr', {}, WEEKDAYS.map((w, i) => h('th', {
      scope: 'col', class: i === 0 ? 'sun' : i === 6 ? 'sat' : null,
    }, h('span', { 'aria-hidden': 'true' }, w), h('span', { class: 'sr-only' }, `${w}曜日`))))),
    h('tbody', {}, weeks.map((week) => h('tr', {}, week.map((d, i) => (d
      ? dayCell(d, i, data.byDay.get(isoDate(d)) || [], today)
      : h('td', { class: 'cal-out' })))))));
}

// The calendar section. env: {ctx, code, today, cache, state, saveUrl}; state.month (null: the
// month of the first upcoming session) and state.includeCancelled are read and written.
// section.load() draws the first month; it resolves to the number of trainings it shows.
/**
 * @param {TrainingsEnv} env
 * @returns {import('./trainings.js').ViewSection}
 */
export function calendarSection(env) {
  const { ctx, code, today, cache, state } = env;
  const box = h('div', { class: 'calendar-box' });
  const alert = h('div', { class: 'form-alert', role: 'alert', hidden: true });
  const prev = h('button', { type: 'button', class: 'cal-prev' }, h('span', { 'aria-hidden': 'true' }, '◀ '), '前の月');
  const current = h('button', { type: 'button', class: 'cal-current' }, '今月');
  const next = h('button', { type: 'button', class: 'cal-next' }, '次の月', h('span', { 'aria-hidden': 'true' }, ' ▶'));
  const cancelledBox = h('input', { type: 'checkbox', id: 'cal-cancelled', checked: state.includeCancelled });
  let seq = 0;

  // Draws a month (null: the first upcoming one); `said` announces it in the status line.
  /**
   * @param {Month | null} month
   * @param {{said?: boolean, save?: boolean}} [options]
   * @returns {Promise<MonthData | null>}
   */
  async function go(month, { said = false, save = true } = {}) {
    const n = ++seq;
    alert.hidden = true;
    box.setAttribute('aria-busy', 'true');
    try {
      const m = month || await firstUpcomingMonth({ code, today, cache });
      const data = await loadMonth({ code, month: m, includeCancelled: state.includeCancelled, cache });
      if (n !== seq || !ctx.isCurrent()) return null;
      state.month = m;
      replace(box, calendarTable(m, data, today));
      if (save) env.saveUrl();
      if (said) {
        ctx.announce(`${monthLabel(m.year, m.month)}: ${data.sessions ? `研修 ${data.trainings}件` : '研修の予定はありません'}`);
      }
      return data;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.handled || n !== seq) return null; // 401: the log-in screen takes over
      alert.textContent = err.message;
      alert.hidden = false;
      return null;
    } finally {
      if (n === seq) box.removeAttribute('aria-busy');
    }
  }

  const shown = () => state.month || monthOf(today);
  prev.addEventListener('click', () => go(addMonths(shown(), -1), { said: true }));
  next.addEventListener('click', () => go(addMonths(shown(), 1), { said: true }));
  current.addEventListener('click', () => go(monthOf(today), { said: true }));
  cancelledBox.addEventListener('change', () => {
    state.includeCancelled = cancelledBox.checked;
    go(shown(), { said: true });
  });

  const section = h('section', { class: 'training-calendar', 'aria-labelledby': 'cal-h' },
    h('h2', { id: 'cal-h' }, '研修カレンダー'),
    h('div', { class: 'toolbar cal-nav no-print' },
      prev, current, next,
      h('span', { class: 'check' }, cancelledBox, h('label', { for: 'cal-cancelled' }, '中止した研修も表示'))),
    alert,
    box,
    h('p', { class: 'hint no-print' }, '研修名を選ぶと、日程・申込・出欠の画面を開きます。日付は日本時間です。'));
  return Object.assign(section, {
    load: async () => {
      const data = await go(state.month, { save: false });
      return data ? data.trainings : null;
    },
  });
}
