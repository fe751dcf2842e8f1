// 地域課題: the PDCA board (the municipality's issues by their current step, 7 steps), the
// candidates clustered from seeds (accept or dismiss), a new issue raised at the council, and
// the prefecture's wide-area issues this municipality takes part in.
import { get, post, seg } from '../api.js';
import { h, replace } from '../dom.js';
import {
  input, actionForm, splitList, norm,
} from '../forms.js';
import { timestampText } from '../datetext.js';
import { municipalityName } from '../municipalities.js';
import { label, tagLabels, STEPS, ISSUE_SCOPES, ISSUE_STATUSES } from '../words.js';

/** @param {renkei.v1.IssueSummary} i */
function issueCard(i) {
  return h('li', { class: 'card issue-card' },
    h('a', { href: `#/issues/${encodeURIComponent(i.id)}` }, i.theme || '(テーマ未記入)'),
    h('p', { class: 'meta' },
      i.scope === 'ISSUE_SCOPE_WIDE_AREA' ? h('span', { class: 'badge' }, label(ISSUE_SCOPES, i.scope)) : null,
      `第${i.cycle || 1}サイクル`,
      i.status && i.status !== 'ISSUE_STATUS_OPEN' ? ` ${label(ISSUE_STATUSES, i.status)}` : '',
      i.countermeasures ? ` 対策${i.countermeasures}件` : '',
      i.originMunicipalityCode ? ` (${municipalityName(i.originMunicipalityCode)}から)` : ''),
    h('p', { class: 'meta' }, '更新 ', timestampText(i.updatedAt, { time: false })));
}

/** @param {renkei.v1.IssueSummary[]} issues */
function board(issues) {
  /** @type {renkei.v1.IssueSummary[][]} */
  const byStep = STEPS.map(() => []);
  for (const i of issues) {
    const step = Math.min(Math.max(Number(i.currentStep) || 1, 1), 7);
    byStep[step - 1].push(i);
  }
  return h('ol', { class: 'pdca-board' }, STEPS.map((name, k) => h('li', { class: `pdca-column step-${k + 1}` },
    h('h3', { id: `step-${k + 1}-h` }, `${k + 1}. ${name}`, h('span', { class: 'count' }, ` (${byStep[k].length}件)`)),
    byStep[k].length ? h('ul', { class: 'cards', 'aria-labelledby': `step-${k + 1}-h` }, byStep[k].map(issueCard))
      : h('p', { class: 'empty' }, 'なし'))));
}

/**
 * @param {ui.ScreenContext} ctx
 * @param {renkei.v1.IssueCandidate} cand
 */
