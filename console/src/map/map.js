// The public resource map (在宅医療・介護資源マップ, docs/directory.md "The public map"): one
// municipality's medical and care resources on a map and in a nearest-first list, filtered by kind
// and capability, near a place or a point picked on the map, and printed as a list grouped by kind
// for the municipality's booklet. No log-in: it reads the gateway's public routes only
// (docs/gateway.md, "Public pages"), whose answers hold public fields only. /map/?m=<code> shows
// another municipality the instance holds (a prefecture's).
import L from 'leaflet';
import { japaneseHalf } from '../api.js';
import { h } from '../dom.js';
import { formatDate } from '../dates.js';
import { RESOURCE_KINDS, ACCEPTANCE } from '../words.js';
import { municipalitiesOf, prefectureName } from '../municipalities.js';

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const status = byId('status');
const kindSelect = /** @type {HTMLSelectElement} */ (byId('kind'));
const textInput = /** @type {HTMLInputElement} */ (byId('text'));
const placeInput = /** @type {HTMLInputElement} */ (byId('place'));
const accepting = /** @type {HTMLInputElement} */ (byId('accepting'));
const serving = /** @type {HTMLInputElement} */ (byId('serving'));
const choices = byId('capability-choices');

/** The Japanese half of a service's message ("日本語 / English"). @param {string | undefined} m */
const ja = (m) => japaneseHalf(m) || '';
const kindLabel = new Map(RESOURCE_KINDS.map(([v, label]) => [String(v), label]));
const acceptanceLabel = new Map(ACCEPTANCE.map(([v, label]) => [String(v), label]));

// The marker colour of a kind: medical, visiting nursing, care (the legend of index.html and
// map.css show the same three).
/** @param {string} kind */
function colourOf(kind) {
  if (/HOSPITAL|CLINIC|DENTAL|PHARMACY/.test(kind) && !/INTEGRATED_CARE/.test(kind)) return '#0b5cad';
  if (/VISITING_NURSE/.test(kind)) return '#1a7f37';
  return '#b35900';
}

/** What the filters ask for, and where "near" is. */
const query = {
  /** @type {string} */ municipalityCode: new URLSearchParams(location.search).get('m') || '',
  /** @type {{latitude: number, longitude: number} | null} */ near: null,
  nearAddress: '',
};
/** @type {Set<string>} */
const chosenCapabilities = new Set();

for (const [value, label] of RESOURCE_KINDS) kindSelect.append(h('option', { value: String(value) }, label));

/** @type {L.Map | null} */
let map = null;
const markers = L.layerGroup();
/** @type {Map<string, L.CircleMarker>} */
const markerOf = new Map();

/** @returns {Promise<{tileUrl: string, attribution: string, attributionUrl: string, maxZoom: number}>} */
async function settings() {
  const r = await fetch('/public/v1/map/settings', { credentials: 'omit' });
  if (!r.ok) throw new Error('地図の設定を読み込めませんでした');
  return r.json();
}

/**
 * The map for the current filters, or throws {message, fields}.
 * @returns {Promise<renkei.v1.ResourceMap>}
 */
async function fetchMap() {
  const body = {
    municipalityCode: query.municipalityCode,
    capabilities: [...chosenCapabilities],
    kinds: kindSelect.value ? [kindSelect.value] : [],
    acceptingOnly: accepting.checked,
    includeServing: serving.checked,
    text: textInput.value.trim(),
    nearAddress: query.near ? '' : query.nearAddress,
    ...(query.near ? { near: query.near } : {}),
  };
  /** @type {Response} */
  let r;
  try {
    r = await fetch('/public/v1/map', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
    });
  } catch {
    throw Object.assign(new Error('通信できませんでした。しばらくしてからもう一度お試しください'), { fields: [] });
  }
  const json = await r.json().catch(() => ({}));
  if (!r.ok) {
    const e = json.error || {};
    /** @type {{field: string, description: string}[]} */
    const fields = e.fields || [];
    // A refused field says what is wrong with it; the general message only says that something is.
    const message = fields.length ? ja(fields[0].description) : ja(e.message);
    throw Object.assign(new Error(message || '読み込めませんでした'), { fields });
  }
  return json;
}

