// The console's browser tests, 相談受付: worked example 1 clicked through (the care manager's call
// about Parkinson's, matched outside Inagi, referred after a confirmation that can be cancelled,
// declined — the candidate then marked 辞退 and listed last —, followed up, the seed recorded),
// a referral withdrawn (取り下げ, after its confirmation; the service refuses a second outcome),
// the same flow with the keyboard only, the recorded details corrected (PATCH) with a field
// error next to its field, the service's field errors on the new-consultation form (and on
// 資源検索's), an expired CSRF cookie renewed, what a user who may only read is shown, and the
// screens at a phone's and a desk's width (atBothWidths).
//
//   RENKEI_GATEWAY_URL=http://127.0.0.1:7180 RENKEI_LOGIN=inagi-demo RENKEI_PASSWORD=... \
//     node console/tests/screens/intake.mjs
//
// (the variables and defaults of console/README.md; exits non-zero when a test fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  config, useBrowser, screenshot, during, open, statusLine, apiCall, atBothWidths, newContext, logIn,
} from '../lib.mjs';
import { SEED_THEME, workedExample1 } from '../fixtures.mjs';

const cfg = await config();
let page;
let browser;
useBrowser(cfg, (launched) => { ({ page, browser } = launched); });
const seen = {}; // the consultation of worked example 1, for the CSRF test

// Where the keyboard is: the focused element's tag, id, role and name; never <body>.
async function focused(where) {
  const f = await page.evaluate(() => {
    const el = document.activeElement;
    return {
      tag: el ? el.tagName.toLowerCase() : '',
      id: el ? el.id : '',
      role: el ? el.getAttribute('role') || '' : '',
      name: el ? (el.getAttribute('aria-label') || [...(el.labels || [])].map((l) => l.textContent).join(' ')
        || el.textContent || '').trim().slice(0, 80) : '',
      body: !el || el === document.body || el === document.documentElement,
    };
  });
  assert.ok(!f.body, `${where}: the focus was lost to <body>`);
  return f;
}

// Presses Tab until the focused element's accessible name matches `name` (at most `max` times).
async function tabTo(name, max = 12) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    const f = await focused(`Tab towards ${name}`);
    if (typeof name === 'string' ? f.name === name : name.test(f.name)) return f;
  }
  throw new Error(`Tab did not reach ${name} in ${max} presses`);
}

// The requests of `method` to a path matching `pattern` made while `action` runs.
async function requestsDuring(method, pattern, action) {
  const sent = [];
  const listen = (r) => { if (r.method() === method && pattern.test(new URL(r.url()).pathname)) sent.push(r); };
  page.on('request', listen);
  try {
    await action();
  } finally {
    page.off('request', listen);
  }
  return sent;
}

// A consultation of worked example 1, made and matched through the API but not yet referred.
async function matchedConsultation() {
  const c = await apiCall(page, 'POST', '/api/v1/consultations', {
    channel: 'CHANNEL_PHONE',
    sourceType: 'SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER',
    needs: [{ capability: 'parkinsons', alsoRequires: ['home_visit_medical'] }],
  });
  const { consultation } = await apiCall(page, 'POST', `/api/v1/consultations/${encodeURIComponent(c.id)}/match`, {
    expectedVersion: c.version, candidatesPerNeed: 5,
  });
  return consultation;
}

