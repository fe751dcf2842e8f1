// The console's browser tests, 研修: カレンダー by default and 一覧 remembered; a training (one
// created when none is open), a registration and its status, attendance and the survey; the
// calendar's months, today, the session on its day, 和暦; the .ics; the status line cleared on
// 指標; both views at a phone's width and a desk's. A training's outline and a session changed
// through the console (the outline with the keyboard only), a session added, each read back
// through the API; the training cancelled after the in-page confirmation (Escape and やめる say no); the
// coordinators who attended it; the skill framework read by everyone, and its editor (with a
// session that may publish, stubbed). With RENKEI_COORDINATOR_LOGIN, a coordinator is offered no
// 研修を作る form (or, before the gateway lists what a session may do, is told 権限がありません).
//
//   RENKEI_GATEWAY_URL=http://127.0.0.1:7180 RENKEI_LOGIN=inagi-demo RENKEI_PASSWORD=... \
//     node console/tests/screens/trainings.mjs
//
// (the variables and defaults of console/README.md; exits non-zero when a test fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  config, useBrowser, screenshot, during, eventually, open, statusLine, apiCall, atBothWidths,
} from '../lib.mjs';
import {
  tokyoToday, tokyoDateTime, formatDate, formatTime, monthLabel, addMonths, isoDate, weekdayOf, addDays, tokyoTimestamp,
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
  await atBothWidths(page, cfg, 'trainings-list', '#/trainings (一覧)');
  // Each card says where its training stands, in words.
  for (const text of await page.locator('li.card.training .state-line').allTextContents()) {
    assert.match(text, /^状態: (申込受付中|申込締切済み|満席|キャンセル待ち \d+件|中止|終了)+$/);
  }
  // Printed: the list as it reads, without the controls or the form.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.view-toolbar').isVisible(), false, 'no view switch on paper');
  assert.equal(await page.locator('.training-list .toolbar').isVisible(), false, 'no year chooser on paper');
  assert.equal(await page.getByRole('heading', { name: '研修を作る' }).isVisible(), false, 'no form on paper');
  if (await page.locator('li.card.training').count()) assert.ok(await page.locator('li.card.training').first().isVisible());
  await screenshot(page, cfg, 'trainings-list-print.png');
  await page.emulateMedia({ media: 'screen' });
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
  await atBothWidths(page, cfg, 'trainings-calendar', '#/trainings (カレンダー)');
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

// A training of our own, made through the API as the fixture's (aTraining) but in a room of its
// own (the service refuses two sessions in one venue at one time), opened on its page.
let rooms = 0;
async function ownTraining() {
  await open(page, cfg, '#/trainings', '研修');
  rooms += 1;
  const day = addDays(tokyoToday(), 14);
  const t = await apiCall(page, 'POST', '/api/v1/trainings', {
    training: {
      title: '在宅看取りのプロセスを家族に説明する演習 (M3)',
      description: 'ケアマネジャー・訪問看護師・医師向け。痩せる等の経過を家族に説明する演習と資料づくり。',
      audiences: ['AUDIENCE_ROLE_CARE_MANAGERS', 'AUDIENCE_ROLE_VISITING_NURSES', 'AUDIENCE_ROLE_PHYSICIANS', 'AUDIENCE_ROLE_COORDINATORS'],
      sessionsAreOneCourse: true,
      sessions: [{
        startsAt: tokyoTimestamp(day, { hour: 14, minute: 0 }),
        endsAt: tokyoTimestamp(day, { hour: 16, minute: 0 }),
        venue: `稲城市役所 会議室 ${Date.now() % 100000}-${rooms}`,
        capacity: 30,
      }],
      surveyItems: [
        { id: 'q1', question: '研修の内容は、日々の業務に役立つと思いますか', kind: 'SURVEY_ITEM_KIND_LIKERT', required: true },
      ],
    },
  });
  await open(page, cfg, `#/trainings/${t.id}`, t.title);
  return t;
}

const getTraining = (id) => apiCall(page, 'GET', `/api/v1/trainings/${id}`);
const focusedId = () => page.evaluate(() => document.activeElement && document.activeElement.id);

test('研修の概要 changed with the keyboard only, a session changed and one added, each read back through the API', async () => {
  const t = await ownTraining();
  const framework = await apiCall(page, 'GET', '/api/v1/skill-framework');
  const skill = framework.skills.find((x) => x.levels.some((l) => l.level === 'SKILL_LEVEL_PRACTITIONER'));

  // The keyboard: the disclosure, Tab to the theme, type, Enter sends.
  const summary = page.locator('summary', { hasText: '研修の概要を変更する' });
  await summary.focus();
  await page.keyboard.press('Enter');
  const form = page.locator('form[aria-label="研修の概要を変更する"]');
  await form.waitFor();
  await page.keyboard.press('Tab');
  const theme = form.getByLabel('研修のテーマ');
  assert.ok(await theme.evaluate((el) => el === document.activeElement), 'Tab from the disclosure lands on the theme');
  const title = `看取りの説明演習 (改訂 ${Date.now() % 100000})`;
  await page.keyboard.press('Control+A');
  await page.keyboard.type(title);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('家族への説明を、ロールプレイで練習します。');
  await form.getByLabel(skill.name, { exact: true }).selectOption({ label: '実践者' });
  await form.getByLabel(/^1市区町村あたりの申込上限/).fill('２');
  await theme.focus();
  const saved = await during(page, 'PATCH', /^\/api\/v1\/trainings\/trn_[^/]+$/, () => page.keyboard.press('Enter'));
  assert.equal(saved.status(), 200, await saved.text());
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  await statusLine(page).filter({ hasText: '研修の概要を変更しました' }).waitFor();
  assert.equal(await focusedId(), 'info-h', 'the focus lands on the outline, not on the page');
  const changed = await getTraining(t.id);
  assert.equal(changed.title, title);
  assert.equal(changed.description, '家族への説明を、ロールプレイで練習します。');
  assert.equal(changed.quotaPerMunicipality, 2, 'the full-width quota read');
  assert.deepEqual(changed.targetSkills, [{ skillCode: skill.code, level: 'SKILL_LEVEL_PRACTITIONER' }]);
  assert.deepEqual(changed.surveyItems, t.surveyItems, 'what the form does not show stays as it was');
  assert.deepEqual(changed.sessions.map((x) => x.id), t.sessions.map((x) => x.id));
  assert.equal(Number(changed.version), Number(t.version) + 1);
  await page.locator('.facts', { hasText: `${skill.name} (実践者)` }).waitFor();

  // A second session, added from the page.
  await page.locator('summary', { hasText: '回を追加する' }).click();
  const addForm = page.locator('form[aria-label="回を追加する"]');
  const day = addDays(tokyoToday(), 21);
  await addForm.getByLabel('開催日').fill(`${day.year}/${day.month}/${day.day}`);
  await addForm.getByLabel('会場').fill(`稲城市役所 第2会議室 ${Date.now() % 100000}`);
  await addForm.getByLabel('定員').fill('20');
  const added = await during(page, 'POST', /\/sessions$/, () => addForm.getByRole('button', { name: '回を追加' }).click());
  assert.equal(added.status(), 200, await added.text());
  await page.getByRole('heading', { level: 2, name: '回 (2回)' }).waitFor();
  assert.equal(await focusedId(), 'sessions-h');
  const two = await getTraining(t.id);
  assert.equal(two.sessions.length, 2);
  assert.match(two.sessions[1].venue, /^稲城市役所 第2会議室 \d+$/);
  assert.equal(isoDate(tokyoDateTime(new Date(two.sessions[1].startsAt)).date), isoDate(day));

  // That session changed: its form opens under the table with the focus on its first field;
  // やめる gives the focus back. (Its start moves within its day, after the first session: see
  // the report on IndexPut for a first session moved earlier.)
  const edit = page.getByRole('button', { name: '第2回を変更する' });
  await edit.click();
  const sessionForm = page.locator('form[aria-label="第2回を変更する"]');
  assert.ok(await sessionForm.getByLabel('開催日').evaluate((el) => el === document.activeElement), 'the focus on the session\'s date');
  assert.equal(await edit.getAttribute('aria-expanded'), 'true');
  assert.equal(await sessionForm.getByLabel('会場').inputValue(), two.sessions[1].venue, 'the form holds the session');
  await sessionForm.getByRole('button', { name: 'やめる' }).click();
  assert.equal(await sessionForm.count(), 0);
  assert.ok(await edit.evaluate((el) => el === document.activeElement), 'やめる gives the focus back to 変更');
  await edit.click();
  await sessionForm.getByLabel('開始時刻').fill('１３：３０');
  const plaza = `稲城市地域振興プラザ 大会議室 ${Date.now() % 100000}`;
  await sessionForm.getByLabel('会場').fill(plaza);
  await sessionForm.getByLabel('定員').fill('４０');
  const sessionSaved = await during(page, 'PATCH', /\/sessions\/ses_[^/]+$/, () => sessionForm.getByRole('button', { name: '第2回の変更を保存' }).click());
  assert.equal(sessionSaved.status(), 200);
  await statusLine(page).filter({ hasText: '第2回を変更しました' }).waitFor();
  assert.equal(await focusedId(), 'sessions-h');
  const afterSession = await getTraining(t.id);
  const s2 = afterSession.sessions[1];
  assert.equal(s2.id, two.sessions[1].id);
  assert.equal(s2.venue, plaza);
  assert.equal(s2.capacity, 40, 'the full-width capacity read');
  assert.equal(formatTime(s2.startsAt), '13:30', 'the full-width time read');
  assert.equal(s2.endsAt, two.sessions[1].endsAt, 'the end as it was');
  assert.deepEqual(afterSession.sessions[0], two.sessions[0], 'the other session as it was');
  const row = page.locator('table.sessions tbody tr').nth(1);
  assert.equal(await row.locator('td.session-state').textContent(), '残り 40席');
  await atBothWidths(page, cfg, 'training-page', `#/trainings/${t.id}`);
});

test('研修の中止: the reason first, then an in-page confirmation; Escape says no, 中止する cancels', async () => {
  const t = await ownTraining();
  const reg = await apiCall(page, 'POST', '/api/v1/registrations', {
    registration: {
      trainingId: t.id, participantId: `e2e-cancel-${Date.now()}`, participantName: '稲城 一郎',
      municipalityCode: '132250', role: 'AUDIENCE_ROLE_CARE_MANAGERS',
    },
  });
  assert.equal(reg.status, 'REGISTRATION_STATUS_CONFIRMED');
  await open(page, cfg, `#/trainings/${t.id}`, t.title);
  assert.match(await page.locator('#training-state').textContent(), /申込受付中/);
  await page.locator('summary', { hasText: 'この研修を中止する' }).click();
  const form = page.locator('form[aria-label="研修を中止する"]');
  const submit = form.getByRole('button', { name: '研修を中止する' });
  // No reason: said next to the field, the focus on it, nothing sent.
  await submit.click();
  await form.getByText('中止の理由を入力してください').waitFor();
  assert.ok(await form.getByLabel(/^中止の理由/).evaluate((el) => el === document.activeElement));
  await form.getByLabel(/^中止の理由/).fill('講師の急病のため');

  // The confirmation (in the page): named by its question, what follows in words, the focus in it.
  await submit.click();
  const dialog = page.getByRole('dialog', { name: `「${t.title}」を中止しますか` });
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /元に戻せません/);
  assert.match(await dialog.textContent(), /いまの申込 1件 \(参加確定 1件・キャンセル待ち 0件\) は記録として残ります/);
  assert.match(await dialog.textContent(), /中止の理由「講師の急病のため」が表示されます/);
  assert.ok(await dialog.evaluate((el) => el.contains(document.activeElement)), 'the focus in the confirmation');
  await page.setViewportSize({ width: 390, height: 844 });
  await dialog.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(cfg.screenshots, 'training-cancel-confirm-390.png') });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.ok(await submit.evaluate((el) => el === document.activeElement), 'Escape gives the focus back to the button');
  assert.equal((await getTraining(t.id)).status, 'TRAINING_STATUS_SCHEDULED', 'nothing cancelled');
  // やめる does the same.
  await submit.click();
  await dialog.getByRole('button', { name: 'やめる' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.ok(await submit.evaluate((el) => el === document.activeElement), 'やめる gives the focus back to the button');

  await submit.click();
  await dialog.waitFor();
  const cancelled = await during(page, 'POST', /\/cancel$/, () => dialog.getByRole('button', { name: '中止する', exact: true }).click());
  assert.equal(cancelled.status(), 200, await cancelled.text());
  await statusLine(page).filter({ hasText: '研修を中止しました' }).waitFor();
  const state = page.locator('#training-state');
  await state.filter({ hasText: '中止' }).waitFor();
  assert.match(await state.textContent(), /^状態: 中止 中止の理由: 講師の急病のため$/);
  assert.equal(await focusedId(), 'training-state', 'the focus on the state, which now says 中止');
  const after = await getTraining(t.id);
  assert.equal(after.status, 'TRAINING_STATUS_CANCELLED');
  assert.equal(after.cancellationReason, '講師の急病のため');
  assert.ok(after.sessions.every((x) => x.cancelled));
  // Nothing left to change; the sessions say 中止 in words.
  assert.equal(await page.locator('summary', { hasText: '研修の概要を変更する' }).count(), 0);
  assert.equal(await page.locator('form[aria-label="研修を中止する"]').count(), 0);
  assert.equal(await page.locator('table.sessions td.session-state').first().textContent(), '中止');

  // The list, cancelled ones shown: its card says 中止.
  const fy = (() => { const d = tokyoDateTime(new Date(t.sessions[0].startsAt)).date; return d.month >= 4 ? d.year : d.year - 1; })();
  await open(page, cfg, `#/trainings?view=list&fy=${fy}&cancelled=1`, '研修');
  const card = page.locator('li.card.training', { has: page.locator(`a[href="#/trainings/${t.id}"]`) });
  assert.equal(await card.locator('.state-line').textContent(), '状態: 中止');
});

