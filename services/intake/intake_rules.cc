#include "intake_rules.h"

#include <algorithm>

#include "renkei/common/dates.h"
#include "renkei/common/ids.h"
#include "renkei/common/text.h"

namespace renkei::intake {
namespace {

void CheckCapability(const std::string& code, const std::string& path,
                     const common::CapabilityVocabulary& vocab, common::FieldViolations* v) {
  if (code.empty()) {
    v->Add(path, "対応内容 (capability) を指定してください / required");
  } else if (!common::IsValidUtf8(code) || !vocab.Contains(code)) {
    v->Add(path, "未定義の対応内容です: " +
                     (common::IsValidUtf8(code) && code.size() <= 60 ? code : "(invalid)") +
                     " / unknown capability");
  }
}

}  // namespace

void ValidateRequester(const v1::Requester& r, std::string_view path, common::FieldViolations* v) {
  const std::string p(path);
  v->CheckText(p + ".name", r.name(), {.max_chars = 100});
  v->CheckText(p + ".organization", r.organization(), {.max_chars = 200});
  v->CheckText(p + ".contact", r.contact(), {.max_chars = 200});
  if (!r.institution_resource_id().empty() &&
      !common::IsWellFormedId("res", r.institution_resource_id())) {
    v->Add(p + ".institution_resource_id",
           "名簿の資源 ID (res_ で始まる 30 文字) を指定してください / a directory resource id "
           "(res_ + 26 characters)");
  }
}

void ValidatePerson(const v1::PersonConcerned& person, std::string_view path, const v1::Date& today,
                    common::FieldViolations* v) {
  const std::string p(path);
  v->CheckText(p + ".name", person.name(), {.max_chars = 100});
  v->CheckText(p + ".address", person.address(), {.max_chars = 300});
  const auto& b = person.birth_date();
  size_t before = v->violations().size();
  v->CheckDate(p + ".birth_date", b.year(), b.month(), b.day());
  if (v->violations().size() == before && b.year() != 0) {
    if (common::DateNumber(b) > common::DateNumber(today)) {
      v->Add(p + ".birth_date", "未来の日付です / in the future");
    } else if (common::AgeOn(b, today) > 130) {
      v->Add(p + ".birth_date", "130歳を超えています / older than 130 years");
    }
  }
  v->CheckEnum(p + ".care_level", person.care_level(), v1::CareLevel_IsValid, true);
  v->CheckCount(p + ".conditions", person.conditions_size(), kMaxConditions);
  for (int i = 0; i < person.conditions_size() && i < static_cast<int>(kMaxConditions); ++i) {
    v->CheckEnum(p + ".conditions[" + std::to_string(i) + "]", person.conditions(i),
                 v1::ConditionCategory_IsValid, false);
  }
}

void ValidateNeed(const v1::NewNeed& n, std::string_view path,
                  const common::CapabilityVocabulary& vocab, common::FieldViolations* v) {
  const std::string p(path);
  CheckCapability(n.capability(), p + ".capability", vocab, v);
  v->CheckCount(p + ".also_requires", n.also_requires_size(), kMaxAlsoRequires);
  if (n.advice() && n.also_requires_size() > static_cast<int>(kMaxAdviceAlsoRequires) &&
      n.also_requires_size() <= static_cast<int>(kMaxAlsoRequires)) {
    v->Add(p + ".also_requires",
           "助言のニーズでは、主な専門とあわせて5つまでです / at most 4 for an advice need");
  }
  for (int i = 0; i < n.also_requires_size() && i < static_cast<int>(kMaxAlsoRequires); ++i) {
    const std::string q = p + ".also_requires[" + std::to_string(i) + "]";
    CheckCapability(n.also_requires(i), q, vocab, v);
    if (n.also_requires(i) == n.capability())
      v->Add(q, "capability と同じです / same as capability");
  }
  v->CheckEnum(p + ".kind", n.kind(), v1::ResourceKind_IsValid, true);
  v->CheckEnum(p + ".area_preference", n.area_preference(), v1::AreaPreference_IsValid, true);
  if (n.advice() && n.kind() != v1::RESOURCE_KIND_UNSPECIFIED) {
    v->Add(p + ".kind", "助言のニーズには資源の種類を指定しません / not for an advice need");
  }
  if (n.advice() && n.area_preference() != v1::AREA_PREFERENCE_UNSPECIFIED) {
    v->Add(p + ".area_preference",
           "助言のニーズには地域の希望を指定しません / not for an advice need");
  }
  v->CheckText(p + ".note", n.note(), {.max_chars = 1000, .single_line = false});
}

void ValidateCreate(const v1::CreateConsultationRequest& r,
                    const common::CapabilityVocabulary& vocab, const v1::Date& today,
                    common::FieldViolations* v) {
  v->CheckEnum("channel", r.channel(), v1::Channel_IsValid, false);
  v->CheckEnum("source_type", r.source_type(), v1::SourceType_IsValid, false);
  ValidateRequester(r.requester(), "requester", v);
  ValidatePerson(r.person(), "person", today, v);
  v->CheckText("narrative", r.narrative(), {.max_chars = 4000, .single_line = false});
  v->CheckCount("needs", r.needs_size(), kMaxNeeds);
  for (int i = 0; i < r.needs_size() && i < static_cast<int>(kMaxNeeds); ++i) {
    ValidateNeed(r.needs(i), "needs[" + std::to_string(i) + "]", vocab, v);
  }
}

bool TransitionAllowed(v1::ConsultationStatus from, v1::ConsultationStatus to) {
  using S = v1::ConsultationStatus;
  switch (from) {
    case S::CONSULTATION_STATUS_RECEIVED:
      return to == S::CONSULTATION_STATUS_ASSESSING || to == S::CONSULTATION_STATUS_MATCHED ||
             to == S::CONSULTATION_STATUS_REFERRED || to == S::CONSULTATION_STATUS_UNRESOLVED;
    case S::CONSULTATION_STATUS_ASSESSING:
      return to == S::CONSULTATION_STATUS_MATCHED || to == S::CONSULTATION_STATUS_REFERRED ||
             to == S::CONSULTATION_STATUS_CLOSED || to == S::CONSULTATION_STATUS_UNRESOLVED;
    case S::CONSULTATION_STATUS_MATCHED:
      return to == S::CONSULTATION_STATUS_ASSESSING || to == S::CONSULTATION_STATUS_REFERRED ||
             to == S::CONSULTATION_STATUS_CLOSED || to == S::CONSULTATION_STATUS_UNRESOLVED;
    case S::CONSULTATION_STATUS_REFERRED:
      return to == S::CONSULTATION_STATUS_MATCHED || to == S::CONSULTATION_STATUS_CLOSED ||
             to == S::CONSULTATION_STATUS_UNRESOLVED;
    case S::CONSULTATION_STATUS_UNRESOLVED:
      return to == S::CONSULTATION_STATUS_ASSESSING;
    default:
      return false;
  }
}

bool IsOpen(v1::ConsultationStatus s) {
  return s != v1::CONSULTATION_STATUS_CLOSED && s != v1::CONSULTATION_STATUS_UNRESOLVED;
}

v1::AgeBand AgeBandOf(const v1::Date& birth, const v1::Date& on) {
  if (birth.year() == 0) return v1::AGE_BAND_UNSPECIFIED;
  int age = common::AgeOn(birth, on);
  if (age < 40) return v1::AGE_BAND_UNDER_40;
  if (age < 65) return v1::AGE_BAND_40_64;
  if (age < 75) return v1::AGE_BAND_65_74;
  if (age < 85) return v1::AGE_BAND_75_84;
  if (age < 95) return v1::AGE_BAND_85_94;
  return v1::AGE_BAND_95_AND_OVER;
}

std::vector<std::string> NormalizeTags(
    const google::protobuf::RepeatedPtrField<std::string>& tags) {
  std::vector<std::string> out;
  for (const auto& t : tags) {
    std::string n = common::NormalizeForSearch(t);
    if (!n.empty() && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  return out;
}

}  // namespace renkei::intake
