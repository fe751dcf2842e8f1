// 資源検索: the directory's resources by capability, kind, municipality, text, acceptance and
// distance (GET /api/v1/resources), and the gap report of the logged-in municipality — the
// capabilities nobody located in or serving it offers (GET /api/v1/gap-report/{code}).
import {
  get, seg, loadCapabilities, capabilityLabel, ApiError,
} from '../api.js';
import { h, replace } from '../dom.js';
import {
  input, choices, checkbox, actionForm, municipalityInput, normNumber, norm, submitting,
} from '../forms.js';
import { dateText } from '../datetext.js';
import {
  municipalityName, outsideText, insideText, isKnownMunicipality,
} from '../municipalities.js';
import {
  label, RESOURCE_KINDS, AREA_RELATIONS, ACCEPTANCE, CAPABILITY_SOURCES,
} from '../words.js';

// Sources that count as verified (docs/directory.md, "Where each capability comes from").
const VERIFIED_SOURCES = new Set([
  'CAPABILITY_SOURCE_KIND', 'CAPABILITY_SOURCE_SURVEY', 'CAPABILITY_SOURCE_COORDINATOR', 'CAPABILITY_SOURCE_CURATED_FILE',
]);

// "1年2か月前" for a date (Asia/Tokyo), "" when it is not a date.
/** @param {renkei.v1.Date | undefined} d */
function ageText(d) {
  if (!d || !d.year) return '';
  const [y, m, day] = new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Tokyo' }).split('-').map(Number);
  let months = (y - d.year) * 12 + (m - d.month) - (day < d.day ? 1 : 0);
  if (months < 1) return '1か月以内';
  const years = Math.floor(months / 12);
  months %= 12;
  return `${years ? `${years}年` : ''}${months ? `${months}か月` : ''}前`;
}

// Each capability with where it comes from: "パーキンソン病 (資源調査の回答 2026年12月8日)",
// "神経内科 (名称からの推定)".
/** @param {Partial<renkei.v1.Resource>} r */
function capabilityItems(r) {
  const provenance = new Map((r.capabilityProvenance || []).map((p) => [p.capability, p]));
  return (r.capabilities || []).map((code) => {
    const p = provenance.get(code);
    const source = p && p.source ? label(CAPABILITY_SOURCES, p.source) : '出典の記録なし';
    const verified = !!p && VERIFIED_SOURCES.has(p.source);
    return h('li', { class: verified ? 'verified' : 'inferred' },
      capabilityLabel(code), ' ',
      h('span', { class: verified ? 'source' : 'source badge inferred' },
        `(${source}${p && p.asOf && p.asOf.year ? ` ${p.asOf.year}年${p.asOf.month}月${p.asOf.day}日` : ''})`));
  });
}

/** @param {renkei.v1.SearchHit} hit */
function distance(hit) {
  if (hit.distanceKm === undefined || hit.distanceKm === null) return '—';
  return `${hit.distanceApproximate ? '約' : ''}${Number(hit.distanceKm).toFixed(1)} km`;
}

/** @param {Partial<renkei.v1.Resource>} r */
function resourceDetails(r) {
  /** @type {Partial<renkei.v1.Contact>} */
  const contact = r.contact || {};
  return h('details', { class: 'resource' },
    h('summary', {}, r.name),
    h('dl', { class: 'facts compact' },
      r.nameKana ? [h('dt', {}, 'カナ'), h('dd', {}, r.nameKana)] : null,
      r.address ? [h('dt', {}, '住所'), h('dd', {}, r.address)] : null,
      contact.phone ? [h('dt', {}, '電話'), h('dd', {}, contact.phone)] : null,
      contact.url ? [h('dt', {}, 'URL'), h('dd', {}, contact.url)] : null,
      r.corporationName ? [h('dt', {}, '法人'), h('dd', {}, r.corporationName)] : null,
      (r.capabilities || []).length ? [h('dt', {}, '対応'), h('dd', {}, h('ul', { class: 'capabilities' }, capabilityItems(r)))] : null,
      r.hours ? [h('dt', {}, '対応時間'), h('dd', {}, r.hours)] : null,
      r.liaison && (r.liaison.department || r.liaison.phone || r.liaison.email)
        ? [h('dt', {}, '連携窓口'), h('dd', {},
          [r.liaison.department, r.liaison.phone && `電話 ${r.liaison.phone}`, r.liaison.fax && `FAX ${r.liaison.fax}`, r.liaison.email]
            .filter(Boolean).join('　'),
          r.liaison.internal ? h('span', { class: 'badge' }, '関係者のみ') : null)] : null,
      r.capacity ? [h('dt', {}, '定員'), h('dd', {}, String(r.capacity))] : null,
      r.note ? [h('dt', {}, '備考'), h('dd', {}, r.note)] : null,
      [h('dt', {}, '最終確認'), h('dd', {}, r.source && r.source.lastVerified && r.source.lastVerified.year
        ? [dateText(r.source.lastVerified), ` (${ageText(r.source.lastVerified)})`] : '確認の記録なし')]));
}

