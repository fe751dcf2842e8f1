// 指標: an indicator's series for the municipality over a fiscal year against its baseline and
// target (IndicatorSpec of the definition; for an issue's expected changes GetIssueProgress
// gives them), the prefecture's municipalities compared for one period (ranked bars, the median
// marked), the roll-ups of the prefecture and the nation period by period (RollUp, a table and a
// chart), the progress of an issue's indicators, a value recorded by hand, and the observations
// exported to a file and imported from one (CSV with BOM or JSON dataValues, docs/indicators.md).
// Each form is offered to those who may use it.
import {
  get, post, seg, ApiError, japaneseHalf,
} from '../api.js';
import { h, replace } from '../dom.js';
import {
  input, checkbox, actionForm, normNumber, norm, formAlert, submitting, showError,
} from '../forms.js';
import {
  tokyoToday, fiscalYearOf, fiscalYearMonths, fiscalYearQuarters, formatPeriod, periodOf, fiscalYearLabel,
} from '../dates.js';
import { fiscalYearOption, periodText } from '../datetext.js';
import { lineChart, rankedBars, formatValue } from '../charts.js';
import {
  municipalityName, prefectureOf, prefectureName, isKnownMunicipality,
} from '../municipalities.js';
import {
  label, labels, INDICATOR_ORIGINS, INDICATOR_KINDS, METHODS, FREQUENCIES, DIRECTIONS, STEPS, indicatorName,
} from '../words.js';
import { ENUMS } from '../vocabulary.gen.js';
import { can } from '../permissions.js';
import { cardRows } from '../tables.js';

// The file formats of ExportObservations / ImportObservations (renkei.v1.ObservationFormat).
/** @type {ui.Table<renkei.v1.ObservationFormat>} */
const FORMATS = (ENUMS['renkei.v1.ObservationFormat'] || [])
  .map(([value, ja]) => /** @type {const} */ ([/** @type {renkei.v1.ObservationFormat} */ (value), ja]));

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
    h('div', { class: 'toolbar no-print' }, h('label', { for: 'progress-issue' }, '地域課題'), select, show),
    body);
}

// --- roll-ups -------------------------------------------------------------------------------

// A prefecture's 6-digit code from its two digits, with the check digit of 全国地方公共団体コード
// (13 → 130001, 27 → 270008): what RollUp takes.
/** @param {string} two */
export function prefectureCode(two) {
  const five = `${String(two).slice(0, 2)}000`;
  const sum = [...five].reduce((acc, d, i) => acc + Number(d) * (6 - i), 0);
  const r = sum % 11;
  return `${five}${r === 0 ? 0 : (11 - r) % 10}`;
}

// Whose roll-ups the screen shows for `code`: its prefecture and the nation (a municipality), the
// prefecture itself and the nation (a prefecture), the nation (the nation).
/** @param {string} code */
function rollUpScopes(code) {
  if (code === NATION) return [NATION];
  if (isKnownMunicipality(code)) return [prefectureCode(prefectureOf(code)), NATION];
  return [code, NATION];
}

/** @param {string} code */
function scopeName(code) {
  return code === NATION ? '全国' : prefectureName(prefectureOf(code));
}

/**
 * @param {{value?: number, suppressed?: boolean, reporting?: number}} cell
 * @param {Partial<renkei.v1.IndicatorSpec>} spec
 */
function cellText(cell, spec) {
  if (cell.suppressed) return '秘匿 (少数のため)';
  // No jurisdiction reported: no value (the answer's 0 is only the field's default).
  if (!cell.reporting) return '—';
  return formatValue(Number(cell.value || 0), spec);
}

// The roll-ups of the fiscal year's periods (those begun by today), one RollUp per period and
// scope, as a table beside the municipality's own value, and the first scope's as a chart.
/**
 * @param {renkei.v1.IndicatorDefinition & {spec: renkei.v1.IndicatorSpec}} def
 * @param {string} code
 * @param {string[]} periods
 * @param {renkei.v1.Series} series
 */
