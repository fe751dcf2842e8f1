// Dates as the console shows and reads them: Japanese style (2026年11月24日), optionally in the
// Japanese era (令和8年11月24日), in Asia/Tokyo, with fiscal years from April to March
// (2026年度 = 2026-04-01 .. 2027-03-31). Dates travel as renkei.v1.Date {year, month, day};
// timestamps as RFC 3339 strings.

const STORAGE_KEY = 'renkei.wareki';

// Era start dates (Gregorian), newest first.
const ERAS = [
  { name: '令和', short: 'R', year: 2019, month: 5, day: 1 },
  { name: '平成', short: 'H', year: 1989, month: 1, day: 8 },
  { name: '昭和', short: 'S', year: 1926, month: 12, day: 25 },
  { name: '大正', short: 'T', year: 1912, month: 7, day: 30 },
  { name: '明治', short: 'M', year: 1868, month: 10, day: 23 },
];

function readSetting() {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) === '1';
  } catch {
    return false;
  }
}

let wareki = readSetting();

export function useWareki() {
  return wareki;
}

// Remembers the choice and tells the screens to redraw (event "renkei:datestyle").
/** @param {boolean} on */
export function setWareki(on) {
  wareki = Boolean(on);
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, wareki ? '1' : '0');
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  globalThis.dispatchEvent?.(new Event('renkei:datestyle'));
}

/** @param {{year: number, month: number, day: number}} d */
function key(d) {
  return d.year * 10000 + d.month * 100 + d.day;
}

/**
 * @param {renkei.v1.Date} a
 * @param {renkei.v1.Date} b
 */
export function compareDates(a, b) {
  return key(a) - key(b);
}

/** @param {renkei.v1.Date} d */
function eraOf(d) {
  return ERAS.find((e) => key(d) >= key(e)) || null;
}

/**
 * @param {{year: number}} era
 * @param {number} year
 */
function eraYear(era, year) {
  const n = year - era.year + 1;
  return n === 1 ? '元' : String(n);
}

/**
 * @param {number} year
 * @param {number} month
 * @param {number} day
 */
