// The console's browser tests, 資源検索: a search with filters (a full-width code, sent as ASCII),
// the outside-fallback notice and a resource's details; visiting nurse stations within 5 km;
// Inagi's gap report. Then a resource's life through the screens, by keyboard where it matters:
// registered with the form (its field errors first, in Japanese, next to their fields), found by
// the search, edited, and deleted once the question in the page is answered (やめる first sends
// nothing). The screens at 390 px and 1280 px (lib.mjs atBothWidths). A resource survey's
// reminder and its links reissued or revoked, each asked in the page first (no browser dialog).
// Who may not change resources sees no way to.
//
//   RENKEI_GATEWAY_URL=http://127.0.0.1:7180 RENKEI_LOGIN=inagi-demo RENKEI_PASSWORD=... \
//     node console/tests/screens/resources.mjs
//
// (the variables and defaults of console/README.md; exits non-zero when a test fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  config, useBrowser, screenshot, during, eventually, open, statusLine, apiCall, atBothWidths,
} from '../lib.mjs';
import { addDays } from '../../src/dates.js';

const cfg = await config();
let page;
useBrowser(cfg, (launched) => { ({ page } = launched); });

test('資源検索: search with filters (full-width code) and the gap report of Inagi', async () => {
  await open(page, cfg, '#/resources', '資源検索');
  await page.locator('table.gap-report tbody tr').first().waitFor();
  const gapSummary = await page.locator('section', { has: page.getByRole('heading', { name: '資源の空白 (ギャップレポート)' }) }).locator('p.summary').textContent();
  assert.match(gapSummary, /^稲城市: \d+機能のうち空白 \d+機能/);
  const caps = page.getByRole('group', { name: '機能 (すべてを満たす資源)' });
  await caps.getByLabel('パーキンソン病', { exact: true }).check();
  await caps.getByLabel('訪問診療', { exact: true }).check();
  await page.getByLabel('市区町村コード (所在または訪問対象)').fill('１３２２５０');
  const r = await during(page, 'GET', /^\/api\/v1\/resources$/, () => page.getByRole('button', { name: '検索', exact: true }).click());
  const url = new URL(r.url());
  assert.equal(url.searchParams.get('municipality_code'), '132250', 'full-width code sent as ASCII');
  assert.deepEqual(url.searchParams.getAll('capabilities'), ['home_visit_medical', 'parkinsons']);
  assert.equal(r.status(), 200);
  await page.getByText('稲城市には該当する資源がありません。').waitFor();
  const first = page.locator('table.resources tbody tr').first();
  assert.equal(await first.locator('summary').textContent(), 'てんかんと脳神経内科の訪問クリニック柏');
  assert.match(await first.locator('td.distance').textContent(), /km$/);
  await first.locator('summary').click();
  await first.getByText('柏市高柳').waitFor();
  // Where each capability comes from: this clinic's Parkinson's care is only inferred from its
  // name, which the row says; no check of its data is on record.
  await first.getByText(/^パーキンソン病 \(名称からの推定\)$/).waitFor();
  await first.getByText('推定を含む').waitFor();
  await first.getByText('確認の記録なし').waitFor();

  // The stale list: resources whose data was checked a year ago or more (or never).
  await page.getByLabel('確認が古い資源だけ').selectOption('12');
  const staleAnswer = await during(page, 'GET', /^\/api\/v1\/resources$/, () => page.getByRole('button', { name: '検索', exact: true }).click());
  assert.equal(new URL(staleAnswer.url()).searchParams.get('not_verified_within_months'), '12');
  assert.equal(staleAnswer.status(), 200);
  await page.getByLabel('確認が古い資源だけ').selectOption('');

  // The year's need gaps beside the gap report.
  const needGaps = page.locator('section', { has: page.getByRole('heading', { name: 'ニーズ別の資源の空白 (今年度の相談)' }) });
  assert.match(await needGaps.locator('p.summary').textContent(), /^\d{4}年度 \(/);

  // Visiting nurse stations within 5 km of Inagi's office.
  await caps.getByLabel('パーキンソン病', { exact: true }).uncheck();
  await caps.getByLabel('訪問診療', { exact: true }).uncheck();
  await page.getByText('種別で絞り込む').click();
  await page.getByRole('group', { name: '種別 (いずれか)' }).getByLabel('訪問看護ステーション', { exact: true }).check();
  await page.getByLabel('市区町村コード (所在または訪問対象)').fill('');
  await page.getByLabel('距離の基準 (市区町村役場から)').fill('132250');
  await page.getByLabel('半径 (km)').fill('５');
  const near = await during(page, 'GET', /^\/api\/v1\/resources$/, () => page.getByRole('button', { name: '検索', exact: true }).click());
  assert.equal(new URL(near.url()).searchParams.get('max_distance_km'), '5');
  const found = await near.json();
  assert.ok(found.hits.length > 0);
  await page.locator('#result-summary', { hasText: `該当 ${found.totalMatches}件` }).waitFor();
  await statusLine(page).filter({ hasText: new RegExp(`^資源の検索結果: ${found.totalMatches}件`) }).waitFor();
  await eventually(async () => (await page.locator('table.resources tbody tr').count()) === found.hits.length &&
    (await page.locator('table.resources tbody tr summary').first().textContent()) === found.hits[0].resource.name,
  { what: 'the new result rows' });
  // The keyboard goes on from the count of the results.
  await eventually(() => page.evaluate(() => document.activeElement.id === 'result-summary'), { what: 'the focus on the count' });
  for (const t of await page.locator('table.resources td.distance').allTextContents()) {
    assert.ok(Number(t.replace(/[^\d.]/g, '')) <= 5, t);
  }
  await screenshot(page, cfg, '06-resources.png');
  // Many rows: a card each on a phone, the table on a desk.
  assert.equal(await page.locator('table.resources td.distance').first().getAttribute('data-label'), '距離');
  await atBothWidths(page, cfg, 'resources-search', '資源検索 (結果あり)');
  // On paper: the list, each name with its address and phone; no form, no gap report.
  await page.emulateMedia({ media: 'print' });
  try {
    assert.ok(await page.locator('form[aria-label="資源を検索する"]').isHidden());
    assert.ok(await page.getByRole('heading', { name: '資源の空白 (ギャップレポート)' }).isHidden());
    assert.ok(await page.locator('table.resources').isVisible());
    const printed = await page.locator('table.resources td.name').first().evaluate((td) => getComputedStyle(td, '::after').content);
    assert.equal(printed, JSON.stringify(found.hits[0].resource.address + (found.hits[0].resource.contact?.phone ? `　電話 ${found.hits[0].resource.contact.phone}` : '')));
    await screenshot(page, cfg, 'resources-print.png');
  } finally {
    await page.emulateMedia({ media: 'screen' });
  }
});

// The element that has the focus, described.
const focused = () => page.evaluate(() => {
  const el = document.activeElement;
  return el ? { tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent || '').trim().slice(0, 60) } : null;
});

