// The public resource map in a browser (issue 19, acceptance 3); tests/console/map_browser_test.cc
// starts Inagi's instance with its real resources, a local stub in place of 地理院タイル, and marks
// one resource's liaison contact internal and its note with RENKEI_MAP_SECRETS (comma-separated
// strings that must appear nowhere public). Without log-in: markers for Inagi's resources, a
// filter by capability, a place in the city, the printable list grouped by kind, axe-core with
// no serious or critical violation, nothing internal in the page or its JSON, the rate limit.
// Screenshots 23–25.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { config, launch, screenshot, during, vocabularyLeaks } from '../lib.mjs';

const cfg = await config();
const secrets = (process.env.RENKEI_MAP_SECRETS || '').split(',').filter(Boolean);
const verifiedName = process.env.RENKEI_MAP_VERIFIED_NAME || '';
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser;
let page;
let problems;
const hiddenId = process.env.RENKEI_MAP_HIDDEN_ID || '';
const answers = []; // every JSON body the page received from /public/
const reading = []; // the reads of those bodies, awaited before `answers` is checked
before(async () => {
  ({ browser, page, problems } = await launch(cfg));
  page.on('response', (r) => {
    if (!new URL(r.url()).pathname.startsWith('/public/')) return;
    reading.push(r.text().then((t) => answers.push(t), () => {}));
  });
});
after(async () => { await browser?.close(); });
afterEach(async () => {
  assert.deepEqual(await vocabularyLeaks(page), [], 'the map shows words of the machine');
  assert.deepEqual(problems.splice(0), [], 'the page reported errors (script errors, CSP violations)');
});

/** Every marker is drawn inside the map's box (the view fits them). */
async function markersInsideTheMap() {
  const outside = await page.evaluate(() => {
    const box = document.getElementById('map').getBoundingClientRect();
    return [...document.querySelectorAll('#map path.leaflet-interactive')].filter((p) => {
      const b = p.getBoundingClientRect();
      const x = b.x + b.width / 2;
      const y = b.y + b.height / 2;
      return b.width > 24 || x < box.left || x > box.right || y < box.top || y > box.bottom;
    }).length;
  });
  assert.equal(outside, 0, `${outside} markers outside the map's view`);
}

/** What the screen shows (the list below runs long). @param {string} name */
const viewport = (name) => page.screenshot({ path: path.join(cfg.screenshots, name) });

/** The markers drawn on the map (SVG paths Leaflet makes interactive). */
const markerCount = () => page.locator('#map path.leaflet-interactive').count();

async function axe(where) {
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
  return result;
}

let all; // the first answer: every resource of Inagi
test('the map of Inagi without log-in: a marker per located resource, the tiles from the configured server', async () => {
  const response = await during(page, 'POST', /^\/public\/v1\/map$/, () => page.goto(`${cfg.base}/map/`));
  assert.equal(response.status(), 200);
  all = await response.json();
  assert.equal(all.municipalityName, '東京都稲城市');
  assert.ok(all.resources.length > 50, `${all.resources.length} resources`);
  assert.equal(all.total, all.resources.length);
  await page.getByRole('heading', { name: '東京都稲城市 在宅医療・介護資源マップ' }).waitFor();
  const located = all.resources.filter((r) => r.location).length;
  await page.waitForFunction((n) => document.querySelectorAll('#map path.leaflet-interactive').length === n, located);
  assert.equal(await markerCount(), located);
  await markersInsideTheMap();
  assert.equal(await page.locator('#list > li').count(), all.resources.length);
  await page.waitForFunction(() => [...document.querySelectorAll('#map img.leaflet-tile')].some((i) => i.complete && i.naturalWidth > 0));
  assert.match(await page.locator('.leaflet-control-attribution').innerText(), /地理院タイル/);
  // The markers' colours explained.
  assert.deepEqual(await page.getByRole('list', { name: '地図の印の色' }).locator('li').allInnerTexts(),
    ['医療機関・薬局', '訪問看護', '介護サービス・地域包括支援センターなど']);
  assert.match(await page.locator('#status').innerText(), new RegExp(`${all.total} 件 \\(稲城市役所から近い順`));
  // Nearest first.
  const distances = all.resources.filter((r) => r.distanceKm !== undefined).map((r) => r.distanceKm);
  assert.deepEqual(distances, [...distances].sort((a, b) => a - b));
  await viewport('23-public-map.png');
});

