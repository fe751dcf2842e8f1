// The descriptor set of ../proto (protoc, the same the C++ build uses; $PROTOC picks another),
// decoded from protobuf's wire format: enough of descriptor.proto for the console's generators,
// proto-types.mjs (types/proto.d.ts) and vocabulary.mjs (src/vocabulary.gen.js). Nothing here
// parses .proto text.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const protoRoot = path.join(here, '..', 'proto');

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
  EnumValueDescriptorProto: {
    1: ['name', 'string'], 2: ['number', 'int'], 3: ['options', 'EnumValueOptions'],
  },
  // (renkei.v1.label), proto/renkei/v1/labels.proto.
  EnumValueOptions: { 50003: ['label', 'Label'] },
  Label: { 1: ['ja', 'string'], 2: ['en', 'string'], 3: ['description', 'string'] },
  SourceCodeInfo: { 1: ['location', 'Location', true] },
  Location: {
    1: ['path', 'packed', true], 3: ['leadingComments', 'string'], 4: ['trailingComments', 'string'],
  },
};

export function decode(type, buf) {
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

// Every file of renkei/v1 and its imports, with source info (comments).
export function descriptorSet() {
  const dir = mkdtempSync(path.join(tmpdir(), 'renkei-proto-types-'));
  try {
    const file = path.join(dir, 'set.pb');
    const protos = readdirSync(path.join(protoRoot, 'renkei', 'v1'))
      .filter((f) => f.endsWith('.proto')).sort().map((f) => `renkei/v1/${f}`);
    const protoc = process.env.PROTOC || 'protoc';
    try {
      execFileSync(protoc, [
        `--proto_path=${protoRoot}`, '--include_imports', '--include_source_info',
        `--descriptor_set_out=${file}`, ...protos,
      ], { stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (err) {
      if (err && err.code === 'ENOENT') {
        throw new Error(`protoc not found (${protoc}): the console's generated files need it — ` +
          'install protobuf-compiler (Debian) or set PROTOC to its path');
      }
      throw new Error(`${protoc} failed on proto/renkei/v1/*.proto (its messages are above)`);
    }
    return decode('FileDescriptorSet', readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

