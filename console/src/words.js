// Japanese labels for the protos' enum values, as protobuf JSON names them. The words are the
// ones the services and renkeictl already use (tools/renkeictl/words.h and its tables,
// services/intake/intake_rules.cc, services/issues/issue_rules.cc,
// services/training/training_rules.cc, services/directory/vocabulary.cc), so a coordinator reads
// the same label on the console, in renkeictl and in exported worksheets.

// Each table lists [value, label] in the order of the enum (UNSPECIFIED left out); its type names
// the enum (types/proto.d.ts), so the type check catches a value the proto does not have.
/** @type {ui.Table<renkei.v1.Channel>} */
export const CHANNELS = [
  ['CHANNEL_PHONE', '電話'],
  ['CHANNEL_VISIT', '来所・訪問'],
  ['CHANNEL_EMAIL', 'メール'],
  ['CHANNEL_OTHER', 'その他'],
];

/** @type {ui.Table<renkei.v1.SourceType>} */
export const SOURCE_TYPES = [
  ['SOURCE_TYPE_PATIENT_FAMILY', '患者・家族'],
  ['SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER', 'ケアマネジャー／地域包括支援センター'],
  ['SOURCE_TYPE_MEDICAL_CARE_PROFESSIONAL', '医療・介護関係者'],
  ['SOURCE_TYPE_COORDINATOR', 'コーディネーター'],
];

/** @type {ui.Table<renkei.v1.ConsultationStatus>} */
export const CONSULTATION_STATUSES = [
  ['CONSULTATION_STATUS_RECEIVED', '受付'],
  ['CONSULTATION_STATUS_ASSESSING', '評価中'],
  ['CONSULTATION_STATUS_MATCHED', '資源候補あり'],
  ['CONSULTATION_STATUS_REFERRED', '紹介済み'],
  ['CONSULTATION_STATUS_CLOSED', '終結'],
  ['CONSULTATION_STATUS_UNRESOLVED', '未解決'],
];

/** @type {ui.Table<renkei.v1.CareLevel>} */
export const CARE_LEVELS = [
  ['CARE_LEVEL_NONE', '非該当・未申請'],
  ['CARE_LEVEL_SUPPORT_1', '要支援1'],
  ['CARE_LEVEL_SUPPORT_2', '要支援2'],
  ['CARE_LEVEL_CARE_1', '要介護1'],
  ['CARE_LEVEL_CARE_2', '要介護2'],
  ['CARE_LEVEL_CARE_3', '要介護3'],
  ['CARE_LEVEL_CARE_4', '要介護4'],
  ['CARE_LEVEL_CARE_5', '要介護5'],
  ['CARE_LEVEL_UNKNOWN', '不明'],
];

/** @type {ui.Table<renkei.v1.ConditionCategory>} */
export const CONDITIONS = [
  ['CONDITION_CATEGORY_DEMENTIA', '認知症'],
  ['CONDITION_CATEGORY_NEUROLOGICAL', '神経疾患'],
  ['CONDITION_CATEGORY_CANCER', 'がん'],
  ['CONDITION_CATEGORY_CEREBROVASCULAR', '脳血管疾患'],
  ['CONDITION_CATEGORY_CARDIAC', '心疾患'],
  ['CONDITION_CATEGORY_RESPIRATORY', '呼吸器疾患'],
  ['CONDITION_CATEGORY_FRAILTY', '虚弱・骨折・運動器'],
  ['CONDITION_CATEGORY_PEDIATRIC', '小児'],
  ['CONDITION_CATEGORY_MENTAL', '精神疾患'],
  ['CONDITION_CATEGORY_END_OF_LIFE', '終末期・看取り'],
  ['CONDITION_CATEGORY_OTHER', 'その他'],
];

/** @type {ui.Table<renkei.v1.AgeBand>} */
export const AGE_BANDS = [
  ['AGE_BAND_UNDER_40', '40歳未満'],
  ['AGE_BAND_40_64', '40〜64歳'],
  ['AGE_BAND_65_74', '65〜74歳'],
  ['AGE_BAND_75_84', '75〜84歳'],
  ['AGE_BAND_85_94', '85〜94歳'],
  ['AGE_BAND_95_AND_OVER', '95歳以上'],
];

/** @type {ui.Table<renkei.v1.AreaPreference>} */
export const AREA_PREFERENCES = [
  ['AREA_PREFERENCE_INSIDE_FIRST', '市内を優先'],
  ['AREA_PREFERENCE_ANYWHERE_REACHABLE', '場所を問わず近い順'],
];

/** @type {ui.Table<renkei.v1.ReferralOutcome>} */
export const REFERRAL_OUTCOMES = [
  ['REFERRAL_OUTCOME_ACCEPTED', '受入'],
  ['REFERRAL_OUTCOME_DECLINED', '辞退'],
  ['REFERRAL_OUTCOME_NO_RESPONSE', '期限内に回答なし'],
];

