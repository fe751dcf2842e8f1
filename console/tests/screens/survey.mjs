// A resource survey from the letters to the directory (issue 19), in two phases around a clock
// the test moves on (tests/console/survey_browser_test.cc starts the instance):
//   RENKEI_SURVEY_PHASE=start   staff open 資源調査 from 資源検索, start a campaign over Inagi's
//                               visiting nurse stations and home-help offices with its form and
//                               download the letters from the campaign's screen; provider A
//                               answers on a phone (a refused e-mail address, a draft kept across a
//                               reload, the submission); provider B submits in one tab, then again
//                               in another
//   RENKEI_SURVEY_PHASE=review  two days later: provider C's link has expired, staff reissue it on
//                               the campaign's screen, open C's new letter and C answers; the
//                               coordinator (no start form for that role) accepts A and B and edits
//                               C's answer in the review panels; the directory shows the survey's
//                               capabilities with provenance and ranks A verified; the response
//                               rate on the screen; a reminder by e-mail from the screen
// Staff steps go through the screens (console/src/screens/surveys.js); apiCall checks what they
// did and makes what no screen of this file covers (a resource's e-mail address).
// The phases share RENKEI_SURVEY_STATE (JSON). Screenshots 17–22.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import {
  config, useBrowser, screenshot, logIn, apiCall, newContext, during, open, statusLine, checkAccessibility,
} from '../lib.mjs';
import { ENUMS, CODES } from '../../src/vocabulary.gen.js';

const cfg = await config();
const phase = process.env.RENKEI_SURVEY_PHASE || 'start';
const statePath = process.env.RENKEI_SURVEY_STATE || '/tmp/renkei-survey-state.json';
const campaignName = '令和8年度 在宅医療・介護資源調査 (テスト)';

let browser;
let page;  // staff, logged in
let problems;
useBrowser(cfg, async (launched) => {
  ({ browser, page, problems } = launched);
  // The campaign's screen asks in the page (reminders, links): no browser dialog may open.
  page.on('dialog', (d) => {
    problems.push(`a browser dialog opened: ${d.message()}`);
    d.dismiss();
  });
  await page.goto(`${cfg.base}/`);
  await logIn(page, cfg);
});

const today = () => {
  const [y, m, d] = new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Tokyo' }).split('-').map(Number);
  return { year: y, month: m, day: d };
};

const iso = ({ year, month, day }) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
// A capability's label as the screens show it (vocabulary.csv).
const capabilityLabel = (code) => CODES.capability.find(([c]) => c === code)[1];
// The share of answers as the campaign's screen writes it ("37.5%").
const percent = (rate) => `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;

// The campaign's screen, by its id, loaded afresh.
async function openCampaign(p, campaignId, name = campaignName) {
  await open(p, cfg, `#/surveys/${campaignId}`, name);
}

// The row of a resource in the campaign's table of invitations.
const invitationRow = (p, name) => p.locator('table.invitations tbody tr').filter({ has: p.getByRole('rowheader', { name, exact: true }) });