async function rollUpBody(def, code, periods, series) {
  const spec = def.spec;
  const scopes = rollUpScopes(code);
  const own = isKnownMunicipality(code);
  const byPeriod = new Map((series.points || []).map((p) => [p.period, p]));
  const rows = await Promise.all(periods.map(async (period) => ({
    period,
    values: await Promise.all(scopes.map((j) => /** @type {Promise<renkei.v1.RollUpValue>} */ (
      get(`/api/v1/indicators/${seg(spec.code)}/rollup`, { period, jurisdiction_code: j })))),
  })));
  const head = ['期間', ...(own ? [municipalityName(code, { withPrefecture: false })] : []),
    ...scopes.flatMap((j) => [`${scopeName(j)}の集計`, `${scopeName(j)}の報告団体`])];
  const title = `${indicatorName(spec)} — ${scopeName(scopes[0])}の集計`;
  return [
    lineChart({
      title, spec,
      points: rows.map(({ period, values }) => ({
        label: formatPeriod(period), short: shortLabel(period),
        value: values[0].suppressed || !values[0].reporting ? undefined : Number(values[0].value || 0),
        suppressed: Boolean(values[0].suppressed),
      })),
    }),
    cardRows(h('table', { class: 'data rollups' },
      h('caption', {}, `${indicatorName(spec)}の集計 (市区町村の分子・分母から計算。報告団体は、値を報告した団体の数と、その下にある団体の数)`,
        h('span', { class: 'narrow-only' }, '。どこからも報告のない期間は省いています')),
      h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows.map(({ period, values }) => {
        const mine = byPeriod.get(period);
        const nothing = !mine && values.every((v) => !v.reporting && !v.suppressed);
        return h('tr', { class: nothing ? 'nothing' : null },
          h('th', { scope: 'row' }, periodText(period)),
          own ? h('td', { class: 'num' }, mine ? cellText({ ...mine, reporting: 1 }, spec) : '—') : null,
          values.flatMap((v) => [
            h('td', { class: 'num' }, cellText(v, spec)),
            h('td', { class: 'num' }, `${v.reporting ?? 0}／${v.expected ?? 0}団体`),
          ]));
      })))),
  ];
}

// --- export and import ----------------------------------------------------------------------

// The gateway answers bytes as base64.
/** @param {string} b64 */
function bytesOf(b64) {
  const text = atob(b64 || '');
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) out[i] = text.charCodeAt(i);
  return out;
}

/** @param {Blob} blob */
function base64Of(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result || '');
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください',
      [{ field: 'content', description: 'ファイルを読めませんでした。もう一度選んでください' }]));
    reader.readAsDataURL(blob);
  });
}

/**
 * @param {Uint8Array} bytes
 * @param {string} fileName
 * @param {string} type
 */
