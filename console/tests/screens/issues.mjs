// The console's browser tests, 地域課題: the worksheet of worked example 2 on a new issue, step by
// step, read back after a reload, exported (Markdown, CSV); a council meeting with its minutes;
// a countermeasure's status, a target, a return to step 4 and forward again. Then three
// consultations seeded with one tag become a candidate, accepted as an issue. Two candidates made
// the same way, one merged into the other with the keyboard alone once the question in the page is
// answered (Escape first sends nothing); a wide-area issue escalated to 東京都 only once its
// question is answered (やめる first sends nothing). The board and the worksheet at 390 px and
// 1280 px (lib.mjs atBothWidths).
//
//   RENKEI_GATEWAY_URL=http://127.0.0.1:7180 RENKEI_LOGIN=inagi-demo RENKEI_PASSWORD=... \
//     node console/tests/screens/issues.mjs
//
// (the variables and defaults of console/README.md; exits non-zero when a test fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  config, useBrowser, screenshot, during, eventually, open, reloadUntil, apiCall, atBothWidths, statusLine,
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
  await atBothWidths(page, cfg, 'issues-board', '地域課題 (ボード)');
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
  // Overdue countermeasures say so in words (M1 is due 令和9年3月31日: not yet).
  assert.equal(await page.locator('li.countermeasure .badge.overdue').count(), 0);
  await atBothWidths(page, cfg, 'issue-worksheet', '地域課題 (ワークシート)');
  // On paper: 問1–問3 as text (the form's fields do not print), then M1–M3 and E1–E3.
  await page.emulateMedia({ media: 'print' });
  try {
    const printed = page.locator('.worksheet-print');
    assert.ok(await printed.isVisible());
    assert.ok(await sheet.isHidden());
    for (const part of [WS.theme, WS.target, WS.options[1], `◎ 主たる原因: ${WS.causes[1]}`, WS.root]) {
      assert.ok((await printed.textContent()).includes(part), `printed: ${part}`);
    }
    assert.ok(await page.locator('li.countermeasure').first().isVisible());
    assert.ok(await page.getByText('状況・担当・期限を更新する').first().isHidden());
    await screenshot(page, cfg, 'worksheet-print.png');
  } finally {
    await page.emulateMedia({ media: 'screen' });
  }
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

// Three consultations, each with a seed tagged `tag`, through the API. Returns their ids.
async function seedThree(tag, theme) {
  const ids = [];
  for (let i = 0; i < 3; i += 1) {
    const c = await apiCall(page, 'POST', '/api/v1/consultations', {
      channel: 'CHANNEL_PHONE', sourceType: 'SOURCE_TYPE_MEDICAL_CARE_PROFESSIONAL', narrative: `${theme}の相談`,
    });
    await apiCall(page, 'POST', `/api/v1/consultations/${c.id}/seed`, { expectedVersion: c.version, theme, tags: [tag] });
    ids.push(c.id);
  }
  return ids;
}

// The proposed candidate of a tag (the API's), once the seeds have been clustered.
async function candidateOf(tag) {
  return eventually(async () => (await apiCall(page, 'GET', '/api/v1/issue-candidates')).candidates
    .find((c) => c.clusterKeys.includes(`tag:${tag}`)), { what: `the candidate of ${tag}`, timeout: 30000 });
}

const activeElement = () => page.evaluate(() => {
  const el = document.activeElement;
  return { tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent || '').trim().slice(0, 80) };
});

