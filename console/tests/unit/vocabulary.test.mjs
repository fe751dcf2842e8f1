// The console's labels come from the one vocabulary (console/vocabulary.mjs → src/vocabulary.gen.js):
// every enum of renkei.v1 is covered, words.js's tables are exactly the generated labels in
// declaration order, and no label is an enum name or an internal code. No browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enumLabels, codeLabels } from '../../vocabulary.mjs';
import { ENUMS, CODES } from '../../src/vocabulary.gen.js';
import * as words from '../../src/words.js';

const ENUM_NAME = /\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\b/;
const asciiOnly = (s) => /^[\x00-\x7f]*$/.test(s);

test('the generated module is the protos and vocabulary.csv as they are now', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(ENUMS)), enumLabels());
  assert.deepEqual(JSON.parse(JSON.stringify(CODES)), codeLabels());
});

test('every enum value of renkei.v1 has a Japanese and an English label, unique in its enum', () => {
  const names = Object.keys(ENUMS);
  assert.ok(names.length >= 40, `${names.length} enums`);
  for (const [name, values] of Object.entries(ENUMS)) {
    assert.ok(values.length > 0, name);
    const ja = new Set();
    for (const [value, labelJa, labelEn] of values) {
      assert.doesNotMatch(value, /_UNSPECIFIED$/, `${name}: UNSPECIFIED is left out`);
      assert.ok(labelJa && labelEn, `${name}.${value}`);
      assert.ok(!asciiOnly(labelJa), `${name}.${value}: ${labelJa}`);
      assert.doesNotMatch(labelJa, ENUM_NAME, `${name}.${value}`);
      assert.ok(!ja.has(labelJa), `${name}: ${labelJa} twice`);
      ja.add(labelJa);
    }
  }
});

test('every code of vocabulary.csv has labels, none of them a code', () => {
  assert.deepEqual(Object.keys(CODES).sort(), ['capability', 'indicator', 'seed_tag']);
  const all = Object.values(CODES).flat().map(([code]) => code);
  for (const [set, rows] of Object.entries(CODES)) {
    for (const [code, ja, en] of rows) {
      assert.ok(ja && en, `${set} ${code}`);
      assert.ok(!asciiOnly(ja), `${set} ${code}: ${ja}`);
      assert.ok(!all.includes(ja), `${set} ${code}: ${ja}`);
    }
  }
});

test("words.js's tables are the generated labels, in declaration order", () => {
  const tables = Object.entries(words).filter(([name, t]) =>
    Array.isArray(t) && !['STEPS', 'LIKERT', 'BUILT_IN_CAPABILITIES'].includes(name));
  assert.ok(tables.length >= 30);
  const byValues = new Map(Object.entries(ENUMS).map(([name, v]) => [v.map(([x]) => x).join(), [name, v]]));
  for (const [name, table] of tables) {
    const hit = byValues.get(table.map(([v]) => v).join());
    assert.ok(hit, `${name} is not an enum's values in declaration order`);
    assert.deepEqual(table, hit[1].map(([v, ja]) => [v, ja]), name);
  }
  assert.equal(words.label(words.CONSULTATION_STATUSES, 'CONSULTATION_STATUS_MATCHED'), '資源候補あり');
  assert.equal(words.label(words.CONSULTATION_STATUSES, 'CONSULTATION_STATUS_UNSPECIFIED'), '');
  assert.equal(words.label(words.CONSULTATION_STATUSES, 'CONSULTATION_STATUS_FROM_THE_FUTURE'), '不明');
});

test('tags read as labels, never as codes', () => {
  assert.equal(words.tagLabel('resource_gap'), '資源の空白');
  assert.equal(words.tagLabel('parkinsons'), 'パーキンソン病');
  assert.equal(words.tagLabel('capability:home_visit_medical'), '訪問診療');
  assert.equal(words.tagLabel('tag:看取り'), '看取り');
  assert.equal(words.tagLabel('専門医連携'), '専門医連携');
});

test("people read the Japanese half of the services' messages", async () => {
  const { japaneseHalf } = await import('../../src/api.js');
  assert.equal(japaneseHalf('この役割・管轄では呼び出せません / ROLE_COORDINATOR of jurisdiction 132250 may not call /renkei.v1.IssuesService/Escalate'),
    'この役割・管轄では呼び出せません');
  assert.equal(japaneseHalf('未来の日付です'), '未来の日付です');
  assert.equal(japaneseHalf('a / b'), 'a / b');
});