test('a verified capability reads 確認済み, an inferred one 名称から推定; a marker opens the resource', async () => {
  const verified = all.resources.find((r) => r.name === verifiedName);
  assert.ok(verified, `no ${verifiedName} on the map`);
  const item = page.locator('#list > li').filter({ hasText: verifiedName });
  await item.getByText('訪問診療 (確認済み)').waitFor();
  assert.equal(verified.liaison.department, '地域連携室');
  await item.getByText(/連携窓口: 地域連携室/).waitFor();
  await item.getByRole('button', { name: verifiedName }).click();
  await page.locator('.leaflet-popup-content').getByRole('heading', { name: verifiedName }).waitFor();
  // Inagi's 神経内科 clinic: パーキンソン病 inferred from its name.
  const inferred = all.resources.find((r) => r.capabilities.some((c) => !c.verified));
  assert.ok(inferred, 'no resource with a capability inferred from its name');
  const c = inferred.capabilities.find((x) => !x.verified);
  await page.locator('#list > li').filter({ hasText: inferred.name }).first().getByText(`${c.label} (名称から推定)`).first().waitFor();
});

test('filter by capability: only the resources offering it, their markers only', async () => {
  const choice = all.capabilities.find((c) => c.code === 'home_visit_medical');
  assert.ok(choice, 'Inagi offers 訪問診療');
  const response = await during(page, 'POST', /^\/public\/v1\/map$/, () => page.getByLabel(`訪問診療 (${choice.resources})`).check());
  const filtered = await response.json();
  assert.equal(filtered.total, choice.resources);
  assert.ok(filtered.total > 0 && filtered.total < all.total, `${filtered.total} of ${all.total}`);
  for (const r of filtered.resources) assert.ok(r.capabilities.some((c) => c.code === 'home_visit_medical'), r.name);
  const located = filtered.resources.filter((r) => r.location).length;
  await page.waitForFunction((n) => document.querySelectorAll('#map path.leaflet-interactive').length === n, located);
  assert.equal(await page.locator('#list > li').count(), filtered.resources.length);
  await viewport('24-public-map-filtered.png');
  await markersInsideTheMap();
  // Back to every resource.
  await during(page, 'POST', /^\/public\/v1\/map$/, () => page.getByLabel(`訪問診療 (${choice.resources})`).uncheck());
});

test('near a place in the city: nearest from the middle of its addresses; an unknown place named next to its field', async () => {
  await page.getByLabel('近くを探す: 町名・住所').fill('矢野口');
  const response = await during(page, 'POST', /^\/public\/v1\/map$/, () => page.getByRole('button', { name: 'この条件で探す' }).click());
  const near = await response.json();
  assert.match(near.centerLabel, /^「矢野口」を含む住所 \(\d+ 件\) の中心$/);
  assert.notDeepEqual(near.center, all.center);
  const distances = near.resources.filter((r) => r.distanceKm !== undefined).map((r) => r.distanceKm);
  assert.deepEqual(distances, [...distances].sort((a, b) => a - b));
  assert.ok(near.resources.slice(0, 5).some((r) => /矢野口/.test(r.address)), 'no 矢野口 address among the nearest five');
  await page.getByText(/「矢野口」を含む住所/).first().waitFor();

  await page.getByLabel('近くを探す: 町名・住所').fill('存在しない町');
  const refused = await during(page, 'POST', /^\/public\/v1\/map$/, () => page.getByRole('button', { name: 'この条件で探す' }).click());
  assert.equal(refused.status(), 400);
  await page.locator('#status').getByText('この市区町村の資源の住所に「存在しない町」は見つかりません。町名などで入力してください').waitFor();
  assert.equal(await page.getByLabel('近くを探す: 町名・住所').getAttribute('aria-invalid'), 'true');
  assert.doesNotMatch(await page.locator('#status').innerText(), / \/ |near_address/);
  await during(page, 'POST', /^\/public\/v1\/map$/, () => page.getByRole('button', { name: '市区町村役所から探す' }).click());
});

