// The console's browser tests, 指標: the series chart and its summary, the comparison with
// Inagi's bar and the median, an issue's three expected changes against baseline and target (the
// issue of worked example 2, made first through the API). A local indicator's observations exported
// to a file and imported from it, changed, through the console (the import with the keyboard
// only), read back through the API; a file with a bad row refused row by row; the roll-ups of the
// prefecture and the nation as a table; the screen at a phone's width and a desk's. With
// RENKEI_PREFECTURE_URL, 東京都's instance: its ten municipalities compared for 2025年度, ranked,
// the median marked.
//
//   RENKEI_GATEWAY_URL=http://127.0.0.1:7180 RENKEI_LOGIN=inagi-demo RENKEI_PASSWORD=... \
//     node console/tests/screens/indicators.mjs
//
// (the variables and defaults of console/README.md; exits non-zero when a test fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  config, useBrowser, newContext, screenshot, during, eventually, open, reloadUntil, checkAccessibility,
  apiCall, statusLine, atBothWidths,
} from '../lib.mjs';
import { workedExample1, workedExample2 } from '../fixtures.mjs';
import { tokyoToday, fiscalYearOf } from '../../src/dates.js';

const cfg = await config();
let browser;
let page;
const seen = {}; // what the tests read: an issue with expected changes
useBrowser(cfg, async (launched) => {
  ({ browser, page } = launched);
  await open(page, cfg, '#/intake', '相談受付');
  await workedExample1(page); // a consultation this month, counted by the derived indicator
  seen.issue = (await workedExample2(page)).id;
  // The derived indicator is defined when the services' events reach renkei-indicators: the
  // screen shows it first once it exists.
  await eventually(async () => (await apiCall(page, 'GET', '/api/v1/indicators')).definitions
    .some((d) => d.spec && d.spec.code === 'derived.consultations'),
  { what: 'the derived indicator of consultations', timeout: 30000 });
});

test('指標: the series chart against baseline and target, and the comparison of Tokyo\'s municipalities', async () => {
  await open(page, cfg, '#/indicators', '指標');
  const line = page.locator('svg.line-chart').first();
  await line.waitFor();
  assert.match(await line.getAttribute('aria-label'), /^相談件数 — 東京都稲城市: 12期間、/);
  assert.equal(await line.getAttribute('role'), 'img');
  // Derived counts arrive through events: wait for this month's consultation to be counted.
  await eventually(() => reloadUntil(page, () => page.locator('svg.bar-chart').count(), '#cmp-h'),
    { what: 'a comparison chart', timeout: 30000 });
  const bars = page.locator('svg.bar-chart');
  assert.match(await bars.getAttribute('aria-label'), /中央値 .+、.*稲城市は\d+位/);
  await bars.locator('g.bar.own').waitFor();
  await bars.locator('g.median text', { hasText: '中央値' }).waitFor();
  assert.ok(await page.locator('svg.line-chart circle.point').count() >= 1);
  // The text alternative: the numbers as a table.
  await page.locator('details.chart-table').first().locator('summary').click();
  await page.locator('details.chart-table table').first().waitFor();

  // The issue's expected changes against their baselines.
  await open(page, cfg, `#/indicators?issue=${seen.issue}`, '指標');
  const progress = page.locator('section', { has: page.getByRole('heading', { name: '地域課題の期待値の進捗' }) });
  // The expected change's target reaches the indicators through the issue's events, too.
  const withTarget = async () => (await progress.locator('svg.line-chart').count()) >= 3
    && /目標 3\.5$/.test(await progress.locator('svg.line-chart').first().getAttribute('aria-label') || '');
  await eventually(() => reloadUntil(page, withTarget, '#progress-h'),
    { what: 'the issue\'s three indicators, the first with its target', timeout: 30000 });
  assert.match(await progress.locator('svg.line-chart').first().getAttribute('aria-label'), /ベースライン 2\.4、目標 3\.5$/);
  await screenshot(page, cfg, '11-indicators.png');
});

