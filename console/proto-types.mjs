// Writes types/proto.d.ts: the JSON shapes of the protos' messages as the gateway answers them
// (services/gateway/json_writer.h), for the type check of the console (tsconfig.json, npm run
// typecheck). protoc parses ../proto (the same protoc the C++ build uses; $PROTOC picks another);
// this reads its descriptor set, so nothing here parses .proto text.
//
// The gateway's JSON, and so the types: lowerCamelCase names; enums by name; 64-bit integers,
// bytes and Timestamps as strings; maps as objects. Scalars and enums are always present (their
// default when unset), so are repeated fields and maps (empty: [] and {}); messages, oneof
// members and proto3 optional fields are present only when set, so their keys are optional.
// Doubles are typed number: the NaN and Infinity the writer would spell as strings are values no
// service stores.
//
//   node proto-types.mjs            writes types/proto.d.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const protoRoot = path.join(here, '..', 'proto');
const out = path.join(here, 'types', 'proto.d.ts');

// --- the protobuf wire format, enough for descriptor.proto --------------------------------------

function varint(buf, i) {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const b = buf[i++];
    value += (b & 0x7f) * 2 ** shift; // exact below 2^53: every number read here is small
    if (b < 0x80) return [value, i];
  }
}

// The fields of descriptor.proto's messages this needs: number → [name, type, repeated].
const SCHEMA = {
  FileDescriptorSet: { 1: ['file', 'FileDescriptorProto', true] },
  FileDescriptorProto: {
    1: ['name', 'string'], 2: ['package', 'string'], 4: ['messageType', 'DescriptorProto', true],
    5: ['enumType', 'EnumDescriptorProto', true], 9: ['sourceCodeInfo', 'SourceCodeInfo'],
  },
  DescriptorProto: {
    1: ['name', 'string'], 2: ['field', 'FieldDescriptorProto', true],
    3: ['nestedType', 'DescriptorProto', true], 4: ['enumType', 'EnumDescriptorProto', true],
    7: ['options', 'MessageOptions'],
  },
  MessageOptions: { 7: ['mapEntry', 'bool'] },
  FieldDescriptorProto: {
    1: ['name', 'string'], 3: ['number', 'int'], 4: ['label', 'int'], 5: ['type', 'int'],
    6: ['typeName', 'string'], 9: ['oneofIndex', 'int'], 10: ['jsonName', 'string'],
  },
  EnumDescriptorProto: { 1: ['name', 'string'], 2: ['value', 'EnumValueDescriptorProto', true] },
  EnumValueDescriptorProto: { 1: ['name', 'string'], 2: ['number', 'int'] },
  SourceCodeInfo: { 1: ['location', 'Location', true] },
  Location: {
    1: ['path', 'packed', true], 3: ['leadingComments', 'string'], 4: ['trailingComments', 'string'],
  },
};

function decode(type, buf) {
  const schema = SCHEMA[type];
  const msg = {};
  for (const [, [name, , repeated]] of Object.entries(schema)) if (repeated) msg[name] = [];
  let i = 0;
  while (i < buf.length) {
    let tag;
    [tag, i] = varint(buf, i);
    const wire = tag % 8;
    let value;
    if (wire === 0) [value, i] = varint(buf, i);
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      let len;
      [len, i] = varint(buf, i);
      value = buf.subarray(i, i + len);
      i += len;
    } else throw new Error(`descriptor set: wire type ${wire} at byte ${i}`);
    const known = schema[Math.floor(tag / 8)];
    if (!known || value === undefined) continue;
    const [name, kind, repeated] = known;
    if (kind === 'packed') {
      for (let j = 0; j < value.length;) {
        let n;
        [n, j] = varint(value, j);
        msg[name].push(n);
      }
      continue;
    }
    const v = kind === 'string' ? value.toString('utf8')
      : kind === 'int' ? value : kind === 'bool' ? value !== 0 : decode(kind, value);
    if (repeated) msg[name].push(v);
    else msg[name] = v;
  }
  return msg;
}

// --- the .d.ts ----------------------------------------------------------------------------------

const SCALARS = {
  1: 'number', 2: 'number', 3: 'string', 4: 'string', 5: 'number', 6: 'string', 7: 'number',
  8: 'boolean', 9: 'string', 12: 'string', 13: 'number', 15: 'number', 16: 'string', 17: 'number',
  18: 'string',
};
const WELL_KNOWN = { '.google.protobuf.Timestamp': 'string', '.google.protobuf.Duration': 'string' };
const TYPE_MESSAGE = 11;
const TYPE_ENUM = 14;
const LABEL_REPEATED = 3;

