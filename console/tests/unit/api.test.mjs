// api.js's retries: a change is sent with one request id (Idempotency-Key) through every attempt,
// so the gateway applies it once however often the network made the console send it. fetch and
// the page's globals are stand-ins (a unit test); the browser tests use the real gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, newRequestId, loadSkillNames, skillLabel } from '../../src/api.js';

// api.js reads these only when called.
globalThis.document = { cookie: 'renkei_csrf=token-1' };
globalThis.window = { dispatchEvent() {} };
globalThis.CustomEvent = class { constructor(type, init) { this.type = type; this.detail = init?.detail; } };

// Answers `responses` in order (an Error is a network failure) and records what was sent; the
// real fetch is back once the test `t` ends.
const realFetch = globalThis.fetch;
function fakeFetch(t, responses) {
  t.after(() => { globalThis.fetch = realFetch; });
  const sent = [];
  globalThis.fetch = async (url, init) => {
    sent.push({ url, init });
    const next = responses.shift();
    if (next instanceof Error) throw next;
    return new Response(next.body ?? '{}', { status: next.status ?? 200 });
  };
  return sent;
}

test('request ids are fresh, 32 hex digits, and usable by the services', () => {
  const a = newRequestId();
  const b = newRequestId();
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.notEqual(a, b);
});

test('a change retried after a network failure and a 503 keeps its request id', async (t) => {
  const sent = fakeFetch(t, [new TypeError('network'), { status: 503, body: '{"error":{"code":"UNAVAILABLE"}}' },
    { status: 200, body: '{"id":"con_1"}' }]);
  const answer = await api('POST', '/api/v1/consultations', { body: { channel: 'CHANNEL_PHONE' } });
  assert.deepEqual(answer, { id: 'con_1' });
  assert.equal(sent.length, 3);
  const keys = sent.map((s) => s.init.headers['Idempotency-Key']);
  assert.match(keys[0], /^[0-9a-f]{32}$/);
  assert.deepEqual(keys, [keys[0], keys[0], keys[0]]);
  assert.equal(sent[0].init.headers['X-CSRF-Token'], 'token-1');
});

test('two user actions get two request ids; reads carry none', async (t) => {
  const sent = fakeFetch(t, [{ status: 200 }, { status: 200 }, { status: 200 }]);
  await api('POST', '/api/v1/consultations', { body: {} });
  await api('POST', '/api/v1/consultations', { body: {} });
  await api('GET', '/api/v1/consultations');
  assert.notEqual(sent[0].init.headers['Idempotency-Key'], sent[1].init.headers['Idempotency-Key']);
  assert.equal(sent[2].init.headers['Idempotency-Key'], undefined);
});

test('a refused change is not sent again, and a lasting outage ends in an error', async (t) => {
  let sent = fakeFetch(t, [{ status: 400, body: '{"error":{"code":"INVALID_ARGUMENT","message":"bad"}}' }]);
  await assert.rejects(api('POST', '/api/v1/consultations', { body: {} }), { code: 'INVALID_ARGUMENT' });
  assert.equal(sent.length, 1);
  sent = fakeFetch(t, [new TypeError('x'), new TypeError('x'), new TypeError('x')]);
  await assert.rejects(api('POST', '/api/v1/consultations', { body: {} }), { code: 'UNAVAILABLE' });
  assert.equal(sent.length, 3);
});

test("skills read by name, the framework's when it can be read, never by code", async (t) => {
  // The framework cannot be read: the built-in names, no error, and it is asked again next time.
  let sent = fakeFetch(t, [{ status: 404, body: '{"error":{"code":"NOT_FOUND"}}' }]);
  assert.equal((await loadSkillNames()).size, 0);
  assert.equal(sent.length, 1);
  assert.equal(skillLabel('plan_training'), '研修の企画');
  assert.equal(skillLabel('not_a_skill_code'), 'スキル');
  sent = fakeFetch(t, [{ status: 200, body: '{"skills":[{"code":"plan_training","name":"研修を企画する"},{"code":"x_y","name":"独自のスキル"}]}' }]);
  await loadSkillNames();
  await loadSkillNames(); // read once for the page's life
  assert.equal(sent.length, 1);
  assert.equal(skillLabel('plan_training'), '研修を企画する');
  assert.equal(skillLabel('x_y'), '独自のスキル');
  assert.equal(skillLabel('not_a_skill_code'), 'スキル');
});
