// Dates on the page remember their value (data-date, data-ts, data-fy, data-period), so the
// 和暦 toggle rewrites them in place without redrawing the screens (and losing typed input).
import { h } from './dom.js';
import {
  formatDate, formatTimestamp, fiscalYearLabel, formatPeriod, isoDate, parseDateInput,
} from './dates.js';

/**
 * @param {renkei.v1.Date | undefined} d
 * @param {string} [tag]
 */
export function dateText(d, tag = 'span') {
  if (!d || !d.year) return h(tag, {}, '');
  return h(tag, { 'data-date': isoDate(d) }, formatDate(d));
}

/**
 * @param {string | undefined} ts an RFC 3339 timestamp
 * @param {{time?: boolean, tag?: string}} [options]
 */
export function timestampText(ts, { time = true, tag = 'span' } = {}) {
  return h(tag, { 'data-ts': ts || '', 'data-time': time ? '1' : '0' }, formatTimestamp(ts, { time }));
}

/**
 * @param {string} period
 * @param {string} [tag]
 */
export function periodText(period, tag = 'span') {
  return h(tag, { 'data-period': period }, formatPeriod(period));
}

/**
 * @param {number} fy
 * @param {boolean} selected
 */
export function fiscalYearOption(fy, selected) {
  return h('option', { value: String(fy), 'data-fy': String(fy), selected }, fiscalYearLabel(fy));
}

/** @param {ParentNode} root */
export function refreshDates(root) {
  for (const el of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-date]'))) {
    el.textContent = formatDate(parseDateInput(el.dataset.date));
  }
  for (const el of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-ts]'))) {
    el.textContent = formatTimestamp(el.dataset.ts, { time: el.dataset.time !== '0' });
  }
  for (const el of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-fy]'))) {
    el.textContent = fiscalYearLabel(Number(el.dataset.fy));
  }
  for (const el of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-period]'))) {
    el.textContent = formatPeriod(el.dataset.period);
  }
}
