// Japanese labels for the protos' enum values, as protobuf JSON names them, and for the string
// codes of common's vocabulary (capabilities, seed tags). Nothing here is written by hand: the
// labels are the (renkei.v1.label) options of proto/renkei/v1/*.proto and the rows of
// services/common/data/vocabulary.csv, which the services and renkeictl read too, generated into
// vocabulary.gen.js at build time (console/vocabulary.mjs). So a coordinator reads the same label
// on the console, in renkeictl and in exported worksheets.
import { ENUMS, CODES } from './vocabulary.gen.js';

// [value, label] of the enum renkei.v1.<name>, in declaration order, UNSPECIFIED left out; the
// type of the table it lands in names the enum (types/proto.d.ts).
/**
 * @template V
 * @param {string} name
 * @returns {ui.Table<V>}
 */
function table(name) {
  const values = ENUMS[`renkei.v1.${name}`];
  if (!values) throw new Error(`words.js: no enum renkei.v1.${name}`);
  return values.map(([value, ja]) => /** @type {const} */ ([/** @type {V} */ (/** @type {unknown} */ (value)), ja]));
}

/** @type {ui.Table<renkei.v1.Channel>} */
export const CHANNELS = table('Channel');

/** @type {ui.Table<renkei.v1.SourceType>} */
export const SOURCE_TYPES = table('SourceType');

/** @type {ui.Table<renkei.v1.ConsultationStatus>} */
export const CONSULTATION_STATUSES = table('ConsultationStatus');

/** @type {ui.Table<renkei.v1.CareLevel>} */
export const CARE_LEVELS = table('CareLevel');

/** @type {ui.Table<renkei.v1.ConditionCategory>} */
export const CONDITIONS = table('ConditionCategory');

/** @type {ui.Table<renkei.v1.AgeBand>} */
export const AGE_BANDS = table('AgeBand');

/** @type {ui.Table<renkei.v1.AreaPreference>} */
export const AREA_PREFERENCES = table('AreaPreference');

/** @type {ui.Table<renkei.v1.ReferralOutcome>} */
export const REFERRAL_OUTCOMES = table('ReferralOutcome');

/** @type {ui.Table<renkei.v1.DeclineReason>} */
export const DECLINE_REASONS = table('DeclineReason');

/** @type {ui.Table<renkei.v1.ResourceKind>} */
export const RESOURCE_KINDS = table('ResourceKind');

/** @type {ui.Table<renkei.v1.AreaRelation>} */
export const AREA_RELATIONS = table('AreaRelation');

/** @type {ui.Table<renkei.v1.Acceptance>} */
export const ACCEPTANCE = table('Acceptance');

/** @type {ui.Table<renkei.v1.ResourceSurveyState>} */
export const RESOURCE_SURVEY_STATES = table('ResourceSurveyState');

/** @type {ui.Table<renkei.v1.CapabilitySource>} */
export const CAPABILITY_SOURCES = table('CapabilitySource');

// The names of the seven PDCA steps, step 1 first: STEPS[step - 1] (vocabulary.csv's pdca_step
// codes "1".."7", the names renkei::common::StepName gives too).
/** @type {readonly string[]} */
export const STEPS = (() => {
  const rows = [...(CODES.pdca_step || [])].sort(([a], [b]) => Number(a) - Number(b));
  if (rows.map(([code]) => code).join() !== '1,2,3,4,5,6,7') {
    throw new Error('words.js: vocabulary.csv does not name the PDCA steps 1 to 7 (pdca_step)');
  }
  return rows.map(([, ja]) => ja);
})();

/** @type {ui.Table<renkei.v1.IssueScope>} */
export const ISSUE_SCOPES = table('IssueScope');

/** @type {ui.Table<renkei.v1.IssueStatus>} */
export const ISSUE_STATUSES = table('IssueStatus');

/** @type {ui.Table<renkei.v1.CandidateStatus>} */
export const CANDIDATE_STATUSES = table('CandidateStatus');

/** @type {ui.Table<renkei.v1.EvidenceKind>} */
export const EVIDENCE_KINDS = table('EvidenceKind');

/** @type {ui.Table<renkei.v1.AudienceRole>} */
export const AUDIENCES = table('AudienceRole');

/** @type {ui.Table<renkei.v1.CountermeasureStatus>} */
export const COUNTERMEASURE_STATUSES = table('CountermeasureStatus');

/** @type {ui.Table<renkei.v1.IndicatorKind>} */
export const INDICATOR_KINDS = table('IndicatorKind');

/** @type {ui.Table<renkei.v1.MeasurementMethod>} */
export const METHODS = table('MeasurementMethod');

/** @type {ui.Table<renkei.v1.MeasurementFrequency>} */
export const FREQUENCIES = table('MeasurementFrequency');

/** @type {ui.Table<renkei.v1.Direction>} */
export const DIRECTIONS = table('Direction');

/** @type {ui.Table<renkei.v1.IndicatorOrigin>} */
export const INDICATOR_ORIGINS = table('IndicatorOrigin');

/** @type {ui.Table<renkei.v1.MeetingBody>} */
export const MEETING_BODIES = table('MeetingBody');

/** @type {ui.Table<renkei.v1.OpinionWeight>} */
export const OPINION_WEIGHTS = table('OpinionWeight');

/** @type {ui.Table<renkei.v1.OrganizerLevel>} */
export const ORGANIZER_LEVELS = table('OrganizerLevel');