/** @type {ui.Table<renkei.v1.DeclineReason>} */
export const DECLINE_REASONS = [
  ['DECLINE_REASON_NO_CAPACITY', '受入枠なし'],
  ['DECLINE_REASON_TOO_FAR', '訪問範囲外'],
  ['DECLINE_REASON_EXPERTISE', '専門外'],
  ['DECLINE_REASON_PERSON_DECLINED', '本人・家族の辞退'],
  ['DECLINE_REASON_OTHER', 'その他'],
];

/** @type {ui.Table<renkei.v1.ResourceKind>} */
export const RESOURCE_KINDS = [
  ['RESOURCE_KIND_HOSPITAL', '病院'],
  ['RESOURCE_KIND_CLINIC', '診療所'],
  ['RESOURCE_KIND_HOME_CARE_SUPPORT_CLINIC', '在宅療養支援診療所'],
  ['RESOURCE_KIND_HOME_CARE_SUPPORT_HOSPITAL', '在宅療養支援病院'],
  ['RESOURCE_KIND_HOME_VISIT_DENTAL', '訪問歯科'],
  ['RESOURCE_KIND_PHARMACY', '薬局'],
  ['RESOURCE_KIND_VISITING_NURSE_STATION', '訪問看護ステーション'],
  ['RESOURCE_KIND_HOME_CARE_SUPPORT_OFFICE', '居宅介護支援事業所'],
  ['RESOURCE_KIND_COMMUNITY_GENERAL_SUPPORT_CENTER', '地域包括支援センター'],
  ['RESOURCE_KIND_COORDINATOR', '在宅医療・介護連携コーディネーター'],
  ['RESOURCE_KIND_HOME_HELP', '訪問介護'],
  ['RESOURCE_KIND_HOME_VISIT_BATHING', '訪問入浴介護'],
  ['RESOURCE_KIND_HOME_VISIT_REHABILITATION', '訪問リハビリテーション'],
  ['RESOURCE_KIND_DAY_SERVICE', '通所介護'],
  ['RESOURCE_KIND_DAY_REHABILITATION', '通所リハビリテーション'],
  ['RESOURCE_KIND_SHORT_STAY', '短期入所生活介護'],
  ['RESOURCE_KIND_SHORT_STAY_MEDICAL', '短期入所療養介護'],
  ['RESOURCE_KIND_SPECIFIED_FACILITY', '特定施設入居者生活介護'],
  ['RESOURCE_KIND_WELFARE_EQUIPMENT_RENTAL', '福祉用具貸与'],
  ['RESOURCE_KIND_WELFARE_EQUIPMENT_SALES', '特定福祉用具販売'],
  ['RESOURCE_KIND_DEMENTIA_GROUP_HOME', '認知症対応型共同生活介護'],
  ['RESOURCE_KIND_SPECIAL_NURSING_HOME', '介護老人福祉施設'],
  ['RESOURCE_KIND_GERIATRIC_HEALTH_FACILITY', '介護老人保健施設'],
  ['RESOURCE_KIND_INTEGRATED_CARE_HOSPITAL', '介護医療院'],
  ['RESOURCE_KIND_NIGHT_HOME_HELP', '夜間対応型訪問介護'],
  ['RESOURCE_KIND_DEMENTIA_DAY_SERVICE', '認知症対応型通所介護'],
  ['RESOURCE_KIND_SMALL_MULTIFUNCTIONAL', '小規模多機能型居宅介護'],
  ['RESOURCE_KIND_COMMUNITY_SPECIFIED_FACILITY', '地域密着型特定施設入居者生活介護'],
  ['RESOURCE_KIND_COMMUNITY_SPECIAL_NURSING_HOME', '地域密着型介護老人福祉施設'],
  ['RESOURCE_KIND_PERIODIC_VISIT_24H', '定期巡回・随時対応型訪問介護看護'],
  ['RESOURCE_KIND_NURSING_SMALL_MULTIFUNCTIONAL', '看護小規模多機能型居宅介護'],
  ['RESOURCE_KIND_COMMUNITY_DAY_SERVICE', '地域密着型通所介護'],
];

/** @type {ui.Table<renkei.v1.AreaRelation>} */
export const AREA_RELATIONS = [
  ['AREA_RELATION_LOCATED_IN', '市内'],
  ['AREA_RELATION_SERVES', '市外 (訪問対象地域に含む)'],
  ['AREA_RELATION_OUTSIDE', '市外'],
];

/** @type {ui.Table<renkei.v1.Acceptance>} */
export const ACCEPTANCE = [
  ['ACCEPTANCE_ACCEPTING', '受入可'],
  ['ACCEPTANCE_NOT_ACCEPTING', '受入不可'],
];

