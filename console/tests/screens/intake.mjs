// The console's browser tests, 相談受付: worked example 1 clicked through (the care manager's call
// about Parkinson's, matched outside Inagi, referred, declined, followed up, the seed recorded),
// the service's field errors next to their fields (on 資源検索's form too), and an expired CSRF
// cookie renewed on the consultation just made.
//
//   RENKEI_GATEWAY_URL=http://127.0.0.1:7180 RENKEI_LOGIN=inagi-demo RENKEI_PASSWORD=... \
//     node console/tests/screens/intake.mjs
//
// (the variables and defaults of console/README.md; exits non-zero when a test fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  config, useBrowser, screenshot, during, open, statusLine,
} from '../lib.mjs';
import { SEED_THEME } from '../fixtures.mjs';

const cfg = await config();
let page;
useBrowser(cfg, (launched) => { ({ page } = launched); });
const seen = {}; // the consultation of worked example 1, for the CSRF test

test('worked example 1: a care manager\'s call about Parkinson\'s, matched outside Inagi, referred, declined, followed up, seed recorded', async () => {
  await open(page, cfg, '#/intake/new', '新しい相談を受け付ける');
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
  await summary.getByText('1948年3月12日 (75〜84歳)').waitFor();
  await summary.getByText('ケアマネジャー／地域包括支援センター').waitFor();

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

  const referred = await during(page, 'POST', /\/referrals$/, () => rows.first().getByRole('button', { name: /に紹介する$/ }).click());
  assert.equal(referred.status(), 200);
  const card = page.locator('li.referral').first();
  await card.getByRole('heading', { name: '紹介 1: てんかんと脳神経内科の訪問クリニック柏' }).waitFor();
  await card.getByLabel('紹介 1 の結果', { exact: true }).selectOption({ label: '辞退' });
  await card.getByLabel('紹介 1 の辞退の理由').selectOption({ label: '訪問範囲外' });
  await card.getByLabel('紹介 1 の結果のメモ').fill('遠すぎる (約50km、訪問範囲外とのこと)');
  const outcome = await during(page, 'POST', /\/outcome$/, () => card.getByRole('button', { name: '結果を記録' }).click());
  assert.equal(outcome.status(), 200);
  const done = page.locator('li.referral').first();
  await done.locator('.outcome', { hasText: '辞退・訪問範囲外' }).waitFor();
  await done.getByText('遠すぎる (約50km、訪問範囲外とのこと)').waitFor();

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
