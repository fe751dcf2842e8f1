// The console's browser tests, 研修: カレンダー by default and 一覧 remembered; a training (one
// created when none is open), a registration and its status, attendance and the survey; the
// calendar's months, today, the session on its day, 和暦; the .ics; the status line cleared on
// 指標. With RENKEI_COORDINATOR_LOGIN, a coordinator creating a training is told 権限がありません.
//
//   RENKEI_GATEWAY_URL=http://127.0.0.1:7180 RENKEI_LOGIN=inagi-demo RENKEI_PASSWORD=... \
//     node console/tests/screens/trainings.mjs
//
// (the variables and defaults of console/README.md; exits non-zero when a test fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  config, useBrowser, screenshot, during, eventually, open, statusLine,
} from '../lib.mjs';
import {
  tokyoToday, tokyoDateTime, formatDate, formatTime, monthLabel, addMonths, isoDate, weekdayOf,
} from '../../src/dates.js';

const cfg = await config();
let page;
useBrowser(cfg, (launched) => { ({ page } = launched); });
const seen = {}; // the training used here

// "2026-11" of a {year, month}, as the calendar's caption carries it (data-period).
const periodKey = (m) => `${m.year}-${String(m.month).padStart(2, '0')}`;

test('研修: create (if none is open), register, see the status, attendance and survey, the calendar, download .ics', async () => {
  await open(page, cfg, '#/trainings', '研修');
  // カレンダー is the default view; 一覧 lists the fiscal year's trainings and is remembered.
  const viewButton = (name) => page.getByRole('button', { name, exact: true });
  assert.equal(await viewButton('カレンダー').getAttribute('aria-pressed'), 'true');
  await page.locator('table.calendar').waitFor();
  await viewButton('一覧').click();
  await page.getByRole('heading', { level: 2, name: /^研修の予定 \(\d+件\)$/ }).waitFor();
  assert.equal(await viewButton('一覧').getAttribute('aria-pressed'), 'true');
  assert.equal(await viewButton('カレンダー').getAttribute('aria-pressed'), 'false');
  assert.match(page.url(), /#\/trainings\?view=list/);
  const cards = page.locator('li.card.training');
  const now = Date.now();
  let target = null;
  for (let i = 0; i < await cards.count(); i += 1) {
    const ts = await cards.nth(i).locator('.when [data-ts]').getAttribute('data-ts');
    const cancelled = await cards.nth(i).evaluate((el) => el.classList.contains('cancelled'));
    if (!cancelled && Date.parse(ts) > now + 86400000) { target = cards.nth(i); break; }
  }
  let created = false;
  const createTraining = async () => {
    await open(page, cfg, '#/trainings', '研修');
    if (!(await page.locator('form[aria-label="研修を作る"]').isVisible())) await page.getByText('研修と最初の回を登録する').click();
    const form = page.locator('form[aria-label="研修を作る"]');
    await form.getByLabel('研修のテーマ').fill('在宅看取りのプロセスを家族に説明する演習 (M3)');
    await form.getByLabel('研修の説明').fill('ケアマネジャー・訪問看護師・医師向け。痩せる等の経過を家族に説明する演習と資料づくり。');
    const who = form.getByRole('group', { name: /^対象/ });
    for (const a of ['ケアマネジャー', '訪問看護師', '医師']) await who.getByLabel(a, { exact: true }).check();
    await form.getByLabel('会場').fill(`稲城市役所 第${now % 1000}会議室`);
    await form.getByLabel('定員').fill('３０');
    const r = await during(page, 'POST', /^\/api\/v1\/trainings$/, () => form.getByRole('button', { name: '研修を作る' }).click());
    assert.equal(r.status(), 200, await r.text());
    const t = await r.json();
    assert.equal(t.sessions[0].capacity, 30, 'full-width capacity read');
    await page.waitForURL(/#\/trainings\/trn_/);
    created = true;
  };
  if (target) {
    await target.locator('a.title').click();
    await page.waitForURL(/#\/trainings\/trn_/);
  } else {
    await createTraining();
  }
  await page.getByRole('heading', { name: /^回 \(/ }).waitFor();
  seen.training = page.url().split('/').pop();

  const register = async () => {
    const form = page.locator('form[aria-label="研修に申し込む"]');
    const pid = `e2e-${now}`;
    await form.getByLabel('参加者ID').fill(pid);
    await form.getByLabel('参加者の氏名').fill('稲城 花子');
    await form.getByLabel('参加者の役割').selectOption({ label: 'コーディネーター' });
    const choose = form.getByRole('group', { name: '受講する回' });
    if (await choose.count()) await choose.locator('input').first().check();
    const r = await during(page, 'POST', /^\/api\/v1\/registrations$/, () => form.getByRole('button', { name: '申し込む' }).click());
    return { r, pid };
  };
  let { r, pid } = await register();
  if (r.status() !== 200 && !created) {
    // The open training refused us (a quota, a deadline): use a training of our own.
    await createTraining();
    await page.getByRole('heading', { name: /^回 \(/ }).waitFor();
    seen.training = page.url().split('/').pop();
    ({ r, pid } = await register());
  }
  assert.equal(r.status(), 200, await r.text());
  const reg = await r.json();
  const status = await page.locator('#registration-result .reg-status').textContent();
  assert.match(status, /^(参加確定|キャンセル待ち \(\d+番目\))$/);
  assert.equal(status, reg.status === 'REGISTRATION_STATUS_CONFIRMED' ? '参加確定' : `キャンセル待ち (${reg.waitlistPosition}番目)`);
  const row = page.locator('table.registrations tbody tr', { hasText: pid });
  assert.equal(await row.locator('td.reg-status').textContent(), status);
  await screenshot(page, cfg, '10-training-registered.png');

  if (reg.status === 'REGISTRATION_STATUS_CONFIRMED') {
    const attendance = page.locator('form[aria-label="第1回の出欠"]');
    await attendance.getByLabel(`稲城 花子 (${pid}) 第1回に出席`).check();
    const a = await during(page, 'POST', /\/attendance$/, () => attendance.getByRole('button', { name: '第1回の出欠を記録' }).click());
    assert.equal(a.status(), 200, await a.text());
    const regRow = page.locator('table.registrations tbody tr', { hasText: pid });
    await regRow.getByText('第1回 出席').waitFor();
    const survey = regRow.getByText('アンケートを入力');
    if (await survey.count()) {
      await survey.click();
      const form = regRow.locator('form');
      for (const group of await form.getByRole('group').all()) await group.getByLabel('4 そう思う').check();
      const s = await during(page, 'POST', /\/survey$/, () => form.getByRole('button', { name: 'アンケートを送信' }).click());
      assert.equal(s.status(), 200, await s.text());
      await page.locator('table.registrations tbody tr', { hasText: pid }).getByText('回答済み').waitFor();
    }
  }

  // The calendar: 一覧 was remembered; カレンダー opens on the month of the first upcoming session.
  const training = await page.evaluate((id) => fetch(`/api/v1/trainings/${id}`).then((x) => x.json()), seen.training);
  const session = training.sessions.find((x) => !x.cancelled);
  const when = tokyoDateTime(new Date(session.startsAt));
  const month = { year: when.date.year, month: when.date.month };
  const today = tokyoToday();
  await open(page, cfg, '#/trainings', '研修');
  assert.equal(await viewButton('一覧').getAttribute('aria-pressed'), 'true', 'the list view is remembered');
  await viewButton('カレンダー').click();
  const calendar = page.locator('table.calendar');
  await calendar.waitFor();
  assert.match(page.url(), /#\/trainings\?view=calendar&month=\d{4}-\d{2}/);
  const shown = () => calendar.locator('caption [data-period]').getAttribute('data-period');
  const upcoming = await page.evaluate(async (from) => {
    const { jurisdiction } = await fetch('/api/v1/session').then((x) => x.json());
    return fetch(`/api/v1/trainings?municipality_code=${jurisdiction}&from=${from}&page_size=200`).then((x) => x.json());
  }, isoDate(today));
  const firsts = (upcoming.trainings || []).map((t) => tokyoDateTime(new Date(t.firstStartsAt)).date);
  const ahead = firsts.filter((d) => isoDate(d) >= isoDate(today)).map((d) => periodKey(d)).sort();
  const first = await shown();
  assert.ok(first >= periodKey(today) && first <= periodKey(month), `default month ${first}`);
  if (firsts.every((d) => isoDate(d) >= isoDate(today))) assert.equal(first, ahead[0], 'the month of the first upcoming session');
  // A grid of weeks from Sunday, with column headers read as the days of the week.
  assert.deepEqual(await calendar.locator('thead th[scope="col"] .sr-only').allTextContents(),
    ['日曜日', '月曜日', '火曜日', '水曜日', '木曜日', '金曜日', '土曜日']);
  // 今月: today is marked.
  await page.getByRole('button', { name: '今月' }).click();
  await eventually(async () => (await shown()) === periodKey(today), { what: 'this month' });
  const todayCell = calendar.locator('td[aria-current="date"]');
  assert.equal(await todayCell.count(), 1);
  assert.equal(await todayCell.getAttribute('data-day'), isoDate(today));
  assert.match(await todayCell.textContent(), new RegExp(`^${today.day}${formatDate(today, { era: false })}今日`));
  // 次の月 / 前の月 up to the session's month: the caption follows, the focus stays on the button.
  for (let i = 0; i < 36 && (await shown()) !== periodKey(month); i += 1) {
    const before = await shown();
    const name = before < periodKey(month) ? '次の月' : '前の月';
    await page.getByRole('button', { name }).click();
    await eventually(async () => (await shown()) !== before, { what: `${name} from ${before}` });
    assert.ok(await page.getByRole('button', { name }).evaluate((el) => el === document.activeElement), `focus stays on ${name}`);
  }
  assert.equal(await shown(), periodKey(month));
  const caption = calendar.locator('caption');
  assert.match(await caption.textContent(), new RegExp(`^${monthLabel(month.year, month.month, { era: false })} 研修 \\d+件`));
  for (const [name, step] of [['次の月', 1], ['前の月', -1], ['前の月', -1], ['次の月', 1]]) {
    const before = await shown();
    const want = addMonths({ year: Number(before.slice(0, 4)), month: Number(before.slice(5)) }, step);
    await page.getByRole('button', { name }).click();
    await eventually(async () => (await shown()) === periodKey(want), { what: `${name} → ${periodKey(want)}` });
    assert.match(await caption.textContent(), new RegExp(`^${monthLabel(want.year, want.month, { era: false })} 研修`));
    await statusLine(page).filter({ hasText: new RegExp(`^${monthLabel(want.year, want.month, { era: false })}: `) }).waitFor();
  }
  assert.match(page.url(), new RegExp(`month=${periodKey(month)}`));
  // The session on its day: the cell, read by its date, in the column of its weekday, links to the training.
  const cell = calendar.getByRole('cell', { name: new RegExp(`^${formatDate(when.date, { era: false })}`) });
  assert.equal(await cell.count(), 1);
  assert.equal(await cell.getAttribute('data-day'), isoDate(when.date));
  assert.equal(await cell.evaluate((td) => td.cellIndex), weekdayOf(when.date));
  assert.ok((await cell.textContent()).includes(training.title), 'the title on the session\'s day');
  const link = cell.getByRole('link', { name: `${formatTime(session.startsAt)} ${training.title}` });
  assert.equal(await link.getAttribute('href'), `#/trainings/${seen.training}`);
  await screenshot(page, cfg, '09-trainings.png');
  // 和暦: the caption and the cells' dates are rewritten in place.
  await page.getByLabel('和暦で表示').check();
  await caption.locator('[data-period]', { hasText: monthLabel(month.year, month.month, { era: true }) }).waitFor();
  assert.match(await caption.textContent(), /^令和\d+年\d+月 /);
  assert.equal(await calendar.getByRole('cell', { name: new RegExp(`^${formatDate(when.date, { era: true })}`) }).count(), 1);
  await page.getByLabel('和暦で表示').uncheck();
  await caption.locator('[data-period]', { hasText: monthLabel(month.year, month.month, { era: false }) }).waitFor();
  await link.click();
  await page.getByRole('heading', { level: 1, name: training.title }).waitFor();

  await open(page, cfg, '#/trainings', '研修');
  await page.locator('table.calendar').waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '研修カレンダー (.ics) をダウンロード' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /\.ics$/);
  const ics = await readFile(await download.path(), 'utf8');
  assert.ok(ics.startsWith('BEGIN:VCALENDAR'), ics.slice(0, 40));
  assert.ok(ics.includes('BEGIN:VEVENT'));
  assert.ok(ics.trimEnd().endsWith('END:VCALENDAR'));

  // The message is this screen's: another screen opened from the navigation starts without it.
  await statusLine(page).filter({ hasText: /^カレンダーを出力しました \(\d+件\)$/ }).waitFor();
  await page.getByRole('navigation', { name: '画面' }).getByRole('link', { name: '指標' }).click();
  await page.getByRole('heading', { level: 1, name: '指標' }).waitFor();
  assert.equal(await statusLine(page).textContent(), '', 'the status line of 研修 is cleared on 指標');
});

// Optional: with a coordinator's account (RENKEI_COORDINATOR_LOGIN / _PASSWORD), a call the role
// may not make shows 権限がありません instead of failing silently.
const coordinator = process.env.RENKEI_COORDINATOR_LOGIN;
test('a coordinator creating a training is told 権限がありません (403)', { skip: !coordinator && 'RENKEI_COORDINATOR_LOGIN not set' }, async () => {
  await page.context().clearCookies();
  await page.goto(`${cfg.base}/#/trainings`);
  await page.getByRole('heading', { level: 1, name: 'ログイン' }).waitFor();
  await page.getByLabel('ログインID').fill(coordinator);
  await page.getByLabel('パスワード').fill(process.env.RENKEI_COORDINATOR_PASSWORD || cfg.password);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.getByRole('heading', { level: 1, name: '研修' }).waitFor();
  if (!(await page.locator('form[aria-label="研修を作る"]').isVisible())) await page.getByText('研修と最初の回を登録する').click();
  const form = page.locator('form[aria-label="研修を作る"]');
  await form.getByLabel('研修のテーマ').fill('権限の確認');
  await form.getByRole('group', { name: /^対象/ }).getByLabel('コーディネーター', { exact: true }).check();
  const r = await during(page, 'POST', /^\/api\/v1\/trainings$/, () => form.getByRole('button', { name: '研修を作る' }).click());
  assert.equal(r.status(), 403);
  await form.getByRole('alert').filter({ hasText: /^権限がありません/ }).waitFor();
  await page.getByRole('button', { name: 'ログアウト' }).click();
  await page.getByRole('heading', { level: 1, name: 'ログイン' }).waitFor();
});
