// What the log-in screen and 自分のアカウント share about a second factor: the QR code the
// gateway draws (SVG markup, parsed as an image: nothing of it runs) and the recovery codes shown
// once after an enrollment.
import { h } from './dom.js';

// The gateway's SVG (an <svg> of one <rect> and one <path>) as an element; an empty span when
// it is not one.
/** @param {string | undefined} markup */
export function svgFromMarkup(markup) {
  const parsed = new DOMParser().parseFromString(markup || '', 'image/svg+xml');
  const svg = parsed.documentElement;
  if (!svg || svg.nodeName !== 'svg' || svg.querySelector('script, foreignObject')) return h('span', {});
  return document.importNode(svg, true);
}

// The recovery codes, each usable once in place of the authenticator's code.
/** @param {string[]} codes */
export function recoveryCodesPanel(codes) {
  return h('section', { class: 'recovery-codes', 'aria-labelledby': 'recovery-heading' },
    h('h2', { id: 'recovery-heading' }, '回復コード (この画面でだけ表示します)'),
    h('p', {}, '認証アプリを使えなくなったときに、確認コードの代わりに使えます。1つにつき1回だけ使えます。印刷するか書き写して、鍵のかかる場所に保管してください。'),
    h('ol', { class: 'codes', id: 'recovery-codes' }, codes.map((c) => h('li', {}, h('code', {}, c)))));
}