// The seven PDCA steps (issue_rules.cc StepName).
export const STEPS = [
  '目指す姿の設定', '現状把握', '課題の選定', '要因分析', '対策立案', '対策実行', '効果確認',
];

/** @type {ui.Table<renkei.v1.IssueScope>} */
export const ISSUE_SCOPES = [
  ['ISSUE_SCOPE_MUNICIPAL', '市町村'],
  ['ISSUE_SCOPE_WIDE_AREA', '広域'],
];

/** @type {ui.Table<renkei.v1.IssueStatus>} */
export const ISSUE_STATUSES = [
  ['ISSUE_STATUS_OPEN', '取組中'],
  ['ISSUE_STATUS_EVALUATED', '効果確認済み'],
  ['ISSUE_STATUS_CLOSED', '終了'],
];

/** @type {ui.Table<renkei.v1.CandidateStatus>} */
export const CANDIDATE_STATUSES = [
  ['CANDIDATE_STATUS_PROPOSED', '提案'],
  ['CANDIDATE_STATUS_ACCEPTED', '地域課題化'],
  ['CANDIDATE_STATUS_MERGED', '統合'],
  ['CANDIDATE_STATUS_DISMISSED', '見送り'],
];

/** @type {ui.Table<renkei.v1.EvidenceKind>} */
export const EVIDENCE_KINDS = [
  ['EVIDENCE_KIND_DATA', '既存データ'],
  ['EVIDENCE_KIND_SURVEY', '調査結果 (定量)'],
  ['EVIDENCE_KIND_HEARING', 'ヒアリング (定性)'],
  ['EVIDENCE_KIND_SEED', '地域課題のタネ'],
  ['EVIDENCE_KIND_CONSULTATION', '相談'],
];

/** @type {ui.Table<renkei.v1.AudienceRole>} */
export const AUDIENCES = [
  ['AUDIENCE_ROLE_PERSON_AND_FAMILY', '本人・家族'],
  ['AUDIENCE_ROLE_RESIDENTS', '地域住民'],
  ['AUDIENCE_ROLE_CARE_MANAGERS', 'ケアマネジャー'],
  ['AUDIENCE_ROLE_VISITING_NURSES', '訪問看護師'],
  ['AUDIENCE_ROLE_PHYSICIANS', '医師'],
  ['AUDIENCE_ROLE_SPECIALISTS', '専門医'],
  ['AUDIENCE_ROLE_HOSPITAL_STAFF', '病院職員'],
  ['AUDIENCE_ROLE_CARE_WORKERS', '介護職'],
  ['AUDIENCE_ROLE_PHARMACISTS', '薬剤師'],
  ['AUDIENCE_ROLE_DENTISTS', '歯科医師'],
  ['AUDIENCE_ROLE_COORDINATORS', 'コーディネーター'],
  ['AUDIENCE_ROLE_MUNICIPAL_STAFF', '市町村職員'],
  ['AUDIENCE_ROLE_SUPPORT_CENTER_STAFF', '地域包括支援センター職員'],
  ['AUDIENCE_ROLE_EMERGENCY_SERVICES', '救急隊'],
];

/** @type {ui.Table<renkei.v1.CountermeasureStatus>} */
export const COUNTERMEASURE_STATUSES = [
  ['COUNTERMEASURE_STATUS_PLANNED', '計画'],
  ['COUNTERMEASURE_STATUS_IN_PROGRESS', '実施中'],
  ['COUNTERMEASURE_STATUS_DONE', '完了'],
  ['COUNTERMEASURE_STATUS_CANCELLED', '中止'],
];

/** @type {ui.Table<renkei.v1.IndicatorKind>} */
export const INDICATOR_KINDS = [
  ['INDICATOR_KIND_COUNT', '件数'],
  ['INDICATOR_KIND_RATIO', '割合'],
  ['INDICATOR_KIND_MEAN', '平均'],
  ['INDICATOR_KIND_SURVEY_SCORE', '調査の得点'],
];

/** @type {ui.Table<renkei.v1.MeasurementMethod>} */
export const METHODS = [
  ['MEASUREMENT_METHOD_SURVEY', 'アンケート調査'],
  ['MEASUREMENT_METHOD_HEARING', 'ヒアリング'],
  ['MEASUREMENT_METHOD_TEST', 'テスト'],
  ['MEASUREMENT_METHOD_SYSTEM_DERIVED', 'システム集計'],
];

/** @type {ui.Table<renkei.v1.MeasurementFrequency>} */
export const FREQUENCIES = [
  ['MEASUREMENT_FREQUENCY_MONTHLY', '毎月'],
  ['MEASUREMENT_FREQUENCY_QUARTERLY', '四半期ごと'],
  ['MEASUREMENT_FREQUENCY_YEARLY', '年度ごと'],
  ['MEASUREMENT_FREQUENCY_AD_HOC', '随時'],
];