/**
 * @param {ui.ScreenContext} ctx
 * @param {string} code
 */
function gapSection(ctx, code) {
  const section = h('section', { 'aria-labelledby': 'gap-h' });
  const codeInput = municipalityInput({ label: '市区町村コード', field: 'municipality_code', value: code });
  const body = h('div', { class: 'gap-body' });
  const load = async () => {
    const c = codeInput.code();
    if (!/^\d{6}$/.test(c)) {
      throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください',
        [{ field: 'municipality_code', description: '6桁の数字で入力してください' }]);
    }
    const report = /** @type {renkei.v1.GapReport} */ (await get(`/api/v1/gap-report/${seg(c)}`));
    const coverage = report.coverage || [];
    const gaps = coverage.filter((x) => x.gap);
    replace(body,
      h('p', { class: 'summary' }, `${report.municipalityName || municipalityName(c)}: ${coverage.length}機能のうち空白 ${gaps.length}機能`,
        gaps.length ? ` (${gaps.map((g) => g.labelJa).join('、')})` : ''),
      h('table', { class: 'data gap-report' },
        h('caption', {}, `${report.municipalityName || municipalityName(c)} の機能別の資源`),
        h('thead', {}, h('tr', {}, ['機能', '所在', `${outsideText(c)}から対応`, '状況', `最寄り (${outsideText(c)})`].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, coverage.map((x) => h('tr', { class: x.gap ? 'gap' : '' },
          h('th', { scope: 'row' }, x.labelJa || x.capability),
          h('td', { class: 'num' }, String(x.locatedIn ?? 0)),
          h('td', { class: 'num' }, String(x.serving ?? 0)),
          h('td', {}, x.gap ? h('strong', { class: 'badge gap' }, '空白') : 'あり'),
          h('td', {}, x.gap && x.nearestOutside && x.nearestOutside.name
            ? `${x.nearestOutside.name} (${municipalityName(x.nearestOutside.municipalityCode)}、${x.nearestOutside.distanceApproximate ? '約' : ''}${Number(x.nearestOutside.distanceKm).toFixed(1)} km)`
            : ''))))));
    ctx.announce(`資源の空白: ${gaps.length}機能`);
  };
  const form = actionForm({
    label: '資源の空白を調べる', className: 'form inline', submitLabel: '空白を調べる',
    children: [codeInput], onSubmit: load,
  });
  replace(section, h('h2', { id: 'gap-h' }, '資源の空白 (ギャップレポート)'),
    h('p', {}, 'その市区町村に所在する資源も、訪問対象地域に含める資源もない機能を示します。'),
    form, body);
  return Object.assign(section, { load: () => submitting(form, form.alert, load) });
}