test('観測値: exported to a file and imported back changed (CSV round trip), a bad row refused, the roll-ups as a table', async () => {
  // A local monthly count of our own, with two values of last fiscal year (≥ 10: never withheld).
  const stamp = Date.now();
  const code = `e2e-roundtrip-${stamp}`;
  const name = `退院前カンファレンス件数 (確認 ${stamp % 100000})`;
  const fy = fiscalYearOf(tokyoToday()) - 1;
  const [april, may] = [`${fy}-04`, `${fy}-05`];
  await open(page, cfg, '#/indicators', '指標');
  await apiCall(page, 'POST', '/api/v1/indicators', {
    definition: {
      spec: {
        code, nameJa: name, unit: '件', kind: 'INDICATOR_KIND_COUNT', methods: ['MEASUREMENT_METHOD_SURVEY'],
        frequency: 'MEASUREMENT_FREQUENCY_MONTHLY', direction: 'DIRECTION_HIGHER_IS_BETTER',
      },
      origin: 'INDICATOR_ORIGIN_LOCAL', ownerJurisdiction: '132250',
    },
    expectedVersion: 0,
  });
  for (const [period, value] of [[april, 12], [may, 20]]) {
    await apiCall(page, 'POST', '/api/v1/observations', {
      observation: { indicatorCode: code, jurisdictionCode: '132250', period, value, source: 'テスト' }, expectedVersion: 0,
    });
  }
  await open(page, cfg, `#/indicators?code=${encodeURIComponent(code)}&fy=${fy}`, '指標');

  // The roll-ups: each period of the year, Inagi's own value beside 東京都's and the nation's.
  const rollups = page.locator('section.rollups');
  await rollups.getByRole('heading', { level: 2, name: '東京都・全国の集計' }).waitFor();
  const table = rollups.locator('table.rollups');
  await table.waitFor();
  assert.deepEqual(await table.locator('thead th').allTextContents(),
    ['期間', '稲城市', '東京都の集計', '東京都の報告団体', '全国の集計', '全国の報告団体']);
  assert.equal(await table.locator('tbody tr').count(), 12, 'the twelve months of a past fiscal year');
  const rollUp = (j) => apiCall(page, 'GET', `/api/v1/indicators/${code}/rollup?period=${april}&jurisdiction_code=${j}`);
  const [pref, nation] = [await rollUp('130001'), await rollUp('000000')];
  assert.equal(pref.value, 12, 'Inagi\'s value rolled up into 東京都\'s');
  const aprilRow = () => table.locator('tbody tr').first().evaluate((tr) => [...tr.children].map((c) => c.textContent));
  const valueText = (r) => (r.suppressed ? '秘匿 (少数のため)' : `${r.value}件`);
  assert.deepEqual(await aprilRow(), [`${fy}年4月`, '12件', valueText(pref), `${pref.reporting}／${pref.expected}団体`,
    valueText(nation), `${nation.reporting}／${nation.expected}団体`]);
  assert.ok((await rollups.locator('svg.line-chart').getAttribute('aria-label')).startsWith(`${name} — 東京都の集計: 12期間、`),
    'the chart of 東京都\'s roll-up, summarized');

  // Export: CSV with a byte order mark, CRLF, the documented columns, the two values.
  const exportForm = page.locator('form[aria-label="観測値をファイルに出力する"]');
  assert.equal(await exportForm.getByLabel('指標', { exact: true }).inputValue(), 'one');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    exportForm.getByRole('button', { name: 'ファイルを出力' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'indicators-132250.csv');
  const bytes = await readFile(await download.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a byte order mark (Excel)');
  const csv = bytes.subarray(3).toString('utf8');
  const lines = csv.split('\r\n').filter(Boolean);
  assert.equal(lines[0], 'indicator_code,indicator_name,jurisdiction_code,jurisdiction_name,period,value,numerator,denominator,unit,source,note');
  assert.equal(lines.length, 3, csv);
  assert.ok(lines[1].startsWith(`${code},${name},132250,`) && lines[1].includes(`,${april},12,`), lines[1]);
  assert.ok(lines[2].includes(`,${may},20,`), lines[2]);
  await statusLine(page).filter({ hasText: '観測値を出力しました (2行)' }).waitFor();

  // Import the file changed (April 12 → 15), with the keyboard only: the file chooser opened from
  // the focused field, Tab to 取り込む, Enter.
  const dir = await mkdtemp(path.join(tmpdir(), 'renkei-import-'));
  const changed = path.join(dir, 'inagi-changed.csv');
  await writeFile(changed, Buffer.concat([bytes.subarray(0, 3), Buffer.from(csv.replace(`,${april},12,`, `,${april},15,`), 'utf8')]));
  const importForm = page.locator('form[aria-label="観測値をファイルから取り込む"]');
  await importForm.getByLabel(/^ファイル/).focus();
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
  await chooser.setFiles(changed);
  for (let i = 0; i < 3; i += 1) await page.keyboard.press('Tab');
  const submit = importForm.getByRole('button', { name: '取り込む' });
  assert.ok(await submit.evaluate((el) => el === document.activeElement), 'Tab reaches 取り込む: file, format, partial, button');
  const imported = await during(page, 'POST', /^\/api\/v1\/observations\/import$/, () => page.keyboard.press('Enter'));
  assert.equal(imported.status(), 200, await imported.text());
  const answer = await imported.json();
  assert.equal(answer.recorded, 1);
  assert.equal(answer.unchanged, 1);
  const result = page.locator('.import-result');
  await result.getByRole('heading', { name: '「inagi-changed.csv」を取り込みました' }).waitFor();
  await eventually(async () => (await page.evaluate(() => document.activeElement && document.activeElement.id)) === 'import-result-h',
    { what: 'the focus on the import\'s result' });
  assert.match(await result.locator('dl').textContent(), /記録した値1件 \(新しい値と訂正\)変わらなかった値1件/);
  await statusLine(page).filter({ hasText: '観測値を取り込みました (記録 1件・変わらず 1件・誤り 0行)' }).waitFor();
  // Through the API: April corrected, its earlier value kept in the history; the roll-up follows.
  const series = await apiCall(page, 'GET', `/api/v1/indicators/${code}/series?jurisdiction_code=132250&from_period=${april}&to_period=${may}`);
  assert.deepEqual(series.points.map((p) => [p.period, p.value]), [[april, 15], [may, 20]]);
  const history = await apiCall(page, 'GET', `/api/v1/indicators/${code}/history?jurisdiction_code=132250&period=${april}`);
  assert.deepEqual(history.versions.map((v) => v.value), [12, 15]);
  assert.equal(history.versions[1].recordedBy, cfg.login);
  await eventually(async () => (await aprilRow())[1] === '15件', { what: 'the table redrawn with the new value' });

  // The same values as JSON (dataValues), DHIS2 periods.
  await exportForm.getByLabel('形式').selectOption('OBSERVATION_FORMAT_DATA_VALUE_SET');
  const [json] = await Promise.all([page.waitForEvent('download'), exportForm.getByRole('button', { name: 'ファイルを出力' }).click()]);
  assert.equal(json.suggestedFilename(), 'indicators-132250.json');
  const set = JSON.parse(await readFile(await json.path(), 'utf8'));
  assert.deepEqual(set.dataValues.map((d) => [d.dataElement, d.orgUnit, d.period, d.value]),
    [[code, '132250', april.replace('-', ''), '15'], [code, '132250', may.replace('-', ''), '20']]);

  // A bad row: nothing written, the row and its column said in words next to the form.
  const bad = path.join(dir, 'bad.csv');
  await writeFile(bad, `\ufeff${lines[0]}\r\n${lines[1].replace(`,${april},12,`, `,${april},十二,`)}\r\n`);
  await importForm.getByLabel(/^ファイル/).setInputFiles(bad);
  const refused = await during(page, 'POST', /^\/api\/v1\/observations\/import$/, () => importForm.getByRole('button', { name: '取り込む' }).click());
  assert.equal(refused.status(), 400);
  await importForm.getByRole('alert').filter({ hasText: '1行に誤りがあるため、何も取り込みませんでした' }).waitFor();
  assert.deepEqual(await importForm.locator('table.import-errors tbody tr').first().evaluate((tr) => [...tr.children].map((c) => c.textContent)),
    ['1行目', '値', '数値ではありません']);
  const still = await apiCall(page, 'GET', `/api/v1/indicators/${code}/history?jurisdiction_code=132250&period=${april}`);
  assert.equal(still.versions.length, 2, 'nothing written');

  await atBothWidths(page, cfg, 'indicators', '#/indicators (roll-ups, files)');
  // Printed: the roll-up table (every period, no card labels), not the file forms.
  await page.emulateMedia({ media: 'print' });
  assert.ok(await table.isVisible());
  assert.equal(await table.locator('tbody tr').nth(5).isVisible(), true, 'the periods nobody reported too');
  assert.equal(await page.locator('section.observation-files').isVisible(), false, 'no file forms on paper');
  await screenshot(page, cfg, 'indicators-print.png');
  await page.emulateMedia({ media: 'screen' });
});

// With a coordinator's account (RENKEI_COORDINATOR_LOGIN): once the gateway lists what a session
// may do, the forms a coordinator may not use are not offered (recording and importing values);
// exporting is.
const coordinator = process.env.RENKEI_COORDINATOR_LOGIN;
test('指標, a coordinator: export offered, recording and importing not', { skip: !coordinator && 'RENKEI_COORDINATOR_LOGIN not set' }, async () => {
  const own = await newContext(browser);
  const p = own.page;
  try {
    await open(p, { ...cfg, login: coordinator, password: process.env.RENKEI_COORDINATOR_PASSWORD || cfg.password }, '#/indicators', '指標');
    const session = await apiCall(p, 'GET', '/api/v1/session');
    if (!Array.isArray(session.permissions)) return; // an older gateway: the services decide
    await p.locator('form[aria-label="観測値をファイルに出力する"]').waitFor();
    assert.equal(await p.locator('form[aria-label="観測値をファイルから取り込む"]').count(), 0, 'no import form');
    assert.equal(await p.locator('summary', { hasText: '観測値を記録する' }).count(), 0, 'no record form');
    assert.deepEqual(own.problems.splice(0), []);
  } finally {
    await own.context.close();
  }
});

// 東京都's instance (a prefecture's: renkei-indicators and its gateway only), set up by
// tests/console/browser_test.cc with one yearly count observed in ten of its municipalities.
const prefecture = {
  base: (process.env.RENKEI_PREFECTURE_URL || '').replace(/\/$/, ''),
  login: process.env.RENKEI_PREFECTURE_LOGIN || 'tokyo-staff',
  password: process.env.RENKEI_PREFECTURE_PASSWORD || cfg.password,
  indicator: process.env.RENKEI_PREFECTURE_INDICATOR || 'tokyo_home_visit_clinics',
  period: process.env.RENKEI_PREFECTURE_PERIOD || 'FY2025',
};
// The values the driver recorded for that period, best first (調布市 and 八王子市 tie at 50; all at least 10, so none is withheld as a small count).
const TOKYO_RANKING = [
  ['千代田区', 120], ['中央区', 90], ['港区', 70], ['稲城市', 60], ['調布市', 50], ['八王子市', 50],
  ['立川市', 40], ['武蔵野市', 30], ['三鷹市', 20], ['青梅市', 10],
];

test('東京都 (a prefecture instance): its ten municipalities compared for 2025年度, ranked, the median marked', {
  skip: !prefecture.base && 'RENKEI_PREFECTURE_URL not set: no prefecture instance to compare at',
}, async () => {
  // A fresh context of its own: the prefecture's gateway, log-in and cookies. The instance runs
  // no issues service, so the 指標 screen's list of issues answers 503 and its section is left out.
  const tokyo = await newContext(browser, {
    allowed: (code, url) => code === 503 && /^\/api\/v1\/issues$/.test(new URL(url, prefecture.base).pathname),
  });
  const p = tokyo.page;
  const prefCfg = { ...cfg, base: prefecture.base, login: prefecture.login, password: prefecture.password };
  try {
    await open(p, prefCfg, '#/indicators', '指標');
    assert.equal(await p.getByRole('banner').locator('.instance').textContent(), 'インスタンス: 東京都');
    assert.equal(await p.locator('section[aria-labelledby="progress-h"]').count(), 0, 'no issues service: no progress section');

    // The indicator, then the period: a yearly indicator is compared by fiscal year.
    await p.getByRole('form', { name: '指標と年度を選ぶ' }).getByLabel('指標', { exact: true }).selectOption(prefecture.indicator);
    const shown = await during(p, 'GET', /\/comparison$/, () => p.getByRole('button', { name: '表示', exact: true }).click());
    assert.equal(shown.status(), 200, await shown.text());
    const cmpForm = p.locator('form[aria-label="比較する期間"]');
    const periodSelect = cmpForm.getByLabel('期間', { exact: true });
    await p.locator('#cmp-h', { hasText: '東京都の市区町村の比較' }).waitFor();
    const fy = Number(prefecture.period.replace(/^FY/, ''));
    const offered = await periodSelect.locator('option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
    assert.ok(offered.some(([v, t]) => v === prefecture.period && t === `${fy}年度`),
      `the period selector offers ${prefecture.period} as ${fy}年度: ${JSON.stringify(offered)}`);
    assert.ok(offered.every(([v]) => /^FY\d{4}$/.test(v)), `only fiscal years for a yearly indicator: ${JSON.stringify(offered)}`);
    await periodSelect.selectOption(prefecture.period);
    const compared = await during(p, 'GET', /\/comparison$/, () => cmpForm.getByRole('button', { name: '比較', exact: true }).click());
    assert.equal(compared.status(), 200, await compared.text());
    const asked = new URL(compared.url());
    assert.equal(decodeURIComponent(asked.pathname), `/api/v1/indicators/${prefecture.indicator}/comparison`);
    assert.equal(asked.searchParams.get('period'), prefecture.period);
    assert.equal(asked.searchParams.get('scope'), '13', 'the scope is the prefecture itself');
    await p.waitForURL(new RegExp(`[?&]period=${prefecture.period}(&|$)`));
    assert.equal(await periodSelect.inputValue(), prefecture.period);

    // The bars: ten, best first, named by municipality, with their values.
    const chart = p.locator('section[aria-labelledby="cmp-h"] svg.bar-chart');
    await chart.waitFor();
    const bars = chart.locator('g.bar');
    assert.equal(await bars.count(), TOKYO_RANKING.length, 'one bar per reporting municipality');
    const drawn = await bars.evaluateAll((gs) => gs.map((g) => {
      const rect = g.querySelector('rect');
      return {
        label: g.querySelector('text.name').textContent,
        value: g.querySelector('text.value').textContent,
        right: rect ? rect.x.baseVal.value + rect.width.baseVal.value : null,
        width: rect ? rect.width.baseVal.value : null,
      };
    }));
    assert.ok(drawn.every((b) => b.value !== '秘匿' && b.width !== null),
      `every value shown (none withheld as a small count): ${JSON.stringify(drawn.map((b) => b.value))}`);
    const names = drawn.map((b) => b.label.replace(/^\d+\. /, ''));
    const values = drawn.map((b) => Number(b.value.replace(/か所$/, '')));
    assert.ok(drawn.every((b) => /^\d+(\.\d+)?か所$/.test(b.value)), `values in か所: ${JSON.stringify(drawn.map((b) => b.value))}`);
    assert.deepEqual(values, TOKYO_RANKING.map(([, v]) => v), 'bars in descending order of value');
    for (let i = 1; i < drawn.length; i += 1) {
      assert.ok(drawn[i].width <= drawn[i - 1].width, `bar ${i + 1} is not longer than bar ${i}`);
    }
    assert.equal(names[0], '千代田区', 'first');
    assert.equal(names[3], '稲城市', '稲城市 is 4th');
    assert.equal(names[9], '青梅市', 'last');
    // Tied values may come in either order; everything else exactly.
    const canonical = (list) => list.map(([n, v]) => `${v}:${n}`).sort();
    assert.deepEqual(canonical(names.map((n, i) => [n, values[i]])), canonical(TOKYO_RANKING), 'the ten municipalities with their values');
    assert.deepEqual(names.filter((_, i) => values[i] !== 50), TOKYO_RANKING.filter(([, v]) => v !== 50).map(([n]) => n));
    assert.deepEqual(drawn.map((b) => b.label.match(/^(\d+)\. /)?.[1]), ['1', '2', '3', '4', '5', '5', '7', '8', '9', '10'], 'ranks (ties share one)');

    // The median: its text, and its line where a bar of 50 ends.
    const median = chart.locator('g.ref.median');
    assert.equal(await median.locator('text').textContent(), '中央値 50か所');
    const medianX = await median.locator('line').evaluate((l) => [l.x1.baseVal.value, l.x2.baseVal.value]);
    assert.equal(medianX[0], medianX[1], 'the median line is vertical');
    const five = drawn.find((b) => b.value === '50か所');
    assert.ok(Math.abs(medianX[0] - five.right) < 0.01, `the median line at 50 (x ${medianX[0]}, a bar of 50 ends at ${five.right})`);
    assert.match(await p.locator('section[aria-labelledby="cmp-h"] p.meta').textContent(),
      new RegExp(`^${fy}年度: 報告 10 ／ \\d+団体、中央値 50か所、`));

    // The text alternatives: the summary in aria-label, the numbers as a table.
    assert.equal(await chart.getAttribute('role'), 'img');
    assert.equal(await chart.getAttribute('aria-label'), `在宅療養支援診療所数 ${fy}年度: 10団体、中央値 50か所、1位 千代田区 120か所`);
    const table = p.locator('section[aria-labelledby="cmp-h"] details.chart-table');
    await table.locator('summary').click();
    const tableRows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.deepEqual(tableRows, [
      ...drawn.map((b, i) => [b.label.match(/^(\d+)\. /)[1], names[i], b.value]),
      ['—', '中央値', '50か所'],
    ], 'the table lists the same bars and the median');
    assert.equal(tableRows[0][1], '千代田区');
    assert.equal(tableRows[3][1], '稲城市');
    assert.equal(tableRows[9][1], '青梅市');
    await screenshot(p, cfg, '14-prefecture-comparison.png');

    await checkAccessibility(p, '東京都 #/indicators');
    assert.deepEqual(tokyo.problems.splice(0), [], 'the prefecture\'s page reported errors');
  } finally {
    await tokyo.context.close();
  }
});