test('worked example 1: a care manager\'s call about Parkinson\'s, matched outside Inagi, referred, declined, followed up, seed recorded', async () => {
  await open(page, cfg, '#/intake', '相談受付');
  // The list has a row to show (a fresh instance has none yet).
  await apiCall(page, 'POST', '/api/v1/consultations', {
    channel: 'CHANNEL_PHONE', sourceType: 'SOURCE_TYPE_PATIENT_FAMILY', needs: [{ capability: 'home_visit_medical' }],
  });
  await open(page, cfg, '#/intake', '相談受付');
  await page.locator('table.consultations tbody tr').first().waitFor();
  // さらに表示 only when there is more to show.
  const complete = !/以上$/.test(await page.locator('p.count').textContent());
  assert.equal(await page.getByRole('button', { name: 'さらに表示' }).isVisible(), !complete);
  await atBothWidths(page, cfg, '01-intake-list', '相談の一覧');
  // On paper: the list, without the filter, the buttons and the link to a new consultation.
  await page.emulateMedia({ media: 'print' });
  assert.ok(await page.locator('table.consultations').isVisible());
  assert.ok(!(await page.locator('form[aria-label="相談の絞り込み"]').isVisible()), 'the filter is not printed');
  assert.ok(!(await page.getByRole('link', { name: '新しい相談を受け付ける' }).isVisible()), 'the link is not printed');
  assert.equal(await page.locator('table.consultations tbody tr').first().evaluate((tr) => getComputedStyle(tr).display), 'table-row',
    'printed as a table');
  await screenshot(page, cfg, '01-intake-list-print.png');
  await page.emulateMedia({ media: 'screen' });
  await open(page, cfg, '#/intake/new', '新しい相談を受け付ける');
  await atBothWidths(page, cfg, '02-intake-form-empty', '新しい相談');
  await page.getByLabel('相談の経路').selectOption({ label: '電話' });
  await page.getByLabel('ケアマネジャー／地域包括支援センター', { exact: true }).check();
  await page.getByLabel('相談者の氏名').fill('ケアマネジャー 山田 花子');
  await page.getByLabel('相談者の所属 (事業所など)').fill('稲城ひまわり居宅介護支援事業所');
  await page.getByLabel('相談者の連絡先 (電話・メール)').fill('０４２-３７８-５５５５');
  await page.getByLabel('本人の氏名').fill('稲城 一郎');
  await page.getByLabel('本人の生年月日').fill('昭和２３年３月１２日');
  await page.getByLabel('本人の住所').fill('稲城市東長沼2111-7');
  await page.getByLabel('要介護度').selectOption({ label: '要介護2' });
  await page.getByRole('group', { name: '疾患・状態' }).getByLabel('神経疾患').check();
  await page.getByLabel('相談内容').fill('パーキンソン病。通院が難しくなってきたため、パーキンソン病に強い訪問診療医を探している。');
  const need = page.getByRole('group', { name: 'ニーズ 1' });
  await need.getByLabel('必要な機能').selectOption({ label: 'パーキンソン病' });
  await need.getByRole('group', { name: /あわせて必要な機能/ }).getByLabel('訪問診療', { exact: true }).check();
  await screenshot(page, cfg, '02-intake-form.png');

  const created = await during(page, 'POST', /^\/api\/v1\/consultations$/, () => page.getByRole('button', { name: '相談を受け付ける' }).click());
  assert.equal(created.status(), 200);
  const body = await created.json();
  assert.equal(body.requester.contact, '042-378-5555', 'full-width contact normalized');
  assert.deepEqual(body.person.birthDate, { year: 1948, month: 3, day: 12 }, '昭和23年 read as 1948');
  seen.consultation = body.id;
  await page.waitForURL(new RegExp(`#/intake/${body.id}$`));
  // Said by the form, kept on the screen it opened.
  await statusLine(page).filter({ hasText: /^相談を受け付けました$/ }).waitFor();
  const summary = page.locator('section', { has: page.getByRole('heading', { name: '相談の内容' }) });
  // (the facts recorded, not the edit form's fields below them)
  await summary.locator('dl.facts').getByText('1948年3月12日 (75〜84歳)').waitFor();
  await summary.locator('dl.facts').getByText('ケアマネジャー／地域包括支援センター').waitFor();

  const matched = await during(page, 'POST', /\/match$/, () => page.getByRole('button', { name: '資源を照合する' }).click());
  assert.equal(matched.status(), 200);
  const rows = page.locator('table.candidates tbody tr');
  await rows.first().waitFor();
  await page.getByText(/稲城市内に該当する資源がありません/).waitFor();
  const count = await rows.count();
  assert.ok(count >= 2, `candidates: ${count}`);
  for (let i = 0; i < count; i += 1) {
    const row = rows.nth(i);
    assert.doesNotMatch(await row.locator('td.municipality').textContent(), /稲城市/);
    assert.equal(await row.locator('td.relation').textContent(), '市区町村外');
    assert.match(await row.locator('td.distance').textContent(), /^約?\d+\.\d km$/);
  }
  assert.equal(await rows.first().locator('th').textContent(), 'てんかんと脳神経内科の訪問クリニック柏');
  assert.match(await rows.first().locator('td.distance').textContent(), /^約?49\.\d km$/);
  assert.equal(await rows.first().locator('td.municipality').textContent(), '千葉県柏市');
  await screenshot(page, cfg, '03-consultation-matched.png');
  await atBothWidths(page, cfg, '03-consultation-matched', '照合した相談');
  // At a phone's width each candidate is a card: its name, its place and its button on lines
  // of their own, not one character per line.
  await page.setViewportSize({ width: 390, height: 844 });
  const narrow = await rows.first().evaluate((tr) => {
    const box = (el) => el.getBoundingClientRect();
    return {
      display: getComputedStyle(tr).display,
      place: box(tr.querySelector('td.municipality')).height,
      line: parseFloat(getComputedStyle(tr.querySelector('td.municipality')).lineHeight) || 24,
      button: box(tr.querySelector('button')).height,
    };
  });
  assert.equal(narrow.display, 'block', 'a candidate is a card at 390 px');
  assert.ok(narrow.place <= narrow.line * 1.6, `the place holds on one line (${narrow.place}px)`);
  assert.ok(narrow.button < 60, `the button is not wrapped character by character (${narrow.button}px)`);
  await page.setViewportSize({ width: 1280, height: 900 });

  // 紹介する asks first: the confirmation names the resource and the due date; やめる records
  // nothing and puts the focus back on the button.
  const referButton = rows.first().getByRole('button', { name: /に紹介する$/ });
  await referButton.click();
  const ask = page.getByRole('dialog', { name: 'てんかんと脳神経内科の訪問クリニック柏 に紹介しますか' });
  await ask.waitFor();
  assert.equal((await focused('the confirmation')).role, 'dialog', 'the focus moves into the confirmation');
  assert.match(await ask.textContent(), /千葉県柏市、約?49\.\d km\) に、ニーズ 1「パーキンソン病 ＋ 訪問診療」を紹介します。/);
  assert.match(await ask.textContent(), /回答期限: \d{4}年\d{1,2}月\d{1,2}日/);
  await screenshot(page, cfg, '03a-referral-confirm.png');
  const cancelled = await requestsDuring('POST', /\/referrals$/, async () => {
    await ask.getByRole('button', { name: 'やめる' }).click();
    await ask.waitFor({ state: 'detached' });
  });
  assert.deepEqual(cancelled, [], 'やめる records nothing');
  assert.equal((await focused('after やめる')).name, 'てんかんと脳神経内科の訪問クリニック柏 に紹介する', 'the focus is back on the button');
  await page.locator('section', { has: page.getByRole('heading', { name: '紹介', exact: true }) }).getByText('まだ紹介していません。').waitFor();

  await referButton.click();
  const referred = await during(page, 'POST', /\/referrals$/, () => ask.getByRole('button', { name: '紹介する', exact: true }).click());
  assert.equal(referred.status(), 200);
  const referredBody = await referred.json();
  assert.equal(referredBody.referrals.length, 1, 'one referral recorded');
  const card = page.locator('li.referral').first();
  await card.getByRole('heading', { name: '紹介 1: てんかんと脳神経内科の訪問クリニック柏' }).waitFor();
  assert.equal((await focused('after the referral')).id, `referral-${referredBody.referrals[0].id}-h`, 'the focus is on the new referral');
  await card.locator('.outcome', { hasText: '回答待ち' }).waitFor();
  await rows.first().locator('td.ref-state', { hasText: '回答待ち (紹介 1)' }).waitFor();
  assert.equal(await rows.first().getByRole('button').count(), 0, 'a candidate waiting for its answer is not referred twice');
  await card.getByLabel('紹介 1 の結果', { exact: true }).selectOption({ label: '辞退' });
  await card.getByLabel('紹介 1 の辞退の理由').selectOption({ label: '訪問範囲外' });
  await card.getByLabel('紹介 1 の結果のメモ').fill('遠すぎる (約50km、訪問範囲外とのこと)');
  const outcome = await during(page, 'POST', /\/outcome$/, () => card.getByRole('button', { name: '結果を記録' }).click());
  assert.equal(outcome.status(), 200);
  const done = page.locator('li.referral').first();
  await done.locator('.outcome', { hasText: '辞退・訪問範囲外' }).waitFor();
  await done.getByText('遠すぎる (約50km、訪問範囲外とのこと)').waitFor();

  // The declined clinic: marked 辞退, listed after the others, and sent again only on purpose
  // (a quieter もう一度紹介する whose confirmation recalls the decline).
  const declined = rows.last();
  assert.equal(await declined.locator('th').textContent(), 'てんかんと脳神経内科の訪問クリニック柏');
  assert.equal(await declined.locator('td.ref-state').textContent(), '辞退・訪問範囲外 (紹介 1)');
  assert.equal(await rows.first().locator('td.ref-state').textContent(), '未紹介');
  assert.match(await rows.first().getByRole('button').getAttribute('aria-label'), / に紹介する$/, 'the first button refers someone new');
  const again = declined.getByRole('button', { name: 'てんかんと脳神経内科の訪問クリニック柏 にもう一度紹介する' });
  await again.click();
  const askAgain = page.getByRole('dialog', { name: 'てんかんと脳神経内科の訪問クリニック柏 にもう一度紹介しますか' });
  await askAgain.getByText('この資源には紹介 1 で紹介済みです (辞退・訪問範囲外)。').waitFor();
  await page.keyboard.press('Escape');
  await askAgain.waitFor({ state: 'detached' });
  assert.match((await focused('after Escape')).name, /にもう一度紹介する$/);
  await screenshot(page, cfg, '03b-candidate-declined.png');

  const followUps = page.locator('section', { has: page.getByRole('heading', { name: 'フォローアップ', exact: true }) });
  await followUps.getByLabel('フォローアップの内容').fill('ケアマネジャーに、一般の訪問診療医でも対応できるか確認する');
  await followUps.getByLabel('担当').fill('コーディネーター 佐藤');
  await during(page, 'POST', /\/follow-ups$/, () => followUps.getByRole('button', { name: 'フォローアップを追加' }).click());
  const fu = page.locator('li.follow-up', { hasText: 'ケアマネジャーに、一般の訪問診療医でも対応できるか確認する' });
  await fu.getByText('未完了').waitFor();
  // A second one, done at once: 完了にする.
  await page.getByLabel('フォローアップの内容').fill('紹介先に辞退の理由を確認する');
  await during(page, 'POST', /\/follow-ups$/, () => page.getByRole('button', { name: 'フォローアップを追加' }).click());
  await during(page, 'POST', /\/follow-ups\/[^/]+\/done$/, () => page.getByRole('button', { name: '「紹介先に辞退の理由を確認する」を完了にする' }).click());
  await page.locator('li.follow-up', { hasText: '紹介先に辞退の理由を確認する' }).locator('.badge.done').waitFor();

  await page.getByLabel('地域課題のテーマ').fill(SEED_THEME);
  await page.getByLabel('タグ (読点・カンマ区切り)').fill('パーキンソン病');
  const seeded = await during(page, 'POST', /\/seed$/, () => page.getByRole('button', { name: '地域課題のタネとして記録' }).click());
  assert.equal(seeded.status(), 200);
  const seedBody = await seeded.json();
  const seed = seedBody.seeds.find((s) => !s.automatic);
  assert.equal(seed.theme, SEED_THEME);
  assert.deepEqual(seed.tags, ['パーキンソン病']);
  assert.equal(seed.capability, 'parkinsons');
  await page.locator('li.seed', { hasText: SEED_THEME }).locator('.tag', { hasText: 'パーキンソン病' }).waitFor();
  await page.locator('li.seed .badge', { hasText: '自動 (資源の空白)' }).waitFor();
  assert.equal(seedBody.status, 'CONSULTATION_STATUS_REFERRED');
  await screenshot(page, cfg, '04-consultation-followed-up.png');
});