test('地域課題: a candidate merged into another with the keyboard, once the question is answered', async () => {
  const stamp = Date.now();
  const from = `e2emerge${stamp}a`;
  const into = `e2emerge${stamp}b`;
  await open(page, cfg, '#/issues', '地域課題');
  await seedThree(from, '退院時の情報共有が遅れる');
  await seedThree(into, '退院前カンファレンスに呼ばれない');
  const [a, b] = [await candidateOf(from), await candidateOf(into)];
  const cardOf = (tag) => page.locator('li.candidate', { has: page.getByRole('heading', { level: 3, name: tag, exact: true }) });
  await eventually(() => reloadUntil(page, async () => (await cardOf(from).count()) && (await cardOf(into).count()), '#cand-h'),
    { what: 'both candidates on the screen', timeout: 30000 });
  const card = cardOf(from);

  const merges = [];
  page.on('request', (r) => { if (r.method() === 'POST' && /\/merge$/.test(new URL(r.url()).pathname)) merges.push(r.url()); });
  // Keyboard only: open the merge, choose, submit; the question takes the focus.
  await card.locator('details.merge > summary').focus();
  await page.keyboard.press('Enter');
  const choice = card.getByRole('combobox', { name: '統合先 (地域課題または課題候補) (必須)' });
  await choice.focus();
  // Nothing chosen: said next to the choice, and no question.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await card.locator('[data-field="into"] .field-error', { hasText: '統合先を選んでください' }).waitFor();
  assert.ok(await choice.evaluate((el) => el === document.activeElement), 'the focus back on the choice');
  await choice.selectOption({ label: `${into} (相談3件)` });
  await page.keyboard.press('Tab');
  assert.deepEqual(await activeElement(), { tag: 'button', id: '', text: '統合する' });
  await page.keyboard.press('Enter');
  const question = card.getByRole('group', { name: `課題候補「${from}」を課題候補「${into}」に統合しますか？` });
  await question.waitFor();
  assert.ok(await question.evaluate((el) => el === document.activeElement), 'the focus is on the question');
  await question.getByText('この候補は一覧から消えます。統合は取り消せません。').waitFor();
  // Escape: nothing sent, the question gone, the focus back on the button.
  await page.keyboard.press('Escape');
  await question.waitFor({ state: 'detached' });
  assert.deepEqual(await activeElement(), { tag: 'button', id: '', text: '統合する' });
  assert.deepEqual(merges, []);
  // Again, and answered: Tab to 統合する, Enter.
  await page.keyboard.press('Enter');
  await question.waitFor();
  await page.keyboard.press('Tab');
  assert.deepEqual(await activeElement(), { tag: 'button', id: '', text: `課題候補「${into}」に統合する` });
  const merged = await during(page, 'POST', /\/issue-candidates\/cand_[^/]+\/merge$/, () => page.keyboard.press('Enter'));
  assert.equal(merged.status(), 200, await merged.text());
  assert.deepEqual(JSON.parse(merged.request().postData()), { expectedVersion: a.version, candidateIdInto: b.id });
  await statusLine(page).filter({ hasText: `課題候補「${from}」を課題候補「${into}」に統合しました` }).waitFor();
  await card.waitFor({ state: 'detached' });
  // The focus on the candidate it went into, which now carries both themes.
  assert.deepEqual(await activeElement(), { tag: 'h3', id: `cand-${b.id}-h`, text: `${into}、${from}` });

  // The result, as the API tells it.
  const done = (await apiCall(page, 'GET', '/api/v1/issue-candidates?status=CANDIDATE_STATUS_MERGED')).candidates.find((c) => c.id === a.id);
  assert.equal(done.status, 'CANDIDATE_STATUS_MERGED');
  assert.equal(done.mergedInto, b.id);
  const target = (await apiCall(page, 'GET', '/api/v1/issue-candidates')).candidates.find((c) => c.id === b.id);
  assert.equal(target.evidence.length, 6);
  assert.deepEqual([...target.clusterKeys].sort(), [`tag:${from}`, `tag:${into}`].sort());
  assert.match(await page.locator('li.candidate', { has: page.locator(`#cand-${b.id}-h`) }).locator('.meta').textContent(), /^相談 6件から/);
});

