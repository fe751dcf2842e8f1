// Validates the gateway's OpenAPI document with an independent tool (@apidevtools/swagger-parser:
// the OpenAPI 3 schema, every $ref resolved, path parameters declared, operation ids unique).
//
//   node tests/openapi-validate.mjs <file or http(s) URL of openapi.json>
//
// Prints "valid: <paths> paths, <operations> operations, <schemas> schemas"; exits 1 otherwise.
import SwaggerParser from '@apidevtools/swagger-parser';
import { readFile } from 'node:fs/promises';

const source = process.argv[2];
if (!source) {
  console.error('usage: node tests/openapi-validate.mjs <openapi.json file or URL>');
  process.exit(2);
}
const text = /^https?:/.test(source) ? await (await fetch(source)).text() : await readFile(source, 'utf8');
try {
  const api = await SwaggerParser.validate(JSON.parse(text));
  const operations = Object.values(api.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  console.log(`valid: ${Object.keys(api.paths).length} paths, ${operations} operations, ${Object.keys(api.components.schemas).length} schemas (OpenAPI ${api.openapi})`);
} catch (err) {
  console.error(`invalid: ${err.message}`);
  process.exit(1);
}