test('bad input: the service\'s field errors appear next to their field', async () => {
  await open(page, cfg, '#/intake/new', '新しい相談を受け付ける');
  await page.getByLabel('相談の経路').selectOption({ label: '電話' });
  await page.getByLabel('患者・家族', { exact: true }).check();
  await page.getByLabel('本人の生年月日').fill('２０９９-０１-０１');
  const r = await during(page, 'POST', /^\/api\/v1\/consultations$/, () => page.getByRole('button', { name: '相談を受け付ける' }).click());
  assert.equal(r.status(), 400);
  const birth = page.getByLabel('本人の生年月日');
  await page.locator('input[aria-invalid="true"]').first().waitFor();
  assert.equal(await birth.getAttribute('aria-invalid'), 'true');
  const described = (await birth.getAttribute('aria-describedby')).split(' ');
  const errId = described.find((id) => id.endsWith('-err'));
  const err = page.locator(`[id="${errId}"]`);
  assert.match(await err.textContent(), /未来の日付です/);
  // Next to the field: in the same wrapper, right after the input.
  assert.ok(await err.evaluate((el, inputId) => el.parentElement.contains(document.getElementById(inputId)), await birth.getAttribute('id')));
  assert.match(await page.locator('form[aria-label="相談受付票"] [role="alert"]').textContent(), /入力に誤りがあります/);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-invalid')), 'true', 'focus moves to the first wrong field');
  await screenshot(page, cfg, '05-field-error.png');

  // A date that is not a date is caught before sending.
  await page.getByLabel('本人の生年月日').fill('あした');
  await page.getByRole('button', { name: '相談を受け付ける' }).click();
  await page.locator(`[id="${errId}"]`, { hasText: '日付として読めません' }).waitFor();

  await open(page, cfg, '#/resources', '資源検索');
  const code = page.getByLabel('市区町村コード (所在または訪問対象)');
  await code.fill('999999');
  const bad = await during(page, 'GET', /^\/api\/v1\/resources$/, () => page.getByRole('button', { name: '検索', exact: true }).click());
  assert.equal(bad.status(), 400);
  await page.locator('input[aria-invalid="true"]').first().waitFor();
  assert.equal(await code.getAttribute('aria-invalid'), 'true');
  const codeErr = (await code.getAttribute('aria-describedby')).split(' ').find((id) => id.endsWith('-err'));
  assert.match(await page.locator(`[id="${codeErr}"]`).textContent(), /市区町村コード/);
});