/** A resource's details, for its popup and its list entry. @param {renkei.v1.PublicResource} r */
function details(r) {
  const parts = [];
  const kind = kindLabel.get(String(r.kind)) || '';
  const distance = r.distanceKm !== undefined ? `約 ${Number(r.distanceKm).toFixed(1)} km${r.locationApproximate ? ' (位置は市区町村役所による概算)' : ''}` : '';
  parts.push(h('p', { class: 'meta' }, [kind, distance, r.servesFromOutside ? '市区町村外から訪問' : ''].filter(Boolean).join(' ・ ')));
  parts.push(h('p', { class: 'meta' }, r.address || ''));
  if (r.phone) parts.push(h('p', { class: 'meta' }, `電話 ${r.phone}${r.fax ? ` ・ FAX ${r.fax}` : ''}`));
  if (r.capabilities && r.capabilities.length) {
    parts.push(h('ul', { class: 'caps', 'aria-label': '対応内容' }, r.capabilities.map((c) => h('li', { class: c.verified ? 'verified' : 'inferred' }, c.verified ? `${c.label} (確認済み)` : `${c.label} (名称から推定)`))));
  }
  const acceptance = acceptanceLabel.get(String(r.acceptingNewPatients));
  if (acceptance) parts.push(h('p', { class: 'meta' }, `新規の受入: ${acceptance}`));
  if (r.hours) parts.push(h('p', { class: 'meta' }, `対応時間: ${r.hours}`));
  const l = r.liaison;
  if (l && (l.department || l.phone || l.email)) {
    parts.push(h('p', { class: 'meta' }, `連携窓口: ${[l.department, l.phone && `電話 ${l.phone}`, l.fax && `FAX ${l.fax}`, l.email].filter(Boolean).join(' ・ ')}`));
  }
  if (r.url && /^https?:\/\//.test(r.url)) {
    parts.push(h('p', { class: 'meta' }, [h('a', { href: r.url, rel: 'noopener', target: '_blank' }, 'ホームページ')]));
  }
  const verified = formatDate(r.lastVerified);
  if (verified) parts.push(h('p', { class: 'meta' }, `最終確認: ${verified}`));
  return parts;
}

/** @param {renkei.v1.ResourceMap} m */
function renderFilters(m) {
  // The choices are counted before the filters: drawn once per municipality, so that a box
  // ticked from the keyboard keeps the focus.
  const codes = (m.capabilities || []).map((c) => `${c.code}:${c.resources}`).join(',');
  if (choices.dataset.codes === codes) return;
  choices.dataset.codes = codes;
  choices.replaceChildren(...(m.capabilities || []).map((c) => {
    const box = h('input', { type: 'checkbox', value: c.code || '' });
    /** @type {HTMLInputElement} */ (box).checked = chosenCapabilities.has(c.code || '');
    box.addEventListener('change', () => {
      if (/** @type {HTMLInputElement} */ (box).checked) chosenCapabilities.add(c.code || '');
      else chosenCapabilities.delete(c.code || '');
      load();
    });
    return h('label', { class: 'choice' }, [box, `${c.label} (${c.resources})`]);
  }));
}

/** @param {renkei.v1.ResourceMap} m */
function renderMap(m) {
  if (!map) return;
  markers.clearLayers();
  markerOf.clear();
  const points = [];
  for (const r of m.resources || []) {
    if (!r.location) continue;
    const at = L.latLng(r.location.latitude || 0, r.location.longitude || 0);
    points.push(at);
    const marker = L.circleMarker(at, {
      radius: 8, color: '#1b1b1b', weight: 1, fillColor: colourOf(String(r.kind)), fillOpacity: 0.85,
    });
    marker.bindPopup(h('div', {}, [h('h3', {}, r.name || ''), ...details(r)]));
    marker.addTo(markers);
    markerOf.set(r.id || '', marker);
  }
  const center = L.latLng(m.center?.latitude || 0, m.center?.longitude || 0);
  L.circleMarker(center, { radius: 5, color: '#000', weight: 3, fill: false, interactive: false }).addTo(markers);
  if (points.length) map.fitBounds(L.latLngBounds([...points, center]).pad(0.05), { maxZoom: 16, animate: false });
  else map.setView(center, 14, { animate: false });
}

/** @param {renkei.v1.ResourceMap} m */
function renderList(m) {
  byId('list').replaceChildren(...(m.resources || []).map((r) => {
    const name = h('button', { type: 'button', class: 'name' }, r.name || '');
    name.addEventListener('click', () => {
      const marker = markerOf.get(r.id || '');
      if (!map || !marker) return;
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15));
      marker.openPopup();
      byId('map').scrollIntoView({ block: 'nearest' });
    });
    return h('li', {}, [name, ...details(r)]);
  }));
}

// The booklet: one section per kind in the vocabulary's order, each in 五十音順 of the kana.
/** @param {renkei.v1.ResourceMap} m */
function renderBooklet(m) {
  const groups = [];
  for (const [kind, label] of RESOURCE_KINDS) {
    const rows = (m.resources || []).filter((r) => String(r.kind) === String(kind))
      .sort((a, b) => (a.nameKana || a.name || '').localeCompare(b.nameKana || b.name || '', 'ja'));
    if (!rows.length) continue;
    const table = h('table', { class: 'booklet' }, [
      h('thead', {}, [h('tr', {}, ['名称', '所在地', '電話', '対応内容', '新規の受入'].map((t) => h('th', { scope: 'col' }, t)))]),
      h('tbody', {}, rows.map((r) => h('tr', {}, [
        h('td', {}, r.name || ''),
        h('td', {}, r.address || ''),
        h('td', {}, r.phone || ''),
        h('td', {}, (r.capabilities || []).map((c) => (c.verified ? c.label : `${c.label} (推定)`)).join('、')),
        h('td', {}, acceptanceLabel.get(String(r.acceptingNewPatients)) || ''),
      ]))),
    ]);
    groups.push(h('section', {}, [h('h3', {}, `${label} (${rows.length} 件)`), table]));
  }
  byId('booklet-groups').replaceChildren(...groups);
}

