// What the public pages (/events/, /board/) share: calling the gateway's public routes
// (docs/gateway.md, "Public pages") and showing their errors, in Japanese only, to people
// without an account.
import { japaneseHalf } from './api.js';
import { h } from './dom.js';

/** The Japanese half of a service's message ("日本語 / English"). @param {string | undefined} m */
const ja = (m) => japaneseHalf(m) || '';

const RETRY_LATER = '時間をおいて、もう一度お試しください';

/** A refused or failed call: the HTTP status (0: no answer), the gRPC code, field errors. */
export class PublicError extends Error {
  /**
   * @param {number} httpStatus
   * @param {string} code
   * @param {string} message Japanese, to show
   * @param {ui.FieldError[]} [fields] descriptions already in Japanese
   */
  constructor(httpStatus, code, message, fields = []) {
    super(message);
    this.httpStatus = httpStatus;
    this.code = code;
    this.fields = fields;
  }
}

/**
 * POSTs to a public route; the answer's JSON, or throws a PublicError.
 * @param {string} path
 * @param {object} body
 * @param {Record<string, string>} [headers] e.g. the proof of work
 * @returns {Promise<any>}
 */
export async function post(path, body, headers = {}) {
  /** @type {Response} */
  let r;
  try {
    r = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
      body: JSON.stringify(body),
      credentials: 'omit',
    });
  } catch {
    throw new PublicError(0, 'UNAVAILABLE', `接続できませんでした。通信の状態を確かめて、${RETRY_LATER}`);
  }
  const json = await r.json().catch(() => ({}));
  if (!r.ok) {
    /** @type {Partial<renkei.v1.HttpError>} */
    const e = json.error || {};
    const fields = (e.fields || []).map((f) => ({ field: f.field, description: ja(f.description) }));
    const fallback = r.status === 429 ? `短い時間に多くの送信がありました。${RETRY_LATER}` : `うまくいきませんでした。${RETRY_LATER}`;
    throw new PublicError(r.status, e.code || '', ja(e.message) || fallback, fields);
  }
  return json;
}

/**
 * What a failed call says in one sentence: the first field error's own description when there
 * is one (it is the more precise: the proof, a link's token, ...), else the message.
 * @param {PublicError | Error} err
 */
export function messageOf(err) {
  const fields = err instanceof PublicError ? err.fields : [];
  return (fields.length && fields[0].description) || err.message || `うまくいきませんでした。${RETRY_LATER}`;
}

/**
 * Shows a field's error next to it: below an input or a select, under a fieldset's legend. The
 * field then names the error as its description (after its hint), for screen readers.
 * @param {HTMLElement} target
 * @param {string} message
 */
export function markInvalid(target, message) {
  const errId = `${target.id}-error`;
  const p = h('p', { class: 'error', id: errId }, message);
  if (target instanceof HTMLFieldSetElement) {
    const legend = target.querySelector('legend');
    if (legend) legend.after(p);
    else target.prepend(p);
  } else {
    target.setAttribute('aria-invalid', 'true');
    target.after(p);
  }
  target.setAttribute('aria-describedby', [target.dataset.hint, errId].filter(Boolean).join(' '));
}

/**
 * Takes back what markInvalid did on a form: the errors go, each field is described by its hint
 * again (data-hint), or by nothing when it has none.
 * @param {HTMLElement} form
 */
export function clearErrors(form) {
  for (const e of form.querySelectorAll('p.error')) e.remove();
  for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  for (const e of form.querySelectorAll('[aria-describedby]')) {
    const hint = /** @type {HTMLElement} */ (e).dataset.hint;
    if (hint) e.setAttribute('aria-describedby', hint);
    else if (/-error$/.test(e.getAttribute('aria-describedby') || '')) e.removeAttribute('aria-describedby');
  }
}