function saveBytes(bytes, fileName, type) {
  const url = URL.createObjectURL(new Blob([/** @type {BlobPart} */ (/** @type {unknown} */ (bytes))], { type }));
  const a = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// The columns of the file (docs/indicators.md) and of an observation, as people read them.
/** @type {Record<string, string>} */
const COLUMNS = {
  indicator_code: '指標コード', indicator_name: '指標名', jurisdiction_code: '団体コード', jurisdiction_name: '団体名',
  period: '期間', value: '値', numerator: '分子', denominator: '分母', unit: '単位', source: '出典', note: 'メモ',
  content: 'ファイル', format: '形式',
};

/** @param {string} field */
function columnName(field) {
  return COLUMNS[field] || '値';
}

// A service's words about the file, with the file's column names said in Japanese (見出しに
// indicator_code がありません → 見出しに「指標コード」の列がありません).
/** @param {string | undefined} text */
function plainWords(text) {
  return String(japaneseHalf(text) || '')
    .replace(/見出しに ([a-z_]+) がありません/, (_, c) => `見出しの行に「${columnName(c)}」の列がありません`)
    .replace(/[a-z]+(?:_[a-z]+)+/g, (c) => `「${columnName(c)}」`);
}

// The result of the last import, shown once the screen has been drawn again with the new values.
/** @type {{result: renkei.v1.ImportObservationsResponse, file: string} | null} */
let lastImport = null;

/**
 * @param {{row: number, field: string, description: string}[]} errors
 */
function rowErrorTable(errors) {
  return cardRows(h('table', { class: 'data import-errors' },
    h('caption', {}, '誤りのある行 (見出しの次の行を1行目と数えます)'),
    h('thead', {}, h('tr', {}, ['行', '項目', '内容'].map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, errors.map((e) => h('tr', {},
      h('th', { scope: 'row' }, `${e.row}行目`),
      h('td', {}, e.field ? columnName(e.field) : '—'),
      h('td', {}, plainWords(e.description)))))));
}

/**
 * @param {renkei.v1.ImportObservationsResponse} r
 * @param {string} file
 */
function importResult(r, file) {
  const errors = r.errors || [];
  return h('div', { class: 'import-result' },
    h('h3', { id: 'import-result-h', tabindex: '-1' }, `「${file}」を取り込みました`),
    h('dl', { class: 'facts compact' },
      h('dt', {}, 'ファイルの行'), h('dd', {}, `${r.rows ?? 0}行`),
      h('dt', {}, '記録した値'), h('dd', {}, `${r.recorded ?? 0}件 (新しい値と訂正)`),
      h('dt', {}, '変わらなかった値'), h('dd', {}, `${r.unchanged ?? 0}件`),
      h('dt', {}, '秘匿のため飛ばした行'), h('dd', {}, `${r.withheld ?? 0}行`),
      h('dt', {}, '誤りのため取り込まなかった行'), h('dd', {}, `${errors.length}行`)),
    errors.length ? rowErrorTable(errors.map((e) => ({ row: e.row, field: e.field, description: e.description }))) : null);
}

/**
 * @param {ui.ScreenContext} ctx
 * @param {(renkei.v1.IndicatorDefinition & {spec: renkei.v1.IndicatorSpec}) | undefined} def
 * @param {number} fy
 */
function exchangeSection(ctx, def, fy) {
  const exporting = can(ctx.session, 'IndicatorsService.ExportObservations');
  const importing = can(ctx.session, 'IndicatorsService.ImportObservations');
  if (!exporting && !importing) return null;
  const parts = [];
  if (exporting) {
    const format = input({ label: '形式', field: 'format', options: FORMATS, value: 'OBSERVATION_FORMAT_CSV' });
    /** @type {[string, string][]} */
    const scopes = def ? [['one', `表示中の指標 (${indicatorName(def.spec)})`]] : [];
    scopes.push(['all', 'すべての指標']);
    const which = input({ label: '指標', field: 'indicator_codes', value: def ? 'one' : 'all', options: scopes });
    const range = input({ label: '期間', field: 'from_period', value: 'fy', options: [['fy', fiscalYearLabel(fy)], ['all', 'すべての期間']] });
    const open = checkbox({
      label: '少ない値も伏せずに出力する (庁内で使うときだけ)', field: 'unsuppressed',
      hint: '選ばなければ、1〜9件の件数などは「秘匿」として値を空にします。外部に渡すファイルは伏せたままにしてください。',
    });
    parts.push(h('h3', { id: 'export-h' }, 'ファイルに出力する'), actionForm({
      label: '観測値をファイルに出力する', submitLabel: 'ファイルを出力',
      children: [h('div', { class: 'row' }, format, which, range), open],
      onSubmit: async () => {
        const f = /** @type {renkei.v1.ExportedFile} */ (await get('/api/v1/observations/export', {
          format: format.control.value,
          indicator_codes: which.control.value === 'one' && def ? [def.spec.code] : [],
          from_period: range.control.value === 'fy' ? `${fy}-04` : '',
          to_period: range.control.value === 'fy' ? `${fy + 1}-03` : '',
          unsuppressed: /** @type {HTMLInputElement} */ (open.control).checked ? 'true' : '',
        }));
        saveBytes(bytesOf(f.content), f.fileName || 'indicators.csv', f.contentType || 'text/csv; charset=utf-8');
        ctx.announce(`観測値を出力しました (${f.rows ?? 0}行${f.suppressed ? `、うち秘匿 ${f.suppressed}行` : ''})`);
      },
    }));
  }
  if (importing) {
    const file = input({
      label: 'ファイル (CSV または JSON)', field: 'content', type: 'file',
      hint: 'この画面で出力した形式のファイルです。同じ期間の値があれば訂正として記録し、前の値は履歴に残ります。',
    });
    const fileControl = /** @type {HTMLInputElement} */ (file.control);
    fileControl.setAttribute('accept', '.csv,.json,text/csv,application/json');
    const format = input({
      label: '形式', field: 'format', options: FORMATS, empty: 'ファイル名の拡張子で判断する', value: '',
    });
    const partial = checkbox({ label: '誤りのある行を除いて取り込む', field: 'allow_partial', hint: '選ばなければ、1行でも誤りがあれば何も取り込みません。' });
    const alert = formAlert();
    const details = h('div', { class: 'import-errors-box' });
    const resultSlot = h('div', { class: 'import-result-slot' });
    const submit = h('button', { type: 'submit', class: 'primary' }, '取り込む');
    const form = h('form', { class: 'form', 'aria-label': '観測値をファイルから取り込む', novalidate: true },
      alert, details, file, format, partial, h('div', { class: 'actions' }, submit));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      replace(details);
      replace(resultSlot); // the previous file's result goes with a new file
      submitting(form, alert, async () => {
        const chosen = fileControl.files && fileControl.files[0];
        if (!chosen) {
          throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください', [{ field: 'content', description: 'ファイルを選んでください' }]);
        }
        const kind = format.control.value
          || (/\.json$/i.test(chosen.name) ? 'OBSERVATION_FORMAT_DATA_VALUE_SET' : /\.csv$/i.test(chosen.name) ? 'OBSERVATION_FORMAT_CSV' : '');
        if (!kind) {
          throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください', [{ field: 'format', description: 'ファイル名が .csv か .json でないので、形式を選んでください' }]);
        }
        try {
          const result = /** @type {renkei.v1.ImportObservationsResponse} */ (await post('/api/v1/observations/import', {
            format: kind, content: await base64Of(chosen),
            allowPartial: /** @type {HTMLInputElement} */ (partial.control).checked,
            recordedBy: ctx.session.login,
          }));
          lastImport = { result, file: chosen.name };
          ctx.announce(`観測値を取り込みました (記録 ${result.recorded ?? 0}件・変わらず ${result.unchanged ?? 0}件・誤り ${(result.errors || []).length}行)`);
          await ctx.rerender();
          document.getElementById('import-result-h')?.focus();
        } catch (err) {
          if (!(err instanceof ApiError) || err.handled) throw err;
          // Rows refused (nothing written): each row's problem in a table, said in words.
          const rows = (err.fields || []).map((f) => {
            const m = /^row (\d+)(?: \((.+)\))?$/.exec(f.field);
            return m ? { row: Number(m[1]), field: m[2] || '', description: f.description } : null;
          });
          if (rows.length && rows.every(Boolean)) {
            const list = /** @type {{row: number, field: string, description: string}[]} */ (rows);
            replace(details, rowErrorTable(list));
            showError(form, alert, new ApiError(err.status, err.code,
              `${list.length}行に誤りがあるため、何も取り込みませんでした。直したファイルを選ぶか、「誤りのある行を除いて取り込む」を選んでください。`));
            return;
          }
          showError(form, alert, new ApiError(err.status, err.code, plainWords(err.message),
            (err.fields || []).map((f) => ({ field: f.field, description: plainWords(f.description) }))));
        }
      });
    });
    parts.push(h('h3', { id: 'import-h' }, 'ファイルから取り込む'), form, resultSlot);
    if (lastImport) {
      replace(resultSlot, importResult(lastImport.result, lastImport.file));
      lastImport = null;
    }
  }
  return h('section', { class: 'no-print observation-files', 'aria-labelledby': 'exchange-h' },
    h('h2', { id: 'exchange-h' }, '観測値のファイル (出力と取り込み)'),
    h('p', { class: 'hint' }, 'CSV は Excel で開けます。JSON は、保健医療の情報システムどうしで値をやり取りする形式です。'),
    parts);
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
      can(ctx.session, 'IndicatorsService.RecordObservation')
        ? h('details', { class: 'add' }, h('summary', {}, '観測値を記録する'), recordForm(ctx, def, code, periodOf(today, spec.frequency))) : null));

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

    // The roll-ups of the periods begun by today (a fiscal year to come has none).
    if (can(ctx.session, 'IndicatorsService.RollUp')) {
      const now = periodOf(today, spec.frequency);
      const rollPeriods = (periods.length ? periods : observed).filter((p) => p <= now || observed.includes(p));
      const box = h('div', { class: 'rollup-box', 'aria-busy': 'true' });
      sections.push(h('section', { class: 'rollups', 'aria-labelledby': 'rollup-h' },
        h('h2', { id: 'rollup-h' }, `${rollUpScopes(code).map(scopeName).join('・')}の集計`),
        rollPeriods.length ? box : h('p', {}, 'この年度はまだ始まっていません。')));
      if (rollPeriods.length) {
        rollUpBody(def, code, rollPeriods, series).then((nodes) => replace(box, nodes), (err) => {
          if (!(err instanceof ApiError) || err.handled) throw err;
          replace(box, h('p', { class: 'form-alert', role: 'alert' }, err.message));
        }).finally(() => box.removeAttribute('aria-busy'));
      }
    }
  }

  if (issuesList) sections.push(await progressSection(ctx, issuesList.issues || [], ctx.query.get('issue')));
  sections.push(exchangeSection(ctx, def, fy));

  replace(main,
    h('h1', {}, '指標'),
    h('p', {}, `${municipalityName(code)}の指標。年度は4月から翌年3月までです。`),
    controls,
    sections);
}