test('the printable list: grouped by kind with counts, the map and the filters left out', async () => {
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('#map').isVisible(), false);
  assert.equal(await page.locator('#filters').isVisible(), false);
  const headings = await page.locator('#booklet h3').allInnerTexts();
  const counts = {};
  for (const r of all.resources) counts[r.kind] = (counts[r.kind] || 0) + 1;
  assert.equal(headings.length, Object.keys(counts).length);
  let rows = 0;
  for (const h of headings) rows += Number(h.match(/\((\d+) 件\)$/)[1]);
  assert.equal(rows, all.resources.length);
  assert.ok(headings.some((h) => /^訪問看護ステーション \(\d+ 件\)$/.test(h)), headings.join(' / '));
  assert.equal(await page.locator('#booklet tbody tr').count(), all.resources.length);
  await screenshot(page, cfg, '25-public-map-print.png');
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 10000, `the PDF is ${pdf.length} bytes`);
  await page.emulateMedia({ media: 'screen' });
});

test('accessible: axe-core finds no serious or critical violation, on a phone too', async () => {
  await axe('the map at 1280 px');
  await page.setViewportSize({ width: 390, height: 844 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'the page fits the phone');
  await axe('the map at 390 px');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('nothing internal: no internal liaison, note or source record in the page or any answer', async () => {
  // The station whose liaison is internal and whose note is private is on the map — without them.
  const station = all.resources.find((r) => r.id === hiddenId);
  assert.ok(station, 'the station with the private fields is not on the map');
  assert.equal(station.liaison, undefined);
  await page.locator('#list > li').filter({ hasText: station.name }).first().waitFor();
  await Promise.all(reading);
  const html = await page.content();
  for (const s of secrets) {
    assert.ok(!html.includes(s), `the page holds ${s}`);
    for (const a of answers) assert.ok(!a.includes(s), `an answer holds ${s}`);
  }
  for (const a of answers) {
    for (const key of ['"note"', '"source"', '"capabilityProvenance"', '"corporationName"', '"version"', '"internal"']) {
      assert.ok(!a.includes(key), `an answer has ${key}`);
    }
  }
  assert.ok(answers.length >= 5, `${answers.length} answers seen`);
});

test('no municipality known (a prefecture\'s instance, a wrong ?m=): the page asks for one', async () => {
  await page.goto(`${cfg.base}/map/?m=999999`);
  await page.locator('#status').getByText('地図を見る市区町村を選んでください').waitFor();
  await page.getByLabel('都道府県').selectOption({ label: '東京都' });
  await page.getByLabel('市区町村', { exact: true }).selectOption({ label: '稲城市' });
  const response = await during(page, 'POST', /^\/public\/v1\/map$/, () => page.getByRole('button', { name: 'この市区町村の地図を見る' }).click());
  assert.equal((await response.json()).municipalityCode, '132250');
  assert.match(page.url(), /\/map\/\?m=132250$/);
  await page.getByRole('heading', { name: '東京都稲城市 在宅医療・介護資源マップ' }).waitFor();
});

test('rate-limited: a client sending too many requests is told to wait, in Japanese', async () => {
  const result = await page.evaluate(async () => {
    for (let i = 0; i < 200; i += 1) {
      const r = await fetch('/public/v1/map', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      if (r.status === 429) return { i, retry: r.headers.get('Retry-After'), body: await r.json() };
    }
    return null;
  });
  assert.ok(result, 'no request was refused');
  assert.ok(result.i < 130, `refused only after ${result.i} requests`);
  assert.ok(Number(result.retry) > 0);
  assert.match(result.body.error.message, /^短い時間に多くの送信がありました/);
});
