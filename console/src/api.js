// The gateway's HTTP/JSON API (docs/gateway.md): one function for every call, the CSRF header on
// every change, and the gateway's error shape turned into an ApiError the forms can show.

import { BUILT_IN_CAPABILITIES, BUILT_IN_SKILLS } from './words.js';

export class ApiError extends Error {
  // code: the gRPC code name (INVALID_ARGUMENT, ...); fields: [{field, description}].
  /**
   * @param {number} status the HTTP status; 0 for no answer or an error found here
   * @param {string} code
   * @param {string} message
   * @param {ui.FieldError[]} [fields]
   */
  constructor(status, code, message, fields = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    // Set when the console already acted on it (a 401 went back to the log-in screen).
    this.handled = false;
  }
}

const UNSAFE = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

// The double-submit token: the renkei_csrf cookie's value, echoed in X-CSRF-Token.
export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'renkei_csrf') return decodeURIComponent(rest.join('='));
  }
  return '';
}

// Query parameters fill request fields by proto name; a repeated field repeats the parameter.
// Empty values are left out so the service sees the field's default.
/** @param {ui.Query | undefined} query */
export function queryString(query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query || {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === undefined || v === null || v === '' || v === false) continue;
      params.append(name, String(v));
    }
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

// Messages shown for answers that carry no message of their own (or none people can read).
/** @type {{[status: number]: string}} */
const FALLBACK = {
  400: '入力内容を確かめてください',
  401: 'ログインが必要です',
  403: '権限がありません',
  404: '見つかりません',
  405: 'この操作はできません',
  409: '他の人が先に変更しました。最新の内容を読み込んでからやり直してください',
  411: '送信できませんでした。もう一度お試しください',
  413: '送信する内容が大きすぎます',
  415: '送信できませんでした。画面を読み込み直してください',
  429: '混み合っています。しばらくしてからやり直してください',
  499: '操作が取り消されました',
  500: 'システムでエラーが発生しました。しばらくしてからやり直してください',
  501: 'この操作はできません',
  502: 'サービスから正しい応答がありませんでした。しばらくしてからやり直してください',
  503: 'サービスに接続できません。しばらくしてからやり直してください',
  504: '時間内に応答がありませんでした',
};

// Whether people reading Japanese can read `text`: it has kana or kanji (a message of the
// services' English half only, or a parser's, does not).
/** @param {string | undefined} text */
export function readsJapanese(text) {
  return !!text && /[\u3040-\u30ff\u3400-\u9fff]/.test(text);
}

// The services write their messages "日本語 / English" (the English half for logs and programs,
// naming fields, roles and methods as the API does): people read the Japanese half.
/** @param {string | undefined} message */
export function japaneseHalf(message) {
  if (!message) return message;
  const i = message.indexOf(' / ');
  return i > 0 && /[^\x00-\x7f]/.test(message.slice(0, i)) ? message.slice(0, i) : message;
}

// The ApiError of an answer that was not OK: its status and JSON body (the gateway's error shape,
// or anything else). What it says is Japanese whatever the body held: the Japanese half of the
// message, else the status's own words; each field's description likewise.
/**
 * @param {number} status
 * @param {unknown} body
 * @returns {ApiError}
 */
export function errorOf(status, body) {
  const b = /** @type {Partial<renkei.v1.HttpErrorBody> | null} */ (body && typeof body === 'object' ? body : null);
  /** @type {Partial<renkei.v1.HttpError>} */
  const e = b && b.error && typeof b.error === 'object' ? b.error : {};
  const said = japaneseHalf(e.message);
  const fallback = FALLBACK[status] || `エラーが発生しました (応答 ${status})`;
  let message = readsJapanese(said) ? /** @type {string} */ (said) : fallback;
  if (status === 403) message = `権限がありません: ${readsJapanese(said) ? said : 'この操作はできません'}`;
  const fields = (Array.isArray(e.fields) ? e.fields : []).map((f) => {
    const d = japaneseHalf(f.description);
    return { field: f.field || '', description: readsJapanese(d) ? /** @type {string} */ (d) : '入力内容を確かめてください' };
  });
  return new ApiError(status, e.code || String(status), message, fields);
}

/**
 * @param {Response} response
 * @returns {Promise<ApiError>}
 */
async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return errorOf(response.status, body);
}

// A new request id for one user action (docs/gateway.md, "Retries"): 32 hex digits from the
// browser's random source (crypto.randomUUID needs a secure context; this does not).
export function newRequestId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// Answers worth sending the same change again for: no answer at all, or a gateway or service
// that is restarting.
const TRANSIENT = new Set([502, 503, 504]);
const RETRY_DELAYS_MS = [500, 1500];
/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Calls the gateway. A change carries one request id (Idempotency-Key) through every attempt:
// sent again after a network failure or a 502/503/504, it is applied once. A 401 (except on the
// log-in itself) fires "renkei:unauthenticated", which sends the console back to the log-in
// screen. The answer is the JSON the route answers (a proto message, proto.d.ts): callers say
// which with a cast.
/**
 * @param {string} method
 * @param {string} path
 * @param {{query?: ui.Query, body?: unknown, requestId?: string}} [options]
 * @param {boolean} [csrfRetried]
 * @returns {Promise<unknown>}
 */