/** @type {ui.Table<renkei.v1.Direction>} */
export const DIRECTIONS = [
  ['DIRECTION_HIGHER_IS_BETTER', '高いほど良い'],
  ['DIRECTION_LOWER_IS_BETTER', '低いほど良い'],
];

/** @type {ui.Table<renkei.v1.IndicatorOrigin>} */
export const INDICATOR_ORIGINS = [
  ['INDICATOR_ORIGIN_NATIONAL', '国の指標'],
  ['INDICATOR_ORIGIN_LOCAL', '独自の指標'],
  ['INDICATOR_ORIGIN_EXPECTED_CHANGE', '地域課題の期待値'],
  ['INDICATOR_ORIGIN_DERIVED', 'システム集計'],
];

/** @type {ui.Table<renkei.v1.MeetingBody>} */
export const MEETING_BODIES = [
  ['MEETING_BODY_COUNCIL', '協議会'],
  ['MEETING_BODY_WORKING_GROUP', '作業部会'],
  ['MEETING_BODY_REGULAR_MEETING', '定例ミーティング'],
  ['MEETING_BODY_WIDE_AREA', '関係市町村会議'],
];

/** @type {ui.Table<renkei.v1.OpinionWeight>} */
export const OPINION_WEIGHTS = [
  ['OPINION_WEIGHT_MAJORITY', '多数意見'],
  ['OPINION_WEIGHT_MINORITY', '少数意見'],
  ['OPINION_WEIGHT_INDIVIDUAL', '個別の意見'],
];

/** @type {ui.Table<renkei.v1.OrganizerLevel>} */
export const ORGANIZER_LEVELS = [
  ['ORGANIZER_LEVEL_NATIONAL', '国'],
  ['ORGANIZER_LEVEL_PREFECTURE', '都道府県'],
  ['ORGANIZER_LEVEL_MUNICIPAL', '市区町村'],
];

/** @type {ui.Table<renkei.v1.TrainingStatus>} */
export const TRAINING_STATUSES = [
  ['TRAINING_STATUS_SCHEDULED', '開催予定'],
  ['TRAINING_STATUS_CANCELLED', '中止'],
];

/** @type {ui.Table<renkei.v1.RegistrationStatus>} */
export const REGISTRATION_STATUSES = [
  ['REGISTRATION_STATUS_CONFIRMED', '参加確定'],
  ['REGISTRATION_STATUS_WAITLISTED', 'キャンセル待ち'],
  ['REGISTRATION_STATUS_CANCELLED', '取消'],
  ['REGISTRATION_STATUS_REQUESTED', '申込中 (主催者の確認待ち)'],
];

/** @type {ui.Table<renkei.v1.SkillLevel>} */
export const SKILL_LEVELS = [
  ['SKILL_LEVEL_BEGINNER', '初任者'],
  ['SKILL_LEVEL_PRACTITIONER', '実践者'],
  ['SKILL_LEVEL_LEAD', '指導者'],
];

/** @type {ui.Table<renkei.v1.SurveyItemKind>} */
export const SURVEY_ITEM_KINDS = [
  ['SURVEY_ITEM_KIND_LIKERT', '5段階'],
  ['SURVEY_ITEM_KIND_FREE_TEXT', '自由記述'],
];

/** @type {ui.Table<number>} */
export const LIKERT = [
  [1, '1 全くそう思わない'],
  [2, '2 そう思わない'],
  [3, '3 どちらともいえない'],
  [4, '4 そう思う'],
  [5, '5 とてもそう思う'],
];

/** @type {ui.Table<renkei.v1.Role>} */
export const ROLES = [
  ['ROLE_COORDINATOR', '在宅医療・介護連携コーディネーター'],
  ['ROLE_MUNICIPAL_STAFF', '市町村担当者'],
  ['ROLE_PREFECTURE_STAFF', '都道府県担当者'],
  ['ROLE_NATIONAL_STAFF', '国の担当者'],
  ['ROLE_LEAD_COORDINATOR', 'リーダー的コーディネーター'],
  ['ROLE_INTEGRATION_SYSTEM', '連携システム'],
  ['ROLE_OPERATOR', '運用担当者'],
];

// The label of an enum value in one of the tables above; the value itself when unknown, '' for
// unset. Values may arrive as names (the gateway's JSON) or numbers.
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
  return hit ? hit[1] : String(value);
}

/**
 * @param {ui.Table<unknown>} table
 * @param {unknown[] | undefined} values
 * @param {string} [sep]
 */
export function labels(table, values, sep = '、') {
  return (values || []).map((v) => label(table, v)).filter(Boolean).join(sep);
}