export function isValidDate(year, month, day) {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// "2026年11月24日" or, with the era option, "令和8年11月24日". '' for an unset date.
/**
 * @param {renkei.v1.Date | null | undefined} d
 * @param {{era?: boolean}} [options]
 */
export function formatDate(d, { era = wareki } = {}) {
  if (!d || !d.year) return '';
  if (era) {
    const e = eraOf(d);
    if (e) return `${e.name}${eraYear(e, d.year)}年${d.month}月${d.day}日`;
  }
  return `${d.year}年${d.month}月${d.day}日`;
}

const tokyoParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

// The Asia/Tokyo calendar date and time of an instant.
/**
 * @param {Date} instant
 * @returns {{date: renkei.v1.Date, hour: number, minute: number}}
 */
export function tokyoDateTime(instant) {
  /** @type {{[type: string]: string}} */
  const parts = {};
  for (const p of tokyoParts.formatToParts(instant)) parts[p.type] = p.value;
  return {
    date: { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day) },
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

export function tokyoToday(now = new Date()) {
  return tokyoDateTime(now).date;
}

/**
 * @param {number} n
 * @param {number} [width]
 */
function pad(n, width = 2) {
  return String(n).padStart(width, '0');
}

// "2026年11月24日 14:05" (Asia/Tokyo) from an RFC 3339 timestamp; '' when unset.
/**
 * @param {string | undefined} ts
 * @param {{time?: boolean, era?: boolean}} [options]
 */
export function formatTimestamp(ts, { time = true, era = wareki } = {}) {
  if (!ts) return '';
  const instant = new Date(ts);
  if (Number.isNaN(instant.getTime()) || instant.getTime() <= 0) return '';
  const t = tokyoDateTime(instant);
  const date = formatDate(t.date, { era });
  return time ? `${date} ${pad(t.hour)}:${pad(t.minute)}` : date;
}

/** @param {string | undefined} ts */
export function formatTime(ts) {
  if (!ts) return '';
  const t = tokyoDateTime(new Date(ts));
  return `${pad(t.hour)}:${pad(t.minute)}`;
}

// "2026-11-24", the form the date inputs start from.
/** @param {renkei.v1.Date | null | undefined} d */
export function isoDate(d) {
  if (!d || !d.year) return '';
  return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
}

/**
 * @param {renkei.v1.Date} d
 * @param {number} days
 * @returns {renkei.v1.Date}
 */
export function addDays(d, days) {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/**
 * @param {number} year
 * @param {number} month
 */
export function daysInMonth(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// The day of the week: 0 = 日 (Sunday) .. 6 = 土 (Saturday).
/** @param {renkei.v1.Date} d */
export function weekdayOf(d) {
  return new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
}

// {year, month} moved by n months (n may be negative).
/**
 * @param {{year: number, month: number}} m
 * @param {number} n
 */
export function addMonths(m, n) {
  const i = m.year * 12 + (m.month - 1) + n;
  return { year: Math.floor(i / 12), month: (((i % 12) + 12) % 12) + 1 };
}

// The weeks of a month as a Japanese wall calendar shows them, Sunday first (日 月 火 水 木 金 土):
// rows of seven, each a date of the month or null for the days of the months around it.
/**
 * @param {number} year
 * @param {number} month
 * @returns {(renkei.v1.Date | null)[][]}
 */
export function monthWeeks(year, month) {
  const weeks = [];
  let week = new Array(weekdayOf({ year, month, day: 1 })).fill(null);
  for (let day = 1; day <= daysInMonth(year, month); day += 1) {
    week.push({ year, month, day });
    if (week.length === 7) {
      weeks.push(week);
      week = [];
    }
  }
  if (week.length) weeks.push(week.concat(new Array(7 - week.length).fill(null)));
  return weeks;
}

// Reads what a person types for a date: 2026-11-24, 2026/11/24, 2026.11.24, 20261124,
// 2026年11月24日, 令和8年11月24日, 令和元年5月1日, R8.11.24 — full-width digits too (NFKC).
// Returns a renkei.v1.Date, or null when it is not a date.
/**
 * @param {unknown} text
 * @returns {renkei.v1.Date | null}
 */
export function parseDateInput(text) {
  const s = String(text ?? '').normalize('NFKC').replace(/\s+/g, '');
  if (!s) return null;
  let m = s.match(/^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/) ||
    s.match(/^(\d{4})年(\d{1,2})月(\d{1,2})日?$/) ||
    s.match(/^(\d{4})(\d{2})(\d{2})$/);
  let year;
  let month;
  let day;
  if (m) {
    [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else {
    m = s.match(/^(令和|平成|昭和|大正|明治|[RHSTM])(元|\d{1,2})[年./-](\d{1,2})[月./-](\d{1,2})日?$/i);
    if (!m) return null;
    const [, name, eraYearText, monthText, dayText] = m;
    const tag = name.toUpperCase();
    const era = ERAS.find((e) => e.name === name || e.short === tag);
    if (!era) return null; // the pattern lists only these eras
    const n = eraYearText === '元' ? 1 : Number(eraYearText);
    [year, month, day] = [era.year + n - 1, Number(monthText), Number(dayText)];
  }
  return isValidDate(year, month, day) ? { year, month, day } : null;
}

// "14:05", "1405", "14時5分", "14時" (full-width too) → {hour, minute}; null otherwise.
/**
 * @param {unknown} text
 * @returns {{hour: number, minute: number} | null}
 */
export function parseTimeInput(text) {
  const s = String(text ?? '').normalize('NFKC').replace(/\s+/g, '');
  const m = s.match(/^(\d{1,2})(?::(\d{2})|(\d{2})|時(?:(\d{1,2})分?)?)?$/);
  if (!m) return null;
  const hour = Number(m[1]);
  const minute = Number(m[2] ?? m[3] ?? m[4] ?? 0);
  if (hour > 23 || minute > 59) return null;
  return { hour, minute };
}

// The instant of a Tokyo date and time, as an RFC 3339 string for a protobuf Timestamp.
/**
 * @param {renkei.v1.Date} d
 * @param {{hour: number, minute: number}} [time]
 */
export function tokyoTimestamp(d, time = { hour: 0, minute: 0 }) {
  return new Date(Date.UTC(d.year, d.month - 1, d.day, time.hour - 9, time.minute)).toISOString();
}

// --- fiscal years (年度) ------------------------------------------------------------------------

/** @param {renkei.v1.Date} d */
export function fiscalYearOf(d) {
  return d.month >= 4 ? d.year : d.year - 1;
}

/** @param {number} fy */
export function fiscalYearRange(fy) {
  return { from: { year: fy, month: 4, day: 1 }, to: { year: fy + 1, month: 3, day: 31 } };
}

// "2026年度", or "令和8年度" (FY2019 is 令和元年度, as the ministries write it).
/**
 * @param {number} fy
 * @param {{era?: boolean}} [options]
 */
export function fiscalYearLabel(fy, { era = wareki } = {}) {
  if (era) {
    const e = eraOf({ year: fy + 1, month: 3, day: 31 });
    if (e) return `${e.name}${eraYear(e, fy)}年度`;
  }
  return `${fy}年度`;
}

// The months of a fiscal year as indicator periods: "2026-04" .. "2027-03".
/** @param {number} fy */
export function fiscalYearMonths(fy) {
  const out = [];
  for (let i = 0; i < 12; i += 1) {
    const month = ((3 + i) % 12) + 1;
    out.push(`${month >= 4 ? fy : fy + 1}-${pad(month)}`);
  }
  return out;
}

// The calendar quarters of a fiscal year: "2026-Q2" .. "2027-Q1".
/** @param {number} fy */
export function fiscalYearQuarters(fy) {
  return [`${fy}-Q2`, `${fy}-Q3`, `${fy}-Q4`, `${fy + 1}-Q1`];
}

/**
 * @param {number} year
 * @param {number} month
 * @param {{era?: boolean}} [options]
 */
export function monthLabel(year, month, { era = wareki } = {}) {
  const full = formatDate({ year, month, day: 1 }, { era });
  return full.replace(/1日$/, '');
}

// Indicator periods (indicators.proto): "2026-11" → 2026年11月, "2026-Q3" → 2026年 第3四半期,
// "FY2026" → 2026年度, "2026-11-24" → 2026年11月24日.
/**
 * @param {unknown} period
 * @param {{era?: boolean}} [options]
 */
export function formatPeriod(period, { era = wareki } = {}) {
  const p = String(period ?? '');
  let m = p.match(/^(\d{4})-(\d{2})$/);
  if (m) return monthLabel(Number(m[1]), Number(m[2]), { era });
  m = p.match(/^(\d{4})-Q([1-4])$/);
  if (m) return `${monthLabel(Number(m[1]), 1, { era }).replace(/1月$/, '')} 第${m[2]}四半期`;
  m = p.match(/^FY(\d{4})$/);
  if (m) return fiscalYearLabel(Number(m[1]), { era });
  m = p.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (m) return formatDate({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, { era });
  return p;
}

// The period of the indicator's frequency that holds a date: month, quarter or fiscal year.
/**
 * @param {renkei.v1.Date} d
 * @param {string} frequency
 */
export function periodOf(d, frequency) {
  switch (frequency) {
    case 'MEASUREMENT_FREQUENCY_QUARTERLY':
      return `${d.year}-Q${Math.floor((d.month - 1) / 3) + 1}`;
    case 'MEASUREMENT_FREQUENCY_YEARLY':
      return `FY${fiscalYearOf(d)}`;
    default:
      return `${d.year}-${pad(d.month)}`;
  }
}
