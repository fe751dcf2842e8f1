// Charts as inline SVG, drawn here (no chart library): an indicator's series against its
// baseline and target, and the ranked comparison of a prefecture's municipalities with the median
// marked. Every chart carries an aria-label summary and its numbers as a table.
import { h } from './dom.js';

const numberFormat = new Intl.NumberFormat('ja-JP', { maximumFractionDigits: 2 });

// A value as the indicator means it: ratios without a unit as percentages.
/**
 * What a chart needs of an indicator's spec (renkei.v1.IndicatorSpec).
 * @typedef {{kind?: string, unit?: string}} ValueSpec
 */
/**
 * @param {number | null | undefined} value
 * @param {ValueSpec} [spec]
 */
export function formatValue(value, spec = {}) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  if (spec.kind === 'INDICATOR_KIND_RATIO' && !spec.unit) {
    return `${numberFormat.format(value * 100)}%`;
  }
  return `${numberFormat.format(value)}${spec.unit || ''}`;
}

// Round tick steps (1, 2, 5 × 10^n) covering [lo, hi].
/**
 * @param {number} lo
 * @param {number} hi
 * @param {number} [count]
 */
export function ticks(lo, hi, count = 5) {
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  // From the step at or below lo to the step at or above hi, so every value lies inside.
  const out = [];
  const top = Math.ceil(hi / step - 1e-9) * step;
  for (let v = Math.floor(lo / step + 1e-9) * step; v <= top + step * 1e-9; v += step) {
    out.push(Number(v.toFixed(10)));
  }
  return out;
}

/**
 * @param {string} caption
 * @param {string[]} head
 * @param {string[][]} rows
 */
function dataTable(caption, head, rows) {
  return h('details', { class: 'chart-table' },
    h('summary', {}, '数値を表で見る'),
    h('table', {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c))))))));
}

// points: [{label, value, suppressed}] in time order; baseline / target optional numbers.
/**
 * @param {object} chart
 * @param {string} chart.title
 * @param {ValueSpec} [chart.spec]
 * @param {{label: string, short?: string, value?: number, suppressed?: boolean}[]} chart.points
 * @param {number} [chart.baseline]
 * @param {number} [chart.target]
 */
export function lineChart({ title, spec = {}, points, baseline, target }) {
  const W = 640;
  const H = 260;
  const m = { left: 64, right: 96, top: 16, bottom: 48 };
  const shown = points.filter((p) => !p.suppressed && typeof p.value === 'number');
  const values = shown.map((p) => /** @type {number} */ (p.value));
  const refs = [baseline, target].filter((v) => typeof v === 'number');
  const lo = Math.min(0, ...values, ...refs);
  const hi = Math.max(...values, ...refs, lo + 1e-9) * 1.1 || 1;
  const yt = ticks(lo, hi);
  const y0 = yt[0];
  const y1 = yt[yt.length - 1];
  /** @param {number} v */
  const y = (v) => m.top + (H - m.top - m.bottom) * (1 - (v - y0) / (y1 - y0 || 1));
  const n = points.length;
  /** @param {number} i */
  const x = (i) => m.left + (n <= 1 ? (W - m.left - m.right) / 2 : (i * (W - m.left - m.right)) / (n - 1));
  const every = Math.max(1, Math.ceil(n / 12));

  const latest = shown[shown.length - 1];
  const summary = [
    `${title}: ${n}期間`,
    latest ? `最新 ${latest.label} ${formatValue(latest.value, spec)}` : '観測値なし',
    typeof baseline === 'number' ? `ベースライン ${formatValue(baseline, spec)}` : 'ベースライン未設定',
    typeof target === 'number' ? `目標 ${formatValue(target, spec)}` : '目標未設定',
  ].join('、');

  const svg = h('svg', {
    class: 'chart line-chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img',
    'aria-label': summary, preserveAspectRatio: 'xMinYMin meet',
  },
  h('title', {}, summary),
  yt.map((t) => h('g', { class: 'tick' },
    h('line', { x1: m.left, x2: W - m.right, y1: y(t), y2: y(t), class: 'grid' }),
    h('text', { x: m.left - 8, y: y(t) + 4, 'text-anchor': 'end' }, formatValue(t, spec)))),
  points.map((p, i) => (i % every === 0 || i === n - 1
    ? h('text', { x: x(i), y: H - m.bottom + 18, 'text-anchor': 'middle', class: 'x-label' }, p.short || p.label)
    : null)),
  h('line', { x1: m.left, x2: W - m.right, y1: y(y0), y2: y(y0), class: 'axis' }),
  typeof baseline === 'number' ? h('g', { class: 'ref baseline' },
    h('line', { x1: m.left, x2: W - m.right, y1: y(baseline), y2: y(baseline) }),
    h('text', { x: W - m.right + 4, y: y(baseline) + 4 }, `ベースライン ${formatValue(baseline, spec)}`)) : null,
  typeof target === 'number' ? h('g', { class: 'ref target' },
    h('line', { x1: m.left, x2: W - m.right, y1: y(target), y2: y(target) }),
    h('text', { x: W - m.right + 4, y: y(target) + 4 }, `目標 ${formatValue(target, spec)}`)) : null,
  shown.length > 1 ? h('polyline', {
    class: 'series',
    points: points.map((p, i) => (p.suppressed || typeof p.value !== 'number' ? null : `${x(i)},${y(p.value)}`)).filter(Boolean).join(' '),
  }) : null,
  points.map((p, i) => (p.suppressed || typeof p.value !== 'number' ? null
    : h('circle', { class: 'point', cx: x(i), cy: y(p.value), r: 4 },
      h('title', {}, `${p.label}: ${formatValue(p.value, spec)}`)))),
  shown.length === 0 ? h('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty' }, 'この期間の観測値はありません') : null);

  return h('figure', { class: 'chart-figure' },
    h('figcaption', {}, title),
    svg,
    dataTable(title, ['期間', '値'], [
      ...points.map((p) => [p.label, p.suppressed ? '秘匿' : formatValue(p.value, spec)]),
      ...(typeof baseline === 'number' ? [['ベースライン', formatValue(baseline, spec)]] : []),
      ...(typeof target === 'number' ? [['目標', formatValue(target, spec)]] : []),
    ]));
}