/** Shows what was refused in the status line; a place name not found marks its field. */
function showError(/** @type {Error & {fields?: {field: string, description: string}[]}} */ e) {
  const fields = e.fields || [];
  const place = fields.find((f) => f.field === 'near_address');
  status.className = 'error';
  status.textContent = place ? ja(place.description) : e.message;
  if (place) {
    placeInput.setAttribute('aria-invalid', 'true');
    placeInput.focus();
  }
  // No municipality (a prefecture's instance opened without ?m=) or an unknown one: choose it.
  if (fields.some((f) => f.field === 'municipality_code')) {
    status.textContent = '地図を見る市区町村を選んでください';
    chooseMunicipality();
  }
}

function chooseMunicipality() {
  const box = byId('choose-municipality');
  const prefecture = /** @type {HTMLSelectElement} */ (byId('prefecture'));
  const municipality = /** @type {HTMLSelectElement} */ (byId('municipality'));
  if (!box.hidden) return;
  box.hidden = false;
  for (let p = 1; p <= 47; p += 1) {
    const code = String(p).padStart(2, '0');
    prefecture.append(h('option', { value: code }, prefectureName(code)));
  }
  prefecture.addEventListener('change', () => {
    municipality.replaceChildren(h('option', { value: '' }, '選んでください'),
      ...municipalitiesOf(prefecture.value).map(([code, name]) => h('option', { value: code }, name)));
  });
  byId('show-municipality').addEventListener('click', () => {
    if (municipality.value) location.search = `?m=${encodeURIComponent(municipality.value)}`;
  });
  prefecture.focus();
}

let loading = 0;
async function load() {
  const mine = ++loading;
  status.className = '';
  status.textContent = '読み込んでいます…';
  placeInput.removeAttribute('aria-invalid');
  try {
    const m = await fetchMap();
    if (mine !== loading) return;
    query.municipalityCode = m.municipalityCode || query.municipalityCode;
    const title = `${m.municipalityName} 在宅医療・介護資源マップ`;
    byId('title').textContent = title;
    document.title = title;
    renderFilters(m);
    renderMap(m);
    renderList(m);
    renderBooklet(m);
    const shown = (m.resources || []).length;
    const total = m.total || 0;
    status.textContent = `${total} 件 (${m.centerLabel}から近い順${shown < total ? `、うち ${shown} 件を表示。条件で絞り込んでください` : ''})`;
  } catch (e) {
    if (mine === loading) showError(/** @type {Error} */ (e));
  }
}

byId('filters').addEventListener('submit', (ev) => {
  ev.preventDefault();
  query.near = null;
  query.nearAddress = placeInput.value.trim();
  load();
});
byId('from-office').addEventListener('click', () => {
  query.near = null;
  query.nearAddress = '';
  placeInput.value = '';
  load();
});
kindSelect.addEventListener('change', () => load());
accepting.addEventListener('change', () => load());
serving.addEventListener('change', () => load());
byId('print').addEventListener('click', () => window.print());

// Start: the tiles' settings, then the map for the URL's municipality (or the instance's own).
async function start() {
  try {
    const s = await settings();
    map = L.map('map', { zoomControl: false, keyboard: true, zoomAnimation: false });
    L.control.zoom({ zoomInTitle: '拡大', zoomOutTitle: '縮小' }).addTo(map);
    map.on('popupopen', (ev) => {
      ev.popup.getElement()?.querySelector('.leaflet-popup-close-button')?.setAttribute('aria-label', '閉じる');
    });
    L.tileLayer(s.tileUrl, { maxZoom: s.maxZoom || 18 }).addTo(map);
    // The tiles' attribution, as text (a link when the settings give one): built as elements,
    // never from the settings as markup.
    map.attributionControl.setPrefix(false);
    const credit = /^https?:\/\//.test(s.attributionUrl || '')
      ? h('a', { href: s.attributionUrl, target: '_blank', rel: 'noopener' }, s.attribution)
      : h('span', {}, s.attribution);
    map.attributionControl.addAttribution(credit.outerHTML);
    markers.addTo(map);
    map.on('click', (ev) => {
      const at = ev.latlng.wrap();  // a point past ±180° after panning round the world
      query.near = { latitude: at.lat, longitude: at.lng };
      load();
    });
  } catch (e) {
    showError(/** @type {Error} */ (e));
  }
  await load();
}
start();
