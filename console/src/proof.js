// The proof of work of the public forms (docs/outreach.md, "Bad input and abuse"): before a
// registration, a questionnaire or a mail subscription is accepted, the page fetches a challenge
// (GET /public/v1/challenge → {challenge, bits}), finds a nonce — a decimal counter — such that
// SHA-256("<challenge>:<nonce>") starts with `bits` zero bits, and sends
// "Renkei-Proof: <challenge> <nonce>" with the form. A challenge is accepted once, and only from
// a few seconds after it was issued (a person reads the form first): fetchProof() fetches it as
// the form appears, solves it in the background, and header() hands it over on submit.
//
// SHA-256 is written out here because crypto.subtle answers each digest through a promise,
// which is far too slow for the ~65,000 digests 16 bits take on average; this one does them in
// well under a second on a phone.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

// The message schedule, reused by every compression (the module runs on one thread).
const W = new Int32Array(64);

/**
 * One SHA-256 compression of the 64 bytes of `m` from `offset` into `st` (8 words).
 * @param {Int32Array} st
 * @param {Uint8Array} m
 * @param {number} offset
 */
function compress(st, m, offset) {
  const w = W;
  for (let i = 0, j = offset; i < 16; i += 1, j += 4) {
    w[i] = (m[j] << 24) | (m[j + 1] << 16) | (m[j + 2] << 8) | m[j + 3];
  }
  for (let i = 16; i < 64; i += 1) {
    const x = w[i - 15];
    const y = w[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = st[0];
  let b = st[1];
  let c = st[2];
  let d = st[3];
  let e = st[4];
  let f = st[5];
  let g = st[6];
  let h = st[7];
  for (let i = 0; i < 64; i += 1) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  st[0] = (st[0] + a) | 0;
  st[1] = (st[1] + b) | 0;
  st[2] = (st[2] + c) | 0;
  st[3] = (st[3] + d) | 0;
  st[4] = (st[4] + e) | 0;
  st[5] = (st[5] + f) | 0;
  st[6] = (st[6] + g) | 0;
  st[7] = (st[7] + h) | 0;
}

/**
 * Appends SHA-256's padding to the message buf[0, length): 0x80, zeros, the length in bits
 * (big-endian). buf must reach the end of the last block.
 * @param {Uint8Array} buf
 * @param {number} length the message's bytes
 * @param {number} total the bytes the message counts from its start (for a tail after a midstate)
 * @returns {number} the padded length
 */
function pad(buf, length, total) {
  const end = ((length + 9 + 63) >> 6) << 6;
  buf[length] = 0x80;
  buf.fill(0, length + 1, end - 8);
  const bits = total * 8;
  const high = Math.floor(bits / 0x100000000);
  const low = bits >>> 0;
  buf[end - 8] = high >>> 24;
  buf[end - 7] = high >>> 16;
  buf[end - 6] = high >>> 8;
  buf[end - 5] = high;
  buf[end - 4] = low >>> 24;
  buf[end - 3] = low >>> 16;
  buf[end - 2] = low >>> 8;
  buf[end - 1] = low;
  return end;
}

/** @param {Int32Array} st */
function digestOf(st) {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i += 1) {
    out[i * 4] = st[i] >>> 24;
    out[i * 4 + 1] = st[i] >>> 16;
    out[i * 4 + 2] = st[i] >>> 8;
    out[i * 4 + 3] = st[i];
  }
  return out;
}

/**
 * The SHA-256 digest of `bytes` (32 bytes).
 * @param {Uint8Array} bytes
 * @returns {Uint8Array}
 */
export function sha256(bytes) {
  const buf = new Uint8Array(((bytes.length + 9 + 63) >> 6) << 6);
  buf.set(bytes);
  const end = pad(buf, bytes.length, bytes.length);
  const st = INITIAL.slice();
  for (let i = 0; i < end; i += 64) compress(st, buf, i);
  return digestOf(st);
}

const encoder = new TextEncoder();

/**
 * The SHA-256 of a text's UTF-8 bytes, as 64 hex digits.
 * @param {string} text
 */
export function sha256Hex(text) {
  return Array.from(sha256(encoder.encode(text)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * How many zero bits `bytes` starts with (the gateway counts the same way).
 * @param {Uint8Array} bytes
 */
export function leadingZeroBits(bytes) {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/**
 * The zero bits the 8 words of a state start with.
 * @param {Int32Array} st
 */
function leadingZeroBitsOfState(st) {
  let bits = 0;
  for (let i = 0; i < 8; i += 1) {
    const z = Math.clz32(st[i]);
    bits += z;
    if (z < 32) break;
  }
  return bits;
}

/**
 * Finds the first nonce n ≥ from (at most `count` tried) such that SHA-256("<challenge>:<n>")
 * starts with `bits` zero bits; null when none in that range. Synchronous: the pages call it in
 * chunks (solveInChunks) so that the page stays responsive.
 * @param {string} challenge
 * @param {number} bits
 * @param {{from?: number, count?: number}} [range]
 * @returns {string | null}
 */
export function solve(challenge, bits, { from = 0, count = Infinity } = {}) {
  const prefix = encoder.encode(`${challenge}:`);
  // The blocks wholly inside the prefix are the same for every nonce: hashed once (midstate).
  const fixed = prefix.length >> 6 << 6;
  const mid = INITIAL.slice();
  for (let i = 0; i < fixed; i += 64) compress(mid, prefix, i);
  const head = prefix.subarray(fixed);
  // The tail: the prefix's rest, the nonce (≤ 16 digits), padding.
  const buf = new Uint8Array(head.length + 16 + 72);
  buf.set(head);
  const st = new Int32Array(8);
  const end = count === Infinity ? Infinity : from + count;
  for (let n = from; n < end; n += 1) {
    let length = head.length;
    const digits = String(n);
    for (let i = 0; i < digits.length; i += 1) buf[length + i] = digits.charCodeAt(i);
    length += digits.length;
    const padded = pad(buf, length, fixed + length);
    st.set(mid);
    for (let i = 0; i < padded; i += 64) compress(st, buf, i);
    if (leadingZeroBitsOfState(st) >= bits) return digits;
  }
  return null;
}

/** @returns {Promise<void>} */
const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * solve() in chunks of `chunk` nonces, giving the event loop a turn between them (the page keeps
 * answering taps and typing while it works).
 * @param {string} challenge
 * @param {number} bits
 * @param {{chunk?: number}} [options]
 * @returns {Promise<string>}
 */
export async function solveInChunks(challenge, bits, { chunk = 4096 } = {}) {
  for (let from = 0; ; from += chunk) {
    const nonce = solve(challenge, bits, { from, count: chunk });
    if (nonce !== null) return nonce;
    await nextTurn();
  }
}

/**
 * The header that carries a solved challenge.
 * @param {string} challenge
 * @param {string} nonce
 * @returns {{'Renkei-Proof': string}}
 */
export function proofHeader(challenge, nonce) {
  return { 'Renkei-Proof': `${challenge} ${nonce}` };
}

const NOT_READY = '送信の準備ができませんでした。通信の状態を確かめて、もう一度お試しください';

/**
 * A fresh challenge from the gateway. Throws an Error with a message to show (Japanese).
 * @param {typeof fetch} [fetchImpl]
 * @returns {Promise<{challenge: string, bits: number}>}
 */
export async function fetchChallenge(fetchImpl = globalThis.fetch) {
  /** @type {Response} */
  let r;
  try {
    r = await fetchImpl('/public/v1/challenge', { credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new Error(NOT_READY);
  }
  const json = await r.json().catch(() => ({}));
  if (!r.ok || typeof json.challenge !== 'string' || !Number.isInteger(json.bits)) {
    // 429: too many requests; the gateway's message says so ("日本語 / English").
    const message = String(json?.error?.message || '');
    const i = message.indexOf(' / ');
    throw new Error((i > 0 ? message.slice(0, i) : message) || NOT_READY);
  }
  return { challenge: json.challenge, bits: json.bits };
}

// The gateway accepts a challenge from min_fill_seconds (3 by default) after issuing it; counted
// from the challenge's arrival here, with a margin. It accepts it for an hour: a form left open
// longer gets a new one on submit.
export const MIN_AGE_MS = 3200;
export const MAX_AGE_MS = 55 * 60 * 1000;

/**
 * @typedef {object} Proof
 * @property {() => Promise<{'Renkei-Proof': string}>} header the header for one submission: waits
 *   for the solution and for the challenge's minimum age; rejects with an Error to show
 */

/**
 * Starts a proof for one submission of a form: fetches a challenge now and solves it in the
 * background. Use it once; fetch a new one for the next submission (also after an error).
 * @param {{fetch?: typeof fetch, minAgeMs?: number, maxAgeMs?: number, now?: () => number,
 *   sleep?: (ms: number) => Promise<void>}} [options]
 * @returns {Proof}
 */
export function fetchProof({
  fetch: fetchImpl = globalThis.fetch,
  minAgeMs = MIN_AGE_MS,
  maxAgeMs = MAX_AGE_MS,
  now = Date.now,
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
} = {}) {
  const start = () => {
    const state = { arrived: now(), solved: Promise.resolve(proofHeader('', '')) };
    state.solved = fetchChallenge(fetchImpl).then(async ({ challenge, bits }) => {
      state.arrived = now();
      return proofHeader(challenge, await solveInChunks(challenge, bits));
    });
    // Reported by header(), when the form is sent; not before.
    state.solved.catch(() => {});
    return state;
  };
  let state = start();
  return {
    async header() {
      if (now() - state.arrived > maxAgeMs) state = start();
      const headers = await state.solved;
      const wait = state.arrived + minAgeMs - now();
      if (wait > 0) await sleep(wait);
      return headers;
    },
  };
}
