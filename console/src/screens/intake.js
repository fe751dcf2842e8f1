// 相談受付 (list): the consultations of the municipality, newest first, and the follow-ups past
// their due date. The form for a new consultation is #/intake/new (intake_form.js).
import { get, dateParams, loadCapabilities, capabilityLabel } from '../api.js';
import { h, replace } from '../dom.js';
import { input, dateInput, dateValue, actionForm } from '../forms.js';
import { timestampText, dateText } from '../datetext.js';
import { label, CONSULTATION_STATUSES, SOURCE_TYPES } from '../words.js';
import { can } from '../permissions.js';
import { cardRows } from '../tables.js';

const HEADS = ['受付日時', '相談元', '状態', 'ニーズ', '紹介', '未完了のフォローアップ'];

// One row per consultation (on a narrow screen, a card: tables.js).
/** @param {renkei.v1.ConsultationSummary[]} list */
function consultationRows(list) {
  return list.map((c) => h('tr', {},
    h('td', {}, h('a', { href: `#/intake/${encodeURIComponent(c.id)}` }, timestampText(c.receivedAt))),
    h('td', {}, label(SOURCE_TYPES, c.sourceType)),
    h('td', {}, h('span', { class: `badge status-${String(c.status).toLowerCase().replace(/_/g, '-')}` }, label(CONSULTATION_STATUSES, c.status))),
    h('td', {}, (c.needCapabilities || []).map(capabilityLabel).join('、') || '—'),
    h('td', { class: 'num' }, `${c.referrals ?? 0}件`),
    h('td', { class: 'num' }, `${c.openFollowUps ?? 0}件`)));
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  await loadCapabilities().catch(() => []);
  const status = input({ label: '状態', field: 'status', options: CONSULTATION_STATUSES, empty: 'すべて' });
  const from = dateInput({ label: '受付日 (から)', field: 'received_from', hint: '' });
  const to = dateInput({ label: '受付日 (まで)', field: 'received_to', hint: '' });
  const tbody = h('tbody');
  const table = cardRows(h('table', { class: 'data consultations' },
    h('caption', { class: 'sr-only' }, '相談の一覧 (新しい順)'),
    h('thead', {}, h('tr', {},
      HEADS.map((t, i) => h('th', { scope: 'col', class: i >= 4 ? 'num' : null }, t)))),
    tbody));
  const more = h('button', { type: 'button', class: 'more', hidden: true }, 'さらに表示');
  const count = h('p', { class: 'count' });
  let pageToken = '';
  /** @type {ui.Query} */
  let query = {};

  /** @param {boolean} append */
  async function load(append) {
    const r = /** @type {renkei.v1.ListConsultationsResponse} */ (await get('/api/v1/consultations', { ...query, page_size: 50, page_token: append ? pageToken : '' }));
    const list = r.consultations || [];
    if (!append) replace(tbody);
    tbody.append(...consultationRows(list));
    cardRows(table); // the new rows' labels
    pageToken = r.nextPageToken || '';
    more.hidden = !pageToken;
    count.textContent = `${tbody.children.length}件${pageToken ? '以上' : ''}`;
    ctx.announce(`相談 ${count.textContent}`);
  }
  more.addEventListener('click', () => load(true));

  const filter = actionForm({
    label: '相談の絞り込み',
    className: 'form inline',
    submitLabel: '表示',
    children: [status, from, to],
    onSubmit: async () => {
      const f = dateValue(from);
      const t = dateValue(to);
      query = { status: status.control.value, ...dateParams('received_from', f), ...dateParams('received_to', t) };
      await load(false);
    },
  });

  const overdue = h('section', { 'aria-labelledby': 'overdue-h' }, h('h2', { id: 'overdue-h' }, '期限切れのフォローアップ'));
  replace(main,
    h('h1', {}, '相談受付'),
    can(ctx.session, 'IntakeService.CreateConsultation')
      ? h('p', { class: 'lead-actions' }, h('a', { class: 'button primary', href: '#/intake/new' }, '新しい相談を受け付ける')) : null,
    h('section', { 'aria-labelledby': 'list-h' },
      h('h2', { id: 'list-h' }, '相談の一覧'),
      filter,
      count,
      table,
      more),
    overdue);
  await load(false);

  const od = /** @type {renkei.v1.ListOverdueFollowUpsResponse} */ (await get('/api/v1/follow-ups/overdue'));
  const items = od.followUps || [];
  overdue.append(items.length === 0 ? h('p', {}, '期限切れのフォローアップはありません。')
    : h('ul', { class: 'plain' }, items.map((o) => {
      const f = /** @type {renkei.v1.FollowUp} */ (o.followUp); // always set
      return h('li', {},
        h('a', { href: `#/intake/${encodeURIComponent(o.consultationId)}` }, f.task),
        ` — 期限 `, dateText(f.due), ` (${o.daysOverdue}日超過)`, f.owner ? ` 担当: ${f.owner}` : '');
    })));
}
