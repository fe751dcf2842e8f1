// The console's browser tests, 普及啓発 and 情報共有 (issue 20, acceptance 1): staff publish a 人生会議
// workshop for residents; a resident registers on the public page on a phone (390 px) and gets the
// confirmation mail, a second one waits; the first cancels by the mail's link and the second is
// promoted and mailed; attendance, paper answer sheets and the public questionnaire give the
// awareness results, the derived indicators and the progress of an expected change. Then the
// professionals' page: a document and a notice, a subscriber confirmed by mail who receives the
// notice once and leaves by its link. axe-core on every public view.
//
//   RENKEI_GATEWAY_URL=... RENKEI_LOGIN=... RENKEI_PASSWORD=... RENKEI_MAILDIR=<aiosmtpd Maildir> \
//     node console/tests/screens/outreach.mjs
//
// (tests/console/outreach_browser_test.cc runs it against an instance with an SMTP server.)
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  config, launch, newContext, open, during, eventually, screenshot, apiCall, vocabularyLeaks, reloadUntil,
} from '../lib.mjs';
import { workedExample2 } from '../fixtures.mjs';

const cfg = await config();
const maildir = process.env.RENKEI_MAILDIR || '';
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TITLE = '人生会議 (ACP) ワークショップ';
const ITEMS = ['人生会議 (ACP) を知っている', 'もしものときのことを家族と話したことがある'];
const NOTICE = '在宅医療・介護連携研修のお知らせ';

let browser;
let staff; // the municipal staff's page (1280 px)
let staffProblems;
let resident; // a resident's phone (390 px), no log-in
let residentProblems;
const seen = {};

before(async () => {
  assert.ok(maildir, 'RENKEI_MAILDIR is not set: the SMTP server\'s Maildir');
  ({ browser, page: staff, problems: staffProblems } = await launch(cfg));
  staff.on('dialog', (d) => d.accept()); // the screens' confirmations (notify, withdraw)
  ({ page: resident, problems: residentProblems } = await newContext(browser));
  await resident.setViewportSize({ width: 390, height: 844 });
  resident.on('dialog', (d) => d.accept());
  await open(staff, cfg, '#/trainings', '研修');
});
after(async () => { await browser?.close(); });
afterEach(async (t) => {
  // A failed test leaves both pages as they were, for the log's reader.
  if (t && t.name && !staff.isClosed()) {
    await staff.screenshot({ path: path.join(cfg.screenshots, 'outreach-last-staff.png'), fullPage: true }).catch(() => {});
    await resident.screenshot({ path: path.join(cfg.screenshots, 'outreach-last-resident.png'), fullPage: true }).catch(() => {});
  }
  for (const [who, page, problems] of [['staff', staff, staffProblems], ['resident', resident, residentProblems]]) {
    if (!page.isClosed() && page.url().startsWith('http')) {
      assert.deepEqual(await vocabularyLeaks(page), [], `${who}: ${page.url()} shows words of the machine`);
    }
    assert.deepEqual(problems.splice(0), [], `${who}: the page reported errors`);
  }
});

/** The mails in the Maildir: {to, text} with the base64 body decoded. */
async function mails() {
  const dir = path.join(maildir, 'new');
  let names = [];
  try { names = await readdir(dir); } catch { return []; }
  const out = [];
  for (const name of names) {
    const raw = await readFile(path.join(dir, name), 'utf8');
    const at = raw.search(/\r?\n\r?\n/);
    const head = raw.slice(0, at);
    const body = Buffer.from(raw.slice(at).replace(/\s+/g, ''), 'base64').toString('utf8');
    out.push({ to: (head.match(/^To: (.*)$/m) || [])[1]?.trim() || '', text: `${head}\n\n${body}` });
  }
  return out;
}

/** The first mail to `to` whose text matches `pattern` (waits for it). */
async function mailTo(to, pattern) {
  return eventually(async () => (await mails()).find((m) => m.to === to && pattern.test(m.text)),
    { what: `a mail to ${to} matching ${pattern}`, timeout: 30000 });
}

/** The link after `marker` in a mail's text. */
function linkIn(text, marker) {
  const m = text.match(new RegExp(`(https?://\\S+${marker}\\S+)`));
  assert.ok(m, `no ${marker} link in:\n${text}`);
  return m[1];
}

