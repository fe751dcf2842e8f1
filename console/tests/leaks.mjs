// What people must never read, as one function for the browser tests (lib.mjs: every screen
// drawn) and the unit tests (every message the services and the console can show).
import { CODES } from '../src/vocabulary.gen.js';

// What people must never read (issue 17, "one vocabulary"): an enum value's name
// (CONSULTATION_STATUS_MATCHED, ROLE_COORDINATOR), an internal code — of common's vocabulary (a
// capability code such as parkinsons, the seed tag resource_gap, a skill such as
// convey_issue_seeds) or any other snake_case code (home_visit_medical) —, a derived indicator
// (derived.consultations, derived.resource_gaps.cap.dementia) or a gRPC method path
// (/renkei.v1.IntakeService/...). Its label is what they read instead.
const ENUM_NAME = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;
const METHOD_PATH = /\/?renkei\.v1\.[A-Za-z]+/g;
// A snake_case code: not inside a URL, a path, an e-mail address or a file name ("care_plan.pdf"
// is a file's name): nothing of those before it, no "@", "/" or ".ext" after it. Every part
// starts with a letter, so ids ("con_01J8…": a prefix and a ULID) are not codes. Lower case
// only: "Shift_JIS", a text encoding's name, is no code. A ":" before it does not excuse it: a
// cluster key ("capability:home_visit_medical", "tag:resource_gap") is a code too.
const SNAKE_CODE = /(?<![A-Za-z0-9_.@/=?&#%+-])[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)+(?![A-Za-z0-9_@/-]|\.[A-Za-z0-9])/g;
const DERIVED = /(?<![A-Za-z0-9_.@/=?&#%+-])derived\.[A-Za-z0-9_.]*[A-Za-z0-9_]/g;
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// The codes of vocabulary.csv with a letter in them: the PDCA steps' codes "1".."7" are digits
// anyone may read (問1, ステップ1).
const INTERNAL_CODE = new RegExp(`(?<![A-Za-z0-9_./=?&-])(?:${Object.values(CODES).flat()
  .filter(([code]) => /[A-Za-z]/.test(code)).sort((a, b) => b[0].length - a[0].length)
  .map(([code]) => (code.endsWith('.') ? `${escape(code)}[A-Za-z0-9_]+` : escape(code))).join('|')})(?![A-Za-z0-9_])`, 'g');

// The machine's words in `text`; [] when none.
export function leaksIn(text) {
  return [...new Set([ENUM_NAME, METHOD_PATH, SNAKE_CODE, DERIVED, INTERNAL_CODE].flatMap((re) => text.match(re) || []))];
}

