// Acceptance 2 of issue 21: no internal code and no English on a Japanese screen, walked over
// every error path — every message the services can answer (each string literal of theirs written
// "日本語 / English": people read the part before " / "), and every answer the console turns into
// what it shows (each status the gateway gives, with a bilingual message, an English-only one, a
// body that is not the gateway's, and field errors). Enum values are walked in
// vocabulary.test.mjs. No browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorOf, readsJapanese } from '../../src/api.js';
import { leaksIn } from '../leaks.mjs';

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'testing' ? [] : sources(full);
    return /\.cc$/.test(name) && !/_test\.cc$/.test(name) ? [full] : [];
  });
}

// The Japanese halves of the services' messages: C++ string literals holding " / " whose part
// before it has Japanese in it (adjacent literals joined first, as the compiler does).
function japaneseHalves(file) {
  const text = readFileSync(file, 'utf8').replace(/"\s*\n\s*"/g, '');
  const out = [];
  for (const m of text.matchAll(/"((?:[^"\\\n]|\\.)*)"/g)) {
    const literal = m[1];
    const i = literal.indexOf(' / ');
    if (i < 0) continue;
    const half = literal.slice(0, i);
    if (readsJapanese(half)) out.push(half);
  }
  return out;
}

// Messages that name what their reader types, on purpose: the instance file's keys in start-up
// errors (read by operators editing that file, never on a screen) and the literal values a
// directory CSV holds (docs/data-formats: the file's own words, as "UTF-8" is).
const NAMING_WHAT_IS_TYPED = new Set([
  'data_root とは別のディレクトリにしてください',
  'data_root の外に置いてください',
  'cert_file と key_file が必要です',
  'タイルの URL (tile_url) とともに指定します',
  'issues_address と一緒に指定してください',
  'exact か municipality_office です',
  'accepting か not_accepting です',
]);

test('every message the services can answer reads without a code of the machine', () => {
  const files = sources(path.join(repo, 'services'));
  assert.ok(files.length > 80, `${files.length} source files`);
  let count = 0;
  const found = [];
  for (const file of files) {
    for (const half of japaneseHalves(file)) {
      count += 1;
      const leaks = NAMING_WHAT_IS_TYPED.has(half) ? [] : leaksIn(half);
      if (leaks.length) found.push(`${path.relative(repo, file)}: ${half} → ${leaks.join(', ')}`);
    }
  }
  console.log(`${count} Japanese messages in ${files.length} files`);
  assert.ok(count > 500, `${count} messages found: the scan reads the sources`);
  assert.deepEqual(found, []);
});

const STATUSES = [400, 401, 403, 404, 405, 409, 411, 413, 415, 429, 499, 500, 501, 502, 503, 504];

test('every answer the console can get is shown in Japanese without a code of the machine', () => {
  const bodies = {
    bilingual: { error: { code: 'INVALID_ARGUMENT', message: '入力に誤りがあります / invalid request: needs[0].capability', fields: [{ field: 'needs[0].capability', description: '必須です / required' }] } },
    english: { error: { code: 'FAILED_PRECONDITION', message: 'request_id reused for another request (IntakeService.Refer)', fields: [{ field: 'request_id', description: 'used for another request' }] } },
    parser: { error: { code: 'INVALID_ARGUMENT', message: 'unreadable JSON: (role): invalid value "" for type type.googleapis.com/renkei.v1.Role', fields: [] } },
    other: '<html>Bad Gateway</html>',
    none: null,
  };
  for (const status of STATUSES) {
    for (const [kind, body] of Object.entries(bodies)) {
      const err = errorOf(status, body);
      const shown = [err.message, ...err.fields.map((f) => f.description)];
      for (const text of shown) {
        assert.ok(readsJapanese(text), `${status} ${kind}: ${text}`);
        assert.deepEqual(leaksIn(text), [], `${status} ${kind}: ${text}`);
        assert.doesNotMatch(text, /[A-Za-z]{3,}/, `${status} ${kind}: English in "${text}"`);
      }
    }
  }
  // What the service said is kept when people can read it.
  assert.equal(errorOf(400, bodies.bilingual).message, '入力に誤りがあります');
  assert.equal(errorOf(400, bodies.bilingual).fields[0].description, '必須です');
  assert.equal(errorOf(403, { error: { message: 'この操作は市町村担当者が行います / ROLE_COORDINATOR may not call ...' } }).message,
    '権限がありません: この操作は市町村担当者が行います');
});
