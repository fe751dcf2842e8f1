// Validates an NDJSON file of FHIR R4 resources (renkeictl resource export --format fhir) with an
// independent checker: @asymmetrik/fhir-json-schema-validator, HL7's FHIR R4 JSON schema.
//
//   node console/tests/fhir-validate.mjs export.ndjson
//
// Prints "<n> resources (<type>: <count>, …), <m> errors" and each error with its line, type and
// id; exit status 0 only when every line is a valid resource and there is at least one.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');

const path = process.argv[2];
if (!path) {
  console.error('usage: node fhir-validate.mjs FILE.ndjson');
  process.exit(2);
}
const validator = new JSONSchemaValidator();
const counts = new Map();
const errors = [];
let resources = 0;
readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
  if (!line.trim()) return;
  let resource;
  try {
    resource = JSON.parse(line);
  } catch (e) {
    errors.push(`line ${i + 1}: not JSON: ${e.message}`);
    return;
  }
  resources += 1;
  counts.set(resource.resourceType, (counts.get(resource.resourceType) || 0) + 1);
  for (const e of validator.validate(resource)) {
    errors.push(`line ${i + 1} ${resource.resourceType}/${resource.id}: ${e.instancePath ?? e.dataPath ?? ''} ${e.message}`);
  }
});
const byType = [...counts].map(([t, n]) => `${t}: ${n}`).join(', ');
console.log(`${resources} resources (${byType}), ${errors.length} errors`);
for (const e of errors.slice(0, 50)) console.log(e);
process.exit(errors.length === 0 && resources > 0 ? 0 : 1);
