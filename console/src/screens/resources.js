// 資源検索: the directory's resources by capability, kind, municipality, text, acceptance and
// distance (GET /api/v1/resources), and the gap report of the logged-in municipality — the
// capabilities nobody located in or serving it offers (GET /api/v1/gap-report/{code}). The
// search is kept in the URL (#/resources?text=…), so coming back to it shows the same results.
//
// #/resources/new registers a resource and #/resources/{id} shows one with its form (POST
// /api/v1/resources, DirectoryService.UpsertResource: the whole resource, with the version read)
// and its removal, asked in the page first (DELETE /api/v1/resources/{id}) — for those who may.
import {
  get, post, del, seg, loadCapabilities, capabilityLabel, queryString, ApiError,
} from '../api.js';
import { h, replace, uid } from '../dom.js';
import {
  input, choices, checkbox, actionForm, municipalityInput, normNumber, norm, submitting, splitList,
  focusHeading,
} from '../forms.js';
import { dateText, timestampText } from '../datetext.js';
import { tokyoToday } from '../dates.js';
import {
  municipalityName, outsideText, insideText, isKnownMunicipality,
} from '../municipalities.js';
import {
  label, RESOURCE_KINDS, AREA_RELATIONS, ACCEPTANCE, CAPABILITY_SOURCES,
} from '../words.js';
import { can } from '../permissions.js';
import { askFirst } from '../confirm.js';
import { cardRows } from '../tables.js';

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

// What is recorded about a resource, field by field (its capabilities with their sources).
/** @param {Partial<renkei.v1.Resource>} r */
function resourceFacts(r) {
  /** @type {Partial<renkei.v1.Contact>} */
  const contact = r.contact || {};
  return h('dl', { class: 'facts compact' },
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
      (r.serviceArea || []).length ? [h('dt', {}, '訪問・対応地域'), h('dd', {},
        (r.serviceArea || []).map((c) => municipalityName(c, { withPrefecture: false })).join('、'))] : null,
      [h('dt', {}, '最終確認'), h('dd', {}, r.source && r.source.lastVerified && r.source.lastVerified.year
        ? [dateText(r.source.lastVerified), ` (${ageText(r.source.lastVerified)})`] : '確認の記録なし')]);
}

/**
 * @param {Partial<renkei.v1.Resource>} r
 * @param {boolean} editable a link to the resource's form
 */
function resourceDetails(r, editable) {
  return h('details', { class: 'resource' },
    h('summary', {}, r.name),
    resourceFacts(r),
    editable && r.id ? h('p', { class: 'resource-actions no-print' },
      h('a', { href: `#/resources/${encodeURIComponent(r.id)}`, 'aria-label': `${r.name}を編集・削除する` }, '編集・削除する')) : null);
}

/**
 * @param {ui.ScreenContext} ctx
 * @param {string} code
 */
