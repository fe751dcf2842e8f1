// The console's performance budget (issue 21): what a browser downloads for the console — the
// page, its script and its style sheet as tools/console-build.sh built them into dist/ — at most
// 250 KB compressed (gzip, level 9; the gateway compresses answers for browsers that accept it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

test('the console downloads at most 250 KB compressed', () => {
  let total = 0;
  const sizes = [];
  for (const file of ['index.html', 'app.js', 'app.css']) {
    const bytes = readFileSync(path.join(dist, file));
    const compressed = gzipSync(bytes, { level: 9 }).length;
    sizes.push(`${file} ${(bytes.length / 1024).toFixed(1)} KB → ${(compressed / 1024).toFixed(1)} KB`);
    total += compressed;
  }
  console.log(`console bundle: ${sizes.join(', ')}; ${(total / 1024).toFixed(1)} KB compressed in all`);
  assert.ok(total <= 250 * 1024, `${total} bytes compressed`);
  assert.ok(total > 20 * 1024, 'dist/ holds the real bundle');
});