test('地域課題: a wide-area issue goes up to 東京都 only once the question is answered', async () => {
  await open(page, cfg, '#/issues', '地域課題');
  const theme = `市外の病院からの退院支援 (テスト ${Date.now()})`;
  const issue = await apiCall(page, 'POST', '/api/v1/issues', {
    theme, themeTags: ['退院支援'], scope: 'ISSUE_SCOPE_WIDE_AREA', relatedMunicipalityCodes: ['132063'],
  });
  await open(page, cfg, `#/issues/${issue.id}`, theme);
  const escalations = [];
  page.on('request', (r) => { if (r.method() === 'POST' && /\/escalate$/.test(new URL(r.url()).pathname)) escalations.push(r.url()); });
  await page.getByText('東京都へ上げる (広域)', { exact: true }).click();
  const form = page.locator('form[aria-label="東京都へ上げる"]');
  await form.getByLabel('東京都への申し送り (個人情報は書かない)').fill('府中市の病院から退院する稲城市民が多い。');
  const submit = form.locator('button[type="submit"]');
  await submit.click();
  const question = form.getByRole('group', { name: 'この課題を東京都へ広域の課題として上げますか？' });
  await question.waitFor();
  assert.ok(await question.evaluate((el) => el === document.activeElement), 'the focus is on the question');
  await question.getByText(/関係する市区町村 \(府中市\)と申し送りが東京都に送られます/).waitFor();
  await question.getByText(/送った内容は取り消せません/).waitFor();
  await atBothWidths(page, cfg, 'issue-escalate', '都道府県へ上げる (確認)');
  // やめる: nothing sent, the issue as it was, the focus back on the button.
  await question.getByRole('button', { name: 'やめる' }).click();
  await question.waitFor({ state: 'detached' });
  assert.ok(await submit.evaluate((el) => el === document.activeElement), 'the focus back on the button');
  assert.deepEqual(escalations, []);
  assert.equal((await apiCall(page, 'GET', `/api/v1/issues/${issue.id}`)).issue.escalatedAt, undefined);
  // Answered: sent once, and the page says where it went.
  await submit.click();
  const sent = await during(page, 'POST', /\/escalate$/, () => question.getByRole('button', { name: '東京都へ上げる', exact: true }).click());
  assert.equal(sent.status(), 200, await sent.text());
  assert.equal(escalations.length, 1);
  await page.locator('.state-note.escalated', { hasText: '東京都へ広域の課題として上げました' }).waitFor();
  await statusLine(page).filter({ hasText: '東京都へ上げました' }).waitFor();
  assert.deepEqual(await activeElement(), { tag: 'h2', id: 'steps-h', text: 'PDCAのステップ' });
  assert.ok((await apiCall(page, 'GET', `/api/v1/issues/${issue.id}`)).issue.escalatedAt);
  assert.equal(await page.getByText('東京都へ上げる (広域)', { exact: true }).count(), 0, 'not offered twice');
});

// The screens as someone sees them who may read the issues but change none (a prefecture's staff
// reading a municipality's de-identified issues): the session's permissions without any change
// of IssuesService nor PublishPractice (the gateway's answer, altered on its way to the page).
test('地域課題: who may only read sees the board and the worksheet without a form or button to change them', async () => {
  const changes = /^IssuesService\.(Accept|Merge|Dismiss|Create|Update|Add|Advance|Return|StartNew|Escalate|Record)|^NetworkService\.PublishPractice$/;
  const pattern = '**/api/v1/session';
  await page.route(pattern, async (route) => {
    const response = await route.fetch();
    const session = await response.json();
    session.permissions = (session.permissions || []).filter((m) => !changes.test(m));
    await route.fulfill({ response, json: session });
  });
  try {
    // Loaded afresh: the console reads the session once, when the page loads.
    await page.goto(`${cfg.base}/#/issues`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: '地域課題' }).waitFor();
    await page.locator('ol.pdca-board > li').nth(6).waitFor();
    assert.equal(await page.getByRole('heading', { name: '地域課題を作る' }).count(), 0);
    assert.equal(await page.locator('li.candidate form').count(), 0, 'no accept, merge or dismiss');
    await page.goto(`${cfg.base}/#/issues/${seen.issue}`);
    await page.getByRole('heading', { level: 1, name: WS.theme }).waitFor();
    await page.getByText('ワークシートは閲覧のみです').waitFor();
    const sheet = page.locator('form[aria-label="地域課題ワークシート (問1〜問3)"]');
    assert.equal(await sheet.locator('button').count(), 0);
    assert.ok(await sheet.getByLabel('問2 テーマの「目指す姿」').isDisabled());
    assert.equal(await sheet.getByLabel('問2 テーマの「目指す姿」').inputValue(), WS.target, 'read as it is');
    assert.equal(await page.locator('main form').count(), 1, 'the worksheet is the only form, read-only');
    assert.equal(await page.getByText('対策を追加する', { exact: true }).count(), 0);
    assert.equal(await page.getByText('会議を記録する', { exact: true }).count(), 0);
    assert.equal(await page.getByRole('heading', { name: '取組事例として公開' }).count(), 0);
    await page.getByRole('button', { name: 'Markdownで出力' }).waitFor();
  } finally {
    await page.unroute(pattern);
    await page.reload(); // the session as the gateway says it, for the tests after this one
  }
});

