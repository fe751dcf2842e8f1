// The chart scale: ticks cover every value, baseline and target drawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ticks, formatValue } from '../../src/charts.js';

test('ticks cover the range with round steps', () => {
  assert.deepEqual(ticks(0, 3.85), [0, 1, 2, 3, 4]);
  assert.deepEqual(ticks(0, 16.5), [0, 5, 10, 15, 20]);
  assert.deepEqual(ticks(0, 0.44), [0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  assert.deepEqual(ticks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
});

test('values keep their unit; ratios without one are percentages', () => {
  assert.equal(formatValue(2.4, { unit: '点' }), '2.4点');
  assert.equal(formatValue(0.35, { kind: 'INDICATOR_KIND_RATIO', unit: '' }), '35%');
  assert.equal(formatValue(undefined, {}), '—');
});