test('an expired CSRF cookie is renewed: the change goes through on the second try', async () => {
  await open(page, cfg, `#/intake/${seen.consultation}`, null);
  await page.evaluate(() => { document.cookie = 'renkei_csrf=; Max-Age=0; Path=/'; });
  await page.getByLabel('フォローアップの内容').fill('協議会の意見をケアマネジャーに伝える');
  const statuses = [];
  const listen = (r) => { if (/\/follow-ups$/.test(new URL(r.url()).pathname)) statuses.push(r.status()); };
  page.on('response', listen);
  await page.getByRole('button', { name: 'フォローアップを追加' }).click();
  await page.locator('li.follow-up', { hasText: '協議会の意見をケアマネジャーに伝える' }).waitFor();
  page.off('response', listen);
  assert.deepEqual(statuses, [403, 200]);
});

test('取り下げる: a referral not answered yet is withdrawn after its confirmation; the service refuses a second outcome', async () => {
  await open(page, cfg, '#/intake', '相談受付');
  const c = await workedExample1(page); // referred to the nearest candidate, no answer yet
  const ref = c.referrals[0];
  await open(page, cfg, `#/intake/${c.id}`, null);
  const card = page.locator('li.referral').first();
  await card.locator('.outcome', { hasText: '回答待ち' }).waitFor();
  assert.deepEqual(await card.getByLabel('紹介 1 の結果', { exact: true }).locator('option').allTextContents(),
    ['選択してください', '受入', '辞退'], 'before its due date: no 期限内に回答なし, and 取り下げ only by its button');

  // Past its due date (the answer as it will read then): 回答期限切れ, in words, with the days.
  const route = `**/api/v1/consultations/${c.id}`;
  await page.route(route, async (r) => {
    const response = await r.fetch();
    const json = await response.json();
    json.referrals[0].responseDue = { year: 2020, month: 4, day: 1 };
    await r.fulfill({ response, json });
  });
  try {
    await page.reload();
    const late = page.locator('li.referral').first();
    await late.locator('.outcome', { hasText: /^回答期限切れ$/ }).waitFor();
    await late.getByText(/日過ぎています/).waitFor();
    assert.ok((await late.getAttribute('class')).includes('ref-overdue'));
    assert.ok((await late.getByLabel('紹介 1 の結果', { exact: true }).locator('option').allTextContents()).includes('期限内に回答なし'));
    await page.locator('table.candidates td.ref-state', { hasText: '回答期限切れ (紹介 1)' }).waitFor();
    await screenshot(page, cfg, '06a-referral-overdue.png');
  } finally {
    await page.unroute(route);
    await page.reload();
  }
  await card.locator('.outcome', { hasText: '回答待ち' }).waitFor();
  const withdraw = card.getByRole('button', { name: `紹介 1 (${ref.resourceName}) を取り下げる` });

  // やめる: nothing sent, the focus back on 取り下げる.
  await withdraw.click();
  const ask = page.getByRole('dialog', { name: '紹介 1 を取り下げますか' });
  await ask.getByText(`${ref.resourceName} への紹介を取り下げます。`, { exact: false }).waitFor();
  assert.equal((await focused('the withdrawal\'s confirmation')).role, 'dialog');
  assert.ok(!(await withdraw.isVisible()), '取り下げる is not offered twice while its confirmation is open');
  const none = await requestsDuring('POST', /\/outcome$/, async () => {
    await ask.getByRole('button', { name: 'やめる' }).click();
    await ask.waitFor({ state: 'detached' });
  });
  assert.deepEqual(none, []);
  assert.equal((await focused('after やめる')).name, `紹介 1 (${ref.resourceName}) を取り下げる`);

  await withdraw.click();
  await ask.getByLabel('紹介 1 の取り下げの理由 (任意)').fill('別の相談と取り違えたため');
  const r = await during(page, 'POST', /\/outcome$/, () => ask.getByRole('button', { name: '取り下げる', exact: true }).click());
  assert.equal(r.status(), 200, await r.text());
  assert.equal(r.request().postDataJSON().outcome, 'REFERRAL_OUTCOME_WITHDRAWN');
  const body = await r.json();
  const after = body.referrals.find((x) => x.id === ref.id);
  assert.equal(after.outcome, 'REFERRAL_OUTCOME_WITHDRAWN');
  assert.equal(after.outcomeNote, '別の相談と取り違えたため');
  assert.ok(after.outcomeAt, 'the withdrawal is dated');
  await card.locator('.outcome', { hasText: /^取り下げ$/ }).waitFor();
  assert.equal((await focused('after the withdrawal')).id, `referral-${ref.id}-h`, 'the focus is on the referral withdrawn');
  await statusLine(page).filter({ hasText: `紹介 1 (${ref.resourceName}) を取り下げました` }).waitFor();
  assert.equal(await card.getByRole('button').count(), 0, 'a withdrawn referral takes no outcome and no second withdrawal');
  // The candidate: marked 取り下げ, after the others.
  const rows = page.locator('table.candidates tbody tr');
  assert.equal(await rows.last().locator('th').textContent(), ref.resourceName);
  assert.equal(await rows.last().locator('td.ref-state').textContent(), '取り下げ (紹介 1)');
  await screenshot(page, cfg, '06-referral-withdrawn.png');

  // The service: an outcome already recorded is not replaced.
  const again = await page.evaluate(async ([id, refId, version]) => {
    const csrf = decodeURIComponent((document.cookie.match(/(?:^|; )renkei_csrf=([^;]*)/) || [])[1] || '');
    const res = await fetch(`/api/v1/consultations/${id}/referrals/${refId}/outcome`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ expectedVersion: version, outcome: 'REFERRAL_OUTCOME_WITHDRAWN' }),
    });
    return { status: res.status, body: await res.json() };
  }, [c.id, ref.id, body.version]);
  assert.equal(again.status, 400);
  assert.equal(again.body.error.code, 'FAILED_PRECONDITION');
  assert.deepEqual(again.body.error.fields.map((f) => f.field), ['referral_id']);
});

