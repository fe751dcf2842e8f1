// The console's browser tests, 定例ミーティング資料: this month's count equals the API's, the seed and
// the outside referral of worked example 1 (made first through the API) listed; the counts'
// heading 件数 on one line; the screen at a phone's and a desk's width; 年度全体; 印刷 calls
// window.print() and the print stylesheet hides navigation and controls; 和暦 remembered.
//
//   RENKEI_GATEWAY_URL=http://127.0.0.1:7180 RENKEI_LOGIN=inagi-demo RENKEI_PASSWORD=... \
//     node console/tests/screens/digest.mjs
//
// (the variables and defaults of console/README.md; exits non-zero when a test fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  config, useBrowser, screenshot, during, open, atBothWidths,
} from '../lib.mjs';
import { SEED_THEME, workedExample1 } from '../fixtures.mjs';

const cfg = await config();
let page;
useBrowser(cfg, async (launched) => {
  ({ page } = launched);
  await open(page, cfg, '#/intake', '相談受付');
  await workedExample1(page);
});

test('定例ミーティング資料: the digest shows this month\'s consultations and prints without navigation', async () => {
  await open(page, cfg, '#/digest', '定例ミーティング資料');
  const count = Number(await page.locator('#digest-consultations').textContent());
  const fromApi = await page.evaluate(async () => {
    const t = new Date(Date.now() + 9 * 3600000);
    const y = t.getUTCFullYear();
    const m = t.getUTCMonth() + 1;
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const pad = (n) => String(n).padStart(2, '0');
    const r = await fetch(`/api/v1/digest?from=${y}-${pad(m)}-01&to=${y}-${pad(m)}-${pad(last)}`);
    return r.json();
  });
  assert.ok(count >= 1, `consultations this month: ${count}`);
  assert.equal(count, fromApi.consultations);
  await page.getByText(SEED_THEME).first().waitFor();
  await page.locator('section', { has: page.getByRole('heading', { name: '市区町村外への紹介' }) })
    .getByText('てんかんと脳神経内科の訪問クリニック柏').first().waitFor();
  await screenshot(page, cfg, '12-digest.png');
  // 件数 stays on one line (it wrapped into 件 / 数 at 1280 px), right-aligned over its numbers.
  const heads = page.locator('table.counts thead th', { hasText: /^件数$/ });
  assert.ok(await heads.count() >= 1);
  for (const th of await heads.all()) {
    const { height, line, align } = await th.evaluate((el) => ({
      height: el.getBoundingClientRect().height,
      line: parseFloat(getComputedStyle(el).lineHeight) + parseFloat(getComputedStyle(el).paddingTop) + parseFloat(getComputedStyle(el).paddingBottom),
      align: getComputedStyle(el).textAlign,
    }));
    assert.ok(height <= line + 2, `件数 on one line (${height}px, a line is ${line}px)`);
    assert.equal(align, 'right');
  }
  await atBothWidths(page, cfg, '12-digest', '定例ミーティング資料');

  // The fiscal year as a whole (April to March).
  const fy = Number(await page.getByLabel('年度').inputValue());
  await page.getByLabel('月', { exact: true }).selectOption({ label: '年度全体' });
  const whole = await during(page, 'GET', /^\/api\/v1\/digest$/, () => page.getByRole('button', { name: '表示', exact: true }).click());
  const q = new URL(whole.url()).searchParams;
  assert.deepEqual([q.get('from'), q.get('to')], [`${fy}-04-01`, `${fy + 1}-03-31`]);
  await page.locator('.digest-period', { hasText: `${fy}年4月1日〜${fy + 1}年3月31日` }).waitFor();
  assert.ok(Number(await page.locator('#digest-consultations').textContent()) >= count);

  await page.evaluate(() => { window.printed = 0; window.print = () => { window.printed += 1; }; });
  await page.getByRole('button', { name: '印刷' }).click();
  assert.equal(await page.evaluate(() => window.printed), 1);
  await page.emulateMedia({ media: 'print' });
  assert.ok(!(await page.getByRole('navigation', { name: '画面' }).isVisible()), 'navigation hidden in print');
  assert.ok(!(await page.getByRole('button', { name: '印刷' }).isVisible()), 'controls hidden in print');
  assert.ok(await page.locator('#digest-consultations').isVisible());
  await screenshot(page, cfg, '13-digest-print.png');
  await page.emulateMedia({ media: 'screen' });

  // 和暦: the toggle rewrites dates in place and is remembered.
  await page.getByLabel('和暦で表示').check();
  await page.locator('.digest-period', { hasText: /令和\d+年\d+月1日〜令和/ }).waitFor();
  await page.reload();
  await page.locator('.digest-period', { hasText: /令和/ }).waitFor();
  assert.ok(await page.getByLabel('和暦で表示').isChecked());
  await page.getByLabel('和暦で表示').uncheck();
});