test('この研修に出席したコーディネーター: the peers of a training, named where they agreed', async () => {
  const t = await ownTraining();
  const stamp = Date.now();
  const register = (name, consent) => apiCall(page, 'POST', '/api/v1/registrations', {
    registration: {
      trainingId: t.id, participantId: `e2e-peer-${name.length}-${stamp}`, participantName: name,
      municipalityCode: '132250', role: 'AUDIENCE_ROLE_COORDINATORS', networkConsent: consent,
    },
  });
  const a = await register('多摩 さくら', true);
  const b = await register('多摩 ひかりこ', false);
  await apiCall(page, 'POST', `/api/v1/trainings/${t.id}/sessions/${t.sessions[0].id}/attendance`, {
    entries: [{ registrationId: a.id, attended: true }, { registrationId: b.id, attended: true }],
  });
  await open(page, cfg, `#/trainings/${t.id}`, t.title);
  const section = page.locator('section', { has: page.getByRole('heading', { level: 2, name: 'この研修に出席したコーディネーター (2人)' }) });
  await section.waitFor();
  const rows = await section.locator('table.peers tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => r[0]).sort(), ['多摩 さくら', '氏名は非公開'].sort(), 'a name only with consent');
  assert.ok(rows.every((r) => r[1] === '東京都稲城市' && r[2] === 'コーディネーター'), JSON.stringify(rows));
  const peers = await apiCall(page, 'GET', `/api/v1/peers?training_id=${t.id}`);
  assert.equal(peers.peers.length, 2);
});

test('スキルの枠組み: the framework by group and level, for everyone', async () => {
  await open(page, cfg, '#/trainings', '研修');
  await page.getByRole('link', { name: 'スキルの枠組み' }).click();
  await page.getByRole('heading', { level: 1, name: 'スキルの枠組み' }).waitFor();
  const framework = await apiCall(page, 'GET', '/api/v1/skill-framework');
  assert.match(await page.locator('main p.meta').first().textContent(), new RegExp(`^第${framework.version}版 ／ .+ ／ スキル ${framework.skills.length}件$`));
  assert.equal(await page.locator('li.card.skill').count(), framework.skills.length, 'every skill, once');
  for (const skill of framework.skills) {
    const card = page.locator('li.card.skill', { has: page.getByRole('heading', { level: 3, name: skill.name, exact: true }) });
    assert.equal(await card.count(), 1, skill.name);
    const levels = await card.locator('dt').allTextContents();
    const want = ['SKILL_LEVEL_BEGINNER', 'SKILL_LEVEL_PRACTITIONER', 'SKILL_LEVEL_LEAD']
      .filter((lv) => skill.levels.some((d) => d.level === lv))
      .map((lv) => ({ SKILL_LEVEL_BEGINNER: '初任者', SKILL_LEVEL_PRACTITIONER: '実践者', SKILL_LEVEL_LEAD: '指導者' })[lv]);
    assert.deepEqual(levels, want, `${skill.name}: its levels in order`);
  }
  // The groups as headings, each with its number of skills.
  const groups = await page.locator('section.skill-group h2').allTextContents();
  assert.ok(groups.length >= 1 && groups.every((g) => /^.+ \(\d+\)$/.test(g)), JSON.stringify(groups));
  assert.equal(groups.reduce((n, g) => n + Number(g.match(/\((\d+)\)$/)[1]), 0), framework.skills.length);
  // A municipality's instance publishes nothing: no editor.
  assert.equal(await page.getByRole('heading', { name: '新しい版を公開する' }).count(), 0);
  await atBothWidths(page, cfg, 'skills', '#/trainings/skills');
});

test('スキルの枠組み: the editor of the next version, published after the confirmation (a national session, stubbed)', async () => {
  // What the national instance's gateway would say: this session may publish. The publication
  // itself is answered here, so the shared instance's framework stays as it is.
  const framework = await apiCall(page, 'GET', '/api/v1/skill-framework');
  let sent = null;
  await page.route('**/api/v1/session', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.instance = { ...(body.instance || {}), level: 'national' };
    body.permissions = [...(body.permissions || []), 'TrainingService.GetSkillFramework', 'TrainingService.PublishSkillFramework'];
    await route.fulfill({ response, json: body });
  });
  await page.route('**/api/v1/skill-framework', async (route) => {
    if (route.request().method() !== 'PUT') return route.fallback();
    sent = route.request().postDataJSON();
    return route.fulfill({ json: { version: framework.version + 1, skills: sent.skills, publishedAt: new Date().toISOString() } });
  });
  try {
    await page.goto(`${cfg.base}/#/intake`);
    await page.reload();
    await open(page, cfg, '#/trainings/skills', 'スキルの枠組み');
    await page.locator('summary', { hasText: `第${framework.version + 1}版を作る` }).click();
    const form = page.locator('form[aria-label="スキルの枠組みの新しい版"]');
    const first = framework.skills[0];
    assert.equal(await form.getByLabel('スキル1の名前').inputValue(), first.name);
    await form.getByLabel('スキル1の名前').fill(`${first.name} (改)`);
    await form.getByRole('button', { name: 'スキルを追加' }).click();
    const n = framework.skills.length + 1;
    const name = form.getByLabel(`スキル${n}の名前`);
    assert.ok(await name.evaluate((el) => el === document.activeElement), 'the new row\'s name is focused');
    await name.fill('住民向け講座の企画');
    await form.getByLabel(`スキル${n}のグループ`).selectOption({ label: '研修の企画・運営' });
    await form.getByLabel(`スキル${n}: 初任者の段階でできること`).fill('先輩と一緒に講座を準備できる');
    await form.getByRole('button', { name: `第${framework.version + 1}版として公開する` }).click();
    const dialog = page.getByRole('dialog', { name: `スキルの枠組み 第${framework.version + 1}版を公開しますか` });
    // (the confirmation in the page, under the button)
    await dialog.waitFor();
    assert.match(await dialog.textContent(), new RegExp(`スキル ${n}件 \\(追加 1件・削除 0件・変更 1件\\)`));
    assert.match(await dialog.textContent(), /追加: 「住民向け講座の企画」/);
    await dialog.getByRole('button', { name: '公開する', exact: true }).click();
    await statusLine(page).filter({ hasText: `スキルの枠組み 第${framework.version + 1}版を公開しました` }).waitFor();
    assert.equal(sent.expectedVersion, framework.version);
    assert.equal(sent.skills.length, n);
    assert.equal(sent.skills[0].code, first.code, 'a skill keeps its code');
    assert.equal(sent.skills[0].name, `${first.name} (改)`);
    const added = sent.skills[n - 1];
    assert.match(added.code, /^s[0-9a-f]{12}$/, 'a new skill\'s code comes from its name');
    assert.deepEqual(added.levels, [{ level: 'SKILL_LEVEL_BEGINNER', description: '先輩と一緒に講座を準備できる' }]);
    assert.equal(added.group, 'SKILL_GROUP_TRAINING_PLANNING');
  } finally {
    await page.unroute('**/api/v1/session');
    await page.unroute('**/api/v1/skill-framework');
    await page.reload();
  }
});

