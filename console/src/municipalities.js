// Names of local governments by their 6-digit code (全国地方公共団体コード), bundled at build time
// from services/common/data/municipalities_ext.csv (build.mjs): the console shows "東京都稲城市"
// where the API gives "132250".
import table from 'virtual:municipalities';

// {code: [prefecture_name, municipality_name]}, prefectures under their 2-digit code.
const { municipalities, prefectures } = table;

/**
 * @param {unknown} code
 * @param {{withPrefecture?: boolean}} [options]
 */
export function municipalityName(code, { withPrefecture = true } = {}) {
  const c = String(code ?? '');
  const m = municipalities[c];
  if (m) return withPrefecture ? `${m[0]}${m[1]}` : m[1];
  if (c === '000000') return '国';
  // A prefecture: its two digits, or its 6-digit code (130001, 270008: not a municipality's).
  if (/^\d{2}$/.test(c) || /^\d{6}$/.test(c)) return prefectures[c.slice(0, 2)] || c;
  return c;
}

/** @param {unknown} code */
export function isKnownMunicipality(code) {
  return Object.prototype.hasOwnProperty.call(municipalities, String(code));
}

// "稲城市内" / "奥多摩町外" for a known municipality (its own name: never 市内 for a town, a
// village or a ward), else the neutral 市区町村内 / 市区町村外.
/** @param {unknown} code */
export function insideText(code) {
  return isKnownMunicipality(code) ? `${municipalityName(code, { withPrefecture: false })}内` : '市区町村内';
}

/** @param {unknown} code */
export function outsideText(code) {
  return isKnownMunicipality(code) ? `${municipalityName(code, { withPrefecture: false })}外` : '市区町村外';
}

// "13" for "132250".
/** @param {unknown} code */
export function prefectureOf(code) {
  return String(code ?? '').slice(0, 2);
}

/** @param {string} prefCode */
export function prefectureName(prefCode) {
  return prefectures[String(prefCode).slice(0, 2)] || prefCode;
}

// The municipalities of a prefecture ("13"), in code order: [code, name].
/** @param {string} prefCode */
export function municipalitiesOf(prefCode) {
  return Object.entries(municipalities)
    .filter(([code]) => code.startsWith(prefCode))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([code, [, name]]) => /** @type {[string, string]} */ ([code, name]));
}
