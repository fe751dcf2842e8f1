// A resource survey from the letters to the directory (issue 19), in two phases around a clock
// the test moves on (tests/console/survey_browser_test.cc starts the instance):
//   RENKEI_SURVEY_PHASE=start   staff start a campaign over Inagi's visiting nurse stations and
//                               home-help offices and print the letters; provider A answers on a
//                               phone (a refused e-mail address, a draft kept across a reload, the
//                               submission); provider B submits in one tab, then again in another
//   RENKEI_SURVEY_PHASE=review  two days later: provider C's link has expired, staff reissue it and
//                               C answers; the coordinator accepts A and B and edits C's answer;
//                               the directory shows the survey's capabilities with provenance and
//                               ranks A verified; the response rate; a reminder by e-mail
// The phases share RENKEI_SURVEY_STATE (JSON). Screenshots 17–20.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { config, useBrowser, screenshot, logIn, apiCall, newContext, during } from '../lib.mjs';
import { ENUMS } from '../../src/vocabulary.gen.js';

const cfg = await config();
const phase = process.env.RENKEI_SURVEY_PHASE || 'start';
const statePath = process.env.RENKEI_SURVEY_STATE || '/tmp/renkei-survey-state.json';
const campaignName = '令和8年度 在宅医療・介護資源調査 (テスト)';

let browser;
let page;  // staff, logged in
useBrowser(cfg, async (launched) => {
  ({ browser, page } = launched);
  await page.goto(`${cfg.base}/`);
  await logIn(page, cfg);
});

const today = () => {
  const [y, m, d] = new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Tokyo' }).split('-').map(Number);
  return { year: y, month: m, day: d };
};

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
    const campaign = await apiCall(page, 'POST', '/api/v1/resource-surveys', {
      name: campaignName,
      deadline: today(),
      linksExpireOn: today(),
      targets: { kinds: ['RESOURCE_KIND_VISITING_NURSE_STATION', 'RESOURCE_KIND_HOME_HELP'] },
      questions: {
        capabilities: ['home_visit_nursing', 'end_of_life_care', 'response_24h', 'parkinsons', 'dementia'],
        acceptingNewPatients: true, serviceArea: true, hours: true, liaison: true, note: true,
      },
      contactText: '稲城市 福祉部 高齢福祉課 在宅医療・介護連携担当 042-378-2111',
    });
    assert.ok(campaign.progress.invited >= 4, `invited ${campaign.progress.invited}`);
    assert.equal(campaign.progress.responseRate ?? 0, 0);
    const letters = await apiCall(page, 'GET', `/api/v1/resource-surveys/${campaign.id}/letters`);
    assert.equal(letters.letters, campaign.progress.invited);
    const links = lettersOf(letters.html);
    assert.equal(links.length, campaign.progress.invited);
    for (const l of links) assert.match(l.token, /^rsi_[0-9A-Z]{26}\.[A-Za-z0-9_-]{22}$/);
    // Look at one letter as it prints: A4, the QR code, the link, the deadline.
    // At print resolution (about 290 dpi) the QR code must decode (the test runs zbarimg on it).
    const letterPage = await browser.newPage({ deviceScaleFactor: 3 });
    await letterPage.setContent(letters.html.replace(/<section class="letter">[\s\S]*$/, (all) => {
      const first = all.split('<section class="letter">')[1];
      return `<section class="letter">${first.split('</section>')[0]}</section></body></html>`;
    }));
    assert.equal(await letterPage.locator('svg[aria-label="回答用リンクの QR コード"]').count(), 1);
    await letterPage.getByText(links[0].token).waitFor();
    await letterPage.getByText('ご回答のお願い').waitFor();
    await letterPage.setViewportSize({ width: 794, height: 1123 });  // A4 at 96 dpi
    await screenshot(letterPage, cfg, '17-survey-letter.png');
    await letterPage.close();
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
    const reissued = await apiCall(page, 'POST', `/api/v1/resource-survey-invitations/${c.invitationId}/reissue`,
      { expectedVersion: invitation.version });
    assert.equal(reissued.linkGeneration, 1);
    const letters = await apiCall(page, 'GET', `/api/v1/resource-surveys/${state.campaignId}/letters?invitation_ids=${c.invitationId}`);
    const [fresh] = lettersOf(letters.html);
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
    for (const i of [a, b]) {
      const r = await apiCall(coordinator, 'POST', `/api/v1/resource-survey-invitations/${i.id}/review`,
        { expectedVersion: i.version, decision: 'RESOURCE_SURVEY_DECISION_ACCEPT' });
      assert.equal(r.state, 'RESOURCE_SURVEY_STATE_ACCEPTED');
    }
    // C said Parkinson's; the coordinator called and corrected it: 24-hour response only.
    const edited = await apiCall(coordinator, 'POST', `/api/v1/resource-survey-invitations/${c.id}/review`, {
      expectedVersion: c.version, decision: 'RESOURCE_SURVEY_DECISION_ACCEPT',
      edited: { capabilities: ['response_24h', 'home_visit_nursing'], acceptingNewPatients: 'ACCEPTANCE_ACCEPTING' },
      note: '電話で確認: パーキンソン病の対応は不可',
    });
    assert.equal(edited.state, 'RESOURCE_SURVEY_STATE_ACCEPTED');

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
    const stateLabel = new Map(ENUMS['renkei.v1.ResourceSurveyState'].map(([v, ja]) => [v, ja]));
    const rows = after.invitations.map((i) => `${i.resourceName}: ${stateLabel.get(i.state)}`).join('\n');
    await coordinator.setContent(`<pre style="font: 14px 'Noto Sans CJK JP'">${rows}</pre>`);
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
    // One provider not yet answered gets an e-mail address; the others stay letters.
    const open = (await apiCall(page, 'GET', `/api/v1/resource-surveys/${state.campaignId}/invitations?state=RESOURCE_SURVEY_STATE_NOT_ANSWERED`)).invitations;
    assert.ok(open.length >= 1);
    const resource = await apiCall(page, 'GET', `/api/v1/resources/${open[0].resourceId}`);
    const address = 'station-reminder@example.jp';
    await apiCall(page, 'POST', '/api/v1/resources', {
      resource: { ...resource, contact: { ...(resource.contact || {}), email: address } },
      expectedVersion: resource.version,
    });
    const reminded = await apiCall(page, 'POST', `/api/v1/resource-surveys/${state.campaignId}/reminders`, {});
    assert.equal(reminded.emailed, 1);
    assert.equal(reminded.emailFailed ?? 0, 0);
    assert.equal(reminded.letters, open.length - 1);
    await writeFile(statePath, JSON.stringify({ ...state, remindedAddress: address }));
  });
}