test('keyboard only: match, refer, confirm, withdraw — the focus always somewhere sensible', async () => {
  await open(page, cfg, '#/intake', '相談受付');
  const c = await matchedConsultation();
  await open(page, cfg, `#/intake/${c.id}`, null);
  const first = c.needs[0].candidates[0];

  // Match again from the keyboard: the focus goes on to the section's heading.
  await page.getByRole('button', { name: '資源を照合する' }).focus();
  const matched = await during(page, 'POST', /\/match$/, () => page.keyboard.press('Enter'));
  assert.equal(matched.status(), 200);
  await page.locator('table.candidates').waitFor();
  assert.equal((await focused('after matching')).id, 'needs-h');

  await tabTo(`${first.name} に紹介する`);
  await page.keyboard.press('Enter');
  assert.equal((await focused('the confirmation')).role, 'dialog');
  await page.keyboard.press('Escape');
  assert.equal((await focused('after Escape')).name, `${first.name} に紹介する`);
  await page.keyboard.press('Enter');
  assert.equal((await focused('the confirmation again')).role, 'dialog');
  await tabTo('紹介する', 2);
  const referred = await during(page, 'POST', /\/referrals$/, () => page.keyboard.press('Enter'));
  assert.equal(referred.status(), 200);
  const ref = (await referred.json()).referrals[0];
  await page.locator(`#referral-${ref.id}-h`).waitFor();
  assert.equal((await focused('after the referral')).id, `referral-${ref.id}-h`);

  await tabTo(`紹介 1 (${first.name}) を取り下げる`);
  await page.keyboard.press('Enter');
  assert.equal((await focused('the withdrawal\'s confirmation')).role, 'dialog');
  await tabTo('紹介 1 の取り下げの理由 (任意)', 1);
  await page.keyboard.type('紹介先を間違えたため');
  await tabTo('取り下げる', 2);
  const withdrawn = await during(page, 'POST', /\/outcome$/, () => page.keyboard.press('Enter'));
  assert.equal(withdrawn.status(), 200);
  assert.equal((await withdrawn.json()).referrals[0].outcome, 'REFERRAL_OUTCOME_WITHDRAWN');
  await page.locator('li.referral .outcome', { hasText: '取り下げ' }).waitFor();
  assert.equal((await focused('after the withdrawal')).id, `referral-${ref.id}-h`);
});