function candidateItem(ctx, cand) {
  // Each label once: "tag:parkinsons" and "capability:parkinsons" both read パーキンソン病.
  const names = tagLabels(cand.clusterKeys);
  const theme = input({ label: '地域課題のテーマ', field: 'theme', required: true, width: 'long',
    value: names.join('・') });
  // The service proposes wide-area when the consultations came from institutions (e.g. a
  // hospital's discharge unit) in other municipalities: the form starts from that proposal.
  const others = cand.proposedRelatedMunicipalityCodes || [];
  const scope = input({ label: '範囲', field: 'scope', options: ISSUE_SCOPES,
    value: cand.proposedScope === 'ISSUE_SCOPE_WIDE_AREA' ? 'ISSUE_SCOPE_WIDE_AREA' : 'ISSUE_SCOPE_MUNICIPAL' });
  const related = input({ label: '関係する市区町村 (広域のとき、コードを読点区切り)', field: 'related_municipality_codes',
    value: others.join('、') });
  const accept = actionForm({
    label: `候補 ${cand.id} を地域課題にする`, className: 'form inline', submitLabel: '地域課題にする',
    children: [theme, scope, related],
    onSubmit: async () => {
      const issue = /** @type {renkei.v1.RegionalIssue} */ (await post(`/api/v1/issue-candidates/${seg(cand.id)}/accept`, {
        expectedVersion: cand.version, theme: theme.control.value.trim(), scope: scope.control.value,
        relatedMunicipalityCodes: splitList(norm(related.control.value)),
      }));
      ctx.announce('地域課題にしました');
      ctx.navigate(`#/issues/${encodeURIComponent(issue.id)}`);
    },
  });
  const reason = input({ label: '見送る理由', field: 'reason', required: true });
  const dismiss = actionForm({
    label: `候補 ${cand.id} を見送る`, className: 'form inline', submitLabel: '見送る',
    children: [reason],
    onSubmit: async () => {
      await post(`/api/v1/issue-candidates/${seg(cand.id)}/dismiss`, {
        expectedVersion: cand.version, reason: reason.control.value.trim(),
      });
      ctx.announce('候補を見送りました');
      ctx.rerender();
    },
  });
  const ev = cand.evidence || [];
  return h('li', { class: 'card candidate' },
    h('p', { class: 'theme' }, names.map((name) => h('span', { class: 'tag' }, name))),
    h('p', { class: 'meta' }, `相談 ${ev.length}件から`, ev.some((e) => e.resourceGap) ? '・資源の空白を含む' : '',
      ' 提案 ', timestampText(cand.proposedAt, { time: false })),
    others.length ? h('p', { class: 'meta wide-area-proposal' },
      `広域の課題として提案: 相談者の機関が ${others.map((code) => municipalityName(code)).join('、')} にあります`) : null,
    accept,
    h('details', {}, h('summary', {}, '見送る'), dismiss));
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  const [list, candidates, wide] = /** @type {[
    renkei.v1.ListIssuesResponse, renkei.v1.ListCandidatesResponse, renkei.v1.ListWideAreaIssuesResponse,
  ]} */ (await Promise.all([
    get('/api/v1/issues', { page_size: 200 }),
    get('/api/v1/issue-candidates'),
    get('/api/v1/wide-area-issues').catch(() => ({ issues: [] })),
  ]));
  const issues = list.issues || [];

  const theme = input({ label: '問1 取り組みたい具体的なテーマ', field: 'theme', required: true, width: 'long' });
  const tags = input({ label: 'タグ (読点・カンマ区切り)', field: 'theme_tags', placeholder: '例: 看取り' });
  const scope = input({ label: '範囲', field: 'scope', options: ISSUE_SCOPES, value: 'ISSUE_SCOPE_MUNICIPAL' });
  const related = input({ label: '関係する市区町村 (広域のとき、コードを読点区切り)', field: 'related_municipality_codes' });
  const create = actionForm({
    label: '地域課題を作る', submitLabel: '地域課題を作る',
    children: [theme, h('div', { class: 'row' }, tags, scope), related],
    onSubmit: async () => {
      const issue = /** @type {renkei.v1.RegionalIssue} */ (await post('/api/v1/issues', {
        theme: theme.control.value.trim(),
        themeTags: splitList(tags.control.value),
        scope: scope.control.value,
        relatedMunicipalityCodes: splitList(norm(related.control.value)),
      }));
      ctx.announce('地域課題を作りました');
      ctx.navigate(`#/issues/${encodeURIComponent(issue.id)}`);
    },
  });

  const cands = candidates.candidates || [];
  const wideIssues = wide.issues || [];
  replace(main,
    h('h1', {}, '地域課題'),
    h('section', { 'aria-labelledby': 'board-h' },
      h('h2', { id: 'board-h' }, `PDCAボード (${list.total ?? issues.length}件)`),
      h('p', {}, '地域課題を、いまのステップごとに並べています。課題を開くとワークシート (問1〜問5) を記入できます。'),
      board(issues)),
    h('section', { 'aria-labelledby': 'cand-h' },
      h('h2', { id: 'cand-h' }, `課題候補 (${cands.length}件)`),
      h('p', {}, '相談から記録された地域課題のタネが、同じテーマで集まったものです。'),
      cands.length ? h('ul', { class: 'cards' }, cands.map((c) => candidateItem(ctx, c))) : h('p', {}, '提案中の候補はありません。')),
    h('section', { 'aria-labelledby': 'new-h' },
      h('h2', { id: 'new-h' }, '地域課題を作る'),
      h('p', {}, '協議会などで挙がったテーマから、候補を経ずに地域課題を作ります。'),
      create),
    wideIssues.length ? h('section', { 'aria-labelledby': 'wide-h' },
      h('h2', { id: 'wide-h' }, '都道府県の広域の課題'),
      h('ul', { class: 'cards' }, wideIssues.map((w) => h('li', { class: 'card' },
        h('p', {}, tagLabels(w.themeTags).join('・') || w.prefectureIssueId),
        h('p', { class: 'meta' }, `${municipalityName(w.prefectureCode)} ステップ${w.currentStep} 関係市町村: `,
          (w.relatedMunicipalityCodes || []).map((c) => municipalityName(c, { withPrefecture: false })).join('、')))))) : null);
}