// Optional: with a coordinator's account (RENKEI_COORDINATOR_LOGIN / _PASSWORD). Once the gateway
// lists what a session may do, a coordinator is offered no 研修を作る form and no form to change a
// training, but may register; before that, a call the role may not make shows 権限がありません.
const coordinator = process.env.RENKEI_COORDINATOR_LOGIN;
test('a coordinator is offered no 研修を作る form (or is told 権限がありません)', { skip: !coordinator && 'RENKEI_COORDINATOR_LOGIN not set' }, async () => {
  const t = await ownTraining();
  await page.context().clearCookies();
  await page.goto(`${cfg.base}/#/trainings`);
  await page.getByRole('heading', { level: 1, name: 'ログイン' }).waitFor();
  await page.getByLabel('ログインID').fill(coordinator);
  await page.getByLabel('パスワード').fill(process.env.RENKEI_COORDINATOR_PASSWORD || cfg.password);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.getByRole('heading', { level: 1, name: '研修' }).waitFor();
  const session = await apiCall(page, 'GET', '/api/v1/session');
  if (Array.isArray(session.permissions)) {
    assert.ok(!session.permissions.includes('TrainingService.CreateTraining'), 'a coordinator may not create a training');
    assert.equal(await page.getByRole('heading', { name: '研修を作る' }).count(), 0);
    assert.equal(await page.locator('form[aria-label="研修を作る"]').count(), 0);
    await open(page, { ...cfg, login: coordinator, password: process.env.RENKEI_COORDINATOR_PASSWORD || cfg.password }, `#/trainings/${t.id}`, t.title);
    for (const hidden of ['研修の概要を変更する', '回を追加する', 'この研修を中止する']) {
      assert.equal(await page.locator('summary', { hasText: hidden }).count(), 0, `no ${hidden}`);
    }
    assert.equal(await page.getByRole('button', { name: '第1回を変更する' }).count(), 0);
    await page.locator('form[aria-label="研修に申し込む"]').waitFor();
  } else {
    if (!(await page.locator('form[aria-label="研修を作る"]').isVisible())) await page.getByText('研修と最初の回を登録する').click();
    const form = page.locator('form[aria-label="研修を作る"]');
    await form.getByLabel('研修のテーマ').fill('権限の確認');
    await form.getByRole('group', { name: /^対象/ }).getByLabel('コーディネーター', { exact: true }).check();
    const r = await during(page, 'POST', /^\/api\/v1\/trainings$/, () => form.getByRole('button', { name: '研修を作る' }).click());
    assert.equal(r.status(), 403);
    await form.getByRole('alert').filter({ hasText: /^権限がありません/ }).waitFor();
  }
  await page.getByRole('button', { name: 'ログアウト' }).click();
  await page.getByRole('heading', { level: 1, name: 'ログイン' }).waitFor();
});