// Publishing an issue as a practice leaves the municipality: asked first (やめる sends nothing);
// its withdrawal, on the practice's page, too; a withdrawn practice's page says it is gone.
test('地域課題: publishing as a practice and withdrawing it are asked first; a withdrawn practice says so', async () => {
  await open(page, cfg, '#/issues', '地域課題');
  const mine = await apiCall(page, 'GET', `/api/v1/coordinator-profiles?account=${cfg.login}`);
  const profile = (mine.profiles || [])[0] || await apiCall(page, 'POST', '/api/v1/coordinator-profiles', {
    profile: { name: '稲城市 職員 (テスト)', role: 'NETWORK_ROLE_COORDINATOR', account: cfg.login },
  });
  const theme = `在宅看取りの説明資料づくり (テスト ${Date.now()})`;
  const issue = await apiCall(page, 'POST', '/api/v1/issues', { theme, themeTags: ['看取り'], scope: 'ISSUE_SCOPE_MUNICIPAL' });
  await open(page, cfg, `#/issues/${issue.id}`, theme);
  const publishes = [];
  page.on('request', (r) => { if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/practices') publishes.push(r.url()); });
  const form = page.locator('form[aria-label="取組事例として公開する"]');
  await form.getByLabel('公開の範囲').selectOption({ label: '東京都内の市区町村まで' });
  const submit = form.locator('button[type="submit"]');
  await submit.click();
  const question = form.getByRole('group', { name: 'この課題を取組事例として東京都内に公開しますか？' });
  await question.waitFor();
  assert.ok(await question.evaluate((el) => el === document.activeElement), 'the focus is on the question');
  await question.getByText(`連絡先として「${profile.name}」のプロフィールが載ります。`).waitFor();
  await question.getByText(/東京都と東京都内の市区町村で読めるようになります/).waitFor();
  await question.getByRole('button', { name: 'やめる' }).click();
  await question.waitFor({ state: 'detached' });
  assert.ok(await submit.evaluate((el) => el === document.activeElement), 'the focus back on the button');
  assert.deepEqual(publishes, []);
  await submit.click();
  const published = await during(page, 'POST', /^\/api\/v1\/practices$/, () => question.getByRole('button', { name: '東京都内に公開する' }).click());
  assert.equal(published.status(), 200, await published.text());
  const practice = await published.json();
  assert.equal(practice.shareLevel, 'SHARE_LEVEL_PREFECTURE');
  await page.waitForURL(new RegExp(`#/practices/${practice.id}$`));
  await page.getByRole('heading', { level: 1, name: theme }).waitFor();
  await statusLine(page).filter({ hasText: '取組事例として東京都内に公開しました' }).waitFor();

  const withdraw = page.locator('form[aria-label="公開をやめる"]');
  await withdraw.locator('button[type="submit"]').click();
  const again = withdraw.getByRole('group', { name: `「${theme}」の公開をやめますか？` });
  await again.waitFor();
  await again.getByText('もとの地域課題はそのまま残り、課題の画面からもう一度公開できます。').waitFor();
  const withdrawn = await during(page, 'POST', /\/withdraw$/, () => again.getByRole('button', { name: '公開をやめる' }).click());
  assert.equal(withdrawn.status(), 200, await withdrawn.text());
  await page.waitForURL(/#\/practices$/);
  await statusLine(page).filter({ hasText: `「${theme}」の公開をやめました` }).waitFor();
  await page.goto(`${cfg.base}/#/practices/${practice.id}`);
  await page.getByRole('heading', { level: 1, name: '取組事例が見つかりません' }).waitFor();
  await page.getByText('この取組事例は公開されていません。', { exact: false }).waitFor();
});
