// The console's labels come from the one vocabulary (console/vocabulary.mjs → src/vocabulary.gen.js):
// every enum of renkei.v1 is covered, words.js's tables are exactly the generated labels in
// declaration order, and no label is an enum name or an internal code. No browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generate, out } from '../../vocabulary.mjs';
import { ENUMS, CODES } from '../../src/vocabulary.gen.js';
import * as words from '../../src/words.js';

const ENUM_NAME = /\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\b/;
const asciiOnly = (s) => /^[\x00-\x7f]*$/.test(s);
// The names of file formats and text encodings are what people read in any language ("Markdown",
// "UTF-8", "Shift_JIS", "JSON (dataValues)"): those enums' labels may be ASCII; no other's.
const asciiAllowed = (enumName) => /(Format|Encoding)$/.test(enumName);

// The file on disk, as the build, the type check and these tests read it, against a generation
// in memory from the protos and vocabulary.csv as they are now; nothing is written here, so a
// file left stale (a label changed, vocabulary.mjs not run) fails.
test('the generated module is the protos and vocabulary.csv as they are now', () => {
  assert.equal(readFileSync(out, 'utf8'), generate(),
    'src/vocabulary.gen.js is stale: run `node vocabulary.mjs`');
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
      if (!asciiAllowed(name)) assert.ok(!asciiOnly(labelJa), `${name}.${value}: ${labelJa}`);
      assert.doesNotMatch(labelJa, ENUM_NAME, `${name}.${value}`);
      assert.ok(!ja.has(labelJa), `${name}: ${labelJa} twice`);
      ja.add(labelJa);
    }
  }
});

test('every code of vocabulary.csv has labels, none of them a code', () => {
  assert.deepEqual(Object.keys(CODES).sort(), ['capability', 'indicator', 'likert', 'pdca_step', 'seed_tag', 'skill']);
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
  // STEPS (names only), BUILT_IN_CAPABILITIES and BUILT_IN_SKILLS are vocabulary.csv's, checked
  // below; LIKERT is the survey's scale (vocabulary.csv's likert), no enum's.
  const tables = Object.entries(words).filter(([name, t]) =>
    Array.isArray(t) && !['STEPS', 'LIKERT', 'BUILT_IN_CAPABILITIES', 'BUILT_IN_SKILLS'].includes(name));
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

test("the PDCA steps, the built-in capabilities and skills are vocabulary.csv's, in its order", () => {
  assert.equal(words.STEPS.length, 7);
  assert.deepEqual(words.STEPS, [...CODES.pdca_step].sort(([a], [b]) => Number(a) - Number(b)).map(([, ja]) => ja));
  assert.equal(words.STEPS[0], '目指す姿の設定');
  assert.equal(words.STEPS[6], '効果確認');
  assert.deepEqual(words.BUILT_IN_CAPABILITIES, CODES.capability.map(([code, ja]) => [code, ja]));
  assert.deepEqual(words.BUILT_IN_SKILLS, CODES.skill.map(([code, ja]) => [code, ja]));
});

test('tags and indicators read as labels, never as codes', () => {
  assert.equal(words.tagLabel('resource_gap'), '資源の空白');
  assert.equal(words.tagLabel('parkinsons'), 'パーキンソン病');
  assert.equal(words.tagLabel('capability:home_visit_medical'), '訪問診療');
  assert.equal(words.tagLabel('tag:看取り'), '看取り');
  assert.equal(words.tagLabel('専門医連携'), '専門医連携');
  assert.deepEqual(words.tagLabels(['tag:parkinsons', 'capability:parkinsons', 'resource_gap', 'tag:看取り']),
    ['パーキンソン病', '資源の空白', '看取り']);
  assert.deepEqual(words.tagLabels(undefined), []);
  assert.equal(words.indicatorName({ nameJa: '在宅療養支援診療所数', code: 'tokyo_home_visit_clinics' }), '在宅療養支援診療所数');
  assert.equal(words.indicatorName({ code: 'derived.consultations' }), '相談件数');
  assert.equal(words.indicatorName({ code: 'derived.resource_gaps.cap.dementia' }), '資源の空白 (対応内容別)');
  assert.equal(words.indicatorName({ code: 'tokyo_home_visit_clinics' }), '名前のない指標');
});

test("people read the Japanese half of the services' messages", async () => {
  const { japaneseHalf } = await import('../../src/api.js');
  assert.equal(japaneseHalf('この役割・管轄では呼び出せません / ROLE_COORDINATOR of jurisdiction 132250 may not call /renkei.v1.IssuesService/Escalate'),
    'この役割・管轄では呼び出せません');
  assert.equal(japaneseHalf('未来の日付です'), '未来の日付です');
  assert.equal(japaneseHalf('a / b'), 'a / b');
});

test("the survey's scale is vocabulary.csv's five anchors, 1 first", () => {
  assert.deepEqual(words.LIKERT.map(([v]) => v), [1, 2, 3, 4, 5]);
  assert.equal(words.LIKERT[0][1], '1 全くそう思わない');
  assert.equal(words.LIKERT[4][1], '5 とてもそう思う');
});
