// The console's browser tests, ネットワーク and 取組事例: my coordinator profile made in the form,
// an advice need on a consultation matched to a colleague (not a resource gap) whose 相談する opens
// the request form to her; the request sent from the form and answered (the
// answer shows on the request's page with its time), a consultation's page listing its request;
// then worked example 2's issue published as a practice from its page and found on 取組事例.
//
//   RENKEI_GATEWAY_URL=http://127.0.0.1:7180 RENKEI_LOGIN=inagi-demo RENKEI_PASSWORD=... \
//     node console/tests/screens/network.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  config, useBrowser, screenshot, during, open, apiCall, checkAccessibility, eventually,
} from '../lib.mjs';
import { WS, workedExample1, workedExample2 } from '../fixtures.mjs';

const cfg = await config();
let page;
useBrowser(cfg, (launched) => { ({ page } = launched); });

test('ネットワーク: a profile, a request to a colleague answered, the consultation lists it', async () => {
  await open(page, cfg, '#/network', 'コーディネーターのネットワーク');
  const form = page.locator('form[aria-label="プロフィールを作る"]');
  await form.getByRole('textbox', { name: '所属', exact: true }).fill('稲城市在宅医療・介護連携支援センター');
  await form.getByLabel('役割').selectOption({ label: '統括コーディネーター' });
  await form.getByLabel('看取り', { exact: true }).check();
  await form.getByLabel('ほかのコーディネーターからの相談を受け付ける').check();
  await form.getByLabel('共有の範囲').selectOption({ label: '全国で共有' });
  await form.getByRole('checkbox', { name: '氏名', exact: true }).check();
  const made = await during(page, 'POST', /^\/api\/v1\/coordinator-profiles$/, () => form.getByRole('button', { name: '作る' }).click());
  assert.equal(made.status(), 200, await made.text());
  await page.getByRole('heading', { level: 2, name: /受信した相談/ }).waitFor();

  // A colleague's profile (the municipality's coordinator), made through the API.
  const colleague = await apiCall(page, 'POST', '/api/v1/coordinator-profiles', {
    profile: {
      name: '稲城 花子', role: 'NETWORK_ROLE_COORDINATOR', expertise: ['parkinsons'],
      takesPeerConsultations: true, account: 'inagi-coord',
    },
  });
  const consultation = (await workedExample1(page)).id;
  // An advice need on the consultation: matching proposes the colleague, not a resource gap; her
  // 相談する opens the request form addressed to her about this consultation.
  await open(page, cfg, `#/intake/${consultation}`);
  await page.locator('summary', { hasText: 'ニーズを追加する' }).click();
  const add = page.locator('form[aria-label="ニーズを追加する"]');
  await add.getByLabel('必要な機能').selectOption('parkinsons');
  await add.getByLabel('資源ではなく、この分野に詳しいコーディネーターの助言を求める').check();
  const added = await during(page, 'POST', /\/needs$/, () => add.getByRole('button', { name: 'ニーズを追加' }).click());
  assert.equal(added.status(), 200, await added.text());
  const match = page.locator('form[aria-label="資源を照合する"]');
  const matched = await during(page, 'POST', /\/match$/, () => match.getByRole('button', { name: '資源を照合する' }).click());
  assert.equal(matched.status(), 200, await matched.text());
  const advice = (await matched.json()).consultation.needs[1];
  assert.equal(advice.advice, true);
  assert.ok(!advice.resourceGap, 'an advice need is never a resource gap');
  assert.deepEqual((advice.coordinators || []).map((p) => p.profileId), [colleague.id]);
  const people = page.locator('table.coordinators');
  await people.getByRole('rowheader', { name: '稲城 花子' }).waitFor();
  await page.getByRole('heading', { level: 3, name: 'ニーズ 2: パーキンソン病 (助言)' }).waitFor();
  await screenshot(page, cfg, '17-advice-need.png');
  await checkAccessibility(page, `#/intake/${consultation} (advice need)`);
  await people.getByRole('link', { name: '稲城 花子 に相談する' }).click();
  await page.getByRole('heading', { level: 1, name: 'コーディネーターのネットワーク' }).waitFor();
  const ask = page.locator('form[aria-label="コーディネーターに相談する"]');
  await ask.getByText('個人が分かることは書かないでください').waitFor();
  assert.equal(await ask.getByLabel('コーディネーター', { exact: true }).inputValue(), colleague.id);
  await ask.getByLabel('テーマ').fill('パーキンソン病の方の訪問診療');
  await ask.getByLabel('質問').fill('神経難病を診る訪問診療医をどう探していますか。');
  const sent = await during(page, 'POST', /^\/api\/v1\/peer-requests$/, () => ask.getByRole('button', { name: '相談を送る' }).click());
  assert.equal(sent.status(), 200, await sent.text());
  await page.waitForURL(/#\/network\/preq_/);
  const id = page.url().split('/').pop();
  await page.getByRole('heading', { level: 1, name: 'パーキンソン病の方の訪問診療' }).waitFor();
  await page.getByText('依頼中').first().waitFor();

  // The colleague answers (through the API, as her screen would).
  await apiCall(page, 'POST', `/api/v1/peer-requests/${id}/steps`, {
    id, profileId: colleague.id, kind: 'PEER_STEP_KIND_ANSWERED', text: '市の在宅療養支援診療所の一覧から紹介しています。',
  });
  await open(page, cfg, `#/network/${id}`, 'パーキンソン病の方の訪問診療');
  await page.getByText('回答済み').first().waitFor();
  await page.getByText('市の在宅療養支援診療所の一覧から紹介しています。').waitFor();
  assert.equal(await page.locator('ol.timeline > li').count(), 2);
  await screenshot(page, cfg, '15-peer-request.png');
  await checkAccessibility(page, `#/network/${id}`);

  // The consultation's page lists the request.
  await open(page, cfg, `#/intake/${consultation}`);
  await page.getByRole('heading', { level: 2, name: 'コーディネーターへの相談' }).waitFor();
  await page.getByRole('link', { name: 'パーキンソン病の方の訪問診療' }).waitFor();

  await open(page, cfg, '#/network', 'コーディネーターのネットワーク');
  await page.getByRole('link', { name: 'パーキンソン病の方の訪問診療' }).first().waitFor();
  await checkAccessibility(page, '#/network');
});

test('取組事例: worked example 2 published from its page and found by its words', async () => {
  await open(page, cfg, '#/practices', '取組事例');
  // The publishing coordinator's profile (the test above makes it; on its own, this one does).
  const mine = await apiCall(page, 'GET', `/api/v1/coordinator-profiles?account=${cfg.login}`);
  if (!(mine.profiles || []).length) {
    await apiCall(page, 'POST', '/api/v1/coordinator-profiles', {
      profile: { name: '稲城市 職員 (テスト)', role: 'NETWORK_ROLE_COORDINATOR', account: cfg.login },
    });
  }
  const issue = await workedExample2(page);
  await open(page, cfg, `#/issues/${issue.id}`, WS.theme);
  const publish = page.locator('form[aria-label="取組事例として公開する"]');
  const r = await during(page, 'POST', /^\/api\/v1\/practices$/, () => publish.getByRole('button', { name: '公開する' }).click());
  assert.equal(r.status(), 200, await r.text());
  await page.waitForURL(/#\/practices\/prac_/);
  await page.getByRole('heading', { level: 1, name: WS.theme }).waitFor();
  await page.getByRole('heading', { level: 2, name: '期待される変化と評価' }).waitFor();
  await screenshot(page, cfg, '16-practice.png');
  await checkAccessibility(page, '#/practices/…');

  await open(page, cfg, '#/practices', '取組事例');
  const search = page.locator('form[aria-label="取組事例を探す"]');
  await search.getByLabel(/^語/).fill('看取り');
  await search.getByRole('button', { name: '探す' }).click();
  await eventually(async () => (await page.locator('li.practice').count()) >= 1, { what: 'a practice found' });
  await page.getByRole('link', { name: WS.theme }).first().waitFor();
  await checkAccessibility(page, '#/practices');
});