async function axe(page, where) {
  // Evaluated through the DevTools protocol, which the page's CSP (no inline scripts) does not govern.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  });
  const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${where}: axe-core found serious violations`);
  console.log(`axe-core, ${where}: ${result.length ? result.map((v) => `${v.id} (${v.impact}, ${v.nodes})`).join(', ') : 'no violations'}`);
}

/** The page does not scroll sideways at its width. */
async function fitsTheWidth(page, where) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${where}: ${overflow}px wider than the screen`);
}

/** A resident registers for the workshop on the phone; the receipt's heading. */
async function register(name, contact, party) {
  await resident.goto(`${cfg.base}/events/`);
  await resident.getByRole('heading', { level: 1, name: '稲城市の在宅医療・介護 住民向けイベント' }).waitFor();
  const card = resident.locator('li.card', { hasText: TITLE });
  await card.getByRole('link', { name: /詳細/ }).click();
  await resident.getByRole('heading', { level: 1, name: TITLE }).waitFor();
  await resident.getByLabel(/^お名前/).fill(name);
  await resident.getByLabel(/^ご連絡先/).fill(contact);
  await resident.getByLabel('参加人数').selectOption(String(party));
  const r = await during(resident, 'POST', /^\/public\/v1\/events\/register$/,
    () => resident.getByRole('button', { name: '申し込む' }).click());
  assert.equal(r.status(), 200, await r.text());
  const receipt = resident.locator('h1#receipt-title');
  await receipt.waitFor();
  return { heading: (await receipt.textContent()).trim(), answer: await r.json() };
}

