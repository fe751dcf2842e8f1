// A client of the gateway written from its OpenAPI document alone (GET /api/v1/openapi.json): it
// finds each operation by its operationId, fills path parameters, sends the JSON body and the
// Idempotency-Key header the document describes, and checks every answer against the answer's
// schema in the document (ajv; additional properties refused, so an answer with a field the
// document does not know fails). What it does is what another system would: create a
// consultation with a request id, send it again after a "timeout" with the same id (the same
// consultation, not a second), read it back, and read the referral's outcome once recorded.
//
//   node tests/openapi-client.mjs <base URL> <file holding a bearer token>
//
// Prints one line per step; exits 1 on the first failure.
import Ajv from 'ajv';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';

const [base, tokenFile] = process.argv.slice(2);
if (!base || !tokenFile) {
  console.error('usage: node tests/openapi-client.mjs <base URL> <token file>');
  process.exit(2);
}
const token = (await readFile(tokenFile, 'utf8')).trim();
const doc = await (await fetch(new URL('/api/v1/openapi.json', base))).json();

const ajv = new Ajv({ nullable: true, unknownFormats: 'ignore', allErrors: true, jsonPointers: true, logger: false });
ajv.addSchema({ $id: 'api', components: doc.components }, 'api');

function operation(id) {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (op.operationId === id) return { path, method: method.toUpperCase(), op };
    }
  }
  throw new Error(`no operation ${id} in the document`);
}

// The schema of an answer (status 200) or of the error answers, resolved in the document.
function answerSchema(op, status) {
  const response = op.responses[String(status)] || op.responses.default;
  const resolved = response.$ref ? doc.components.responses[response.$ref.split('/').pop()] : response;
  return resolved.content['application/json'].schema;
}

function check(schema, value, what) {
  const validate = schema.$ref ? ajv.getSchema(`api${schema.$ref}`) : ajv.compile(schema);
  if (!validate(value)) {
    throw new Error(`${what}: the answer does not match the document's schema: ${ajv.errorsText(validate.errors)}`);
  }
}

async function call(id, { params = {}, body, requestId } = {}) {
  const { path, method, op } = operation(id);
  const url = new URL(path.replace(/\{([^}]+)\}/g, (_, name) => encodeURIComponent(params[name])), base);
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const declaresKey = (op.parameters || []).some((p) => p.$ref === '#/components/parameters/IdempotencyKey');
  if (requestId) {
    if (!declaresKey) throw new Error(`${id} takes no Idempotency-Key`);
    headers['Idempotency-Key'] = requestId;
  }
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const answer = await response.json();
  if (response.ok && !op.responses[String(response.status)]) {
    throw new Error(`${id}: status ${response.status} is not in the document`);
  }
  check(answerSchema(op, response.ok ? response.status : 'default'), answer, `${id} (${response.status})`);
  if (!response.ok) throw new Error(`${id}: ${response.status} ${answer.error.code} ${answer.error.message}`);
  return { answer, requestId: response.headers.get('Idempotency-Key') };
}

function step(text) {
  console.log(`ok: ${text}`);
}

try {
  const requestId = randomUUID();
  const consultation = {
    channel: 'CHANNEL_PHONE',
    sourceType: 'SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER',
    requester: { name: '連携システム 受付', organization: '稲城市地域包括支援センター' },
    person: { name: '連携 太郎', careLevel: 'CARE_LEVEL_CARE_1' },
    needs: [{ capability: 'home_visit_medical' }],
  };
  const created = await call('IntakeService.CreateConsultation', { body: consultation, requestId });
  if (created.requestId !== requestId) throw new Error(`Idempotency-Key not sent back: ${created.requestId}`);
  step(`created ${created.answer.id} (status ${created.answer.status}) with request id ${requestId}`);

  const again = await call('IntakeService.CreateConsultation', { body: consultation, requestId });
  if (again.answer.id !== created.answer.id) throw new Error(`a retry made another consultation: ${again.answer.id}`);
  step(`the same request id again answered the same consultation ${again.answer.id}`);

  const read = await call('IntakeService.GetConsultation', { params: { id: created.answer.id } });
  if (read.answer.channel !== consultation.channel || read.answer.needs.length !== 1
    || read.answer.needs[0].capability !== 'home_visit_medical') {
    throw new Error(`read back differs: ${JSON.stringify(read.answer)}`);
  }
  // A system is not among those who read personal fields (x-renkei-personal in the document).
  const personal = doc.components.schemas['renkei.v1.PersonConcerned'].properties.name['x-renkei-personal'];
  step(`read back ${read.answer.id}: ${read.answer.needs.length} need, version ${read.answer.version}, `
    + `person's name ${read.answer.person && read.answer.person.name ? 'shown' : 'withheld'} (personal: ${personal})`);

  const list = await call('IntakeService.ListConsultations');
  if (!list.answer.consultations.some((c) => c.id === created.answer.id)) throw new Error('not in the list');
  step(`listed among ${list.answer.consultations.length} consultation(s)`);

  // The referral's outcome, when the caller passed a consultation with one (argv[4]).
  const referred = process.argv[4];
  if (referred) {
    const c = (await call('IntakeService.GetConsultation', { params: { id: referred } })).answer;
    const outcomes = c.referrals.map((r) => `${r.resourceName}: ${r.outcome}`);
    step(`referral outcomes of ${referred}: ${outcomes.join(', ')}`);
  }
} catch (err) {
  console.error(`failed: ${err.message}`);
  process.exit(1);
}