// The year's need gaps: the combinations consultations asked for, how they were matched, and the
// supply today (GET /api/v1/need-gaps).
/** @param {ui.ScreenContext} ctx */
function needGapSection(ctx) {
  const section = h('section', { 'aria-labelledby': 'need-gaps-h' });
  const body = h('div', { class: 'need-gaps-body' });
  const load = async () => {
    const report = /** @type {renkei.v1.NeedGapReport} */ (await get('/api/v1/need-gaps'));
    const gaps = report.gaps || [];
    const place = report.municipalityCode || '';
    replace(body,
      h('p', { class: 'summary' }, `${report.fiscalYear}年度 (${dateText(report.from, 'span').textContent}〜${dateText(report.to, 'span').textContent}): 相談で求められた組合せ ${gaps.length}件、うち資源の空白 ${gaps.filter((g) => g.supplyGap).length}件`),
      report.supplyUnavailable ? h('p', { class: 'notice' }, '資源ディレクトリに問い合わせできなかったため、資源の数は表示していません。') : null,
      gaps.length ? h('table', { class: 'data need-gaps' },
        h('caption', {}, `相談のニーズ (組合せ) 別の照合結果と資源`),
        h('thead', {}, h('tr', {}, ['ニーズ', '相談', `${insideText(place)}で照合`, `${outsideText(place)}のみ`, '該当なし', '所在', `${outsideText(place)}から対応`, '状況', '最寄り'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, gaps.map((g) => h('tr', { class: g.supplyGap ? 'gap' : '' },
          h('th', { scope: 'row' }, g.label),
          ...[g.consultations, g.matchedInside, g.matchedOutside, g.unmatched, g.locatedIn, g.serving].map((n) => h('td', { class: 'num' }, String(n ?? 0))),
          h('td', {}, report.supplyUnavailable ? '—' : g.supplyGap ? h('strong', { class: 'badge gap' }, '空白') : 'あり'),
          h('td', {}, g.supplyGap && g.nearestOutside && g.nearestOutside.name
            ? `${g.nearestOutside.name} (${municipalityName(g.nearestOutside.municipalityCode)}、${Number(g.nearestOutside.distanceKm).toFixed(1)} km)` : ''))))) : h('p', {}, '今年度の相談で求められたニーズはまだありません。'));
    ctx.announce(`ニーズ別の資源の空白: ${gaps.filter((g) => g.supplyGap).length}件`);
  };
  replace(section, h('h2', { id: 'need-gaps-h' }, 'ニーズ別の資源の空白 (今年度の相談)'),
    h('p', {}, '相談で求められた対応の組合せ (例: パーキンソン病＋訪問診療) ごとに、照合の結果と、それを満たす資源の数を示します。'),
    body);
  return Object.assign(section, { load });
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  const capabilities = await loadCapabilities();
  const home = ctx.session.jurisdiction || '';
  const caps = choices({
    label: '機能 (すべてを満たす資源)', field: 'capabilities', multiple: true, columns: true,
    options: capabilities.map((c) => [c.code, c.labelJa]),
  });
  const kinds = choices({ label: '種別 (いずれか)', field: 'kinds', multiple: true, columns: true, options: RESOURCE_KINDS });
  const municipality = municipalityInput({ label: '市区町村コード (所在または訪問対象)', field: 'municipality_code', value: home });
  const fallback = checkbox({ label: '該当がないときは市区町村外の近い資源を表示する', field: 'outside_fallback', value: true });
  const text = input({ label: '名称・カナ・住所', field: 'text', hint: 'ひらがな・カタカナ・全角半角の違いは区別しません' });
  const accepting = checkbox({ label: '新規受入可の資源のみ', field: 'accepting_only' });
  const near = municipalityInput({ label: '距離の基準 (市区町村役場から)', field: 'near_municipality_code', hint: '6桁のコード。空欄なら上の市区町村' });
  const within = input({ label: '半径 (km)', field: 'max_distance_km', width: 'short', inputmode: 'decimal' });
  const pageSize = input({ label: '表示件数', field: 'page_size', options: [['20', '20件'], ['50', '50件'], ['100', '100件']], value: '20' });
  const stale = input({
    label: '確認が古い資源だけ', field: 'not_verified_within_months',
    options: [['', '指定しない'], ['6', '6か月以上前 (未確認を含む)'], ['12', '1年以上前 (未確認を含む)'], ['24', '2年以上前 (未確認を含む)']], value: '',
  });

  const results = h('div', { class: 'results', 'aria-live': 'off' });
  /** @type {ui.Query | null} */
  let lastQuery = null;
  let nextToken = '';
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'さらに表示');

  /** @param {renkei.v1.SearchHit[]} hits */
  function rows(hits) {
    return hits.map((hit) => {
      /** @type {Partial<renkei.v1.Resource>} */
      const r = hit.resource || {};
      const asked = (lastQuery && Array.isArray(lastQuery.capabilities) && lastQuery.capabilities.length > 0);
      return h('tr', { class: hit.relation === 'AREA_RELATION_OUTSIDE' ? 'outside' : '' },
        h('td', {}, resourceDetails(r),
          asked && !hit.verified ? h('span', { class: 'badge inferred' }, '推定を含む') : null),
        h('td', {}, label(RESOURCE_KINDS, r.kind)),
        h('td', { class: 'municipality' }, municipalityName(r.municipalityCode)),
        h('td', {}, label(AREA_RELATIONS, hit.relation) || '—'),
        h('td', { class: 'num distance' }, distance(hit)),
        h('td', {}, label(ACCEPTANCE, r.acceptingNewPatients) || '不明'));
    });
  }

  /** @param {boolean} append */
  async function search(append) {
    const query = lastQuery;
    if (!query) return; // set by the form before the first search
    const r = /** @type {renkei.v1.SearchResourcesResponse} */ (
      await get('/api/v1/resources', { ...query, page_token: append ? nextToken : '' }));
    const hits = r.hits || [];
    if (!append) {
      replace(tbody);
      replace(results,
        h('p', { class: 'summary', id: 'result-summary' }, `該当 ${r.totalMatches ?? hits.length}件`),
        r.outsideFallback ? h('p', { class: 'notice gap' },
          `${municipalityName(query.municipality_code)}には該当する資源がありません。${outsideText(query.municipality_code)}の近い資源を距離の近い順に表示しています。`) : null,
        h('table', { class: 'data resources' },
          h('caption', { class: 'sr-only' }, '検索結果'),
          h('thead', {}, h('tr', {}, ['名称', '種別', '所在地', '区分', '距離', '受入'].map((t) => h('th', { scope: 'col' }, t)))),
          tbody),
        more);
    }
    tbody.append(...rows(hits));
    nextToken = r.nextPageToken || '';
    more.hidden = !nextToken;
    ctx.announce(`資源の検索結果: ${r.totalMatches ?? hits.length}件${r.outsideFallback ? ` (${outsideText(query.municipality_code)}の候補)` : ''}`);
  }
  more.addEventListener('click', () => submitting(results, null, () => search(true)));

  const form = actionForm({
    label: '資源を検索する',
    submitLabel: '検索',
    children: [
      caps,
      h('details', { class: 'more-filters' }, h('summary', {}, '種別で絞り込む'), kinds),
      h('div', { class: 'row' }, municipality, text),
      fallback,
      accepting,
      h('div', { class: 'row' }, near, within, pageSize),
      stale,
    ],
    onSubmit: async () => {
      const km = normNumber(within.control.value);
      lastQuery = {
        capabilities: caps.values(),
        kinds: kinds.values(),
        municipality_code: municipality.code(),
        outside_fallback: fallback.control.checked ? '' : 'OUTSIDE_FALLBACK_NONE',
        text: norm(text.control.value),
        accepting_only: accepting.control.checked ? 'true' : '',
        near_municipality_code: near.code(),
        max_distance_km: km === undefined ? '' : (Number.isNaN(km) ? norm(within.control.value) : km),
        page_size: pageSize.control.value,
        not_verified_within_months: stale.control.value,
      };
      await search(false);
    },
  });

  const gaps = gapSection(ctx, isKnownMunicipality(home) ? home : '');
  const needGaps = isKnownMunicipality(home) ? needGapSection(ctx) : null;
  replace(main,
    h('h1', {}, '資源検索'),
    // Surveys are run and reviewed by the municipality's own staff and coordinators.
    ['ROLE_COORDINATOR', 'ROLE_MUNICIPAL_STAFF'].includes(String(ctx.session.role))
      ? h('p', { class: 'lead-actions' }, h('a', { class: 'button', href: '#/surveys' }, '資源調査 (事業所への調査と回答の確認)'))
      : null,
    h('section', { 'aria-labelledby': 'search-h' }, h('h2', { id: 'search-h' }, '地域の医療・介護資源を探す'), form, results),
    gaps, needGaps);
  if (isKnownMunicipality(home)) await gaps.load();
  // The need gaps come from the consultations (renkei-intake): loaded after the screen is shown
  // (the screen does not wait for them, nor fails without them).
  if (needGaps) needGaps.load().catch(() => replace(needGaps, h('h2', { id: 'need-gaps-h' }, 'ニーズ別の資源の空白 (今年度の相談)'), h('p', {}, '相談の集計を読み込めませんでした。')));
}