test('資源検索: a resource registered with the form, found, edited and deleted after the question', async () => {
  const name = `テスト訪問看護ステーション${Date.now()}`;
  await page.goto(`${cfg.base}/#/resources`);
  await page.reload();
  // Once the screen is drawn (its gap report last), keyboard only: the link to the form, Enter.
  await page.locator('table.gap-report tbody tr').first().waitFor();
  await page.getByRole('link', { name: '資源を登録する' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: '資源を登録する' }).waitFor();
  assert.deepEqual(await focused(), { tag: 'h1', id: '', text: '資源を登録する' });
  const form = page.locator('form[aria-label="資源を登録する"]');
  assert.equal(await form.getByRole('textbox', { name: '所在する市区町村のコード (必須)' }).inputValue(), '132250', 'starts at home');

  // Wrong first: no kind, a code whose check digit is wrong (typed full width).
  await form.getByRole('textbox', { name: '名称 (必須)' }).fill(name);
  await form.getByRole('textbox', { name: '名称 (カナ)' }).fill('テストホウモンカンゴステーション');
  await form.getByRole('textbox', { name: '所在する市区町村のコード (必須)' }).fill('１３２２５１');
  await form.getByRole('textbox', { name: '住所' }).fill('東京都稲城市東長沼2111');
  await form.getByRole('group', { name: '対応できること (機能)' }).getByLabel('訪問看護', { exact: true }).check();
  await form.getByRole('textbox', { name: '電話番号', exact: true }).fill('０４２－３７８－２１１１');
  const refused = await during(page, 'POST', /^\/api\/v1\/resources$/, () => form.getByRole('button', { name: '登録する' }).click());
  assert.equal(refused.status(), 400);
  const kindField = form.locator('[data-field="resource.kind"]');
  await kindField.locator('.field-error', { hasText: '指定してください' }).waitFor();
  const codeField = form.locator('[data-field="resource.municipality_code"]');
  await codeField.locator('.field-error', { hasText: '市区町村コードのチェックディジットが不正です: 132251' }).waitFor();
  const kindSelect = form.getByRole('combobox', { name: '種別 (必須)' });
  assert.equal(await kindSelect.getAttribute('aria-invalid'), 'true');
  assert.ok((await kindSelect.getAttribute('aria-describedby')).includes(await kindField.locator('.field-error').getAttribute('id')),
    'the error is what the control is described by');
  assert.ok(await kindSelect.evaluate((el) => el === document.activeElement), 'the focus is on the first wrong field');
  await form.locator('.form-alert', { hasText: '入力に誤りがあります' }).waitFor();
  await atBothWidths(page, cfg, 'resource-new', '資源を登録する (エラーあり)');

  // Right: registered, and the resource's own screen opens on it.
  await kindSelect.selectOption({ label: '訪問看護ステーション' });
  await form.getByRole('textbox', { name: '所在する市区町村のコード (必須)' }).fill('132250');
  await form.getByRole('textbox', { name: '緯度' }).fill('35.6379');
  await form.getByRole('textbox', { name: '経度' }).fill('139.5046');
  const created = await during(page, 'POST', /^\/api\/v1\/resources$/, () => form.getByRole('textbox', { name: '住所' }).press('Enter'));
  assert.equal(created.status(), 200, await created.text());
  const { resource: made, created: isNew } = await created.json();
  assert.ok(isNew);
  await page.waitForURL(new RegExp(`#/resources/${made.id}$`));
  await page.getByRole('heading', { level: 1, name }).waitFor();
  await statusLine(page).filter({ hasText: `「${name}」を登録しました` }).waitFor();
  assert.equal((await focused()).tag, 'h1');
  const stored = await apiCall(page, 'GET', `/api/v1/resources/${made.id}`);
  assert.equal(stored.kind, 'RESOURCE_KIND_VISITING_NURSE_STATION');
  assert.equal(stored.municipalityCode, '132250');
  assert.equal(stored.contact.phone, '042-378-2111', 'the phone read through NFKC');
  assert.deepEqual(stored.capabilities, ['home_visit_nursing']);
  assert.equal(stored.capabilityProvenance[0].source, 'CAPABILITY_SOURCE_COORDINATOR');
  assert.equal(stored.locationPrecision, 'LOCATION_PRECISION_EXACT');
  assert.ok(stored.source.lastVerified.year > 2000, 'confirmed today');

  // Found by the search, which the URL keeps.
  await page.getByRole('link', { name: '資源検索でこの資源を探す' }).click();
  await page.locator('#result-summary', { hasText: '該当 1件' }).waitFor();
  const row = page.locator('table.resources tbody tr', { hasText: name });
  assert.equal(await row.locator('summary').textContent(), name);
  assert.equal(await row.locator('td').nth(1).textContent(), '訪問看護ステーション');
  const searchUrl = page.url();
  assert.match(decodeURIComponent(searchUrl), new RegExp(`#/resources\\?.*text=${name}`));

  // Edited from its row.
  await row.locator('summary').click();
  await row.getByRole('link', { name: `${name}を編集・削除する` }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  const edit = page.locator(`form[aria-label="${name}の情報を編集する"]`);
  await edit.getByRole('combobox', { name: '新規の受入' }).selectOption({ label: '受入可' });
  await edit.getByRole('textbox', { name: '連携窓口の部署' }).fill('地域連携室');
  await edit.getByRole('textbox', { name: '連携窓口の電話番号' }).fill('042-378-2112');
  const saved = await during(page, 'POST', /^\/api\/v1\/resources$/, () => edit.getByRole('button', { name: '変更を保存' }).click());
  assert.equal(saved.status(), 200, await saved.text());
  assert.equal(JSON.parse(saved.request().postData()).expectedVersion, made.version, 'sent with the version read');
  await statusLine(page).filter({ hasText: `「${name}」の変更を保存しました` }).waitFor();
  await page.getByText('／ 版 2').waitFor();
  assert.deepEqual(await focused(), { tag: 'h1', id: 'resource-h', text: name });
  const edited = await apiCall(page, 'GET', `/api/v1/resources/${made.id}`);
  assert.equal(edited.acceptingNewPatients, 'ACCEPTANCE_ACCEPTING');
  assert.equal(edited.liaison.department, '地域連携室');
  assert.equal(edited.contact.phone, '042-378-2111', 'what the form did not change stays');
  assert.equal(edited.capabilityProvenance[0].source, 'CAPABILITY_SOURCE_COORDINATOR');
  await atBothWidths(page, cfg, 'resource-edit', '資源の画面 (編集)');
  // Back: the search again, with the change.
  await page.goBack();
  await page.locator('#result-summary', { hasText: '該当 1件' }).waitFor();
  await eventually(async () => (await page.locator('table.resources tbody tr', { hasText: name }).locator('td').last().textContent()) === '受入可',
    { what: 'the row read again' });
  await page.goForward();
  await page.getByRole('heading', { level: 1, name }).waitFor();

  // Deleted once the question is answered; やめる first sends nothing and gives the focus back.
  const deletes = [];
  page.on('request', (r) => { if (r.method() === 'DELETE') deletes.push(r.url()); });
  const remove = page.getByRole('button', { name: 'この資源を削除する' });
  await remove.click();
  const question = page.getByRole('group', { name: `「${name}」を削除しますか？` });
  await question.waitFor();
  assert.ok(await question.evaluate((el) => el === document.activeElement), 'the focus is on the question');
  await question.getByText('削除は取り消せません').waitFor();
  await question.getByRole('button', { name: 'やめる' }).click();
  await question.waitFor({ state: 'detached' });
  assert.ok(await remove.evaluate((el) => el === document.activeElement), 'the focus back on the button');
  assert.deepEqual(deletes, []);
  assert.equal((await apiCall(page, 'GET', `/api/v1/resources/${made.id}`)).id, made.id);
  await remove.click();
  const gone = await during(page, 'DELETE', new RegExp(`^/api/v1/resources/${made.id}$`),
    () => question.getByRole('button', { name: '削除する', exact: true }).click());
  assert.equal(gone.status(), 200, await gone.text());
  await page.waitForURL(/#\/resources$/);
  await statusLine(page).filter({ hasText: `「${name}」を削除しました` }).waitFor();
  const after = await page.evaluate(async (id) => (await fetch(`/api/v1/resources/${id}`)).status, made.id);
  assert.equal(after, 404);
});

// The screens as someone sees them who may read the directory but not change it (a prefecture's
// staff reading it): the session's permissions without the two changes (the gateway's answer,
// altered on its way to the page).
test('資源検索: who may not change resources sees no link, form or button to', async () => {
  const pattern = '**/api/v1/session';
  await page.route(pattern, async (route) => {
    const response = await route.fetch();
    const session = await response.json();
    session.permissions = (session.permissions || []).filter((m) => !/^DirectoryService\.(Upsert|Delete)Resource$/.test(m));
    await route.fulfill({ response, json: session });
  });
  try {
    // Loaded afresh: the console reads the session once, when the page loads.
    await page.goto(`${cfg.base}/#/resources?text=${encodeURIComponent('訪問看護')}`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: '資源検索' }).waitFor();
    await page.locator('#result-summary').waitFor();
    assert.ok(await page.locator('table.resources tbody tr').count() > 0);
    assert.equal(await page.getByRole('link', { name: '資源を登録する' }).count(), 0);
    assert.equal(await page.locator('table.resources a[href^="#/resources/res_"]').count(), 0);
    const found = await apiCall(page, 'GET', `/api/v1/resources?text=${encodeURIComponent('訪問看護')}&page_size=1`);
    const r = found.hits[0].resource;
    await page.goto(`${cfg.base}/#/resources/${r.id}`);
    await page.getByRole('heading', { level: 1, name: r.name }).waitFor();
    await page.getByRole('heading', { level: 2, name: '登録内容' }).waitFor();
    assert.equal(await page.locator('main form').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'この資源を削除する' }).count(), 0);
    await page.goto(`${cfg.base}/#/resources/new`);
    await page.getByText('資源を登録する権限がありません。').waitFor();
    assert.equal(await page.locator('main form').count(), 0);
  } finally {
    await page.unroute(pattern);
    await page.reload(); // the session as the gateway says it, for the tests after this one
  }
});