export async function api(method, path, { query, body, requestId } = {}, csrfRetried = false) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  /** @type {RequestInit} */
  const init = { method, headers, credentials: 'same-origin' };
  const sent = csrfToken();
  const logIn = path.startsWith('/api/v1/login');
  const unsafe = UNSAFE.has(method) && !logIn && path !== '/api/v1/logout';
  const id = unsafe ? requestId || newRequestId() : '';
  if (UNSAFE.has(method)) {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRF-Token'] = sent;
    if (id) headers['Idempotency-Key'] = id;
    init.body = JSON.stringify(body ?? {});
  }
  /** @type {Response | undefined} */
  let response;
  for (let attempt = 0; ; attempt += 1) {
    response = undefined; // none: the fetch failed
    try {
      response = await fetch(`${path}${queryString(query)}`, init);
    } catch {
      // no answer at all: sent again
    }
    const again = !response || TRANSIENT.has(response.status);
    if (!again || attempt >= RETRY_DELAYS_MS.length) {
      if (!response) {
        throw new ApiError(0, 'UNAVAILABLE', 'ゲートウェイに接続できません。ネットワークを確認してください');
      }
      break;
    }
    await sleep(RETRY_DELAYS_MS[attempt]);
  }
  // The CSRF cookie had expired (or another tab logged in): the refusal brought a fresh one, so
  // the change is sent once more with it (and the same request id).
  if (response.status === 403 && UNSAFE.has(method) && !csrfRetried && csrfToken() !== sent) {
    return api(method, path, { query, body, requestId: id }, true);
  }
  if (!response.ok) {
    const err = await errorFrom(response);
    // A refused step of the log-in itself (a wrong code) is the log-in screen's to show.
    if (response.status === 401 && !logIn) {
      err.handled = true; // the console goes back to the log-in screen
      window.dispatchEvent(new CustomEvent('renkei:unauthenticated', { detail: err }));
    }
    throw err;
  }
  const text = await response.text();
  return text ? JSON.parse(text) : {};
}

/** @type {(path: string, query?: ui.Query) => Promise<unknown>} */
export const get = (path, query) => api('GET', path, { query });
/** @typedef {(path: string, body?: unknown) => Promise<unknown>} Send */
/** @type {Send} */
export const post = (path, body) => api('POST', path, { body });
/** @type {Send} */
export const patch = (path, body) => api('PATCH', path, { body });
/** @type {Send} */
export const put = (path, body) => api('PUT', path, { body });
/** @type {Send} */
export const del = (path, body) => api('DELETE', path, { body });

// Path segments are ids the services assigned; encode them anyway.
/** @param {string | number} s */
export const seg = (s) => encodeURIComponent(String(s));

// --- shared look-ups, cached for the page's life ----------------------------------------------

/** @type {renkei.v1.Capability[] | null} */
let capabilities = null;
// The capability vocabulary [{code, labelJa, ...}] (DirectoryService.ListCapabilities).
export async function loadCapabilities() {
  if (!capabilities) {
    const r = /** @type {renkei.v1.ListCapabilitiesResponse} */ (await get('/api/v1/capabilities'));
    capabilities = r.capabilities || [];
  }
  return capabilities;
}

/** @param {string} code */
export function capabilityLabel(code) {
  const c = (capabilities || []).find((x) => x.code === code);
  if (c) return c.labelJa;
  const b = BUILT_IN_CAPABILITIES.find(([x]) => x === code);
  return b ? b[1] : code;
}

/** @type {Map<string, string> | null} */
let skillNames = null;
// The skills' names by code (GET /api/v1/skill-framework), read once for the page's life. A
// screen waits for it but never fails on it: when the framework cannot be read the names are the
// built-in ones (skillLabel), and it is asked again on the next draw. A 401 still goes to log-in.
export async function loadSkillNames() {
  if (!skillNames) {
    try {
      const f = /** @type {renkei.v1.SkillFramework} */ (await get('/api/v1/skill-framework'));
      skillNames = new Map((f.skills || []).filter((s) => s.name).map((s) => [s.code, s.name]));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw err;
      return new Map();
    }
  }
  return skillNames;
}

// A skill's name as people read it: the instance's framework's, else the built-in one of
// vocabulary.csv, else 'スキル' — never its code (plan_training).
/** @param {string} code */
export function skillLabel(code) {
  const named = skillNames && skillNames.get(code);
  if (named) return named;
  const b = BUILT_IN_SKILLS.find(([x]) => x === code);
  return b ? b[1] : 'スキル';
}

// A renkei.v1.Date as a query parameter: the gateway reads YYYY-MM-DD (docs/gateway.md).
/**
 * @param {string} name
 * @param {renkei.v1.Date | undefined} d
 * @returns {ui.Query}
 */
export function dateParams(name, d) {
  if (!d || !d.year) return {};
  /** @type {(n: number, w?: number) => string} */
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return { [name]: `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}` };
}
