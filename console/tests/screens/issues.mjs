// The console's browser tests, 地域課題: the worksheet of worked example 2 on a new issue, step by
// step, read back after a reload, exported (Markdown, CSV); a council meeting with its minutes;
// a countermeasure's status, a target, a return to step 4 and forward again. Then three
// consultations seeded with one tag become a candidate, accepted as an issue.
//
//   RENKEI_GATEWAY_URL=http://127.0.0.1:7180 RENKEI_LOGIN=inagi-demo RENKEI_PASSWORD=... \
//     node console/tests/screens/issues.mjs
//
// (the variables and defaults of console/README.md; exits non-zero when a test fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  config, useBrowser, screenshot, during, eventually, open, reloadUntil,
} from '../lib.mjs';
import { WS } from '../fixtures.mjs';

const cfg = await config();
let page;
useBrowser(cfg, (launched) => { ({ page } = launched); });
const seen = {}; // the issue made here

test('地域課題: the worksheet of worked example 2 on a new issue, saved, reloaded, exported; a meeting recorded', async () => {
  await open(page, cfg, '#/issues', '地域課題');
  await page.locator('ol.pdca-board > li').nth(6).waitFor();
  assert.equal(await page.locator('ol.pdca-board > li').count(), 7);
  await screenshot(page, cfg, '07-issues-board.png');
  const create = page.locator('form[aria-label="地域課題を作る"]');
  await create.getByLabel('問1 取り組みたい具体的なテーマ').fill(WS.theme);
  await create.getByLabel('タグ (読点・カンマ区切り)').fill('看取り');
  await during(page, 'POST', /^\/api\/v1\/issues$/, () => create.getByRole('button', { name: '地域課題を作る' }).click());
  await page.waitForURL(/#\/issues\/iss_/);
  seen.issue = page.url().split('/').pop();
  await page.getByRole('heading', { level: 1, name: WS.theme }).waitFor();

  const sheet = page.locator('form[aria-label="地域課題ワークシート (問1〜問3)"]');
  const saveAndAdvance = async (step) => {
    const r = await during(page, 'POST', /\/advance$/, () => sheet.getByRole('button', { name: '保存して次のステップへ' }).click());
    assert.equal(r.status(), 200, `advance from step ${step - 1}: ${await r.text()}`);
    await page.getByText(`いまはステップ${step}「`).waitFor();
  };
  // Step 1: 問2.
  await sheet.getByLabel('問2 テーマの「目指す姿」').fill(WS.target);
  await saveAndAdvance(2);
  // Step 2: the current state and a hearing.
  await sheet.getByLabel('現状', { exact: true }).fill(WS.current);
  await sheet.getByRole('button', { name: '根拠を追加' }).click();
  await sheet.getByLabel('根拠1の種類').selectOption({ label: 'ヒアリング (定性)' });
  await sheet.getByLabel('根拠1の内容').fill(WS.hearing);
  await saveAndAdvance(3);
  // Step 3: the issue chosen among options.
  await sheet.getByRole('button', { name: '課題案を追加' }).click();
  await sheet.getByLabel('課題案1', { exact: true }).fill(WS.options[0]);
  await sheet.getByRole('button', { name: '課題案を追加' }).click();
  await sheet.getByLabel('課題案2', { exact: true }).fill(WS.options[1]);
  await sheet.getByLabel('選んだ課題').fill(WS.options[0]);
  await saveAndAdvance(4);
  // Step 4: 問3, four causes, the second the main one, and the root cause.
  for (const [i, text] of WS.causes.entries()) await sheet.getByLabel(`原因${i + 1}`, { exact: true }).fill(text);
  await sheet.getByLabel('原因2を主たる原因にする').check();
  await sheet.getByLabel('根本原因 (主たる原因の背景)').fill(WS.root);
  await saveAndAdvance(5);

  // 問4: M1–M3.
  for (const [labelText, audiences, content] of WS.measures) {
    const form = page.locator('form[aria-label="対策を追加する"]');
    if (!(await form.isVisible())) await page.getByText('対策を追加する', { exact: true }).click();
    assert.equal(await form.getByLabel('対策のラベル').inputValue(), labelText);
    const who = form.getByRole('group', { name: /誰に/ });
    for (const a of audiences) await who.getByLabel(a, { exact: true }).check();
    await form.getByLabel('対策の内容').fill(content);
    await form.getByLabel('対策の担当').fill('稲城市 高齢福祉課・在宅医療介護連携コーディネーター');
    await form.getByLabel('対策の期限').fill('令和9年3月31日');
    const r = await during(page, 'POST', /\/countermeasures$/, () => form.getByRole('button', { name: '対策を追加' }).click());
    assert.equal(r.status(), 200, await r.text());
    await page.locator('li.countermeasure', { hasText: content }).waitFor();
  }
  // 問5: E1–E3 with their indicators.
  for (const [labelText, description, measure, methods, baseline] of WS.expected) {
    const form = page.locator('form[aria-label="期待値を追加する"]');
    if (!(await form.isVisible())) await page.getByText('期待値を追加する', { exact: true }).click();
    assert.equal(await form.getByLabel('期待値のラベル').inputValue(), labelText);
    await form.getByLabel('何がどうなることを期待するか').fill(description);
    await form.getByLabel('何の指標で測るか (指標の名前)').fill(measure);
    const how = form.getByRole('group', { name: /測定方法/ });
    for (const m of methods) await how.getByLabel(m, { exact: true }).check();
    await form.getByLabel('ベースライン (分かれば)').fill(baseline);
    await form.getByLabel('ベースラインの時期').fill('FY2026');
    const r = await during(page, 'POST', /\/expected-changes$/, () => form.getByRole('button', { name: '期待値を追加' }).click());
    assert.equal(r.status(), 200, await r.text());
    await page.locator('li.expected-change', { hasText: description }).waitFor();
  }

  // Read back after a reload.
  await page.reload();
  await page.getByRole('heading', { level: 1, name: WS.theme }).waitFor();
  assert.equal(await sheet.getByLabel('問1 取り組みたい具体的なテーマ').inputValue(), WS.theme);
  assert.equal(await sheet.getByLabel('問2 テーマの「目指す姿」').inputValue(), WS.target);
  assert.equal(await sheet.getByLabel('現状', { exact: true }).inputValue(), WS.current);
  assert.equal(await sheet.getByLabel('根拠1の内容').inputValue(), WS.hearing);
  assert.equal(await sheet.getByLabel('根拠1の種類').inputValue(), 'EVIDENCE_KIND_HEARING');
  assert.equal(await sheet.getByLabel('課題案2', { exact: true }).inputValue(), WS.options[1]);
  assert.equal(await sheet.getByLabel('選んだ課題').inputValue(), WS.options[0]);
  for (const [i, text] of WS.causes.entries()) assert.equal(await sheet.getByLabel(`原因${i + 1}`, { exact: true }).inputValue(), text);
  assert.ok(await sheet.getByLabel('原因2を主たる原因にする').isChecked());
  assert.ok(!(await sheet.getByLabel('原因1を主たる原因にする').isChecked()));
  assert.equal(await sheet.getByLabel('根本原因 (主たる原因の背景)').inputValue(), WS.root);
  const measures = page.locator('li.countermeasure');
  assert.equal(await measures.count(), 3);
  for (const [i, [labelText, audiences, content]] of WS.measures.entries()) {
    assert.equal(await measures.nth(i).locator('.content').textContent(), content);
    assert.equal(await measures.nth(i).locator('dd.audiences').textContent(), audiences.join('、'));
    assert.match(await measures.nth(i).locator('h3').textContent(), new RegExp(`^${labelText}:`));
  }
  const expected = page.locator('li.expected-change');
  assert.equal(await expected.count(), 3);
  assert.equal(await expected.nth(0).locator('.content').textContent(), WS.expected[0][1]);
  assert.equal(await expected.nth(0).locator('dd.indicator-name').textContent(), WS.expected[0][2]);
  await expected.nth(0).getByText('2.4 (FY2026)').waitFor();
  await page.getByText('いまはステップ5「対策立案」です').waitFor();

  // Export: the Markdown worksheet as a file.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Markdownで出力' }).click()]);
  assert.match(download.suggestedFilename(), /^worksheet_iss_.+\.md$/);
  const md = await readFile(await download.path(), 'utf8');
  for (const part of ['【問1】', WS.theme, WS.target, '◎ 主たる原因', WS.root, 'M3', WS.measures[2][2], 'E3', WS.expected[2][1]]) {
    assert.ok(md.includes(part), `worksheet.md has ${part}`);
  }
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSVで出力 (Excel)' }).click()]);
  assert.match(csv.suggestedFilename(), /\.csv$/);
  assert.ok((await readFile(await csv.path(), 'utf8')).startsWith('\uFEFF問,項目'), 'CSV with BOM');

  // The council meeting with its minutes.
  await page.getByText('会議を記録する', { exact: true }).click();
  const meeting = page.locator('form[aria-label="会議を記録する"]');
  await meeting.getByLabel('会議の名称').fill('令和8年度 第2回 在宅医療・介護連携推進協議会');
  await meeting.getByLabel('議題 (1行に1つ)').fill('看取りに関する地域課題と対策 (M1〜M3)');
  await meeting.getByLabel('議事録', { exact: true }).fill('看取りのプロセスを家族に伝える資料が必要との発言があった。');
  await meeting.getByLabel('意見1', { exact: true }).fill('一般の訪問診療医でも、専門医に相談できれば対応できる');
  await meeting.getByLabel('意見1の重み').selectOption({ label: '多数意見' });
  await meeting.getByRole('group', { name: '意見1を述べた職種' }).getByLabel('医師', { exact: true }).check();
  const rec = await during(page, 'POST', /^\/api\/v1\/meetings$/, () => meeting.getByRole('button', { name: '会議を記録' }).click());
  assert.equal(rec.status(), 200, await rec.text());
  const card = page.locator('li.meeting', { hasText: '第2回 在宅医療・介護連携推進協議会' });
  await card.getByText('看取りのプロセスを家族に伝える資料が必要との発言があった。').waitFor();
  await card.getByText('多数意見').waitFor();
  await card.getByText('議事録を更新する').click();
  await card.getByLabel('議事録', { exact: true }).fill('看取りのプロセスを家族に伝える資料が必要との発言があった。M3 の資料づくりは医師会と進める。');
  const upd = await during(page, 'PATCH', /^\/api\/v1\/meetings\/mtg_/, () => card.getByRole('button', { name: '議事録を更新' }).click());
  assert.equal(upd.status(), 200, await upd.text());
  await page.locator('li.meeting').getByText('M3 の資料づくりは医師会と進める。').waitFor();

  // Countermeasure status and an expected change's target (their PATCH routes).
  const m1 = page.locator('li.countermeasure').first();
  await m1.getByText('状況・担当・期限を更新する').click();
  await m1.getByLabel('M1の状況').selectOption({ label: '実施中' });
  await during(page, 'PATCH', /\/countermeasures\/cm_/, () => m1.getByRole('button', { name: '更新' }).click());
  await page.locator('li.countermeasure').first().locator('dd', { hasText: /^実施中$/ }).waitFor();
  const e1 = page.locator('li.expected-change').first();
  await e1.getByText('ベースラインと目標を更新する').click();
  await e1.getByLabel('E1の目標').fill('３.５');
  await during(page, 'PATCH', /\/expected-changes\/exp_/, () => e1.getByRole('button', { name: '更新' }).click());
  await page.locator('li.expected-change').first().locator('dd', { hasText: /^3\.5$/ }).waitFor();

  // Back to step 4 with a reason, and forward again.
  await page.getByText('前のステップへ戻す', { exact: true }).click();
  await page.getByLabel('戻るステップ').selectOption({ label: '4. 要因分析' });
  await page.getByLabel('戻す理由').fill('主たる原因を協議会で確認し直すため');
  await during(page, 'POST', /\/return$/, () => page.getByRole('button', { name: '戻す', exact: true }).click());
  await page.getByText('いまはステップ4「要因分析」です').waitFor();
  await during(page, 'POST', /\/advance$/, () => page.getByRole('button', { name: 'ステップ4「要因分析」を完了して次へ' }).click());
  await page.getByText('いまはステップ5「対策立案」です').waitFor();
  await screenshot(page, cfg, '08-worksheet.png');
});

test('地域課題: three consultations with the same seed tag become a candidate, accepted as an issue', async () => {
  const tag = `e2e${Date.now()}`;
  const ids = await page.evaluate(async (t) => {
    const csrf = () => decodeURIComponent((document.cookie.match(/(?:^|; )renkei_csrf=([^;]*)/) || [])[1] || '');
    const call = async (path, body) => {
      const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf() }, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return r.json();
    };
    const out = [];
    for (let i = 0; i < 3; i += 1) {
      const c = await call('/api/v1/consultations', { channel: 'CHANNEL_PHONE', sourceType: 'SOURCE_TYPE_MEDICAL_CARE_PROFESSIONAL', narrative: '看取りの相談' });
      await call(`/api/v1/consultations/${c.id}/seed`, { expectedVersion: c.version, theme: '看取りの説明が家族に届いていない', tags: [t] });
      out.push(c.id);
    }
    return out;
  }, tag);
  assert.equal(ids.length, 3);
  const card = page.locator('li.candidate', { hasText: tag }); // the tag itself: the key's "tag:" is not shown
  await open(page, cfg, '#/issues', '地域課題');
  await eventually(() => reloadUntil(page, () => card.count(), '#cand-h'), { what: 'the candidate of the new tag', timeout: 30000 });
  assert.match(await card.locator('.meta').textContent(), /^相談 3件から/);
  await card.getByLabel('地域課題のテーマ').fill('看取りの経過を家族に説明できる体制づくり');
  const r = await during(page, 'POST', /\/issue-candidates\/cand_[^/]+\/accept$/, () => card.getByRole('button', { name: '地域課題にする' }).click());
  assert.equal(r.status(), 200, await r.text());
  await page.getByRole('heading', { level: 1, name: '看取りの経過を家族に説明できる体制づくり' }).waitFor();
  const evidence = await r.json();
  assert.deepEqual(evidence.evidence.map((e) => e.kind), ['EVIDENCE_KIND_SEED', 'EVIDENCE_KIND_SEED', 'EVIDENCE_KIND_SEED']);
  assert.equal(await page.getByLabel('根拠3の種類').inputValue(), 'EVIDENCE_KIND_SEED');
});
