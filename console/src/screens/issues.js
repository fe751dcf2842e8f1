// 地域課題: the PDCA board (the municipality's issues by their current step, 7 steps), the
// candidates clustered from seeds (accept, merge into an issue or another candidate, dismiss), a
// new issue raised at the council, and the prefecture's wide-area issues this municipality takes
// part in.
import { get, post, seg, ApiError } from '../api.js';
import { h, replace, uid } from '../dom.js';
import {
  input, actionForm, splitList, norm,
} from '../forms.js';
import { can } from '../permissions.js';
import { askFirst } from '../confirm.js';
import { timestampText } from '../datetext.js';
import { municipalityName } from '../municipalities.js';
import { label, tagLabels, STEPS, ISSUE_SCOPES, ISSUE_STATUSES } from '../words.js';

// After a redraw: the keyboard goes on from `el` (made focusable when it is not).
/** @param {Element | null} el */
function focusOn(el) {
  if (!(el instanceof HTMLElement)) return;
  if (!el.matches('a[href], button, input, select, textarea')) el.setAttribute('tabindex', '-1');
  el.focus();
}

// ---------------------------------------------------------------------------------------------
// The board.

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

// ---------------------------------------------------------------------------------------------
// Candidates.

/** @param {renkei.v1.IssueCandidate} cand */
function candidateName(cand) {
  return tagLabels(cand.clusterKeys).join('・') || '課題候補';
}

/** @param {string} id */
const candidateHeadingId = (id) => `cand-${id}-h`;

/**
 * The merge of `cand` into an open issue or another candidate: a choice, then the question.
 * @param {ui.ScreenContext} ctx
 * @param {renkei.v1.IssueCandidate} cand
 * @param {renkei.v1.IssueSummary[]} issues the issues it may go into
 * @param {renkei.v1.IssueCandidate[]} others the other candidates
 */
function mergeForm(ctx, cand, issues, others) {
  const name = candidateName(cand);
  const count = (cand.evidence || []).length;
  const selectId = uid('into');
  const select = h('select', { id: selectId, name: 'into', required: true }, h('option', { value: '' }, '選んでください'));
  // The choices are filled when the merge is opened: a list of candidates does not carry every
  // other candidate's name in each card.
  const fill = () => {
    if (select.options.length > 1) return;
    select.append(
      issues.length ? h('optgroup', { label: '地域課題' }, issues.map((i) => h('option', { value: i.id },
        `${i.theme || '(テーマ未記入)'} (ステップ${i.currentStep || 1})`))) : '',
      others.length ? h('optgroup', { label: 'ほかの課題候補' }, others.map((c) => h('option', { value: c.id },
        `${candidateName(c)} (相談${(c.evidence || []).length}件)`))) : '');
  };
  // The service names the choice "into", "issue_id_into" or "candidate_id_into": all land here.
  const field = h('div', { class: 'field', 'data-field': 'into' },
    h('label', { for: selectId }, '統合先 (地域課題または課題候補)', h('span', { class: 'req' }, ' (必須)')),
    select,
    h('p', { class: 'hint' }, 'この候補の相談を、選んだ課題の根拠または選んだ候補に加えます。'),
    h('p', { class: 'field-error', id: `${selectId}-err`, hidden: true }));
  const slots = ['issue_id_into', 'candidate_id_into'].map((f) => h('div', { 'data-field': f },
    h('p', { class: 'field-error', id: uid('into-err'), hidden: true })));
  const question = h('div', { class: 'ask-slot' });
  const form = actionForm({
    label: `課題候補「${name}」を統合する`, className: 'form merge', submitLabel: '統合する',
    children: [field, slots],
    onSubmit: (f) => {
      const into = select.value;
      if (!into) {
        throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください',
          [{ field: 'into', description: '統合先を選んでください' }]);
      }
      const toIssue = into.startsWith('iss_');
      const target = toIssue ? issues.find((i) => i.id === into) : others.find((c) => c.id === into);
      const targetName = toIssue
        ? `地域課題「${/** @type {renkei.v1.IssueSummary} */ (target)?.theme || '(テーマ未記入)'}」`
        : `課題候補「${target ? candidateName(/** @type {renkei.v1.IssueCandidate} */ (target)) : ''}」`;
      const opener = /** @type {HTMLButtonElement} */ (f.querySelector('button[type="submit"]'));
      askFirst({
        slot: question,
        opener,
        title: `課題候補「${name}」を${targetName}に統合しますか？`,
        details: h('ul', {},
          h('li', {}, toIssue
            ? `この候補の相談${count}件が、${targetName}の現状把握の根拠に加わります。`
            : `この候補の相談${count}件とテーマが、${targetName}に加わります。`),
          h('li', {}, 'この候補は一覧から消えます。統合は取り消せません。')),
        confirmLabel: `${targetName}に統合する`,
        action: async () => {
          await post(`/api/v1/issue-candidates/${seg(cand.id)}/merge`, {
            expectedVersion: cand.version, ...(toIssue ? { issueIdInto: into } : { candidateIdInto: into }),
          });
          ctx.announce(`課題候補「${name}」を${targetName}に統合しました`);
          await ctx.rerender();
          focusOn(toIssue
            ? document.querySelector(`.pdca-board a[href="#/issues/${encodeURIComponent(into)}"]`)
            : document.getElementById(candidateHeadingId(into)));
        },
      });
    },
  });
  // Another choice: the question asked about the previous one goes.
  select.addEventListener('change', () => replace(question));
  form.append(question);
  return Object.assign(form, { fill });
}