function gapSection(ctx, code) {
  const section = h('section', { 'aria-labelledby': 'gap-h', class: 'gap-section' });
  const codeInput = municipalityInput({ label: '市区町村コード', field: 'municipality_code', value: code });
  const body = h('div', { class: 'gap-body' });
  // Said in the status line when asked for with the form; the report the screen loads by itself
  // does not talk over the message the screen opened with (「…」を削除しました).
  const load = async (say = true) => {
    const c = codeInput.code();
    if (!/^\d{6}$/.test(c)) {
      throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください',
        [{ field: 'municipality_code', description: '6桁の数字で入力してください' }]);
    }
    const report = /** @type {renkei.v1.GapReport} */ (await get(`/api/v1/gap-report/${seg(c)}`));
    const coverage = report.coverage || [];
    const gaps = coverage.filter((x) => x.gap);
    replace(body,
      h('p', { class: 'summary', id: 'gap-summary', tabindex: '-1' }, `${report.municipalityName || municipalityName(c)}: ${coverage.length}機能のうち空白 ${gaps.length}機能`,
        gaps.length ? ` (${gaps.map((g) => g.labelJa).join('、')})` : ''),
      cardRows(h('table', { class: 'data gap-report' },
        h('caption', {}, `${report.municipalityName || municipalityName(c)} の機能別の資源`),
        h('thead', {}, h('tr', {}, ['機能', '所在', `${outsideText(c)}から対応`, '状況', `最寄り (${outsideText(c)})`].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, coverage.map((x) => h('tr', { class: x.gap ? 'gap' : '' },
          h('th', { scope: 'row' }, x.labelJa || capabilityLabel(x.capability)),
          h('td', { class: 'num' }, String(x.locatedIn ?? 0)),
          h('td', { class: 'num' }, String(x.serving ?? 0)),
          h('td', { class: 'state' }, x.gap ? h('strong', { class: 'badge gap' }, '空白') : 'あり'),
          h('td', {}, x.gap && x.nearestOutside && x.nearestOutside.name
            ? `${x.nearestOutside.name} (${municipalityName(x.nearestOutside.municipalityCode)}、${x.nearestOutside.distanceApproximate ? '約' : ''}${Number(x.nearestOutside.distanceKm).toFixed(1)} km)`
            : '')))))));
    if (!say) return;
    ctx.announce(`資源の空白: ${gaps.length}機能`);
    document.getElementById('gap-summary')?.focus();
  };
  const form = actionForm({
    label: '資源の空白を調べる', className: 'form inline', submitLabel: '空白を調べる',
    children: [codeInput], onSubmit: () => load(),
  });
  replace(section, h('h2', { id: 'gap-h' }, '資源の空白 (ギャップレポート)'),
    h('p', {}, 'その市区町村に所在する資源も、訪問対象地域に含める資源もない機能を示します。'),
    form, body);
  return Object.assign(section, { load: () => submitting(form, form.alert, () => load(false)) });
}

