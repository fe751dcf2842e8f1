// 指標: an indicator's series for the municipality over a fiscal year against its baseline and
// target (IndicatorSpec of the definition; for an issue's expected changes GetIssueProgress
// gives them), the prefecture's municipalities compared for one period (ranked bars, the median
// marked), the progress of an issue's indicators, and a value recorded by hand.
import { get, post, seg, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { input, actionForm, normNumber, norm } from '../forms.js';
import {
  tokyoToday, fiscalYearOf, fiscalYearMonths, fiscalYearQuarters, formatPeriod, periodOf,
} from '../dates.js';
import { fiscalYearOption, periodText } from '../datetext.js';
import { lineChart, rankedBars, formatValue } from '../charts.js';
import {
  municipalityName, prefectureOf, prefectureName, isKnownMunicipality,
} from '../municipalities.js';
import {
  label, labels, INDICATOR_ORIGINS, INDICATOR_KINDS, METHODS, FREQUENCIES, DIRECTIONS, STEPS, indicatorName,
} from '../words.js';

const PREFERRED = 'derived.consultations';
const NATION = '000000';
// A yearly indicator's series (and the periods it can be compared for): this many fiscal years,
// the chosen one last.
const YEARS_SHOWN = 5;

/**
 * @param {renkei.v1.IndicatorSpec} spec
 * @param {number} fy
 */
function periodsOf(spec, fy) {
  switch (spec.frequency) {
    case 'MEASUREMENT_FREQUENCY_QUARTERLY': return fiscalYearQuarters(fy);
    case 'MEASUREMENT_FREQUENCY_YEARLY':
      return Array.from({ length: YEARS_SHOWN }, (_, i) => `FY${fy - YEARS_SHOWN + 1 + i}`);
    default: return fiscalYearMonths(fy);
  }
}

// What a comparison from `code` ranks: the municipalities of its prefecture (a municipality's
// instance and a prefecture's, whose code is the prefecture's own, e.g. 130001), or the
// prefectures (the nation, 000000).
/** @param {string} code */
function comparisonScope(code) {
  return code === NATION ? NATION : prefectureOf(code);
}

// A row's name: within one prefecture the municipality's own name (千代田区), else the service's.
/** @param {renkei.v1.ComparisonRow} r */
function rowName(r) {
  const c = r.jurisdictionCode;
  if (isKnownMunicipality(c)) return municipalityName(c, { withPrefecture: false });
  return municipalityName(c) !== c ? municipalityName(c) : (r.name || c);
}

/** @param {string} period */
function shortLabel(period) {
  const m = String(period).match(/^\d{4}-(\d{2})$/);
  return m ? `${Number(m[1])}月` : formatPeriod(period);
}

/**
 * @param {renkei.v1.IndicatorDefinition[]} defs with a spec
 * @param {string | undefined} selected
 */
function indicatorSelect(defs, selected) {
  /** @type {[string, renkei.v1.IndicatorDefinition[]][]} */
  const groups = INDICATOR_ORIGINS.map(([origin, name]) => [name, defs.filter((d) => d.origin === origin)]);
  const other = defs.filter((d) => !INDICATOR_ORIGINS.some(([o]) => o === d.origin));
  if (other.length) groups.push(['その他', other]);
  return h('select', { id: 'ind-code', name: 'code' }, groups.filter(([, list]) => list.length).map(([name, list]) => h('optgroup', { label: name },
    list.map((d) => {
      const s = /** @type {renkei.v1.IndicatorSpec} */ (d.spec);
      return h('option', { value: s.code, selected: s.code === selected }, indicatorName(s));
    }))));
}

/** @param {renkei.v1.IndicatorDefinition} def */
function describe(def) {
  /** @type {Partial<renkei.v1.IndicatorSpec>} */
  const s = def.spec || {};
  return h('dl', { class: 'facts compact' },
    h('dt', {}, '指標'), h('dd', {}, indicatorName(s)),
    s.description ? [h('dt', {}, '説明'), h('dd', {}, s.description)] : null,
    h('dt', {}, '種類'), h('dd', {}, `${label(INDICATOR_KINDS, s.kind)}${s.unit ? ` (${s.unit})` : ''}`),
    h('dt', {}, '測定'), h('dd', {}, `${labels(METHODS, s.methods, '・')} ／ ${label(FREQUENCIES, s.frequency)} ／ ${label(DIRECTIONS, s.direction)}`),
    h('dt', {}, '区分'), h('dd', {}, label(INDICATOR_ORIGINS, def.origin)),
    def.issueId ? [h('dt', {}, '地域課題'), h('dd', {}, h('a', { href: `#/issues/${encodeURIComponent(def.issueId)}` }, `${def.expectedChangeLabel || ''} ${def.issueId}`))] : null);
}

/**
 * @param {renkei.v1.IndicatorDefinition} def
 * @param {renkei.v1.Series} series
 * @param {string[]} periods
 */
function seriesChart(def, series, periods) {
  /** @type {Partial<renkei.v1.IndicatorSpec>} */
  const spec = def.spec || {};
  const byPeriod = new Map((series.points || []).map((p) => [p.period, p]));
  const keys = periods.length ? periods : (series.points || []).map((p) => p.period);
  const points = keys.map((period) => {
    const p = byPeriod.get(period);
    return {
      label: formatPeriod(period), short: shortLabel(period),
      value: p && !p.suppressed ? Number(p.value || 0) : undefined, suppressed: Boolean(p && p.suppressed),
    };
  });
  return lineChart({
    title: `${indicatorName(spec)} — ${municipalityName(series.jurisdictionCode)}${series.rolledUp ? ' (市区町村の集計)' : ''}`,
    spec, points,
    baseline: typeof spec.baseline === 'number' ? spec.baseline : undefined,
    target: typeof spec.target === 'number' ? spec.target : undefined,
  });
}

/**
 * @param {ui.ScreenContext} ctx
 * @param {renkei.v1.IndicatorDefinition} def
 * @param {string} code
 * @param {string} period
 */
function recordForm(ctx, def, code, period) {
  /** @type {Partial<renkei.v1.IndicatorSpec>} */
  const spec = def.spec || {};
  const ratio = spec.kind === 'INDICATOR_KIND_RATIO';
  const p = input({ label: '期間', field: 'observation.period', value: period, width: 'short', hint: '例: 2026-11 (月)、2026-Q3 (四半期)、FY2026 (年度)' });
  const value = input({ label: '値', field: 'observation.value', width: 'short', inputmode: 'decimal' });
  const num = input({ label: '分子', field: 'observation.numerator', width: 'short', inputmode: 'decimal' });
  const den = input({ label: '分母', field: 'observation.denominator', width: 'short', inputmode: 'decimal' });
  const source = input({ label: '出典', field: 'observation.source', placeholder: '例: アンケート調査 2026年11月' });
  const note = input({ label: 'メモ', field: 'observation.note' });
  /** @param {ui.Field} w */
  const numbers = (w) => {
    const n = normNumber(w.control.value);
    if (Number.isNaN(n)) throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください', [{ field: w.dataset.field ?? '', description: '数値を入力してください' }]);
    return n;
  };
  return actionForm({
    label: '観測値を記録する', submitLabel: '記録',
    children: [h('div', { class: 'row' }, p, ...(ratio ? [num, den] : [value])), h('div', { class: 'row' }, source, note)],
    onSubmit: async () => {
      /** @type {ui.Body} */
      const observation = {
        indicatorCode: spec.code, jurisdictionCode: code, period: norm(p.control.value),
        source: source.control.value.trim(), note: note.control.value.trim(),
      };
      if (ratio) {
        observation.numerator = numbers(num);
        observation.denominator = numbers(den);
      } else {
        observation.value = numbers(value);
      }
      await post('/api/v1/observations', { observation, expectedVersion: 0 });
      ctx.announce('観測値を記録しました');
      ctx.rerender();
    },
  });
}

/**
 * @param {ui.ScreenContext} ctx
 * @param {renkei.v1.IssueSummary[]} issues
 * @param {string | null} issueId
 */
async function progressSection(ctx, issues, issueId) {
  const select = h('select', { id: 'progress-issue' },
    h('option', { value: '' }, '地域課題を選ぶ'),
    issues.map((i) => h('option', { value: i.id, selected: i.id === issueId }, `${i.theme} (ステップ${i.currentStep} ${STEPS[(i.currentStep || 1) - 1]})`)));
  const show = h('button', { type: 'button' }, '進捗を表示');
  const go = () => {
    const q = new URLSearchParams(ctx.query);
    if (select.value) q.set('issue', select.value); else q.delete('issue');
    ctx.navigate(`#/indicators?${q}`);
  };
  show.addEventListener('click', go);
  const body = h('div');
  /** @type {renkei.v1.IssueProgress | null} */
  let p = null;
  if (issueId) {
    try {
      p = /** @type {renkei.v1.IssueProgress} */ (await get(`/api/v1/issues/${seg(issueId)}/progress`));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401) throw err;
      replace(body, h('p', { class: 'form-alert', role: 'alert' }, err.message));
    }
  }
  if (p) {
    const list = p.indicators || [];
    replace(body, list.length === 0 ? h('p', {}, 'この課題には期待値 (指標) がまだありません。')
      : list.map((x) => {
        /** @type {Partial<renkei.v1.IndicatorSpec>} */
        const spec = (x.definition && x.definition.spec) || {};
        const points = (x.points || []).map((pt) => ({
          label: formatPeriod(pt.period), short: shortLabel(pt.period),
          value: pt.suppressed ? undefined : Number(pt.value || 0), suppressed: pt.suppressed,
        }));
        return h('div', { class: 'progress-item' },
          lineChart({
            title: `${x.definition?.expectedChangeLabel || ''} ${indicatorName(spec)}`.trim(),
            spec, points,
            baseline: typeof x.baseline === 'number' ? x.baseline : undefined,
            target: typeof x.target === 'number' ? x.target : undefined,
          }),
          h('p', { class: 'meta' },
            typeof x.latest === 'number' ? ['最新 ', periodText(x.latestPeriod), ` ${formatValue(x.latest, spec)}`] : '観測値なし',
            typeof x.progress === 'number' ? ` ／ 目標までの進み具合 ${Math.round(x.progress * 100)}%` : '',
            x.targetReached ? h('strong', { class: 'badge done' }, ' 目標達成') : ''));
      }));
  }
  return h('section', { 'aria-labelledby': 'progress-h' },
    h('h2', { id: 'progress-h' }, '地域課題の期待値の進捗'),
    h('div', { class: 'toolbar' }, h('label', { for: 'progress-issue' }, '地域課題'), select, show),
    body);
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  const today = tokyoToday();
  const fy = Number(ctx.query.get('fy')) || fiscalYearOf(today);
  const home = ctx.session.jurisdiction || '';
  const code = ctx.query.get('j') || home;
  const [list, issuesList] = /** @type {[renkei.v1.ListIndicatorsResponse, renkei.v1.ListIssuesResponse | null]} */ (await Promise.all([
    get('/api/v1/indicators'),
    // An instance without the issues service (a prefecture's may run only renkei-indicators), or
    // a role that may not list issues: no progress section.
    get('/api/v1/issues', { page_size: 200 }).catch((err) => {
      if (err instanceof ApiError) return null;
      throw err;
    }),
  ]));
  // Those with a spec and a code.
  const defs = /** @type {(renkei.v1.IndicatorDefinition & {spec: renkei.v1.IndicatorSpec})[]} */ (
    (list.definitions || []).filter((d) => d.spec && d.spec.code));
  const wanted = ctx.query.get('code');
  const def = defs.find((d) => d.spec.code === wanted) || defs.find((d) => d.spec.code === PREFERRED) || defs[0];

  const fySelect = h('select', { id: 'ind-fy', name: 'fy' }, [fy - 2, fy - 1, fy, fy + 1].map((y) => fiscalYearOption(y, y === fy)));
  const codeSelect = indicatorSelect(defs, def && def.spec.code);
  const show = h('button', { type: 'submit' }, '表示');
  const controls = h('form', { class: 'toolbar', 'aria-label': '指標と年度を選ぶ' },
    h('label', { for: 'ind-code' }, '指標'), codeSelect, h('label', { for: 'ind-fy' }, '年度'), fySelect, show);
  controls.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams(ctx.query);
    q.set('code', codeSelect.value);
    q.set('fy', fySelect.value);
    q.delete('period');
    ctx.navigate(`#/indicators?${q}`);
  });

  const sections = [];
  if (!def) {
    sections.push(h('p', {}, '指標がまだ定義されていません。'));
  } else {
    const spec = def.spec;
    const periods = ['MEASUREMENT_FREQUENCY_AD_HOC'].includes(spec.frequency) ? [] : periodsOf(spec, fy);
    const seriesQuery = { jurisdiction_code: code };
    if (periods.length) Object.assign(seriesQuery, { from_period: periods[0], to_period: periods[periods.length - 1] });
    const series = /** @type {renkei.v1.Series} */ (await get(`/api/v1/indicators/${seg(spec.code)}/series`, seriesQuery));
    sections.push(h('section', { 'aria-labelledby': 'series-h' },
      h('h2', { id: 'series-h' }, '推移 (ベースラインと目標)'),
      describe(series.definition || def),
      seriesChart(series.definition || def, series, periods),
      h('details', { class: 'add' }, h('summary', {}, '観測値を記録する'), recordForm(ctx, def, code, periodOf(today, spec.frequency)))));

    const observed = (series.points || []).filter((p) => !p.suppressed).map((p) => p.period);
    const choices = periods.length ? periods : observed;
    const period = ctx.query.get('period') || observed[observed.length - 1] || periodOf(today, spec.frequency);
    const scope = comparisonScope(code);
    const periodSelect = h('select', { id: 'cmp-period' }, [...new Set([...choices, ...observed, period])].sort()
      .map((p) => h('option', { value: p, selected: p === period, 'data-period': p }, formatPeriod(p))));
    const cmpForm = h('form', { class: 'toolbar', 'aria-label': '比較する期間' },
      h('label', { for: 'cmp-period' }, '期間'), periodSelect, h('button', { type: 'submit' }, '比較'));
    cmpForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const q = new URLSearchParams(ctx.query);
      q.set('code', spec.code);
      q.set('period', periodSelect.value);
      ctx.navigate(`#/indicators?${q}`);
    });
    /** @type {Partial<renkei.v1.Comparison> & {error?: string}} */
    let comparison;
    try {
      comparison = /** @type {renkei.v1.Comparison} */ (await get(`/api/v1/indicators/${seg(spec.code)}/comparison`, { period, scope }));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401) throw err;
      comparison = { error: err.message };
    }
    const rows = (comparison.rows || []).map((r) => ({
      code: r.jurisdictionCode, name: rowName(r),
      value: Number(r.value || 0), rank: r.rank, suppressed: r.suppressed,
    }));
    sections.push(h('section', { 'aria-labelledby': 'cmp-h' },
      h('h2', { id: 'cmp-h' }, scope === NATION ? '都道府県の比較' : `${prefectureName(scope)}の市区町村の比較`),
      cmpForm,
      comparison.error ? h('p', { class: 'form-alert', role: 'alert' }, comparison.error)
        : rows.length === 0 ? h('p', {}, `${formatPeriod(period)}の値を報告した市区町村はありません。`)
          : [
            h('p', { class: 'meta' }, `${formatPeriod(period)}: 報告 ${comparison.reporting ?? rows.length} ／ ${comparison.expected ?? '—'}団体、`,
              `中央値 ${formatValue(comparison.median, spec)}、四分位 ${formatValue(comparison.q1, spec)}〜${formatValue(comparison.q3, spec)}`),
            rankedBars({
              title: `${indicatorName(spec)} ${formatPeriod(period)}`, spec, rows, median: Number(comparison.median || 0), own: code,
            }),
          ]));
  }

  if (issuesList) sections.push(await progressSection(ctx, issuesList.issues || [], ctx.query.get('issue')));

  replace(main,
    h('h1', {}, '指標'),
    h('p', {}, `${municipalityName(code)}の指標。年度は4月から翌年3月までです。`),
    controls,
    sections);
}
