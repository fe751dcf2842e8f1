// A small hyperscript helper: the console builds its DOM with h(), never from HTML strings, so
// nothing user-entered is ever parsed as markup and no inline style or script is needed (the
// gateway's Content-Security-Policy is default-src 'self').

const SVG_NS = 'http://www.w3.org/2000/svg';
const SVG_TAGS = new Set([
  'svg', 'g', 'line', 'rect', 'text', 'path', 'circle', 'polyline', 'title', 'desc', 'tspan',
]);

/**
 * @param {Element} el
 * @param {ui.Attrs | null | undefined} attrs
 */
function apply(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), /** @type {EventListener} */ (value));
    } else if (key === 'value' && 'value' in el && !(el instanceof SVGElement)) {
      /** @type {HTMLInputElement} */ (el).value = /** @type {string} */ (value);
    } else if (key === 'checked' || key === 'selected') {
      /** @type {any} */ (el)[key] = Boolean(value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
}

/**
 * @param {Node} el
 * @param {ui.Child[]} children
 */
function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false || child === '') continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

// h('button', {type: 'button', onClick: fn}, '保存'). Attributes with a false, null or
// undefined value are left out; children may be strings, numbers, nodes, arrays or nothing.
/**
 * @template {string} K
 * @param {K} tag
 * @param {ui.Attrs | null} [attrs]
 * @param {...ui.Child} children
 * @returns {ui.Element<K>}
 */
export function h(tag, attrs, ...children) {
  const el = /** @type {ui.Element<K>} */ (
    SVG_TAGS.has(tag) ? document.createElementNS(SVG_NS, tag) : document.createElement(tag));
  apply(el, attrs);
  append(el, children);
  return el;
}

let counter = 0;
// A document-unique id for label/for and aria-describedby pairs.
/** @param {string} [prefix] */
export function uid(prefix = 'f') {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * @template {Node} E
 * @param {E} el
 * @returns {E}
 */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/**
 * @template {Node} E
 * @param {E} el
 * @param {...ui.Child} children
 * @returns {E}
 */
export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}