/**
 * @param {ui.ScreenContext} ctx
 * @param {renkei.v1.IssueCandidate} cand
 * @param {{issues: renkei.v1.IssueSummary[], candidates: renkei.v1.IssueCandidate[]}} all
 */
function candidateItem(ctx, cand, all) {
  const s = ctx.session;
  // Each label once: "tag:parkinsons" and "capability:parkinsons" both read パーキンソン病.
  const names = tagLabels(cand.clusterKeys);
  const name = candidateName(cand);
  const theme = input({ label: '地域課題のテーマ', field: 'theme', required: true, width: 'long',
    value: names.join('・') });
  // The service proposes wide-area when the consultations came from institutions (e.g. a
  // hospital's discharge unit) in other municipalities: the form starts from that proposal.
  const others = cand.proposedRelatedMunicipalityCodes || [];
  const scope = input({ label: '範囲', field: 'scope', options: ISSUE_SCOPES,
    value: cand.proposedScope === 'ISSUE_SCOPE_WIDE_AREA' ? 'ISSUE_SCOPE_WIDE_AREA' : 'ISSUE_SCOPE_MUNICIPAL' });
  const related = input({ label: '関係する市区町村 (広域のとき、コードを読点区切り)', field: 'related_municipality_codes',
    value: others.join('、') });
  const accept = can(s, 'IssuesService.AcceptCandidate') ? actionForm({
    label: `課題候補「${name}」を地域課題にする`, className: 'form inline', submitLabel: '地域課題にする',
    children: [theme, scope, related],
    onSubmit: async () => {
      const issue = /** @type {renkei.v1.RegionalIssue} */ (await post(`/api/v1/issue-candidates/${seg(cand.id)}/accept`, {
        expectedVersion: cand.version, theme: theme.control.value.trim(), scope: scope.control.value,
        relatedMunicipalityCodes: splitList(norm(related.control.value)),
      }));
      ctx.announce('地域課題にしました');
      ctx.navigate(`#/issues/${encodeURIComponent(issue.id)}`);
    },
  }) : null;
  const reason = input({ label: '見送る理由', field: 'reason', required: true });
  const dismiss = can(s, 'IssuesService.DismissCandidate') ? actionForm({
    label: `課題候補「${name}」を見送る`, className: 'form inline', submitLabel: '見送る',
    children: [reason],
    onSubmit: async () => {
      await post(`/api/v1/issue-candidates/${seg(cand.id)}/dismiss`, {
        expectedVersion: cand.version, reason: reason.control.value.trim(),
      });
      ctx.announce('候補を見送りました');
      await ctx.rerender();
      focusOn(document.getElementById('cand-h'));
    },
  }) : null;
  const intoIssues = all.issues.filter((i) => i.status !== 'ISSUE_STATUS_CLOSED');
  const intoCandidates = all.candidates.filter((c) => c.id !== cand.id);
  const merge = can(s, 'IssuesService.MergeCandidate') && (intoIssues.length || intoCandidates.length)
    ? mergeForm(ctx, cand, intoIssues, intoCandidates) : null;
  const ev = cand.evidence || [];
  return h('li', { class: 'card candidate' },
    h('h3', { class: 'theme', id: candidateHeadingId(cand.id) }, names.length
      ? names.map((n, i) => [i ? h('span', { class: 'sr-only' }, '、') : null, h('span', { class: 'tag' }, n)]) : '課題候補'),
    h('p', { class: 'meta' }, `相談 ${ev.length}件から`, ev.some((e) => e.resourceGap) ? '・資源の空白を含む' : '',
      ' 提案 ', timestampText(cand.proposedAt, { time: false })),
    others.length ? h('p', { class: 'meta wide-area-proposal' },
      `広域の課題として提案: 相談者の機関が ${others.map((code) => municipalityName(code)).join('、')} にあります`) : null,
    accept,
    merge ? h('details', { class: 'merge', ontoggle: (/** @type {Event} */ e) => {
      if (/** @type {HTMLDetailsElement} */ (e.currentTarget).open) merge.fill();
    } }, h('summary', {}, 'ほかの課題・候補に統合する'), merge) : null,
    dismiss ? h('details', {}, h('summary', {}, '見送る'), dismiss) : null);
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
  const create = can(ctx.session, 'IssuesService.CreateIssue') ? actionForm({
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
  }) : null;

  const cands = candidates.candidates || [];
  const wideIssues = wide.issues || [];
  const all = { issues, candidates: cands };
  replace(main,
    h('h1', {}, '地域課題'),
    h('section', { 'aria-labelledby': 'board-h' },
      h('h2', { id: 'board-h' }, `PDCAボード (${list.total ?? issues.length}件)`),
      h('p', {}, '地域課題を、いまのステップごとに並べています。課題を開くとワークシート (問1〜問5) を記入できます。'),
      board(issues)),
    h('section', { 'aria-labelledby': 'cand-h' },
      h('h2', { id: 'cand-h' }, `課題候補 (${cands.length}件)`),
      h('p', {}, '相談から記録された地域課題のタネが、同じテーマで集まったものです。同じことを指す候補は、ほかの候補か地域課題に統合できます。'),
      cands.length ? h('ul', { class: 'cards candidates' }, cands.map((c) => candidateItem(ctx, c, all))) : h('p', {}, '提案中の候補はありません。')),
    create ? h('section', { 'aria-labelledby': 'new-h' },
      h('h2', { id: 'new-h' }, '地域課題を作る'),
      h('p', {}, '協議会などで挙がったテーマから、候補を経ずに地域課題を作ります。'),
      create) : null,
    wideIssues.length ? h('section', { 'aria-labelledby': 'wide-h' },
      h('h2', { id: 'wide-h' }, '都道府県の広域の課題'),
      h('ul', { class: 'cards' }, wideIssues.map((w) => h('li', { class: 'card' },
        h('p', {}, tagLabels(w.themeTags).join('・') || '広域の課題'),
        h('p', { class: 'meta' }, `${municipalityName(w.prefectureCode)} ステップ${w.currentStep} 関係市町村: `,
          (w.relatedMunicipalityCodes || []).map((c) => municipalityName(c, { withPrefecture: false })).join('、')))))) : null);
}