test('記録した内容を修正する: the details corrected and read back; a wrong birth date shown next to its field', async () => {
  await open(page, cfg, `#/intake/${seen.consultation}`, null);
  const summary = page.locator('section', { has: page.getByRole('heading', { name: '相談の内容' }) });
  await summary.locator('summary', { hasText: '記録した内容を修正する' }).click();
  const form = page.locator('form[aria-label="記録した内容を修正する"]');
  // The fields hold what was recorded.
  assert.equal(await form.getByLabel('本人の住所').inputValue(), '稲城市東長沼2111-7');
  assert.equal(await form.getByLabel('本人の生年月日').inputValue(), '1948-03-12');
  assert.equal(await form.getByLabel('相談者の連絡先 (電話・メール)').inputValue(), '042-378-5555');

  // A birth date in the future: the service's error next to the field, in Japanese.
  await form.getByLabel('本人の生年月日').fill('２０９９-０１-０１');
  const bad = await during(page, 'PATCH', /^\/api\/v1\/consultations\/[^/]+$/, () => form.getByRole('button', { name: '修正を保存' }).click());
  assert.equal(bad.status(), 400);
  const birth = form.getByLabel('本人の生年月日');
  await form.locator('input[aria-invalid="true"]').first().waitFor();
  assert.equal(await birth.getAttribute('aria-invalid'), 'true');
  const errId = (await birth.getAttribute('aria-describedby')).split(' ').find((id) => id.endsWith('-err'));
  const err = page.locator(`[id="${errId}"]`);
  assert.match(await err.textContent(), /未来の日付です/);
  assert.ok(await err.evaluate((el, inputId) => el.parentElement.contains(document.getElementById(inputId)), await birth.getAttribute('id')),
    'the error sits next to its field');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-invalid')), 'true', 'focus on the wrong field');
  await screenshot(page, cfg, '07-edit-field-error.png');

  // Corrected: only the parts that changed are sent; the page shows them, and so does a reload.
  await birth.fill('昭和２３年３月１２日');
  await form.getByLabel('本人の住所').fill('稲城市東長沼2111-8');
  await form.getByLabel('相談内容').fill('パーキンソン病。通院が難しくなってきた。訪問診療医を探している (住所を訂正)。');
  const saved = await during(page, 'PATCH', /^\/api\/v1\/consultations\/[^/]+$/, () => form.getByRole('button', { name: '修正を保存' }).click());
  assert.equal(saved.status(), 200, await saved.text());
  const sent = saved.request().postDataJSON();
  assert.deepEqual(Object.keys(sent).sort(), ['expectedVersion', 'narrative', 'person']);
  assert.deepEqual(sent.person.birthDate, { year: 1948, month: 3, day: 12 });
  const body = await saved.json();
  assert.equal(body.person.address, '稲城市東長沼2111-8');
  assert.equal(body.person.careLevel, 'CARE_LEVEL_CARE_2', 'the rest of the person kept');
  assert.equal(body.requester.contact, '042-378-5555', 'the requester untouched');
  await statusLine(page).filter({ hasText: '相談の内容を修正しました' }).waitFor();
  assert.equal((await focused('after saving')).id, 'summary-h');
  await summary.getByText('稲城市東長沼2111-8').waitFor();
  await page.reload();
  await page.locator('section', { has: page.getByRole('heading', { name: '相談の内容' }) }).getByText('稲城市東長沼2111-8').waitFor();
  await page.getByText('訪問診療医を探している (住所を訂正)。').waitFor();
});