// The year's need gaps: the combinations consultations asked for, how they were matched, and the
// supply today (GET /api/v1/need-gaps). Loaded by the screen itself, so not announced (its summary
// is the section's first line).
function needGapSection() {
  const section = h('section', { 'aria-labelledby': 'need-gaps-h', class: 'gap-section' });
  const body = h('div', { class: 'need-gaps-body' });
  const load = async () => {
    const report = /** @type {renkei.v1.NeedGapReport} */ (await get('/api/v1/need-gaps'));
    const gaps = report.gaps || [];
    const place = report.municipalityCode || '';
    replace(body,
      h('p', { class: 'summary' }, `${report.fiscalYear}年度 (${dateText(report.from, 'span').textContent}〜${dateText(report.to, 'span').textContent}): 相談で求められた組合せ ${gaps.length}件、うち資源の空白 ${gaps.filter((g) => g.supplyGap).length}件`),
      report.supplyUnavailable ? h('p', { class: 'notice' }, '資源ディレクトリに問い合わせできなかったため、資源の数は表示していません。') : null,
      gaps.length ? cardRows(h('table', { class: 'data need-gaps' },
        h('caption', {}, `相談のニーズ (組合せ) 別の照合結果と資源`),
        h('thead', {}, h('tr', {}, ['ニーズ', '相談', `${insideText(place)}で照合`, `${outsideText(place)}のみ`, '該当なし', '所在', `${outsideText(place)}から対応`, '状況', '最寄り'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, gaps.map((g) => h('tr', { class: g.supplyGap ? 'gap' : '' },
          h('th', { scope: 'row' }, g.label),
          ...[g.consultations, g.matchedInside, g.matchedOutside, g.unmatched, g.locatedIn, g.serving].map((n) => h('td', { class: 'num' }, String(n ?? 0))),
          h('td', {}, report.supplyUnavailable ? '—' : g.supplyGap ? h('strong', { class: 'badge gap' }, '空白') : 'あり'),
          h('td', {}, g.supplyGap && g.nearestOutside && g.nearestOutside.name
            ? `${g.nearestOutside.name} (${municipalityName(g.nearestOutside.municipalityCode)}、${Number(g.nearestOutside.distanceKm).toFixed(1)} km)` : '')))))) : h('p', {}, '今年度の相談で求められたニーズはまだありません。'));
  };
  replace(section, h('h2', { id: 'need-gaps-h' }, 'ニーズ別の資源の空白 (今年度の相談)'),
    h('p', {}, '相談で求められた対応の組合せ (例: パーキンソン病＋訪問診療) ごとに、照合の結果と、それを満たす資源の数を示します。'),
    body);
  return Object.assign(section, { load });
}

// ---------------------------------------------------------------------------------------------
// #/resources: the search.

// The search's fields as the URL keeps them (the request's proto names, api.js queryString).
const SEARCH_KEYS = [
  'capabilities', 'kinds', 'municipality_code', 'outside_fallback', 'text', 'accepting_only',
  'near_municipality_code', 'max_distance_km', 'page_size', 'not_verified_within_months',
];

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
async function renderSearch(main, ctx) {
  const capabilities = await loadCapabilities();
  const home = ctx.session.jurisdiction || '';
  const q = ctx.query;
  // A search kept in the URL fills the form and runs; without one, the form starts at home.
  const fromUrl = SEARCH_KEYS.some((k) => q.has(k));
  const editable = can(ctx.session, 'DirectoryService.UpsertResource');
  const caps = choices({
    label: '機能 (すべてを満たす資源)', field: 'capabilities', multiple: true, columns: true, class: 'capability-choices',
    options: capabilities.map((c) => [c.code, c.labelJa]), value: q.getAll('capabilities'),
  });
  const kinds = choices({
    label: '種別 (いずれか)', field: 'kinds', multiple: true, columns: true, options: RESOURCE_KINDS, value: q.getAll('kinds'),
  });
  const municipality = municipalityInput({
    label: '市区町村コード (所在または訪問対象)', field: 'municipality_code', value: fromUrl ? q.get('municipality_code') || '' : home,
  });
  const fallback = checkbox({
    label: '該当がないときは市区町村外の近い資源を表示する', field: 'outside_fallback',
    value: q.get('outside_fallback') !== 'OUTSIDE_FALLBACK_NONE',
  });
  const text = input({ label: '名称・カナ・住所', field: 'text', hint: 'ひらがな・カタカナ・全角半角の違いは区別しません', value: q.get('text') || '' });
  const accepting = checkbox({ label: '新規受入可の資源のみ', field: 'accepting_only', value: q.get('accepting_only') === 'true' });
  const near = municipalityInput({
    label: '距離の基準 (市区町村役場から)', field: 'near_municipality_code', hint: '6桁のコード。空欄なら上の市区町村',
    value: q.get('near_municipality_code') || '',
  });
  const within = input({
    label: '半径 (km)', field: 'max_distance_km', width: 'short', inputmode: 'decimal', value: q.get('max_distance_km') || '',
  });
  const pageSize = input({
    label: '表示件数', field: 'page_size', options: [['20', '20件'], ['50', '50件'], ['100', '100件']], value: q.get('page_size') || '20',
  });
  const stale = input({
    label: '確認が古い資源だけ', field: 'not_verified_within_months',
    options: [['', '指定しない'], ['6', '6か月以上前 (未確認を含む)'], ['12', '1年以上前 (未確認を含む)'], ['24', '2年以上前 (未確認を含む)']],
    value: q.get('not_verified_within_months') || '',
  });

  const results = h('div', { class: 'results', 'aria-live': 'off' });
  /** @type {ui.Query | null} */
  let lastQuery = null;
  let nextToken = '';
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary no-print' }, 'さらに表示');
  more.hidden = true;
  const print = h('button', { type: 'button', class: 'secondary no-print' }, '一覧を印刷');
  print.addEventListener('click', () => window.print());

  /** @param {renkei.v1.SearchHit[]} hits */
  function rows(hits) {
    return hits.map((hit) => {
      /** @type {Partial<renkei.v1.Resource>} */
      const r = hit.resource || {};
      /** @type {Partial<renkei.v1.Contact>} */
      const contact = r.contact || {};
      const asked = (lastQuery && Array.isArray(lastQuery.capabilities) && lastQuery.capabilities.length > 0);
      return h('tr', { class: hit.relation === 'AREA_RELATION_OUTSIDE' ? 'outside' : '' },
        // On paper the details cannot be opened: the address and the phone go under the name
        // (app.css prints data-print after it; on screen the details say them).
        h('td', { class: 'name', 'data-print': [r.address, contact.phone && `電話 ${contact.phone}`].filter(Boolean).join('　') },
          resourceDetails(r, editable),
          asked && !hit.verified ? h('span', { class: 'badge inferred' }, '推定を含む') : null),
        h('td', {}, label(RESOURCE_KINDS, r.kind)),
        h('td', { class: 'municipality' }, municipalityName(r.municipalityCode)),
        h('td', { class: 'relation' }, label(AREA_RELATIONS, hit.relation) || '—'),
        h('td', { class: 'num distance' }, distance(hit)),
        h('td', {}, label(ACCEPTANCE, r.acceptingNewPatients) || '不明'));
    });
  }

  const table = h('table', { class: 'data resources' },
    h('caption', { class: 'sr-only' }, '検索結果'),
    h('thead', {}, h('tr', {}, ['名称', '種別', '所在地', '区分', '距離', '受入'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody);

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
        h('p', { class: 'summary', id: 'result-summary', tabindex: '-1' }, `該当 ${r.totalMatches ?? hits.length}件`),
        r.outsideFallback ? h('p', { class: 'notice gap' },
          `${municipalityName(query.municipality_code)}には該当する資源がありません。${outsideText(query.municipality_code)}の近い資源を距離の近い順に表示しています。`) : null,
        hits.length ? h('div', { class: 'actions no-print' }, print) : null,
        table,
        more);
      main.classList.toggle('has-results', hits.length > 0);
    }
    tbody.append(...rows(hits));
    cardRows(table);
    nextToken = r.nextPageToken || '';
    more.hidden = !nextToken;
    ctx.announce(`資源の検索結果: ${r.totalMatches ?? hits.length}件${r.outsideFallback ? ` (${outsideText(query.municipality_code)}の候補)` : ''}`);
  }
  more.addEventListener('click', () => submitting(results, null, async () => {
    const before = tbody.rows.length;
    await search(true);
    // The keyboard goes on from the first row added.
    const first = tbody.rows[before]?.querySelector('summary');
    if (first instanceof HTMLElement) first.focus();
  }));

  const readQuery = () => {
    const km = normNumber(within.control.value);
    return {
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
  };
  const runSearch = async () => {
    lastQuery = readQuery();
    await search(false);
    // Kept in the URL (no new history entry, no redraw): Back from a resource comes back here.
    const kept = queryString(lastQuery);
    if (ctx.isCurrent()) history.replaceState(null, '', `#/resources${kept || '?'}`);
  };
  const form = actionForm({
    label: '資源を検索する',
    submitLabel: '検索',
    children: [
      caps,
      h('details', { class: 'more-filters', open: kinds.values().length > 0 }, h('summary', {}, '種別で絞り込む'), kinds),
      h('div', { class: 'row' }, municipality, text),
      fallback,
      accepting,
      h('div', { class: 'row' }, near, within, pageSize),
      stale,
    ],
    // Searched from the form: the keyboard goes on from the results' count.
    onSubmit: async () => {
      await runSearch();
      document.getElementById('result-summary')?.focus();
    },
  });

  const surveysOpen = ['ROLE_COORDINATOR', 'ROLE_MUNICIPAL_STAFF'].includes(String(ctx.session.role))
    && can(ctx.session, 'ResourceSurveyService.ListResourceSurveys');
  const gaps = gapSection(ctx, isKnownMunicipality(home) ? home : '');
  const needGaps = isKnownMunicipality(home) ? needGapSection() : null;
  main.classList.add('resources-screen');
  replace(main,
    h('h1', {}, '資源検索'),
    editable || surveysOpen ? h('p', { class: 'lead-actions no-print' },
      editable ? h('a', { class: 'button', href: '#/resources/new' }, '資源を登録する') : null,
      ' ',
      // Surveys are run and reviewed by the municipality's own staff and coordinators.
      surveysOpen ? h('a', { class: 'button', href: '#/surveys' }, '資源調査 (事業所への調査と回答の確認)') : null) : null,
    h('section', { 'aria-labelledby': 'search-h' }, h('h2', { id: 'search-h' }, '地域の医療・介護資源を探す'), form, results),
    gaps, needGaps);
  if (fromUrl) await submitting(form, form.alert, runSearch);
  if (isKnownMunicipality(home)) await gaps.load();
  // The need gaps come from the consultations (renkei-intake): loaded after the screen is shown
  // (the screen does not wait for them, nor fails without them).
  if (needGaps) needGaps.load().catch(() => replace(needGaps, h('h2', { id: 'need-gaps-h' }, 'ニーズ別の資源の空白 (今年度の相談)'), h('p', {}, '相談の集計を読み込めませんでした。')));
}

// ---------------------------------------------------------------------------------------------
// #/resources/new and #/resources/{id}: the resource's form.

/**
 * @param {ui.Field} wrap
 * @param {{integer?: boolean, min?: number, max?: number, what: string}} rule
 * @returns {number | undefined}
 */
function numberIn(wrap, rule) {
  const n = normNumber(wrap.control.value);
  if (n === undefined) return undefined;
  const bad = Number.isNaN(n) || (rule.integer && !Number.isInteger(n))
    || (rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max);
  if (bad) {
    throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください',
      [{ field: wrap.dataset.field ?? '', description: rule.what }]);
  }
  return n;
}

/**
 * A fieldset of several controls; with `field`, they answer for that field of the request
 * (resource.contact) and an error about the whole lands under them.
 * @param {string} legend
 * @param {string | null} field
 * @param {ui.Child[]} children
 */
function group(legend, field, children) {
  return h('fieldset', { class: 'field group', 'data-field': field },
    h('legend', {}, legend), children,
    field ? h('p', { class: 'field-error', id: uid('group-err'), hidden: true }) : null);
}

/**
 * The form of a resource: `r` to edit one, null for a new one. `saved(resource, created)` runs
 * after the service stored it.
 * @param {ui.ScreenContext} ctx
 * @param {renkei.v1.Resource | null} r
 * @param {renkei.v1.Capability[]} capabilities
 * @param {(resource: renkei.v1.Resource, created: boolean) => Promise<void> | void} saved
 */
function resourceForm(ctx, r, capabilities, saved) {
  const home = ctx.session.jurisdiction || '';
  /** @type {Partial<renkei.v1.Contact>} */
  const contact = r?.contact || {};
  /** @type {Partial<renkei.v1.LiaisonContact>} */
  const liaison = r?.liaison || {};
  const name = input({ label: '名称', field: 'resource.name', required: true, width: 'long', maxlength: 200, value: r?.name });
  const kana = input({ label: '名称 (カナ)', field: 'resource.name_kana', width: 'long', maxlength: 200, value: r?.nameKana });
  const kind = input({
    label: '種別', field: 'resource.kind', required: true, options: RESOURCE_KINDS, empty: '選んでください',
    value: r && r.kind !== 'RESOURCE_KIND_UNSPECIFIED' ? r.kind : '',
  });
  const corporation = input({ label: '法人の名称', field: 'resource.corporation_name', width: 'long', maxlength: 200, value: r?.corporationName });
  const municipality = municipalityInput({
    label: '所在する市区町村のコード', field: 'resource.municipality_code', required: true,
    value: r ? r.municipalityCode : (isKnownMunicipality(home) ? home : ''),
  });
  const address = input({ label: '住所', field: 'resource.address', width: 'long', maxlength: 300, value: r?.address });
  const loc = r?.location;
  const approximate = r?.locationPrecision === 'LOCATION_PRECISION_MUNICIPALITY_OFFICE';
  const lat = input({ label: '緯度', field: 'resource.location.latitude', width: 'short', inputmode: 'decimal', value: loc ? String(loc.latitude) : '' });
  const lng = input({ label: '経度', field: 'resource.location.longitude', width: 'short', inputmode: 'decimal', value: loc ? String(loc.longitude) : '' });
  const area = input({
    label: '訪問・対応する他の市区町村 (コードを読点区切り)', field: 'resource.service_area', width: 'long',
    value: (r?.serviceArea || []).join('、'),
    hint: (r?.serviceArea || []).length
      ? `いま: ${(r?.serviceArea || []).map((c) => municipalityName(c, { withPrefecture: false })).join('、')}`
      : '例: 132241、132098 (所在する市区町村は含めなくてかまいません)',
  });
  const caps = choices({
    label: '対応できること (機能)', field: 'resource.capabilities', multiple: true, columns: true, class: 'capability-choices',
    options: capabilities.map((c) => [c.code, c.labelJa]), value: r?.capabilities || [],
    hint: '新しく選んだ機能は「コーディネーター・職員の確認」として記録されます。',
  });
  const accepting = input({
    label: '新規の受入', field: 'resource.accepting_new_patients', options: ACCEPTANCE, empty: '不明',
    value: r && r.acceptingNewPatients !== 'ACCEPTANCE_UNSPECIFIED' ? r.acceptingNewPatients : '',
  });
  const capacity = input({ label: '定員', field: 'resource.capacity', width: 'short', inputmode: 'numeric', value: r?.capacity ? String(r.capacity) : '', hint: '分からなければ空欄' });
  const hours = input({ label: '対応時間', field: 'resource.hours', width: 'long', maxlength: 200, value: r?.hours, placeholder: '例: 平日 9:00〜17:00、夜間・休日は電話で対応' });
  const phone = input({ label: '電話番号', field: 'resource.contact.phone', type: 'tel', value: contact.phone || '' });
  const fax = input({ label: 'FAX番号', field: 'resource.contact.fax', type: 'tel', value: contact.fax || '' });
  const url = input({ label: 'ホームページ', field: 'resource.contact.url', type: 'url', width: 'long', value: contact.url || '' });
  const email = input({ label: 'メールアドレス', field: 'resource.contact.email', type: 'email', autocomplete: 'email', value: contact.email || '' });
  const ldept = input({ label: '連携窓口の部署', field: 'resource.liaison.department', value: liaison.department || '', placeholder: '例: 地域連携室' });
  const lphone = input({ label: '連携窓口の電話番号', field: 'resource.liaison.phone', type: 'tel', value: liaison.phone || '' });
  const lfax = input({ label: '連携窓口のFAX番号', field: 'resource.liaison.fax', type: 'tel', value: liaison.fax || '' });
  const lemail = input({ label: '連携窓口のメールアドレス', field: 'resource.liaison.email', type: 'email', autocomplete: 'email', value: liaison.email || '' });
  const linternal = checkbox({ label: '連携窓口は関係者だけに知らせる (公開の資源マップには載せない)', field: 'resource.liaison.internal', value: !!liaison.internal });
  const note = input({ label: '備考', field: 'resource.note', multiline: true, rows: 3, maxlength: 2000, value: r?.note });
  const verified = checkbox({
    label: 'この内容を確認した (最終確認日を今日にする)', field: 'resource.source.last_verified', value: true,
    hint: r?.source?.lastVerified?.year ? `いまの最終確認日: ${dateText(r.source.lastVerified).textContent}` : 'いまは確認の記録がありません。',
  });

  const body = () => {
    const la = numberIn(lat, { min: 20, max: 46, what: '緯度を数値で入力してください (例: 35.6379)' });
    const ln = numberIn(lng, { min: 122, max: 154, what: '経度を数値で入力してください (例: 139.5046)' });
    const cap = numberIn(capacity, { integer: true, min: 0, max: 100000, what: '0〜100000 の整数で入力してください' });
    if ((la === undefined) !== (ln === undefined)) {
      throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください',
        [{ field: 'resource.location', description: '緯度と経度は両方入力するか、両方空欄にしてください' }]);
    }
    /** @type {ui.Body} */
    const resource = { ...(r || {}) };
    // Read-only, or kept by the service: the provenance of a capability already recorded stays,
    // a new one is recorded as confirmed by the caller today.
    delete resource.version;
    delete resource.updatedAt;
    delete resource.capabilityProvenance;
    Object.assign(resource, {
      name: name.control.value.trim(),
      nameKana: kana.control.value.trim(),
      kind: kind.control.value || 'RESOURCE_KIND_UNSPECIFIED',
      corporationName: corporation.control.value.trim(),
      municipalityCode: municipality.code(),
      address: address.control.value.trim(),
      serviceArea: splitList(norm(area.control.value)),
      capabilities: caps.values(),
      acceptingNewPatients: accepting.control.value || 'ACCEPTANCE_UNSPECIFIED',
      capacity: cap ?? 0,
      hours: hours.control.value.trim(),
      contact: {
        phone: norm(phone.control.value), fax: norm(fax.control.value),
        url: url.control.value.trim(), email: norm(email.control.value),
      },
      liaison: {
        department: ldept.control.value.trim(), phone: norm(lphone.control.value), fax: norm(lfax.control.value),
        email: norm(lemail.control.value), internal: linternal.control.checked,
      },
      note: note.control.value.trim(),
    });
    if (la === undefined || ln === undefined) {
      delete resource.location;
      resource.locationPrecision = 'LOCATION_PRECISION_UNSPECIFIED';
    } else if (!loc || loc.latitude !== la || loc.longitude !== ln) {
      resource.location = { latitude: la, longitude: ln };
      resource.locationPrecision = 'LOCATION_PRECISION_EXACT';
    }
    if (verified.control.checked) resource.source = { ...(r?.source || {}), lastVerified: tokyoToday() };
    return resource;
  };

  return actionForm({
    label: r ? `${r.name}の情報を編集する` : '資源を登録する',
    className: 'form resource-form',
    submitLabel: r ? '変更を保存' : '登録する',
    children: [
      // Whatever the service says of the resource and no control answers for lands here.
      h('div', { class: 'error-slot', 'data-field': 'resource' }, h('p', { class: 'field-error', id: uid('resource-err'), hidden: true })),
      group('名称と種別', null, [name, kana, h('div', { class: 'row' }, kind, corporation)]),
      group('所在地', null, [
        municipality, address,
        group('位置 (地図と距離の計算に使います)', 'resource.location', [
          h('p', { class: 'hint' }, approximate
            ? 'いまの位置は市区町村役場の位置 (概算) です。施設の位置を入力すると、距離が正確になります。'
            : '地図で施設の位置を調べて入力します (世界測地系の10進数)。分からなければ空欄。'),
          h('div', { class: 'row' }, lat, lng)]),
        area]),
      group('対応', null, [caps, h('div', { class: 'row' }, accepting, capacity), hours]),
      group('連絡先', 'resource.contact', [h('div', { class: 'row' }, phone, fax), h('div', { class: 'row' }, url, email)]),
      group('連携窓口 (地域連携室など、担当者個人ではなく部署)', 'resource.liaison', [
        h('div', { class: 'row' }, ldept, lphone, lfax, lemail), linternal]),
      note,
      verified,
    ],
    onSubmit: async () => {
      const answer = /** @type {renkei.v1.UpsertResourceResponse} */ (await post('/api/v1/resources', {
        resource: body(), expectedVersion: r ? r.version : '0',
      }).catch(async (err) => {
        if (r && err instanceof ApiError && err.code === 'ABORTED') {
          ctx.announce('他の人が先にこの資源を変更しました。最新の内容を表示しています。もう一度編集してください');
          await ctx.rerender();
          focusHeading('resource-h');
          err.handled = true;
        }
        throw err;
      }));
      await saved(/** @type {renkei.v1.Resource} */ (answer.resource), answer.created);
    },
  });
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
async function renderNew(main, ctx) {
  const capabilities = await loadCapabilities();
  const breadcrumb = h('p', { class: 'breadcrumb' }, h('a', { href: '#/resources' }, '資源検索'), ' › 資源を登録する');
  if (!can(ctx.session, 'DirectoryService.UpsertResource')) {
    replace(main, breadcrumb, h('h1', {}, '資源を登録する'), h('p', {}, '資源を登録する権限がありません。'));
    return;
  }
  const form = resourceForm(ctx, null, capabilities, (resource) => {
    ctx.announce(`「${resource.name}」を登録しました`);
    ctx.navigate(`#/resources/${encodeURIComponent(resource.id)}`);
  });
  replace(main, breadcrumb,
    h('h1', {}, '資源を登録する'),
    h('p', {}, '地域の医療機関・事業所を登録します。登録した資源は、資源検索、相談の照合、資源の空白、資源マップに使われます。'
      + '公開されている情報 (施設の名称・所在地・連絡先) だけを入力し、個人の情報は入力しないでください。'),
    form);
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
async function renderResource(main, ctx) {
  const [r, capabilities] = await Promise.all([
    /** @type {Promise<renkei.v1.Resource>} */ (get(`/api/v1/resources/${seg(ctx.id)}`)),
    loadCapabilities(),
  ]);
  const editable = can(ctx.session, 'DirectoryService.UpsertResource');
  const removable = can(ctx.session, 'DirectoryService.DeleteResource');
  const form = editable ? resourceForm(ctx, r, capabilities, async (resource) => {
    ctx.announce(`「${resource.name}」の変更を保存しました`);
    await ctx.rerender();
    focusHeading('resource-h');
  }) : null;

  const removeSlot = h('div', { class: 'ask-slot' });
  const remove = h('button', { type: 'button', class: 'remove-resource' }, 'この資源を削除する');
  remove.addEventListener('click', () => askFirst({
    slot: removeSlot,
    opener: remove,
    title: `「${r.name}」を削除しますか？`,
    details: h('ul', {},
      h('li', {}, '資源検索、相談の照合、資源の空白、資源マップから消えます。ほかの市区町村・都道府県のインスタンスにも削除が伝わります。'),
      h('li', {}, 'これまでの相談の紹介先の記録は残ります。削除は取り消せません (もう一度登録はできます)。')),
    confirmLabel: '削除する',
    danger: true,
    action: async () => {
      await del(`/api/v1/resources/${seg(r.id)}`, { expectedVersion: r.version });
      ctx.announce(`「${r.name}」を削除しました`);
      ctx.navigate('#/resources');
    },
  }));

  replace(main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/resources' }, '資源検索'), ' › 資源'),
    h('h1', { id: 'resource-h' }, r.name),
    h('p', { class: 'meta' }, label(RESOURCE_KINDS, r.kind) || '種別なし', '・', municipalityName(r.municipalityCode),
      ' ／ 更新 ', timestampText(r.updatedAt, { time: false }), ` ／ 版 ${r.version}`),
    h('p', { class: 'no-print' }, h('a', { href: `#/resources${queryString({ text: r.name })}` }, '資源検索でこの資源を探す')),
    form ? [
      h('details', { class: 'current-facts' }, h('summary', {}, 'いまの登録内容 (機能の出典つき)'), resourceFacts(r)),
      h('section', { 'aria-labelledby': 'edit-h' }, h('h2', { id: 'edit-h' }, '登録内容を編集する'), form),
    ] : h('section', { 'aria-labelledby': 'facts-h' }, h('h2', { id: 'facts-h' }, '登録内容'), resourceFacts(r)),
    removable ? h('section', { 'aria-labelledby': 'remove-h', class: 'no-print' },
      h('h2', { id: 'remove-h' }, '資源を削除する'),
      h('p', {}, '閉じた・重複して登録したなど、もう使わない資源を削除します。'),
      h('div', { class: 'actions' }, remove), removeSlot) : null);
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  if (ctx.id === 'new') return renderNew(main, ctx);
  if (ctx.id) return renderResource(main, ctx);
  return renderSearch(main, ctx);
}