test('資源調査: a reminder and a link reissued or revoked are asked in the page first', async () => {
  await open(page, cfg, '#/resources', '資源検索');
  // A resource of the test's own, and a campaign over it alone.
  const { resource } = await apiCall(page, 'POST', '/api/v1/resources', {
    resource: {
      name: `テスト調査先訪問看護${Date.now()}`, kind: 'RESOURCE_KIND_VISITING_NURSE_STATION', municipalityCode: '132250',
      capabilities: ['home_visit_nursing'],
    },
    expectedVersion: 0,
  });
  const today = resource.capabilityProvenance[0].asOf; // the services' today
  const campaign = await apiCall(page, 'POST', '/api/v1/resource-surveys', {
    name: `テスト資源調査 ${Date.now()}`, deadline: addDays(today, 30),
    targets: { resourceIds: [resource.id] }, questions: { capabilities: [], acceptingNewPatients: true },
  });
  const dialogs = [];
  const onDialog = (d) => { dialogs.push(d.message()); d.dismiss(); };
  page.on('dialog', onDialog);
  try {
    await open(page, cfg, `#/surveys/${campaign.id}`, campaign.name);
    const name = resource.name;
    const row = () => page.locator('table.invitations tbody tr', { has: page.getByRole('rowheader', { name, exact: true }) });
    // Reissued: the question, やめる, then answered.
    const reissue = row().getByRole('button', { name: `${name}の回答用リンクを出し直す` });
    await reissue.click();
    const reissueQuestion = page.getByRole('group', { name: `${name}の回答用リンクを出し直しますか？` });
    await reissueQuestion.waitFor();
    assert.ok(await reissueQuestion.evaluate((el) => el === document.activeElement), 'the focus is on the question');
    await reissueQuestion.getByRole('button', { name: 'やめる' }).click();
    await reissueQuestion.waitFor({ state: 'detached' });
    assert.ok(await reissue.evaluate((el) => el === document.activeElement), 'the focus back on the button');
    await reissue.click();
    const reissued = await during(page, 'POST', /\/reissue$/, () => reissueQuestion.getByRole('button', { name: 'リンクを出し直す', exact: true }).click());
    assert.equal(reissued.status(), 200, await reissued.text());
    await statusLine(page).filter({ hasText: `${name}の回答用リンクを出し直しました` }).waitFor();
    await row().getByText('(出し直し 1回)').waitFor();
    // The reminder: what it does, then sent (no e-mail address: a letter to print).
    await page.getByRole('button', { name: '未回答の事業所に催促する' }).click();
    const remindQuestion = page.getByRole('group', { name: '未回答の1件の事業所に催促しますか？' });
    await remindQuestion.getByText(/いまメールを送ります/).waitFor();
    const reminded = await during(page, 'POST', /\/reminders$/, () => remindQuestion.getByRole('button', { name: '1件に催促する' }).click());
    assert.equal(reminded.status(), 200, await reminded.text());
    await statusLine(page).filter({ hasText: '催促しました: メール 0件、印刷用の催促状 1件' }).waitFor();
    await row().locator('td.num', { hasText: '1回' }).waitFor();
    // On a phone, the invitations are cards; the question about a link above them.
    await row().getByRole('button', { name: `${name}の回答用リンクを無効にする` }).click();
    const revokeQuestion = page.getByRole('group', { name: `${name}の回答用リンクを無効にしますか？` });
    await revokeQuestion.waitFor();
    await atBothWidths(page, cfg, 'survey-campaign', '資源調査 (リンクを無効にする確認)');
    const revoked = await during(page, 'POST', /\/revoke$/, () => revokeQuestion.getByRole('button', { name: 'リンクを無効にする', exact: true }).click());
    assert.equal(revoked.status(), 200, await revoked.text());
    await statusLine(page).filter({ hasText: `${name}の回答用リンクを無効にしました` }).waitFor();
    await row().locator('td.state', { hasText: '回答用リンク無効' }).waitFor();
    assert.deepEqual(dialogs, [], 'no browser dialog');
  } finally {
    page.off('dialog', onDialog);
    const now = await apiCall(page, 'GET', `/api/v1/resources/${resource.id}`);
    await apiCall(page, 'DELETE', `/api/v1/resources/${resource.id}`, { expectedVersion: now.version });
  }
});