/** @type {ui.Table<renkei.v1.TrainingStatus>} */
export const TRAINING_STATUSES = table('TrainingStatus');

/** @type {ui.Table<renkei.v1.RegistrationStatus>} */
export const REGISTRATION_STATUSES = table('RegistrationStatus');

/** @type {ui.Table<renkei.v1.SkillLevel>} */
export const SKILL_LEVELS = table('SkillLevel');

/** @type {ui.Table<renkei.v1.SurveyItemKind>} */
export const SURVEY_ITEM_KINDS = table('SurveyItemKind');

// The anchors of a survey's five-point scale, 1 first (vocabulary.csv's likert set).
/** @type {ui.Table<number>} */
export const LIKERT = [...(CODES.likert || [])]
  .map(([code, ja]) => /** @type {[number, string]} */ ([Number(code), `${code} ${ja}`]))
  .sort(([a], [b]) => a - b);

/** @type {ui.Table<renkei.v1.Role>} */
export const ROLES = table('Role');

/** @type {ui.Table<renkei.v1.NetworkRole>} */
export const NETWORK_ROLES = table('NetworkRole');

/** @type {ui.Table<renkei.v1.ShareLevel>} */
export const SHARE_LEVELS = table('ShareLevel');

/** @type {ui.Table<renkei.v1.PeerRecipientKind>} */
export const PEER_RECIPIENT_KINDS = table('PeerRecipientKind');

/** @type {ui.Table<renkei.v1.PeerRequestStatus>} */
export const PEER_REQUEST_STATUSES = table('PeerRequestStatus');

/** @type {ui.Table<renkei.v1.PeerStepKind>} */
export const PEER_STEP_KINDS = table('PeerStepKind');

/** @type {ui.Table<renkei.v1.PeerUrgency>} */
export const PEER_URGENCIES = table('PeerUrgency');

/** @type {ui.Table<renkei.v1.DocumentKind>} */
export const DOCUMENT_KINDS = table('DocumentKind');

/** @type {ui.Table<renkei.v1.NoticeLinkKind>} */
export const NOTICE_LINK_KINDS = table('NoticeLinkKind');

/** @type {ui.Table<renkei.v1.SubscriberState>} */
export const SUBSCRIBER_STATES = table('SubscriberState');

/** @type {ui.Table<renkei.v1.AwarenessPhase>} */
export const AWARENESS_PHASES = table('AwarenessPhase');

// The label of an enum value in one of the tables above; '不明' when unknown (never the value's
// name: people do not read enum names), '' for unset. Values may arrive as names (the gateway's JSON) or numbers.
/**
 * @param {ui.Table<unknown>} table
 * @param {unknown} value
 * @returns {string}
 */
export function label(table, value) {
  if (value === undefined || value === null || value === '' || /_UNSPECIFIED$/.test(String(value))) {
    return '';
  }
  const hit = table.find(([v]) => v === value);
  return hit ? hit[1] : '不明';
}

/**
 * @param {ui.Table<unknown>} table
 * @param {unknown[] | undefined} values
 * @param {string} [sep]
 */
export function labels(table, values, sep = '、') {
  return (values || []).map((v) => label(table, v)).filter(Boolean).join(sep);
}

// The built-in capabilities [code, label] (vocabulary.csv), for labels before the instance's own
// list has loaded (api.js loadCapabilities).
/** @type {ui.Table<string>} */
export const BUILT_IN_CAPABILITIES = (CODES.capability || []).map(([code, ja]) => /** @type {const} */ ([code, ja]));

// The built-in skills of the framework [code, name] (vocabulary.csv), for the names when the
// instance's framework cannot be read (api.js skillLabel).
/** @type {ui.Table<string>} */
export const BUILT_IN_SKILLS = (CODES.skill || []).map(([code, ja]) => /** @type {const} */ ([code, ja]));

// A tag of a seed, a candidate (its cluster keys "capability:<code>", "tag:<text>") or an issue
// as people read it: a system tag's ("resource_gap") or a built-in capability's label, any other
// tag as it is (renkei::common::TagLabel does the same for the services' texts).
/** @param {string} tag */
export function tagLabel(tag) {
  const t = String(tag).replace(/^(capability|tag):/, '');
  const hit = (CODES.seed_tag || []).find(([code]) => code === t) || (CODES.capability || []).find(([code]) => code === t);
  return hit ? hit[1] : t;
}

// The labels of several tags, each once and in order: a candidate's cluster keys
// "tag:parkinsons" and "capability:parkinsons" both read パーキンソン病.
/**
 * @param {string[] | undefined} tags
 * @returns {string[]}
 */
export function tagLabels(tags) {
  return [...new Set((tags || []).map(tagLabel).filter(Boolean))];
}

// An indicator's name as people read it: its spec's name_ja, else the vocabulary's name of a
// derived indicator ("derived.resource_gaps.cap.dementia": the longest code it starts with),
// else a neutral text — never its code.
/**
 * @param {{nameJa?: string, code?: string} | undefined} spec
 * @returns {string}
 */
export function indicatorName(spec) {
  if (spec && spec.nameJa) return spec.nameJa;
  const code = String((spec && spec.code) || '');
  const rows = CODES.indicator || [];
  const hit = rows.find(([c]) => c === code)
    || rows.filter(([c]) => c.endsWith('.') && code.startsWith(c)).sort((a, b) => b[0].length - a[0].length)[0];
  return hit ? hit[1] : '名前のない指標';
}
