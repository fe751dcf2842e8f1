// The console's browser tests, ネットワーク and 取組事例: my coordinator profile made in the form,
// an advice need on a consultation matched to a colleague (not a resource gap) whose 相談する opens
// the request form to her; the request sent from the form and answered (the
// answer shows on the request's page with its time), a consultation's page listing its request;
// then worked example 2's issue published as a practice from its page and found on 取組事例; the
// coordinators a participant met at trainings (ListPeers), named only where they agreed; the
// screen at a phone's width and a desk's.
//
//   RENKEI_GATEWAY_URL=http://127.0.0.1:7180 RENKEI_LOGIN=inagi-demo RENKEI_PASSWORD=... \
//     node console/tests/screens/network.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  config, useBrowser, screenshot, during, open, apiCall, checkAccessibility, eventually, statusLine, atBothWidths,
} from '../lib.mjs';
import { WS, workedExample1, workedExample2 } from '../fixtures.mjs';
import { addDays, tokyoTimestamp, tokyoToday } from '../../src/dates.js';

const cfg = await config();
let page;
useBrowser(cfg, (launched) => { ({ page } = launched); });

test('ネットワーク: a profile, a request to a colleague answered, the consultation lists it', async () => {
  await open(page, cfg, '#/network', 'コーディネーターのネットワーク');
  // Made here, or — when another screen's file made it first in the same instance — updated.
  await page.locator('form[aria-label="プロフィールを作る"], form[aria-label="プロフィールを更新する"]').first().waitFor({ state: 'attached' });
  const creating = (await page.locator('form[aria-label="プロフィールを作る"]').count()) > 0;
  if (!creating) await page.getByText('プロフィールを更新する', { exact: true }).first().click();
  const form = page.locator(creating ? 'form[aria-label="プロフィールを作る"]' : 'form[aria-label="プロフィールを更新する"]');
  await form.getByRole('textbox', { name: '所属', exact: true }).fill('稲城市在宅医療・介護連携支援センター');
  await form.getByLabel('役割').selectOption({ label: '統括コーディネーター' });
  await form.getByLabel('看取り', { exact: true }).check();
  await form.getByLabel('ほかのコーディネーターからの相談を受け付ける').check();
  await form.getByLabel('共有の範囲').selectOption({ label: '全国で共有' });
  await form.getByRole('checkbox', { name: '氏名', exact: true }).check();
  const made = await during(page, 'POST', /^\/api\/v1\/coordinator-profiles$/,
    () => form.getByRole('button', { name: creating ? '作る' : '更新する', exact: true }).click());
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
  // Publishing to the whole country asks first, in the page.
  await publish.getByRole('button', { name: '公開する', exact: true }).click();
  const question = publish.getByRole('group', { name: 'この課題を取組事例として全国に公開しますか？' });
  const r = await during(page, 'POST', /^\/api\/v1\/practices$/, () => question.getByRole('button', { name: '全国に公開する' }).click());
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

test('研修で一緒だったコーディネーター: a participant\'s peers across trainings, named where they agreed', async () => {
  await open(page, cfg, '#/network', 'コーディネーターのネットワーク');
  const stamp = Date.now();
  const training = (title, days) => {
    const day = addDays(tokyoToday(), days);
    return apiCall(page, 'POST', '/api/v1/trainings', {
      training: {
        title, audiences: ['AUDIENCE_ROLE_COORDINATORS'], sessionsAreOneCourse: true,
        sessions: [{
          startsAt: tokyoTimestamp(day, { hour: 10, minute: 0 }), endsAt: tokyoTimestamp(day, { hour: 12, minute: 0 }),
          venue: `稲城市役所 ${days}号会議室 (${stamp})`, capacity: 10,
        }],
      },
    });
  };
  const first = await training(`コーディネーター交流会 (春 ${stamp % 10000})`, 10);
  const second = await training(`コーディネーター交流会 (秋 ${stamp % 10000})`, 11);
  const me = `e2e-me-${stamp}`;
  const attend = async (t, who) => {
    const regs = [];
    for (const [id, name, consent] of who) {
      regs.push(await apiCall(page, 'POST', '/api/v1/registrations', {
        registration: {
          trainingId: t.id, participantId: id, participantName: name, municipalityCode: '132250',
          role: 'AUDIENCE_ROLE_COORDINATORS', networkConsent: consent,
        },
      }));
    }
    await apiCall(page, 'POST', `/api/v1/trainings/${t.id}/sessions/${t.sessions[0].id}/attendance`, {
      entries: regs.map((r) => ({ registrationId: r.id, attended: true })),
    });
  };
  await attend(first, [[me, '稲城 花子', true], [`e2e-q-${stamp}`, '町田 みどり', true]]);
  await attend(second, [[me, '稲城 花子', true], [`e2e-q-${stamp}`, '町田 みどり', true], [`e2e-r-${stamp}`, '多摩 つばさ', false]]);

  await open(page, cfg, '#/network', 'コーディネーターのネットワーク');
  const form = page.locator('form[aria-label="研修で一緒だったコーディネーターを探す"]');
  await form.getByLabel('参加者ID').fill(me);
  const listed = await during(page, 'GET', /^\/api\/v1\/peers$/, () => form.getByRole('button', { name: '表示' }).click());
  assert.equal(listed.status(), 200, await listed.text());
  const summary = page.locator('#peers-result');
  await summary.filter({ hasText: `参加者ID「${me}」と同じ研修に出席したコーディネーター: 2人` }).waitFor();
  await eventually(() => summary.evaluate((el) => el === document.activeElement), { what: 'the focus on the list\'s summary' });
  await statusLine(page).filter({ hasText: '研修で一緒だったコーディネーター: 2人' }).waitFor();
  assert.match(page.url(), new RegExp(`[?&]participant=${me}`));
  const rows = page.locator('section[aria-labelledby="peers-h"] table.peers tbody tr');
  const named = rows.filter({ has: page.getByRole('rowheader', { name: '町田 みどり' }) });
  assert.deepEqual(await named.getByRole('link').allTextContents(), [first.title, second.title], 'both trainings, each a link');
  assert.equal(await named.getByRole('link', { name: first.title }).getAttribute('href'), `#/trainings/${first.id}`);
  const anonymous = rows.filter({ has: page.getByRole('rowheader', { name: '氏名は非公開' }) });
  assert.deepEqual(await anonymous.getByRole('link').allTextContents(), [second.title]);
  assert.equal(await page.getByText('多摩 つばさ').count(), 0, 'no name without consent');
  const api = await apiCall(page, 'GET', `/api/v1/peers?participant_id=${me}`);
  assert.equal(api.peers.length, 2);

  // Drawn again from the URL, as a link to it would.
  await page.reload();
  await summary.filter({ hasText: ': 2人' }).waitFor();
  await atBothWidths(page, cfg, 'network', '#/network');
});
