// 定例ミーティング資料: the brief for the regular meeting of the municipality and its coordinator
// (GET /api/v1/digest?from=..&to=..): consultations by source, needs by capability, referrals and
// their outcomes, resource gaps with the nearest resource outside, follow-ups past due, and the
// seeds of regional issues. Printable (the print stylesheet hides the navigation and controls);
// the Markdown version downloads as a file.
import { get, dateParams, capabilityLabel, loadCapabilities } from '../api.js';
import { h, replace } from '../dom.js';
import {
  tokyoToday, fiscalYearOf, fiscalYearRange, addDays, isoDate,
} from '../dates.js';
import { dateText, timestampText, fiscalYearOption } from '../datetext.js';
import { dateInput, dateValue, actionForm } from '../forms.js';
import { downloadText } from '../download.js';
import { municipalityName } from '../municipalities.js';
import { label, tagLabels, REFERRAL_OUTCOMES } from '../words.js';
import { cardRows } from '../tables.js';

// A small table of counts: the first column names the row, the numbers are right-aligned under
// a heading that never wraps (件数).
/**
 * @param {string} caption
 * @param {string[]} head
 * @param {(string | number)[][]} rows
 */
function countTable(caption, head, rows) {
  if (!rows.length) return h('div', { class: 'digest-block' }, h('h3', {}, caption), h('p', {}, 'なし'));
  const numeric = head.map((_, i) => i > 0 && rows.every((r) => typeof r[i] === 'number'));
  return h('div', { class: 'digest-block' },
    h('h3', {}, caption),
    h('table', { class: 'data compact counts' },
      h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, head.map((x, i) => h('th', { scope: 'col', class: numeric[i] ? 'num' : null }, x)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', { class: numeric[i] ? 'num' : null }, String(c)))))))));
}

const GAP_HEADS = ['機能', '相談', '最寄り (市区町村外)', '距離'];

/**
 * @param {renkei.v1.Date} d
 * @returns {{from: renkei.v1.Date, to: renkei.v1.Date}}
 */
function monthRange(d) {
  const from = { year: d.year, month: d.month, day: 1 };
  const next = d.month === 12 ? { year: d.year + 1, month: 1, day: 1 } : { year: d.year, month: d.month + 1, day: 1 };
  return { from, to: addDays(next, -1) };
}

// The period from the hash (?from=&to=), or this month so far.
/**
 * @param {URLSearchParams} query
 * @param {renkei.v1.Date} today
 */
function periodFrom(query, today) {
  const from = query.get('from');
  const to = query.get('to');
  /** @type {(s: string | null) => renkei.v1.Date | null} */
  const parse = (s) => {
    const m = String(s || '').match(/^(\d{4})-(\d{2})-(\d{2})$/);
    return m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : null;
  };
  const f = parse(from);
  const t = parse(to);
  if (f && t) return { from: f, to: t };
  return monthRange(today);
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  await loadCapabilities().catch(() => []);
  const today = tokyoToday();
  const period = periodFrom(ctx.query, today);
  const fy = fiscalYearOf(period.from);

  /** @type {(from: renkei.v1.Date, to: renkei.v1.Date) => void} */
  const go = (from, to) => ctx.navigate(`#/digest?from=${isoDate(from)}&to=${isoDate(to)}`);

  // Quick choices: a fiscal year, or one of its months.
  const fySelect = h('select', { id: 'digest-fy' }, [fy - 1, fy, fy + 1].map((y) => fiscalYearOption(y, y === fy)));
  const monthSelect = h('select', { id: 'digest-month' },
    h('option', { value: '' }, '年度全体'),
    Array.from({ length: 12 }, (_, i) => {
      const month = ((3 + i) % 12) + 1;
      return h('option', { value: String(month), selected: period.from.month === month && period.from.day === 1 && !(period.from.month === 4 && period.to.month === 3) }, `${month}月`);
    }));
  const quick = h('button', { type: 'button' }, '表示');
  quick.addEventListener('click', () => {
    const y = Number(fySelect.value);
    const m = Number(monthSelect.value);
    if (!m) {
      const r = fiscalYearRange(y);
      go(r.from, r.to);
    } else {
      go(monthRange({ year: m >= 4 ? y : y + 1, month: m, day: 1 }).from, monthRange({ year: m >= 4 ? y : y + 1, month: m, day: 1 }).to);
    }
  });

  const from = dateInput({ label: '期間の始め', field: 'from', value: period.from, hint: '' });
  const to = dateInput({ label: '期間の終わり', field: 'to', value: period.to, hint: '' });
  const custom = actionForm({
    label: '期間を指定する', className: 'form inline', submitLabel: '期間を指定して表示',
    children: [from, to],
    onSubmit: async () => {
      const f = dateValue(from);
      const t = dateValue(to);
      go(f || period.from, t || period.to);
    },
  });

  const print = h('button', { type: 'button', class: 'primary' }, '印刷');
  print.addEventListener('click', () => window.print());

  const d = /** @type {renkei.v1.Digest} */ (
    await get('/api/v1/digest', { ...dateParams('from', period.from), ...dateParams('to', period.to) }));
  const md = h('button', { type: 'button', class: 'secondary' }, 'Markdownで保存');
  md.addEventListener('click', () => {
    downloadText(`digest_${d.municipalityCode}_${isoDate(period.from)}_${isoDate(period.to)}.md`, d.markdown || '', 'text/markdown; charset=utf-8');
    ctx.announce('定例ミーティング資料を保存しました');
  });

  const name = d.municipalityName || municipalityName(d.municipalityCode);
  const capRows = (d.byCapability || []).map((c) => [c.label || capabilityLabel(c.key), c.count]);
  replace(main,
    h('div', { class: 'no-print' },
      h('div', { class: 'toolbar' },
        h('span', { class: 'toolbar-pair' }, h('label', { for: 'digest-fy' }, '年度'), fySelect),
        h('span', { class: 'toolbar-pair' }, h('label', { for: 'digest-month' }, '月'), monthSelect), quick, print, md),
      h('details', {}, h('summary', {}, '期間を日付で指定する'), custom)),
    h('article', { class: 'digest', 'aria-labelledby': 'digest-h' },
      h('h1', { id: 'digest-h' }, '定例ミーティング資料'),
      h('p', { class: 'digest-period' }, `${name}　`, dateText(d.from || period.from), '〜', dateText(d.to || period.to)),
      h('p', { class: 'digest-total' }, '相談件数 ', h('strong', { id: 'digest-consultations' }, `${d.consultations ?? 0}`), '件'),
      h('h2', { id: 'counts-h', class: 'digest-counts-h' }, '件数の内訳'),
      h('div', { class: 'digest-grid' },
        countTable('相談元別', ['相談元', '件数'], (d.bySourceType || []).map((c) => [c.label || c.key, c.count])),
        countTable('相談の状態', ['状態', '件数'], (d.byStatus || []).map((c) => [c.label || c.key, c.count])),
        countTable('ニーズ (機能) 別', ['機能', '件数'], capRows),
        countTable('紹介の結果', ['結果', '件数'], (d.byOutcome || []).map((c) => [c.label || label(REFERRAL_OUTCOMES, c.key) || c.key, c.count]))),
      h('section', { 'aria-labelledby': 'gaps-h' },
        h('h2', { id: 'gaps-h' }, '資源の空白 (相談で見つかったもの)'),
        (d.resourceGaps || []).length === 0 ? h('p', {}, 'なし')
          : cardRows(h('table', { class: 'data gaps' },
            h('thead', {}, h('tr', {}, GAP_HEADS.map((x, i) => h('th', { scope: 'col', class: i === 1 || i === 3 ? 'num' : null }, x)))),
            h('tbody', {}, d.resourceGaps.map((g) => h('tr', {},
              h('th', { scope: 'row' }, g.label || capabilityLabel(g.capability)),
              h('td', { class: 'num' }, `${g.consultations}件`),
              h('td', {}, g.nearestOutsideName || '—'),
              h('td', { class: 'num' }, g.nearestOutsideName ? `${Number(g.nearestOutsideKm).toFixed(1)} km` : '—'))))))),
      h('section', { 'aria-labelledby': 'outside-h' },
        h('h2', { id: 'outside-h' }, '市区町村外への紹介'),
        (d.referralsOutside || []).length === 0 ? h('p', {}, 'なし')
          : h('ul', {}, d.referralsOutside.map((r) => h('li', {},
            h('a', { href: `#/intake/${encodeURIComponent(r.consultationId)}` }, r.resourceName),
            ` (${municipalityName(r.resourceMunicipalityCode)}) — ${label(REFERRAL_OUTCOMES, r.outcome) || '回答待ち'}`)))),
      h('section', { 'aria-labelledby': 'od-h' },
        h('h2', { id: 'od-h' }, '期限切れのフォローアップ'),
        (d.overdueFollowUps || []).length === 0 ? h('p', {}, 'なし')
          : h('ul', {}, d.overdueFollowUps.map((o) => {
            const f = /** @type {renkei.v1.FollowUp} */ (o.followUp); // always set
            return h('li', {}, f.task, ' — 期限 ', dateText(f.due), ` (${o.daysOverdue}日超過)`);
          }))),
      h('section', { 'aria-labelledby': 'seeds-h' },
        h('h2', { id: 'seeds-h' }, '地域課題のタネ'),
        (d.seeds || []).length === 0 ? h('p', {}, 'なし')
          : h('ul', { class: 'seeds' }, d.seeds.map((s) => h('li', {},
            h('span', { class: 'theme' }, s.theme || '(資源の空白)'),
            (s.tags || []).length ? ` [${tagLabels(s.tags).join('・')}]` : '',
            s.automatic ? ' (自動)' : '', ' ', timestampText(s.raisedAt, { time: false })))))));
}
