// proof.js, the public forms' proof of work: its SHA-256 agrees with the platform's (WebCrypto)
// on messages around every padding boundary and in UTF-8, a solved nonce has the bits the gateway
// counts, 16 bits are solved well within a second, and fetchProof() sends a fresh challenge's
// solution no earlier than the gateway accepts it. fetch and the clock are stand-ins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import {
  sha256, sha256Hex, leadingZeroBits, solve, solveInChunks, proofHeader, fetchChallenge, fetchProof, MIN_AGE_MS,
} from '../../src/proof.js';

/** The platform's digest of a text, in hex. */
async function reference(text) {
  const digest = await webcrypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Buffer.from(digest).toString('hex');
}

test('SHA-256 agrees with WebCrypto', async () => {
  // The standard's vectors first.
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const texts = [
    'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
    '1733580000.0123456789abcdef.0123456789abcdef0123456789abcdef:65535',
    '在宅医療・介護 住民向けイベント 🏥',
    'x'.repeat(1000),
  ];
  // Every length around the one- and two-block padding boundaries (55, 56, 63, 64, 119, 120).
  for (let n = 50; n <= 130; n += 1) texts.push('a'.repeat(n));
  for (const text of texts) assert.equal(sha256Hex(text), await reference(text), `length ${text.length}`);
  const bytes = new Uint8Array(300).map((_, i) => (i * 37) & 255);
  assert.equal(Buffer.from(sha256(bytes)).toString('hex'),
    Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex'));
});

test('leading zero bits are counted as the gateway counts them', () => {
  assert.equal(leadingZeroBits(new Uint8Array([0x80, 0])), 0);
  assert.equal(leadingZeroBits(new Uint8Array([0x01, 0xff])), 7);
  assert.equal(leadingZeroBits(new Uint8Array([0x00, 0x00, 0x3f])), 18);
  assert.equal(leadingZeroBits(new Uint8Array([0x00, 0x10])), 11);
  assert.equal(leadingZeroBits(new Uint8Array(4)), 32);
});

test('a solved nonce has the bits asked for, and is the first one that has them', async () => {
  for (const challenge of ['1733580000.00112233aabbccdd.0123456789abcdef0123456789abcdef',
    // Longer than a block: the midstate of the first block is used.
    `1733580000.${'f'.repeat(80)}.0123`]) {
    const nonce = solve(challenge, 12);
    assert.match(nonce, /^\d+$/);
    const digest = Buffer.from(await webcrypto.subtle.digest('SHA-256', new TextEncoder().encode(`${challenge}:${nonce}`)));
    assert.ok(leadingZeroBits(new Uint8Array(digest)) >= 12);
    for (let n = 0; n < Number(nonce); n += 1) {
      assert.ok(leadingZeroBits(sha256(new TextEncoder().encode(`${challenge}:${n}`))) < 12, `${n} would do`);
    }
    // The same in chunks, and nothing in a range before it.
    assert.equal(await solveInChunks(challenge, 12, { chunk: 100 }), nonce);
    assert.equal(solve(challenge, 12, { from: 0, count: Number(nonce) }), null);
  }
});

test('16 bits take well under a second', () => {
  const challenge = '1733580000.9f8e7d6c5b4a3928.00112233445566778899aabbccddeeff';
  const started = performance.now();
  // 65,536 digests: what 16 bits take on average (none may be found: the time is the point).
  solve(challenge, 256, { from: 0, count: 65536 });
  const ms = performance.now() - started;
  // Typically ~100 ms on a laptop; the bound leaves room for a loaded test machine.
  assert.ok(ms < 1000, `65,536 digests took ${Math.round(ms)} ms`);
});

test('the header carries the challenge and the nonce', () => {
  assert.deepEqual(proofHeader('1.ab.cd', '42'), { 'Renkei-Proof': '1.ab.cd 42' });
});

/** A fetch answering `answers` in order ({status, body} or an Error), recording the URLs asked. */
function fakeFetch(answers) {
  const asked = [];
  const fn = async (url, init) => {
    asked.push({ url, init });
    const next = answers.shift();
    if (next instanceof Error) throw next;
    return new Response(JSON.stringify(next.body), { status: next.status ?? 200 });
  };
  return { fn, asked };
}

test('a challenge is fetched without credentials; refusals become messages to show', async () => {
  const ok = fakeFetch([{ body: { challenge: '1.ab.cd', bits: 8 } }]);
  assert.deepEqual(await fetchChallenge(ok.fn), { challenge: '1.ab.cd', bits: 8 });
  assert.equal(ok.asked[0].url, '/public/v1/challenge');
  assert.equal(ok.asked[0].init.credentials, 'omit');
  const limited = fakeFetch([{ status: 429, body: { error: { code: 'RESOURCE_EXHAUSTED', message: '短い時間に多くの送信がありました / too many requests' } } }]);
  await assert.rejects(fetchChallenge(limited.fn), { message: '短い時間に多くの送信がありました' });
  const offline = fakeFetch([new TypeError('network')]);
  await assert.rejects(fetchChallenge(offline.fn), /送信の準備ができませんでした/);
});

test('fetchProof waits for the challenge to be old enough, then gives the solved header', async () => {
  let clock = 1000;
  const slept = [];
  const f = fakeFetch([{ body: { challenge: '1733580000.aa.bb', bits: 8 } }]);
  const proof = fetchProof({ fetch: f.fn, now: () => clock, sleep: async (ms) => { slept.push(ms); clock += ms; } });
  clock += 500; // the person types for half a second
  const header = await proof.header();
  const [challenge, nonce] = header['Renkei-Proof'].split(' ');
  assert.equal(challenge, '1733580000.aa.bb');
  assert.ok(leadingZeroBits(sha256(new TextEncoder().encode(`${challenge}:${nonce}`))) >= 8);
  assert.equal(slept.length, 1);
  assert.ok(slept[0] > 0 && slept[0] <= MIN_AGE_MS);
  // Long enough after: no wait.
  const g = fakeFetch([{ body: { challenge: '1733580001.aa.bb', bits: 8 } }]);
  const later = fetchProof({ fetch: g.fn, now: () => clock, sleep: async (ms) => { slept.push(ms); } });
  await new Promise((resolve) => setTimeout(resolve, 0));
  clock += MIN_AGE_MS + 1;
  await later.header();
  assert.equal(slept.length, 1);
  // A failed fetch is reported on submit.
  const h = fakeFetch([new TypeError('network')]);
  await assert.rejects(fetchProof({ fetch: h.fn }).header(), /送信の準備ができませんでした/);
});

test('a challenge older than the gateway accepts is replaced on submit', async () => {
  let clock = 0;
  const f = fakeFetch([{ body: { challenge: '1.old.cc', bits: 4 } }, { body: { challenge: '2.new.cc', bits: 4 } }]);
  const proof = fetchProof({ fetch: f.fn, now: () => clock, sleep: async (ms) => { clock += ms; } });
  await new Promise((resolve) => setTimeout(resolve, 0));
  clock += 2 * 60 * 60 * 1000; // the form was left open for two hours
  const header = await proof.header();
  assert.match(header['Renkei-Proof'], /^2\.new\.cc \d+$/);
  assert.equal(f.asked.length, 2);
});