function descriptorSet() {
  const dir = mkdtempSync(path.join(tmpdir(), 'renkei-proto-types-'));
  try {
    const file = path.join(dir, 'set.pb');
    const protos = readdirSync(path.join(protoRoot, 'renkei', 'v1'))
      .filter((f) => f.endsWith('.proto')).sort().map((f) => `renkei/v1/${f}`);
    execFileSync(process.env.PROTOC || 'protoc', [
      `--proto_path=${protoRoot}`, '--include_imports', '--include_source_info',
      `--descriptor_set_out=${file}`, ...protos,
    ], { stdio: ['ignore', 'inherit', 'inherit'] });
    return decode('FileDescriptorSet', readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function jsdoc(text, indent) {
  const lines = (text || '').replace(/\*\//g, '* /').split('\n').map((l) => l.trim());
  while (lines.length && !lines[lines.length - 1]) lines.pop();
  while (lines.length && !lines[0]) lines.shift();
  if (!lines.length) return [];
  return [`${indent}/**`, ...lines.map((l) => `${indent} *${l ? ` ${l}` : ''}`), `${indent} */`];
}

function generate(set) {
  const files = set.file.filter((f) => f.package && !f.package.startsWith('google.'));
  // Map entries by their full name (".renkei.v1.Foo.BarEntry"), to write maps as objects.
  const mapEntries = new Map();
  const collect = (prefix, messages) => {
    for (const m of messages) {
      const full = `${prefix}.${m.name}`;
      if (m.options && m.options.mapEntry) mapEntries.set(full, m);
      collect(full, m.nestedType);
    }
  };
  for (const f of files) collect(`.${f.package}`, f.messageType);
  const emitted = new Set(files.map((f) => `.${f.package}.`));
  const typeRef = (field) => {
    if (field.type !== TYPE_MESSAGE && field.type !== TYPE_ENUM) return SCALARS[field.type];
    const name = field.typeName;
    if (WELL_KNOWN[name]) return WELL_KNOWN[name];
    return [...emitted].some((p) => name.startsWith(p)) ? name.slice(1) : 'unknown';
  };
  const valueType = (field) => {
    const entry = field.type === TYPE_MESSAGE && mapEntries.get(field.typeName);
    if (entry) return `{ [key: string]: ${typeRef(entry.field.find((x) => x.number === 2))} }`;
    return field.label === LABEL_REPEATED ? `${typeRef(field)}[]` : typeRef(field);
  };

  const lines = [
    '// Generated by console/proto-types.mjs from proto/renkei/v1/*.proto: do not edit.',
    '// The JSON of the protos\' messages as renkei-gateway answers them (proto3 JSON mapping).',
    '',
  ];
  for (const f of files) {
    const comments = new Map(f.sourceCodeInfo ? f.sourceCodeInfo.location.map((l) =>
      [l.path.join(','), [l.leadingComments, l.trailingComments].filter(Boolean).join('\n')]) : []);
    const doc = (p, indent) => jsdoc(comments.get(p.join(',')), indent);
    const enumDecl = (e, p, indent) => {
      lines.push(...doc(p, indent));
      lines.push(`${indent}type ${e.name} =`);
      e.value.forEach((v, i) => lines.push(`${indent}  | '${v.name}'${i === e.value.length - 1 ? ';' : ''}`));
    };
    const messageDecl = (m, p, indent) => {
      if (m.options && m.options.mapEntry) return;
      lines.push(...doc(p, indent), `${indent}interface ${m.name} {`);
      m.field.forEach((field, i) => {
        const optional = field.oneofIndex !== undefined
          || (field.type === TYPE_MESSAGE && field.label !== LABEL_REPEATED);
        lines.push(...doc([...p, 2, i], `${indent}  `));
        lines.push(`${indent}  ${field.jsonName}${optional ? '?' : ''}: ${valueType(field)};`);
      });
      lines.push(`${indent}}`);
      const nested = m.nestedType.filter((n) => !(n.options && n.options.mapEntry));
      if (!nested.length && !m.enumType.length) return;
      lines.push(`${indent}namespace ${m.name} {`);
      m.nestedType.forEach((n, i) => messageDecl(n, [...p, 3, i], `${indent}  `));
      m.enumType.forEach((e, i) => enumDecl(e, [...p, 4, i], `${indent}  `));
      lines.push(`${indent}}`);
    };
    lines.push(`// ${f.name}`, `declare namespace ${f.package} {`);
    f.enumType.forEach((e, i) => enumDecl(e, [5, i], '  '));
    f.messageType.forEach((m, i) => messageDecl(m, [4, i], '  '));
    lines.push('}', '');
  }
  return lines.join('\n');
}

mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, generate(descriptorSet()));
