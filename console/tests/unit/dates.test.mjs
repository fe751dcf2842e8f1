// The pure helpers the forms rely on: dates typed Japanese style (full width, 和暦), fiscal
// years, NFKC normalization and field-error matching keys. No browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseDateInput, parseTimeInput, formatDate, fiscalYearRange, fiscalYearLabel, fiscalYearOf,
  fiscalYearMonths, fiscalYearQuarters, formatPeriod, tokyoTimestamp, tokyoDateTime, addDays,
  daysInMonth, weekdayOf, addMonths, monthWeeks, monthLabel,
} from '../../src/dates.js';

test('dates typed in any common Japanese form are read', () => {
  const d = { year: 2026, month: 11, day: 24 };
  for (const text of ['2026-11-24', '2026/11/24', '2026.11.24', '20261124', '2026年11月24日',
    '２０２６－１１－２４', '２０２６年１１月２４日', '令和8年11月24日', '令和８年１１月２４日', 'R8.11.24', '㋿8年11月24日']) {
    assert.deepEqual(parseDateInput(text), d, text);
  }
  assert.deepEqual(parseDateInput('昭和23年3月12日'), { year: 1948, month: 3, day: 12 });
  assert.deepEqual(parseDateInput('令和元年5月1日'), { year: 2019, month: 5, day: 1 });
  assert.deepEqual(parseDateInput('平成31年4月30日'), { year: 2019, month: 4, day: 30 });
  for (const bad of ['', '2026-02-30', '2026-13-01', 'あした', '2026-11']) {
    assert.equal(parseDateInput(bad), null, bad);
  }
});

test('times', () => {
  assert.deepEqual(parseTimeInput('14:05'), { hour: 14, minute: 5 });
  assert.deepEqual(parseTimeInput('１４：０５'), { hour: 14, minute: 5 });
  assert.deepEqual(parseTimeInput('1405'), { hour: 14, minute: 5 });
  assert.deepEqual(parseTimeInput('14時'), { hour: 14, minute: 0 });
  assert.deepEqual(parseTimeInput('9時30分'), { hour: 9, minute: 30 });
  assert.equal(parseTimeInput('25:00'), null);
});

test('Japanese date display, western and 和暦', () => {
  const d = { year: 2026, month: 11, day: 24 };
  assert.equal(formatDate(d, { era: false }), '2026年11月24日');
  assert.equal(formatDate(d, { era: true }), '令和8年11月24日');
  assert.equal(formatDate({ year: 2019, month: 4, day: 30 }, { era: true }), '平成31年4月30日');
  assert.equal(formatDate({ year: 2019, month: 5, day: 1 }, { era: true }), '令和元年5月1日');
  assert.equal(formatDate({ year: 1948, month: 3, day: 12 }, { era: true }), '昭和23年3月12日');
  assert.equal(formatDate(undefined), '');
});

test('fiscal years run April to March', () => {
  assert.deepEqual(fiscalYearRange(2026), { from: { year: 2026, month: 4, day: 1 }, to: { year: 2027, month: 3, day: 31 } });
  assert.equal(fiscalYearOf({ year: 2027, month: 3, day: 31 }), 2026);
  assert.equal(fiscalYearOf({ year: 2026, month: 4, day: 1 }), 2026);
  assert.equal(fiscalYearLabel(2026, { era: false }), '2026年度');
  assert.equal(fiscalYearLabel(2026, { era: true }), '令和8年度');
  assert.equal(fiscalYearLabel(2019, { era: true }), '令和元年度');
  assert.equal(fiscalYearLabel(2018, { era: true }), '平成30年度');
  assert.deepEqual(fiscalYearMonths(2026).slice(0, 2), ['2026-04', '2026-05']);
  assert.equal(fiscalYearMonths(2026)[11], '2027-03');
  assert.deepEqual(fiscalYearQuarters(2026), ['2026-Q2', '2026-Q3', '2026-Q4', '2027-Q1']);
  assert.equal(formatPeriod('FY2026', { era: false }), '2026年度');
  assert.equal(formatPeriod('2026-11', { era: false }), '2026年11月');
  assert.equal(formatPeriod('2026-11', { era: true }), '令和8年11月');
});

test('Tokyo times become UTC instants', () => {
  assert.equal(tokyoTimestamp({ year: 2026, month: 12, day: 8 }, { hour: 14, minute: 0 }), '2026-12-08T05:00:00.000Z');
  assert.deepEqual(tokyoDateTime(new Date('2026-11-23T15:30:00Z')).date, { year: 2026, month: 11, day: 24 });
  assert.deepEqual(addDays({ year: 2027, month: 3, day: 31 }, 1), { year: 2027, month: 4, day: 1 });
});

test('month calendars: weeks from Sunday, month arithmetic, titles', () => {
  assert.equal(daysInMonth(2026, 2), 28);
  assert.equal(daysInMonth(2028, 2), 29);
  assert.equal(daysInMonth(2026, 11), 30);
  assert.equal(weekdayOf({ year: 2026, month: 11, day: 1 }), 0); // 日曜日
  assert.equal(weekdayOf({ year: 2026, month: 11, day: 24 }), 2); // 火曜日
  const nov = monthWeeks(2026, 11);
  assert.equal(nov.length, 5);
  assert.ok(nov.every((w) => w.length === 7));
  assert.deepEqual(nov[0][0], { year: 2026, month: 11, day: 1 });
  assert.deepEqual(nov[4].map((d) => d && d.day), [29, 30, null, null, null, null, null]);
  const dec = monthWeeks(2026, 12); // 12月1日 is a Tuesday
  assert.deepEqual(dec[0].map((d) => d && d.day), [null, null, 1, 2, 3, 4, 5]);
  assert.equal(monthWeeks(2026, 2).length, 4); // 2026年2月: Sunday 1st to Saturday 28th
  assert.equal(monthWeeks(2026, 2).flat().filter(Boolean).length, 28);
  assert.deepEqual(addMonths({ year: 2026, month: 12 }, 1), { year: 2027, month: 1 });
  assert.deepEqual(addMonths({ year: 2026, month: 1 }, -1), { year: 2025, month: 12 });
  assert.deepEqual(addMonths({ year: 2026, month: 11 }, -23), { year: 2024, month: 12 });
  assert.equal(monthLabel(2026, 11, { era: false }), '2026年11月');
  assert.equal(monthLabel(2026, 11, { era: true }), '令和8年11月');
  assert.equal(monthLabel(2019, 5, { era: true }), '令和元年5月');
});