test('staff publish a 人生会議 workshop for residents, with themes and an awareness questionnaire', async () => {
  await open(staff, cfg, '#/trainings', '研修');
  if (!(await staff.locator('form[aria-label="研修を作る"]').isVisible())) await staff.getByText('研修と最初の回を登録する').click();
  const form = staff.locator('form[aria-label="研修を作る"]');
  await form.getByLabel('研修のテーマ').fill(TITLE);
  await form.getByLabel('研修の説明').fill('もしものときの医療やケアについて、家族と話し合ってみませんか。');
  await form.getByLabel('住民向けの公開イベントにする (公開ページで申込を受け付ける)').check();
  assert.ok(await form.getByRole('group', { name: /^対象/ }).getByLabel('地域住民', { exact: true }).isChecked(),
    'a public event is for residents: 地域住民 is ticked');
  await form.getByLabel('テーマのタグ (読点・カンマ・空白で区切る)').fill('看取り、ACP');
  await form.getByLabel('項目1の文').fill(ITEMS[0]);
  await form.getByLabel('項目2の文').fill(ITEMS[1]);
  await form.getByLabel('会場').fill('稲城市地域振興プラザ');
  await form.getByLabel('定員').fill('3');
  const r = await during(staff, 'POST', /^\/api\/v1\/trainings$/, () => form.getByRole('button', { name: '研修を作る' }).click());
  assert.equal(r.status(), 200, await r.text());
  seen.training = await r.json();
  assert.equal(seen.training.publicEvent, true);
  assert.deepEqual(seen.training.themeTags, ['看取り', 'ACP']);
  assert.deepEqual(seen.training.awarenessItems.map((i) => i.statement), ITEMS);
  seen.item = seen.training.awarenessItems[0].id;
  await staff.waitForURL(/#\/trainings\/trn_/);
  await staff.getByRole('heading', { level: 2, name: '住民向けの公開イベント' }).waitFor();

  // The 看取り issue (worked example 2) gets an expected change the questionnaire measures.
  const issue = await workedExample2(staff);
  const withE4 = await apiCall(staff, 'POST', `/api/v1/issues/${encodeURIComponent(issue.id)}/expected-changes`, {
    expectedVersion: issue.version,
    expectedChange: {
      label: 'E4', description: '人生会議を知っている住民が増える',
      indicator: {
        code: `derived.awareness.${seen.item}.after`, nameJa: '人生会議を知っている住民の割合',
        kind: 'INDICATOR_KIND_RATIO', methods: ['MEASUREMENT_METHOD_SURVEY'],
        frequency: 'MEASUREMENT_FREQUENCY_MONTHLY', direction: 'DIRECTION_HIGHER_IS_BETTER',
        baseline: 0.3, target: 0.6,
      },
    },
  });
  seen.issue = withE4.id;
});

test('a resident registers on a phone, gets the confirmation mail; a second waits', async () => {
  await resident.goto(`${cfg.base}/events/`);
  await resident.getByRole('heading', { level: 1, name: '稲城市の在宅医療・介護 住民向けイベント' }).waitFor();
  await resident.locator('li.card', { hasText: TITLE }).waitFor();
  await fitsTheWidth(resident, 'the events at 390 px');
  await axe(resident, 'the events at 390 px');
  await screenshot(resident, cfg, '26-events-mobile.png');

  const first = await register('稲城 花子', 'hanako@example.jp', 2);
  assert.equal(first.heading, 'お申し込みを受け付けました');
  assert.equal(first.answer.status, 'REGISTRATION_STATUS_CONFIRMED');
  assert.equal(first.answer.mailQueued, true);
  assert.match(await resident.locator('a#cancel-link').getAttribute('href'), /\/events\/#cancel=reg_/);
  await fitsTheWidth(resident, 'the receipt at 390 px');
  await axe(resident, 'the receipt at 390 px');
  await screenshot(resident, cfg, '27-events-receipt.png');
  const mail = await mailTo('hanako@example.jp', /お申し込みを受け付けました/);
  assert.match(mail.text, /稲城 花子 様/);
  assert.match(mail.text, /人数: 2 名/);
  seen.cancelLink = linkIn(mail.text, '#cancel=');
  assert.equal(seen.cancelLink, await resident.locator('a#cancel-link').getAttribute('href'));

  const second = await register('稲城 一郎', 'ichiro@example.jp', 2);
  assert.equal(second.heading, 'キャンセル待ちで受け付けました');
  assert.equal(second.answer.waitlistPosition, 1);
  await mailTo('ichiro@example.jp', /キャンセル待ち \(1 番目\)/);
});

test('the first cancels by the mail\'s link; the waiting one is promoted and mailed', async () => {
  await resident.goto(seen.cancelLink);
  await resident.getByRole('heading', { level: 1, name: 'お申し込みの確認・取り消し' }).waitFor();
  await axe(resident, 'the cancellation at 390 px');
  await resident.getByRole('button', { name: '申込を取り消す' }).click();
  const r = await during(resident, 'POST', /^\/public\/v1\/events\/cancel$/,
    () => resident.getByRole('button', { name: 'はい、取り消します' }).click());
  assert.equal(r.status(), 200, await r.text());
  await resident.getByRole('heading', { level: 1, name: 'お申し込みを取り消しました' }).waitFor();
  await screenshot(resident, cfg, '28-events-cancel.png');
  await mailTo('hanako@example.jp', /お申し込みを取り消しました/);
  const promoted = await mailTo('ichiro@example.jp', /参加が確定しました/);
  assert.match(promoted.text, /キャンセル待ちから参加が確定しました/);
});

test('attendance, paper sheets and the public questionnaire: the awareness results', async () => {
  await open(staff, cfg, `#/trainings/${seen.training.id}`, TITLE);
  const attendance = staff.locator('form[aria-label="第1回の出欠"]');
  await attendance.getByLabel(/稲城 一郎.*第1回に出席/).check();
  const a = await during(staff, 'POST', /\/attendance$/, () => attendance.getByRole('button', { name: '第1回の出欠を記録' }).click());
  assert.equal(a.status(), 200, await a.text());
  // The page is drawn again with the attendance: wait for it before filling the next form.
  await staff.locator('.status-region', { hasText: '第1回の出欠を記録しました' }).waitFor();
  await staff.getByText('稲城 一郎 (公開ページ・2人) 第1回に出席').waitFor();

  // Two paper sheets from before the talk.
  for (const [acp, family] of [[2, 1], [4, 2]]) {
    const sheet = staff.locator('form[aria-label="紙の回答票を入力する"]');
    await sheet.getByLabel('回答票の時期').selectOption({ label: '参加前' });
    const groups = sheet.getByRole('radiogroup');
    const count = await groups.count();
    const boxes = count ? groups : sheet.getByRole('group');
    await boxes.filter({ hasText: ITEMS[0] }).getByLabel(new RegExp(`^${acp} `)).check();
    await boxes.filter({ hasText: ITEMS[1] }).getByLabel(new RegExp(`^${family} `)).check();
    const s = await during(staff, 'POST', /\/awareness$/, () => sheet.getByRole('button', { name: '登録', exact: true }).click())
      .catch(async (err) => {
        console.log(`sheet: ${await sheet.innerText()}`);
        throw err;
      });
    assert.equal(s.status(), 200, await s.text());
  }

  // Two residents answer after the talk on their phones (the link shown at the venue).
  for (const [acp, family] of [[5, 4], [4, 2]]) {
    await resident.goto('about:blank'); // the same link again is a fresh page, as on another phone
    await resident.goto(`${cfg.base}/events/#awareness=${seen.training.id}&phase=after`);
    await resident.getByRole('heading', { level: 1, name: '参加後アンケート' }).waitFor();
    await resident.locator('fieldset', { hasText: ITEMS[0] }).getByLabel(new RegExp(`^${acp} `)).check();
    await resident.locator('fieldset', { hasText: ITEMS[1] }).getByLabel(new RegExp(`^${family} `)).check();
    const s = await during(resident, 'POST', /^\/public\/v1\/events\/awareness$/,
      () => resident.getByRole('button', { name: '回答を送信する' }).click());
    assert.equal(s.status(), 200, await s.text());
    await resident.locator('h1#thanks-title').waitFor();
  }
  await axe(resident, 'the questionnaire\'s thanks at 390 px');

  await open(staff, cfg, `#/trainings/${seen.training.id}`, TITLE);
  const results = staff.locator('table.awareness-results');
  await results.waitFor();
  const row = results.locator('tr', { hasText: ITEMS[0] });
  assert.match(await row.textContent(), /50\.0%.*100\.0%.*\+50\.0ポイント/s);
  await screenshot(staff, cfg, '29-awareness-results.png');
});

test('the indicators: residents\' events held, participants, awareness; the expected change\'s progress', async () => {
  const codes = async () => (await apiCall(staff, 'GET', '/api/v1/indicators')).definitions.map((d) => d.spec.code);
  await eventually(async () => {
    const have = await codes();
    return ['derived.resident_events_held', 'derived.resident_participants', `derived.awareness.${seen.item}.after`]
      .every((c) => have.includes(c));
  }, { what: 'the derived indicators of the workshop', timeout: 30000 });
  const series = await apiCall(staff, 'GET', '/api/v1/indicators/derived.resident_participants/series?jurisdictionCode=132250');
  assert.equal(series.points.at(-1).value, 2, 'the promoted couple came');
  // The issue's E4 follows the questionnaire: 2 of 2 after the talk agree.
  await eventually(async () => {
    const p = await apiCall(staff, 'GET', `/api/v1/issues/${encodeURIComponent(seen.issue)}/progress`);
    const e4 = p.indicators.find((i) => i.definition.spec.code === `derived.awareness.${seen.item}.after`);
    return e4 && e4.latest === 1 && e4.baseline === 0.3 && e4.target === 0.6;
  }, { what: 'E4\'s latest value', timeout: 30000 });
  await open(staff, cfg, `#/indicators?issue=${seen.issue}`, '指標');
  const progress = staff.locator('section', { has: staff.getByRole('heading', { name: '地域課題の期待値の進捗' }) });
  await eventually(() => reloadUntil(staff, async () => (await progress.locator('svg.line-chart').count()) >= 4, '#progress-h'),
    { what: 'the issue\'s four expected changes', timeout: 30000 });
  const labels = await progress.locator('svg.line-chart').evaluateAll((svgs) => svgs.map((s) => s.getAttribute('aria-label')));
  assert.ok(labels.some((l) => /人生会議/.test(l || '') && /目標/.test(l || '')), `no chart of E4 in ${JSON.stringify(labels)}`);
});

test('the professionals\' page: a document and a notice, a subscriber confirmed by mail, mailed once, leaving by the link', async () => {
  // Staff publish the discharge rule.
  await open(staff, cfg, '#/sharing', '情報共有');
  await staff.locator('summary', { hasText: '新しく公開する' }).click();
  const doc = staff.locator('form[aria-label="ルール・様式を新しく公開する"]');
  await doc.getByLabel('題名').fill('稲城市入退院支援ルール');
  await doc.getByLabel('種類').selectOption({ label: 'ルール' });
  await doc.getByLabel(/^公開ページに載せる/).check();
  await doc.getByLabel('ファイル').setInputFiles({
    name: '入退院支援ルール.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n稲城市入退院支援ルール\n%%EOF\n'),
  });
  const d = await during(staff, 'POST', /^\/api\/v1\/documents$/, () => doc.getByRole('button', { name: '公開する' }).click());
  assert.equal(d.status(), 200, await d.text());
  seen.document = await d.json();

  // A care manager subscribes on the public page and confirms by the mail.
  await resident.setViewportSize({ width: 1280, height: 900 });
  await resident.goto(`${cfg.base}/board/`);
  await resident.getByRole('heading', { level: 1, name: '稲城市 医療・介護関係者向けのお知らせ' }).waitFor();
  await resident.locator(`article#${seen.document.id}`).waitFor();
  await resident.getByLabel(/^メールアドレス/).fill('cm@kyotaku.example.jp');
  await resident.locator('fieldset#f-audiences').getByLabel('ケアマネジャー', { exact: true }).check();
  const s = await during(resident, 'POST', /^\/public\/v1\/subscriptions$/, () => resident.getByRole('button', { name: '登録する' }).click());
  assert.equal(s.status(), 200, await s.text());
  await eventually(async () => /確認のメールを送りました/.test(await resident.locator('#subscribe-answer').textContent()),
    { what: 'the subscription\'s answer' });
  const confirm = await mailTo('cm@kyotaku.example.jp', /#confirm=/);
  await resident.goto(linkIn(confirm.text, '#confirm='));
  await resident.getByRole('heading', { level: 1, name: 'お知らせメールの登録の確認' }).waitFor();
  await resident.locator('#view').getByText(/登録が完了しました/).waitFor();

  // Staff send a notice linking the rule (confirmed: it mails the subscribers).
  await open(staff, cfg, '#/sharing', '情報共有');
  await staff.locator('summary', { hasText: 'お知らせを出す' }).click();
  const notice = staff.locator('form[aria-label="お知らせを出す"]');
  await notice.getByLabel('件名').fill(NOTICE);
  await notice.getByLabel('本文').fill('12月に多職種連携研修を開きます。改定した入退院支援ルールもご確認ください。');
  await notice.getByLabel('ケアマネジャー', { exact: true }).check();
  await notice.getByLabel(/^公開ページに載せる/).check();
  await notice.getByRole('button', { name: 'リンクを追加' }).click();
  await notice.getByLabel('リンク1の種類').selectOption({ label: 'ルール・様式' });
  await notice.getByLabel('リンク1のルール・様式').selectOption({ label: '稲城市入退院支援ルール' });
  const n = await during(staff, 'POST', /^\/api\/v1\/notices$/, () => notice.getByRole('button', { name: 'お知らせを公開する' }).click());
  assert.equal(n.status(), 200, await n.text());
  assert.equal((await n.json()).mailsQueued, 1);

  // Exactly one: one was queued (mailsQueued above, keyed by subscriber and notice), one came.
  const mailed = await mailTo('cm@kyotaku.example.jp', new RegExp(NOTICE));
  assert.equal((await mails()).filter((m) => m.to === 'cm@kyotaku.example.jp' && m.text.includes(NOTICE)).length, 1);

  await resident.goto(`${cfg.base}/board/`);
  await resident.locator('section#notices article', { hasText: NOTICE }).waitFor();
  await axe(resident, 'the professionals\' page at 1280 px');
  await screenshot(resident, cfg, '30-board.png');
  await resident.setViewportSize({ width: 390, height: 844 });
  await fitsTheWidth(resident, 'the professionals\' page at 390 px');
  await axe(resident, 'the professionals\' page at 390 px');
  const file = await resident.request.get(`${cfg.base}/public/v1/documents/${seen.document.id}/file`);
  assert.equal(file.status(), 200);
  assert.equal(file.headers()['content-type'], 'application/pdf');
  assert.match(file.headers()['content-disposition'], /filename\*=UTF-8''/);
  const feed = await resident.request.get(`${cfg.base}/public/v1/notices.atom`);
  assert.match(await feed.text(), new RegExp(`<title>${NOTICE}</title>`));

  // Leaving by the link in the notice's mail.
  await resident.goto(linkIn(mailed.text, '#unsubscribe='));
  await resident.getByRole('heading', { level: 1, name: 'お知らせメールの配信停止' }).waitFor();
  const u = await during(resident, 'POST', /^\/public\/v1\/subscriptions\/unsubscribe$/,
    () => resident.getByRole('button', { name: '配信を停止する' }).click());
  assert.equal(u.status(), 200, await u.text());
  await resident.locator('#view').getByText(/配信を停止しました/).waitFor();
});
