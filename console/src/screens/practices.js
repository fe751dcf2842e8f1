// 取組事例 (the practice library): regional issues other municipalities published — searched by
// words, tag, capability, step reached and prefecture — and one practice's page (its worksheet,
// evaluation values, contact, lead coordinators' notes; withdraw one published here — asked in
// the page first —, annotate as a lead coordinator). docs/network.md.
import { get, post, seg, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { input, checkbox, actionForm, focusHeading } from '../forms.js';
import { timestampText } from '../datetext.js';
import { municipalityName } from '../municipalities.js';
import {
  label, labels, BUILT_IN_CAPABILITIES, STEPS, AUDIENCES, COUNTERMEASURE_STATUSES, SHARE_LEVELS,
} from '../words.js';
import { partyText } from './network.js';
import { can } from '../permissions.js';
import { askFirst } from '../confirm.js';
import { cardRows } from '../tables.js';

/** @param {string | undefined} code */
function whereText(code) {
  return code ? municipalityName(code) : '';
}

/** @param {renkei.v1.Practice} p */
function practiceCard(p) {
  return h('li', { class: 'card practice' },
    h('a', { href: `#/practices/${encodeURIComponent(p.id)}` }, p.theme || '(テーマなし)'),
    p.featured ? h('span', { class: 'badge done' }, ' 注目の取組') : null,
    h('p', { class: 'meta' }, `${whereText(p.jurisdictionCode)}・ステップ${p.stepReached || 1}「${STEPS[(p.stepReached || 1) - 1]}」まで・第${p.cycle || 1}サイクル`),
    (p.tags || []).length ? h('p', {}, (p.tags || []).map((t) => h('span', { class: 'tag' }, t))) : null,
    h('p', { class: 'meta' }, '更新 ', timestampText(p.updatedAt, { time: false })));
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  const q = ctx.query;
  const query = {
    text: q.get('text') || '', capability: q.get('capability') || '', min_step: q.get('min_step') || '',
    prefecture_code: q.get('prefecture_code') || '', featured_only: q.get('featured_only') || '',
  };
  const found = /** @type {renkei.v1.SearchPracticesResponse} */ (await get('/api/v1/practices', { ...query, page_size: 50 }));
  const text = input({ label: '語 (テーマ・現状・課題・原因・対策)', field: 'text', value: query.text, hint: 'ひらがな・カタカナ・全角半角の違いは区別しません' });
  const capability = input({ label: '対応内容', field: 'capability', options: BUILT_IN_CAPABILITIES, empty: 'すべて', value: query.capability });
  const step = input({ label: '到達したステップ', field: 'min_step', options: STEPS.map((s, i) => /** @type {const} */ ([String(i + 1), `${i + 1}. ${s} 以上`])), empty: 'すべて', value: query.min_step });
  const pref = input({ label: '都道府県コード', field: 'prefecture_code', width: 'short', value: query.prefecture_code });
  const featured = checkbox({ label: '注目の取組だけ', field: 'featured_only', value: query.featured_only === 'true' });
  const form = actionForm({
    label: '取組事例を探す', submitLabel: '探す',
    children: [text, h('div', { class: 'row' }, capability, step, pref), featured],
    onSubmit: async () => {
      const params = new URLSearchParams();
      if (text.control.value.trim()) params.set('text', text.control.value.trim());
      if (capability.control.value) params.set('capability', capability.control.value);
      if (step.control.value) params.set('min_step', step.control.value);
      if (pref.control.value.trim()) params.set('prefecture_code', pref.control.value.trim());
      if (/** @type {HTMLInputElement} */ (featured.control).checked) params.set('featured_only', 'true');
      ctx.navigate(`#/practices?${params}`);
    },
  });
  const practices = found.practices || [];
  replace(main,
    h('h1', {}, '取組事例'),
    h('p', {}, '市区町村が公開した地域課題の取組です (このインスタンスが公開したものと、都道府県内・全国から届いたもの)。ワークシート (目指す姿・現状・課題・原因・対策・期待される変化) を、評価の値とともに見られます。'),
    form,
    h('section', { 'aria-labelledby': 'found-h' },
      h('h2', { id: 'found-h' }, `見つかった取組 (${found.total ?? practices.length}件)`),
      practices.length ? h('ul', { class: 'cards' }, practices.map(practiceCard)) : h('p', {}, '該当する取組はありません。')));
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function renderItem(main, ctx) {
  /** @type {[renkei.v1.Practice, renkei.v1.ListProfilesResponse]} */
  let found;
  try {
    found = /** @type {[renkei.v1.Practice, renkei.v1.ListProfilesResponse]} */ (await Promise.all([
      get(`/api/v1/practices/${seg(ctx.id)}`),
      get('/api/v1/coordinator-profiles', { account: ctx.session.login }).catch(() => ({ profiles: [] })),
    ]));
  } catch (err) {
    // A practice withdrawn (here or by its municipality) is gone from every instance: said so.
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    replace(main,
      h('p', { class: 'breadcrumb' }, h('a', { href: '#/practices' }, '取組事例'), ' › 取組'),
      h('h1', {}, '取組事例が見つかりません'),
      h('p', { class: 'state-note' }, 'この取組事例は公開されていません。公開がやめられたか、このインスタンスと共有される範囲にありません。'),
      h('p', {}, h('a', { href: '#/practices' }, '取組事例を探す')));
    return;
  }
  const [p, mineList] = found;
  const mine = (mineList.profiles || [])[0];
  const own = p.jurisdictionCode === ctx.session.jurisdiction;
  const actions = [];
  if (own && can(ctx.session, 'NetworkService.WithdrawPractice')) {
    const question = h('div', { class: 'ask-slot' });
    const where = p.shareLevel === 'SHARE_LEVEL_PREFECTURE' ? '都道府県内の市区町村' : '全国の市区町村・都道府県・国';
    const form = actionForm({
      label: '公開をやめる', className: 'form inline', submitLabel: '公開をやめる', children: [],
      onSubmit: (f) => {
        askFirst({
          slot: question,
          opener: /** @type {HTMLButtonElement} */ (f.querySelector('button[type="submit"]')),
          title: `「${p.theme || '取組事例'}」の公開をやめますか？`,
          details: h('ul', {},
            h('li', {}, `${where}からこの取組事例が見えなくなります (統括コーディネーターの注記も消えます)。`),
            h('li', {}, 'もとの地域課題はそのまま残り、課題の画面からもう一度公開できます。')),
          confirmLabel: '公開をやめる',
          danger: true,
          action: async () => {
            await post(`/api/v1/practices/${seg(p.id)}/withdraw`, { id: p.id });
            ctx.announce(`「${p.theme || '取組事例'}」の公開をやめました`);
            ctx.navigate('#/practices');
          },
        });
      },
    });
    form.append(question);
    actions.push(form);
  }
  if (mine && mine.role === 'NETWORK_ROLE_LEAD_COORDINATOR' && can(ctx.session, 'NetworkService.AnnotatePractice')) {
    const note = input({ label: '注記', field: 'text', multiline: true, rows: 3 });
    const feature = checkbox({ label: '注目の取組にする', field: 'featured' });
    actions.push(actionForm({
      label: '注記する', submitLabel: '注記する', children: [note, feature],
      onSubmit: async () => {
        await post(`/api/v1/practices/${seg(p.id)}/notes`, {
          id: p.id, profileId: mine.id, text: note.control.value.trim(),
          featured: /** @type {HTMLInputElement} */ (feature.control).checked,
        });
        ctx.announce('注記しました');
        await ctx.rerender();
        focusHeading('notes-h');
      },
    }));
  }
  const changes = p.expectedChanges || [];
  replace(main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/practices' }, '取組事例'), ' › 取組'),
    h('h1', {}, p.theme || '取組事例'),
    p.featured ? h('p', {}, h('span', { class: 'badge done' }, '注目の取組')) : null,
    // Published here: the issue it is a copy of is one link away.
    own && p.issueId ? h('p', {}, h('a', { href: `#/issues/${encodeURIComponent(p.issueId)}` }, 'もとの地域課題を開く')) : null,
    h('dl', { class: 'facts' },
      h('dt', {}, '公開'), h('dd', {}, `${whereText(p.jurisdictionCode)}（${label(SHARE_LEVELS, p.shareLevel)}）`),
      h('dt', {}, '到達したステップ'), h('dd', {}, `${p.stepReached || 1}. ${STEPS[(p.stepReached || 1) - 1]}（第${p.cycle || 1}サイクル）`),
      h('dt', {}, '連絡先'), h('dd', {}, partyText(p.contact), p.contactDetail ? ` ${p.contactDetail}` : ''),
      h('dt', {}, '目指す姿'), h('dd', {}, p.targetState || '—'),
      h('dt', {}, '現状'), h('dd', {}, h('p', { class: 'pre' }, p.currentState || '—')),
      h('dt', {}, '課題'), h('dd', {}, p.chosenIssue || '—'),
      h('dt', {}, '原因'), h('dd', {}, (p.causes || []).length ? h('ul', {}, (p.causes || []).map((c) => h('li', {}, c.main ? h('strong', {}, `【主たる原因】${c.text}`) : c.text))) : '—'),
      h('dt', {}, '対策'), h('dd', {}, (p.countermeasures || []).length ? h('ul', {}, (p.countermeasures || []).map((m) => h('li', {},
        `${m.label} ${m.content}`, m.audiences && m.audiences.length ? `（${labels(AUDIENCES, m.audiences)}）` : '',
        m.status ? ` ${label(COUNTERMEASURE_STATUSES, m.status)}` : ''))) : '—')),
    h('section', { 'aria-labelledby': 'changes-h' },
      h('h2', { id: 'changes-h' }, '期待される変化と評価'),
      changes.length ? cardRows(h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, ['', '期待値', '指標', '基準値', '目標値', '評価値'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, changes.map((c) => h('tr', {},
          h('td', {}, c.label), h('td', {}, c.description), h('td', {}, c.indicatorName || ''),
          h('td', { class: 'num' }, c.baseline === undefined || c.baseline === null ? '—' : `${c.baseline}${c.unit || ''}`),
          h('td', { class: 'num' }, c.target === undefined || c.target === null ? '—' : `${c.target}${c.unit || ''}`),
          h('td', {}, (c.values || []).map((v) => `${v.period}: ${v.value}${c.unit || ''}`).join('、') || 'まだありません'))))))
        : h('p', {}, 'まだありません。')),
    (p.notes || []).length ? h('section', { 'aria-labelledby': 'notes-h' },
      h('h2', { id: 'notes-h' }, '統括コーディネーターの注記'),
      h('ul', {}, (p.notes || []).map((n) => h('li', {}, partyText(n.by), n.featured ? '（注目）' : '', ' ', timestampText(n.at, { time: false }),
        n.text ? h('p', { class: 'pre' }, n.text) : null)))) : null,
    actions.length ? h('section', { 'aria-labelledby': 'pact-h' }, h('h2', { id: 'pact-h' }, '操作'), ...actions) : null);
}