// [{name, token, invitationId}] of every letter in a letters HTML.
function lettersOf(html) {
  return html.split('<section class="letter">').slice(1).map((section) => {
    const name = (section.match(/<br>([^<]*)　御中/) || [])[1];
    const token = (section.match(/#t=([^"<\s]+)/) || [])[1];
    return { name, token, invitationId: token.split('.')[0] };
  });
}

// A provider's phone: its own context (no cookies of the staff), 390 px wide.
async function phone() {
  const { context, page: p, problems } = await newContext(browser);
  await p.setViewportSize({ width: 390, height: 844 });
  p.on('dialog', (d) => d.accept());
  return { context, p, problems };
}

async function fitsThePhone(p) {
  const width = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the form is ${width} px wide on a 390 px phone`);
}

if (phase === 'start') {
  test('staff start a campaign over Inagi\'s real resources and print the letters', async () => {
    // From 資源検索 (資源調査 has no navigation entry of its own).
    await open(page, cfg, '#/resources', '資源検索');
    await page.getByRole('link', { name: /資源調査/ }).click();
    await page.getByRole('heading', { level: 1, name: /資源調査/ }).waitFor();
    assert.equal(await page.locator('nav a[aria-current="page"]').textContent(), '資源検索');
    const form = page.getByRole('form', { name: '資源調査を始める' });
    // Sent empty: the service's refusal next to the field, in Japanese.
    await form.getByRole('button', { name: '資源調査を始める' }).click();
    await form.getByRole('alert').waitFor();
    await form.locator('[data-field="name"] .field-error').waitFor();
    assert.equal(await form.getByLabel('調査の名称').getAttribute('aria-invalid'), 'true');
    await form.getByLabel('調査の名称').fill(campaignName);
    await form.getByLabel('回答期限').fill(iso(today()));
    await form.getByLabel('回答用リンクの有効期限').fill(iso(today()));
    const kinds = form.getByRole('group', { name: '対象の種別' });
    await kinds.getByLabel('訪問看護ステーション', { exact: true }).check();
    await kinds.getByLabel('訪問介護', { exact: true }).check();
    const caps = form.getByRole('group', { name: '対応できるかを尋ねる機能' });
    for (const code of ['home_visit_nursing', 'end_of_life_care', 'response_24h', 'parkinsons', 'dementia']) {
      await caps.getByLabel(capabilityLabel(code), { exact: true }).check();
    }
    // Every other question is asked by default.
    for (const q of ['新規の受入', '訪問・対応地域', '対応時間', '連携窓口', '自由記述']) {
      assert.ok(await form.getByLabel(q, { exact: true }).isChecked(), `${q} asked`);
    }
    await form.getByLabel('依頼状に載せる問い合わせ先').fill('稲城市 福祉部 高齢福祉課 在宅医療・介護連携担当 042-378-2111');
    const started = await during(page, 'POST', /^\/api\/v1\/resource-surveys$/,
      () => form.getByRole('button', { name: '資源調査を始める' }).click());
    assert.equal(started.status(), 200);
    const campaign = await started.json();
    assert.deepEqual(campaign.targets.kinds, ['RESOURCE_KIND_VISITING_NURSE_STATION', 'RESOURCE_KIND_HOME_HELP']);
    assert.deepEqual([...campaign.questions.capabilities].sort(), ['dementia', 'end_of_life_care', 'home_visit_nursing', 'parkinsons', 'response_24h']);
    assert.equal(campaign.contactText, '稲城市 福祉部 高齢福祉課 在宅医療・介護連携担当 042-378-2111');
    // The console moves on to the campaign, saying so.
    await page.getByRole('heading', { level: 1, name: campaignName }).waitFor();
    assert.ok(page.url().endsWith(`#/surveys/${campaign.id}`), page.url());
    await statusLine(page).filter({ hasText: `資源調査を始めました (依頼 ${campaign.progress.invited}件)` }).waitFor();
    assert.ok(campaign.progress.invited >= 4, `invited ${campaign.progress.invited}`);
    assert.equal(campaign.progress.responseRate ?? 0, 0);
    await page.getByText(`回答率 0.0% (依頼 ${campaign.progress.invited}件のうち回答 0件)`).waitFor();
    assert.equal(await page.locator('table.invitations tbody tr').count(), campaign.progress.invited);
    assert.equal(await page.locator('table.invitations td.state').filter({ hasText: '未回答' }).count(), campaign.progress.invited);
    await screenshot(page, cfg, '21-survey-campaign.png');
    await checkAccessibility(page, '資源調査 (調査)');

    // The letters, from the screen's download.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '依頼状をダウンロード' }).click(),
    ]);
    const html = await readFile(await download.path(), 'utf8');
    await statusLine(page).filter({ hasText: `依頼状 ${campaign.progress.invited}通をダウンロードしました` }).waitFor();
    const links = lettersOf(html);
    assert.equal(links.length, campaign.progress.invited);
    for (const l of links) assert.match(l.token, /^rsi_[0-9A-Z]{26}\.[A-Za-z0-9_-]{22}$/);
    // Look at one letter as it prints: A4, the QR code, the link, the deadline.
    // At print resolution (about 290 dpi) the QR code must decode (the test runs zbarimg on it).
    const letterPage = await browser.newPage({ deviceScaleFactor: 3 });
    await letterPage.setContent(html.replace(/<section class="letter">[\s\S]*$/, (all) => {
      const first = all.split('<section class="letter">')[1];
      return `<section class="letter">${first.split('</section>')[0]}</section></body></html>`;
    }));
    assert.equal(await letterPage.locator('svg[aria-label="回答用リンクの QR コード"]').count(), 1);
    await letterPage.getByText(links[0].token).waitFor();
    await letterPage.getByText('ご回答のお願い').waitFor();
    await letterPage.setViewportSize({ width: 794, height: 1123 });  // A4 at 96 dpi
    await screenshot(letterPage, cfg, '17-survey-letter.png');
    await letterPage.close();

    // The list shows the campaign, with the form for municipal staff.
    await page.getByRole('link', { name: '資源調査', exact: true }).click();
    const listed = page.locator('table.surveys tbody tr').filter({ has: page.getByRole('link', { name: campaignName }) });
    await listed.waitFor();
    assert.match(await listed.textContent(), /0\.0%/);
    await checkAccessibility(page, '資源調査');
    await writeFile(statePath, JSON.stringify({ campaignId: campaign.id, links }));
  });

  test('provider A answers on a phone: a refused address, a draft across a reload, the submission', async () => {
    const { links } = JSON.parse(await readFile(statePath, 'utf8'));
    const { context, p, problems } = await phone();
    await p.goto(`${cfg.base}/survey/#t=${links[0].token}`);
    await p.getByRole('heading', { name: campaignName }).waitFor();
    await p.getByRole('heading', { name: links[0].name }).waitFor();
    const caps = p.getByRole('group', { name: /対応できること/ });
    // Pre-filled from the directory: a visiting nurse station nurses at home by its kind.
    if (/訪問看護/.test(links[0].name)) assert.ok(await caps.getByLabel('訪問看護', { exact: true }).isChecked());
    await caps.getByLabel('パーキンソン病', { exact: true }).check();
    await caps.getByLabel('看取り', { exact: true }).check();
    await p.getByLabel('対応時間').fill('平日 9:00〜18:00 (24時間の電話対応あり)');
    await p.getByLabel('部署名').fill('連携担当');
    await p.getByLabel('電話番号').fill('042-000-0001');
    await p.getByLabel('メールアドレス').fill('renkei at example');
    await p.getByRole('button', { name: '下書きを保存' }).click();
    await p.getByText('メールアドレスの形式ではありません').waitFor();
    assert.equal(await p.getByLabel('メールアドレス').getAttribute('aria-invalid'), 'true');
    await p.getByLabel('メールアドレス').fill('renkei-a@example.jp');
    await p.getByLabel(/関係者だけに知らせる/).check();
    await p.getByRole('button', { name: '下書きを保存' }).click();
    await p.getByText(/下書きを保存しました/).waitFor();
    await p.reload();
    await p.getByRole('heading', { name: campaignName }).waitFor();
    assert.equal(await p.getByLabel('対応時間').inputValue(), '平日 9:00〜18:00 (24時間の電話対応あり)');
    assert.ok(await p.getByRole('group', { name: /対応できること/ }).getByLabel('パーキンソン病', { exact: true }).isChecked());
    await fitsThePhone(p);
    await screenshot(p, cfg, '18-survey-form-mobile.png');
    const sent = await during(p, 'POST', /^\/public\/v1\/survey\/answer$/, () => p.getByRole('button', { name: '回答を送信する' }).click());
    assert.equal(sent.status(), 200);
    await p.getByText(/回答は送信済みです/).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('provider B submits in one tab, then again in another: the second is refused', async () => {
    const { links } = JSON.parse(await readFile(statePath, 'utf8'));
    const { context, p, problems } = await phone();
    const second = await context.newPage();
    second.on('dialog', (d) => d.accept());
    for (const tab of [p, second]) {
      await tab.goto(`${cfg.base}/survey/#t=${links[1].token}`);
      await tab.getByRole('heading', { name: campaignName }).waitFor();
    }
    await p.getByRole('group', { name: /対応できること/ }).getByLabel('認知症', { exact: true }).check();
    await p.getByRole('button', { name: '回答を送信する' }).click();
    await p.getByText(/回答は送信済みです/).waitFor();
    await second.getByRole('button', { name: '回答を送信する' }).click();
    await second.getByText('この調査への回答はすでに送信されています').waitFor();
    // Opening the link again shows the submission, not the form.
    await second.reload();
    await second.getByText(/回答は送信済みです/).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
}

if (phase === 'review') {
  test('provider C\'s link has expired; staff reissue it and C answers', async () => {
    const state = JSON.parse(await readFile(statePath, 'utf8'));
    const c = state.links[2];
    const { context, p, problems } = await phone();
    await p.goto(`${cfg.base}/survey/#t=${c.token}`);
    await p.getByRole('alert').filter({ hasText: /有効期限 \(\d+年\d+月\d+日\) が過ぎました/ }).waitFor();
    await screenshot(p, cfg, '19-survey-link-expired.png');
    const list = await apiCall(page, 'GET', `/api/v1/resource-surveys/${state.campaignId}/invitations`);
    const invitation = list.invitations.find((i) => i.id === c.invitationId);
    assert.equal(invitation.state, 'RESOURCE_SURVEY_STATE_NOT_ANSWERED');
    // Staff see it on the campaign's screen: not answered. (Its 期限切れ mark follows the
    // browser's date, which this test does not move on with the services' clock.)
    await openCampaign(page, state.campaignId);
    const row = invitationRow(page, c.name);
    assert.match(await row.locator('td.state').textContent(), /^未回答/);
    // Reissued there, once the question in the page is answered.
    await row.getByRole('button', { name: `${c.name}の回答用リンクを出し直す` }).click();
    const reissueQuestion = page.getByRole('group', { name: `${c.name}の回答用リンクを出し直しますか？` });
    await reissueQuestion.waitFor();
    assert.ok(await reissueQuestion.evaluate((el) => el === document.activeElement), 'the focus is on the question');
    const reissuedAnswer = await during(page, 'POST', /\/reissue$/,
      () => reissueQuestion.getByRole('button', { name: 'リンクを出し直す', exact: true }).click());
    assert.equal(reissuedAnswer.status(), 200);
    assert.equal((await reissuedAnswer.json()).linkGeneration, 1);
    await statusLine(page).filter({ hasText: `${c.name}の回答用リンクを出し直しました` }).waitFor();
    await invitationRow(page, c.name).getByText('(出し直し 1回)').waitFor();
    const after = await apiCall(page, 'GET', `/api/v1/resource-surveys/${state.campaignId}/invitations`);
    assert.equal(after.invitations.find((i) => i.id === c.invitationId).linkGeneration, 1);
    // Its new letter opens in a tab of its own, styled for print.
    const [letterTab] = await Promise.all([
      page.waitForEvent('popup'),
      invitationRow(page, c.name).getByRole('button', { name: `${c.name}の依頼状を開く` }).click(),
    ]);
    await letterTab.getByText('ご回答のお願い').first().waitFor();
    assert.equal(await letterTab.locator('section.letter').count(), 1);
    assert.equal(await letterTab.locator('svg[aria-label="回答用リンクの QR コード"]').count(), 1);
    assert.equal(await letterTab.locator('.link').evaluate((el) => getComputedStyle(el).display), 'flex', 'the letters\' styles apply');
    const [fresh] = lettersOf(`<section class="letter">${await letterTab.locator('section.letter').innerHTML()}`);
    await letterTab.close();
    await statusLine(page).filter({ hasText: `${c.name}の依頼状 1通を新しいタブで開きました` }).waitFor();
    assert.equal(fresh.invitationId, c.invitationId);
    assert.notEqual(fresh.token, c.token);
    // The old link stays dead; the new one opens the form.
    await p.goto(`${cfg.base}/survey/#t=${fresh.token}`);
    await p.getByRole('heading', { name: campaignName }).waitFor();
    const caps = p.getByRole('group', { name: /対応できること/ });
    await caps.getByLabel('24時間対応', { exact: true }).check();
    await caps.getByLabel('パーキンソン病', { exact: true }).check();
    await p.getByRole('button', { name: '回答を送信する' }).click();
    await p.getByText(/回答は送信済みです/).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the coordinator accepts two answers and edits one; the directory shows their provenance', async () => {
    const state = JSON.parse(await readFile(statePath, 'utf8'));
    const { context, page: coordinator } = await newContext(browser);
    await coordinator.goto(`${cfg.base}/`);
    await logIn(coordinator, {
      ...cfg, login: process.env.RENKEI_COORDINATOR_LOGIN, password: process.env.RENKEI_COORDINATOR_PASSWORD,
    });
    const queue = await apiCall(coordinator, 'GET',
      `/api/v1/resource-surveys/${state.campaignId}/invitations?state=RESOURCE_SURVEY_STATE_SUBMITTED`);
    assert.equal(queue.invitations.length, 3);
    const byId = new Map(queue.invitations.map((i) => [i.id, i]));
    const [a, b, c] = state.links.slice(0, 3).map((l) => byId.get(l.invitationId));
    const capsRow = a.comparison.find((row) => row.field === 'capabilities');
    assert.match(capsRow.answerValue, /パーキンソン病/);
    assert.equal(capsRow.differs, true);
    // The coordinator's screen: the review queue, no start form (municipal staff start campaigns).
    await coordinator.goto(`${cfg.base}/#/surveys`);
    await coordinator.getByRole('heading', { level: 1, name: /資源調査/ }).waitFor();
    assert.equal(await coordinator.getByRole('form', { name: '資源調査を始める' }).count(), 0);
    await coordinator.getByRole('link', { name: campaignName }).click();
    await coordinator.getByRole('heading', { level: 1, name: campaignName }).waitFor();
    await coordinator.getByRole('heading', { level: 2, name: '回答の確認 (確認待ち 3件)' }).waitFor();
    const panel = (i) => coordinator.getByRole('region', { name: i.resourceName, exact: true });
    // A's panel compares field by field: the directory's value beside the answer.
    const capsLine = panel(a).locator('table.comparison tbody tr').filter({ has: coordinator.getByRole('rowheader', { name: '対応できること' }) });
    assert.match(await capsLine.locator('td').nth(1).textContent(), /パーキンソン病/);
    assert.equal(await capsLine.locator('td').nth(2).textContent(), '変更あり');
    await screenshot(coordinator, cfg, '22-survey-review-panel.png');
    for (const i of [a, b]) {
      const r = await during(coordinator, 'POST', /\/review$/,
        () => panel(i).getByRole('button', { name: '回答どおり反映する' }).click());
      assert.equal(r.status(), 200);
      assert.equal((await r.json()).state, 'RESOURCE_SURVEY_STATE_ACCEPTED');
      await statusLine(coordinator).filter({ hasText: `${i.resourceName}の回答を資源の情報に反映しました` }).waitFor();
      await panel(i).waitFor({ state: 'detached' });
    }
    // C said Parkinson's; the coordinator called and corrected it: 24-hour response only.
    await panel(c).locator('summary', { hasText: '修正して反映する' }).click();
    const edit = panel(c).getByRole('form', { name: `${c.resourceName}の回答を修正して反映する` });
    const editCaps = edit.getByRole('group', { name: '対応できること' });
    assert.ok(await editCaps.getByLabel('パーキンソン病', { exact: true }).isChecked(), 'the form starts from the answer');
    for (const box of await editCaps.getByRole('checkbox').all()) await box.uncheck();
    await editCaps.getByLabel('24時間対応', { exact: true }).check();
    await editCaps.getByLabel('訪問看護', { exact: true }).check();
    await edit.getByLabel('新規の受入').selectOption({ label: '受入可' });
    await edit.getByLabel('メモ (修正の理由など)').fill('電話で確認: パーキンソン病の対応は不可');
    const edited = await during(coordinator, 'POST', /\/review$/,
      () => edit.getByRole('button', { name: '修正した内容で反映する' }).click());
    assert.equal(edited.status(), 200);
    const sentEdit = edited.request().postDataJSON();
    assert.deepEqual([...sentEdit.edited.capabilities].sort(), ['home_visit_nursing', 'response_24h']);
    assert.equal(sentEdit.edited.acceptingNewPatients, 'ACCEPTANCE_ACCEPTING');
    assert.equal((await edited.json()).state, 'RESOURCE_SURVEY_STATE_ACCEPTED');
    await statusLine(coordinator).filter({ hasText: `${c.resourceName}の回答を修正して資源の情報に反映しました` }).waitFor();
    await coordinator.getByRole('heading', { level: 2, name: '回答の確認 (確認待ち 0件)' }).waitFor();

    const resourceA = await apiCall(coordinator, 'GET', `/api/v1/resources/${a.resourceId}`);
    const parkinsons = resourceA.capabilityProvenance.find((p) => p.capability === 'parkinsons');
    assert.equal(parkinsons.source, 'CAPABILITY_SOURCE_SURVEY');
    assert.ok(parkinsons.asOf && parkinsons.asOf.year >= 2026);
    assert.ok(resourceA.source.lastVerified, 'last verified set by the survey');
    assert.equal(resourceA.liaison.internal, true);
    assert.equal(resourceA.hours, '平日 9:00〜18:00 (24時間の電話対応あり)');
    const resourceC = await apiCall(coordinator, 'GET', `/api/v1/resources/${c.resourceId}`);
    assert.ok(!resourceC.capabilities.includes('parkinsons'), 'the edited values, not the answer');
    assert.ok(resourceC.capabilities.includes('response_24h'));
    const found = await apiCall(coordinator, 'GET', '/api/v1/resources?capabilities=parkinsons&municipality_code=132250&outside_fallback=OUTSIDE_FALLBACK_NONE');
    const hitA = found.hits.find((h) => h.resource.id === a.resourceId);
    assert.ok(hitA && hitA.verified, 'A is found for Parkinson\'s, verified by the survey');
    assert.equal(found.hits[0].verified, true, 'verified resources rank first');

    const after = await apiCall(coordinator, 'GET', `/api/v1/resource-surveys/${state.campaignId}/invitations`);
    assert.equal(after.invitations.find((i) => i.id === c.id).reviewNote, '電話で確認: パーキンソン病の対応は不可');
    // Every invitation's state on the screen, in Japanese.
    const stateLabel = new Map(ENUMS['renkei.v1.ResourceSurveyState'].map(([v, ja]) => [v, ja]));
    for (const i of after.invitations) {
      const shown = await invitationRow(coordinator, i.resourceName).first().locator('td.state').textContent();
      assert.ok(shown.startsWith(stateLabel.get(i.state)), `${i.resourceName}: ${shown}`);
    }
    for (const i of [a, b, c]) {
      assert.match(await invitationRow(coordinator, i.resourceName).locator('td.state').textContent(), /^反映済み/);
    }
    await screenshot(coordinator, cfg, '20-survey-review.png');
    await context.close();
  });

  test('the response rate counts three answers; a reminder goes by e-mail', async () => {
    const state = JSON.parse(await readFile(statePath, 'utf8'));
    const campaign = await apiCall(page, 'GET', `/api/v1/resource-surveys/${state.campaignId}`);
    const p = campaign.progress;
    assert.equal(p.answered, 3);
    assert.equal(p.accepted, 3);
    assert.ok(Math.abs(p.responseRate - 3 / p.invited) < 1e-9, `${p.responseRate} vs 3/${p.invited}`);
    assert.equal(p.byKind.reduce((n, r) => n + r.answered, 0), 3);
    assert.equal(p.byArea.find((r) => r.key === '132250').label, '稲城市');
    // The same on the campaign's screen: overall, by kind and by area.
    await openCampaign(page, state.campaignId);
    await page.getByText(`回答率 ${percent(p.responseRate)} (依頼 ${p.invited}件のうち回答 3件)`).waitFor();
    const byKind = page.locator('table.survey-rates').filter({ hasText: '種別ごとの回答率' });
    for (const r of p.byKind) {
      const line = byKind.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: r.label, exact: true }) });
      assert.equal(await line.locator('td').nth(2).textContent(), percent(r.rate));
    }
    const inagi = page.locator('table.survey-rates').filter({ hasText: '所在地ごとの回答率' })
      .locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: '稲城市', exact: true }) });
    assert.equal(await inagi.locator('td').nth(1).textContent(), '3件');
    // One provider not yet answered gets an e-mail address; the others stay letters.
    const unanswered = (await apiCall(page, 'GET', `/api/v1/resource-surveys/${state.campaignId}/invitations?state=RESOURCE_SURVEY_STATE_NOT_ANSWERED`)).invitations;
    assert.ok(unanswered.length >= 1);
    const resource = await apiCall(page, 'GET', `/api/v1/resources/${unanswered[0].resourceId}`);
    const address = 'station-reminder@example.jp';
    await apiCall(page, 'POST', '/api/v1/resources', {
      resource: { ...resource, contact: { ...(resource.contact || {}), email: address } },
      expectedVersion: resource.version,
    });
    // The reminder from the screen, once the question in the page is answered.
    await openCampaign(page, state.campaignId);
    await page.getByRole('button', { name: '未回答の事業所に催促する' }).click();
    const remindQuestion = page.getByRole('group', { name: /^未回答の\d+件の事業所に催促しますか？$/ });
    const sent = await during(page, 'POST', /\/reminders$/,
      () => remindQuestion.getByRole('button', { name: /件に催促する$/ }).click());
    assert.equal(sent.status(), 200);
    const reminded = await sent.json();
    assert.equal(reminded.emailed, 1);
    assert.equal(reminded.emailFailed ?? 0, 0);
    assert.equal(reminded.letters, unanswered.length - 1);
    await statusLine(page).filter({ hasText: `催促しました: メール 1件、印刷用の催促状 ${unanswered.length - 1}件` }).waitFor();
    if (unanswered.length > 1) await page.getByRole('button', { name: '催促状をダウンロード' }).waitFor();
    await invitationRow(page, unanswered[0].resourceName).first().locator('td.num', { hasText: '1回' }).waitFor();
    // A provider that closed: its link revoked from the screen, once the question is answered.
    const closed = unanswered[unanswered.length - 1];
    await invitationRow(page, closed.resourceName).first()
      .getByRole('button', { name: `${closed.resourceName}の回答用リンクを無効にする` }).click();
    const revoked = await during(page, 'POST', /\/revoke$/, () => page
      .getByRole('group', { name: `${closed.resourceName}の回答用リンクを無効にしますか？` })
      .getByRole('button', { name: 'リンクを無効にする', exact: true }).click());
    assert.equal(revoked.status(), 200);
    await statusLine(page).filter({ hasText: `${closed.resourceName}の回答用リンクを無効にしました` }).waitFor();
    await invitationRow(page, closed.resourceName).first().locator('td.state', { hasText: '回答用リンク無効' }).waitFor();
    const afterRevoke = await apiCall(page, 'GET', `/api/v1/resource-surveys/${state.campaignId}/invitations`);
    assert.equal(afterRevoke.invitations.find((i) => i.id === closed.id).state, 'RESOURCE_SURVEY_STATE_REVOKED');
    await writeFile(statePath, JSON.stringify({ ...state, remindedAddress: address }));
  });
}
