// What the screens' browser tests share: the worked examples' words, and what a screen's tests need
// to exist before them, made through the gateway's API (as the logged-in user of `page`). Each
// screen file makes its own, so it runs alone as well as after the others.
import { apiCall } from './lib.mjs';
import { addDays, tokyoTimestamp, tokyoToday } from '../src/dates.js';

// Worked example 2 (DOMAIN.md; the wording of tests/scenario/worked_example2_test.cc).
export const WS = {
  theme: '【看取り】終末期に本人の意向に沿えず、家族が入院を選ぶことがある',
  target: '終末期であっても、在宅サービスを使うことで本人の意向を尊重した在宅生活を継続できる',
  current: '終末期に本人の意向に沿えず、家族が入院を選ぶことがある。相談から同じ趣旨のタネが挙がっている。',
  hearing: '居宅介護支援事業所・訪問看護ステーションへのヒアリング (看取りの経験と不安)',
  options: ['終末期に本人の意向に沿えず、家族が入院を選ぶことがある', '在宅医と救急の連携ルールがない'],
  causes: ['本人の意向を具体的に確認できていない', '衰弱すると家族が不安になる',
    '看取り経験少ないケアマネも不安になる', '不安になると在宅医でなく救急車に連絡'],
  root: '専門職が看取るプロセスを十分説明しきれていないため、家族の不安が高まってしまっている',
  measures: [
    ['M1', ['本人・家族'], '看取るプロセスを知り、在宅看取りの心理的準備性を高める'],
    ['M2', ['ケアマネジャー', '訪問看護師'], '痩せる等、在宅看取りまでのプロセスを家族に説明するスキル獲得支援'],
    ['M3', ['ケアマネジャー', '訪問看護師', '医師'], '在宅看取りプロセスを家族に説明する演習や資料の作成'],
  ],
  expected: [
    ['E1', 'ケアマネ等が説明できるスキルがあがる', '説明スキルのアンケート、試験', ['アンケート調査', 'テスト'], '２．４'],
    ['E2', 'ケアマネ等が家族に実際に説明するようになる', '説明した経験等の確認(アンケート)', ['アンケート調査'], '31'],
    ['E3', '説明により家族等が理解し、安心する', '家族の安心感等のヒアリング、アンケート', ['ヒアリング', 'アンケート調査'], '3.1'],
  ],
};
export const SEED_THEME = 'パーキンソン病に対応できる訪問診療医が市内にいない';

const METHODS = {
  アンケート調査: 'MEASUREMENT_METHOD_SURVEY', テスト: 'MEASUREMENT_METHOD_TEST', ヒアリング: 'MEASUREMENT_METHOD_HEARING',
};

// Worked example 1 through the API: the care manager's call about Parkinson's, matched (outside
// Inagi), referred to the nearest candidate, and the seed SEED_THEME. Returns the consultation.
export async function workedExample1(page) {
  const path = (c) => `/api/v1/consultations/${encodeURIComponent(c.id)}`;
  const c = await apiCall(page, 'POST', '/api/v1/consultations', {
    channel: 'CHANNEL_PHONE',
    sourceType: 'SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER',
    narrative: 'パーキンソン病。通院が難しくなってきたため、パーキンソン病に強い訪問診療医を探している。',
    needs: [{ capability: 'parkinsons', alsoRequires: ['home_visit_medical'] }],
  });
  const { consultation: matched } = await apiCall(page, 'POST', `${path(c)}/match`, {
    expectedVersion: c.version, candidatesPerNeed: 5,
  });
  const need = matched.needs[0];
  const referred = await apiCall(page, 'POST', `${path(c)}/referrals`, {
    expectedVersion: matched.version, needId: need.id, resourceId: need.candidates[0].resourceId,
    responseDue: addDays(tokyoToday(), 7),
  });
  return apiCall(page, 'POST', `${path(c)}/seed`, {
    expectedVersion: referred.version, theme: SEED_THEME, tags: ['パーキンソン病'], capability: 'parkinsons',
  });
}

// Worked example 2 through the API: an issue with 問1–問3 filled, at step 5, with E1–E3 (E1's
// baseline 2.4 and target 3.5). Returns the issue.
export async function workedExample2(page) {
  let issue = await apiCall(page, 'POST', '/api/v1/issues', {
    theme: WS.theme, themeTags: ['看取り'], scope: 'ISSUE_SCOPE_MUNICIPAL',
  });
  const path = `/api/v1/issues/${encodeURIComponent(issue.id)}`;
  const change = async (method, suffix, body) => {
    issue = await apiCall(page, method, `${path}${suffix}`, { ...body, expectedVersion: issue.version });
    return issue;
  };
  for (const content of [
    { targetState: WS.target },
    { currentState: WS.current, replaceEvidence: true, evidence: [{ kind: 'EVIDENCE_KIND_HEARING', summary: WS.hearing }] },
    { replaceIssueOptions: true, issueOptions: WS.options, chosenIssue: WS.options[0] },
    { replaceCauses: true, causes: WS.causes.map((text, i) => ({ text, main: i === 1 })), rootCause: WS.root },
  ]) {
    await change('PATCH', '', content);
    await change('POST', '/advance', {});
  }
  for (const [label, description, measure, methods, baseline] of WS.expected) {
    await change('POST', '/expected-changes', {
      expectedChange: {
        label,
        description,
        indicator: {
          nameJa: measure, kind: 'INDICATOR_KIND_SURVEY_SCORE', methods: methods.map((m) => METHODS[m]),
          frequency: 'MEASUREMENT_FREQUENCY_YEARLY', direction: 'DIRECTION_HIGHER_IS_BETTER',
          baseline: Number(baseline.normalize('NFKC')), baselinePeriod: 'FY2026',
        },
      },
    });
  }
  const e1 = issue.expectedChanges.find((e) => e.label === 'E1');
  return change('PATCH', `/expected-changes/${encodeURIComponent(e1.id)}`, { target: 3.5 });
}

// A training two weeks ahead with one session and a survey. Returns the training. Its room is
// one of its own (the service refuses a room booked twice at the same time: files run more than
// once against one instance, and together in the suite).
export function aTraining(page) {
  const day = addDays(tokyoToday(), 14);
  return apiCall(page, 'POST', '/api/v1/trainings', {
    training: {
      title: '在宅看取りのプロセスを家族に説明する演習 (M3)',
      description: 'ケアマネジャー・訪問看護師・医師向け。痩せる等の経過を家族に説明する演習と資料づくり。',
      audiences: ['AUDIENCE_ROLE_CARE_MANAGERS', 'AUDIENCE_ROLE_VISITING_NURSES', 'AUDIENCE_ROLE_PHYSICIANS'],
      sessionsAreOneCourse: true,
      sessions: [{
        startsAt: tokyoTimestamp(day, { hour: 14, minute: 0 }),
        endsAt: tokyoTimestamp(day, { hour: 16, minute: 0 }),
        venue: `稲城市役所 会議室 ${Date.now().toString(36)}`,
        capacity: 30,
      }],
      surveyItems: [
        { id: 'q1', question: '研修の内容は、日々の業務に役立つと思いますか', kind: 'SURVEY_ITEM_KIND_LIKERT', required: true },
      ],
    },
  });
}
