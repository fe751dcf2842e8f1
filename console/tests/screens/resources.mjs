// The console's browser tests, 資源検索: a search with filters (a full-width code, sent as ASCII),
// the outside-fallback notice and a resource's details; visiting nurse stations within 5 km;
// Inagi's gap report.
//
//   RENKEI_GATEWAY_URL=http://127.0.0.1:7180 RENKEI_LOGIN=inagi-demo RENKEI_PASSWORD=... \
//     node console/tests/screens/resources.mjs
//
// (the variables and defaults of console/README.md; exits non-zero when a test fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  config, useBrowser, screenshot, during, eventually, open, statusLine,
} from '../lib.mjs';

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
  for (const t of await page.locator('table.resources td.distance').allTextContents()) {
    assert.ok(Number(t.replace(/[^\d.]/g, '')) <= 5, t);
  }
  await screenshot(page, cfg, '06-resources.png');
});