// rows: [{code, name, value, rank, suppressed}] best first; median: number; own: the code to
// highlight.
/**
 * @param {object} chart
 * @param {string} chart.title
 * @param {ValueSpec} [chart.spec]
 * @param {{code: string, name: string, value: number, rank: number, suppressed?: boolean}[]} chart.rows
 * @param {number} chart.median
 * @param {string} chart.own
 */
export function rankedBars({ title, spec = {}, rows, median, own }) {
  const rowH = 22;
  const m = { left: 170, right: 90, top: 28, bottom: 12 };
  const W = 640;
  const H = m.top + m.bottom + rowH * Math.max(rows.length, 1);
  const max = Math.max(...rows.filter((r) => !r.suppressed).map((r) => r.value || 0), median || 0, 1e-9);
  /** @param {number} v */
  const x = (v) => m.left + ((W - m.left - m.right) * v) / max;
  const mine = rows.find((r) => r.code === own);
  const summary = [
    `${title}: ${rows.length}団体`,
    `中央値 ${formatValue(median, spec)}`,
    rows[0] ? `1位 ${rows[0].name} ${rows[0].suppressed ? '秘匿' : formatValue(rows[0].value, spec)}` : '',
    mine ? `${mine.name}は${mine.rank}位 (${mine.suppressed ? '秘匿' : formatValue(mine.value, spec)})` : '',
  ].filter(Boolean).join('、');

  const svg = h('svg', {
    class: 'chart bar-chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img',
    'aria-label': summary, preserveAspectRatio: 'xMinYMin meet',
  },
  h('title', {}, summary),
  rows.map((r, i) => {
    const top = m.top + i * rowH;
    return h('g', { class: r.code === own ? 'bar own' : 'bar' },
      h('text', { x: m.left - 8, y: top + rowH * 0.7, 'text-anchor': 'end', class: 'name' }, `${r.rank}. ${r.name}`),
      r.suppressed ? null : h('rect', { x: m.left, y: top + 3, width: Math.max(0, x(r.value) - m.left), height: rowH - 6 }),
      h('text', { x: (r.suppressed ? m.left : x(r.value)) + 6, y: top + rowH * 0.7, class: 'value' },
        r.suppressed ? '秘匿' : formatValue(r.value, spec)));
  }),
  typeof median === 'number' ? h('g', { class: 'ref median' },
    h('line', { x1: x(median), x2: x(median), y1: m.top - 6, y2: H - m.bottom }),
    h('text', { x: x(median), y: m.top - 10, 'text-anchor': 'middle' }, `中央値 ${formatValue(median, spec)}`)) : null);

  return h('figure', { class: 'chart-figure' },
    h('figcaption', {}, title),
    svg,
    dataTable(title, ['順位', '団体', '値'],
      [...rows.map((r) => [String(r.rank), r.name, r.suppressed ? '秘匿' : formatValue(r.value, spec)]),
        ['—', '中央値', formatValue(median, spec)]]));
}