test('who may only read sees no button or form that would change anything', async () => {
  // The session as the gateway answers a prefecture's staff: only the reading calls.
  const readOnly = ['IntakeService.GetConsultation', 'IntakeService.ListConsultations', 'IntakeService.GetDigest',
    'IntakeService.ListIssueSeeds'];
  await page.route('**/api/v1/session', async (route) => {
    const response = await route.fetch();
    const session = await response.json();
    await route.fulfill({ response, json: { ...session, permissions: readOnly } });
  });
  try {
    await open(page, cfg, '#/intake', '相談受付');
    await page.reload();
    await page.locator('table.consultations').waitFor();
    assert.equal(await page.getByRole('link', { name: '新しい相談を受け付ける' }).count(), 0);
    await open(page, cfg, `#/intake/${seen.consultation}`, null);
    await page.getByRole('heading', { name: '紹介', exact: true }).waitFor();
    const main = page.locator('main');
    assert.equal(await main.locator('form').count(), 0, 'no form');
    assert.equal(await main.getByRole('button').count(), 0, 'no button');
    assert.equal(await main.locator('summary', { hasText: '記録した内容を修正する' }).count(), 0);
    await main.locator('td.ref-state', { hasText: '辞退・訪問範囲外 (紹介 1)' }).waitFor(); // the states still shown
    await open(page, cfg, '#/intake/new', '新しい相談を受け付ける');
    await page.getByText('この役割では相談を受け付けられません (権限がありません)。', { exact: false }).waitFor();
    assert.equal(await page.locator('main form').count(), 0);
  } finally {
    await page.unroute('**/api/v1/session');
    await page.reload();
  }
});

const coordinator = process.env.RENKEI_COORDINATOR_LOGIN;
test('a coordinator may refer and correct as municipal staff do', { skip: !coordinator && 'RENKEI_COORDINATOR_LOGIN not set' }, async () => {
  const { context, page: other, problems } = await newContext(browser);
  try {
    await other.goto(`${cfg.base}/#/intake/${seen.consultation}`);
    await logIn(other, { ...cfg, login: coordinator, password: process.env.RENKEI_COORDINATOR_PASSWORD || cfg.password });
    await other.getByRole('heading', { name: '紹介', exact: true }).waitFor();
    const session = await other.evaluate(async () => (await fetch('/api/v1/session')).json());
    assert.ok(Array.isArray(session.permissions), 'the gateway lists what the user may do');
    for (const m of ['IntakeService.Refer', 'IntakeService.RecordReferralOutcome', 'IntakeService.UpdateConsultation']) {
      assert.ok(session.permissions.includes(m), `a coordinator may call ${m}`);
    }
    await other.locator('summary', { hasText: '記録した内容を修正する' }).waitFor();
    await other.getByRole('button', { name: /にもう一度紹介する$/ }).first().waitFor();
    await other.getByRole('button', { name: '資源を照合する' }).waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
