#include "vocabulary.h"

#include <algorithm>
#include <cctype>

#include "renkei/common/text.h"

namespace renkei::directory {
namespace {

struct BuiltIn {
  const char* code;
  const char* ja;
  const char* en;
};

// The built-in capability vocabulary. Codes are stable identifiers (they appear in events, CSV
// files and other instances); labels may be reworded.
constexpr BuiltIn kBuiltIns[] = {
    {"home_visit_medical", "訪問診療", "home-visit physician"},
    {"home_visit_nursing", "訪問看護", "home-visit nursing"},
    {"home_visit_rehabilitation", "訪問リハビリテーション", "home-visit rehabilitation"},
    {"home_visit_dental", "訪問歯科", "home-visit dentistry"},
    {"home_visit_pharmacy", "訪問薬剤管理", "home-visit pharmacy"},
    {"home_visit_bathing", "訪問入浴", "home-visit bathing"},
    {"home_help", "訪問介護", "home help"},
    {"response_24h", "24時間対応", "24-hour response"},
    {"night_response", "夜間対応", "night response"},
    {"end_of_life_care", "看取り", "end-of-life care at home"},
    {"palliative_care", "緩和ケア", "palliative care"},
    {"dementia", "認知症", "dementia"},
    {"parkinsons", "パーキンソン病", "Parkinson's disease"},
    {"als_neuromuscular", "ALS・神経筋疾患", "ALS and neuromuscular disease"},
    {"neurology", "神経内科", "neurology"},
    {"pediatric_home_care", "小児在宅医療", "pediatric home care"},
    {"ventilator", "人工呼吸器", "ventilator management"},
    {"tube_feeding", "経管栄養・胃ろう", "tube feeding"},
    {"home_oxygen", "在宅酸素療法", "home oxygen therapy"},
    {"tracheostomy", "気管切開", "tracheostomy care"},
    {"pressure_ulcer", "褥瘡ケア", "pressure ulcer care"},
    {"dysphagia", "摂食嚥下", "dysphagia rehabilitation"},
    {"mental_health", "精神科訪問", "psychiatric home visits"},
    {"respite", "レスパイト", "respite (short stay)"},
    {"day_care", "通所", "day care"},
    {"residential_care", "入所・居住", "residential care"},
    {"multi_function", "通い・泊まり・訪問", "small multifunctional care"},
    {"care_management", "ケアマネジメント", "care management"},
    {"consultation_support", "総合相談", "general consultation support"},
};

struct KindInfo {
  v1::ResourceKind kind;
  const char* label;
  std::vector<const char*> implied;
};

const std::vector<KindInfo>& Kinds() {
  static const std::vector<KindInfo> kinds = {
      {v1::RESOURCE_KIND_HOSPITAL, "病院", {}},
      {v1::RESOURCE_KIND_CLINIC, "診療所", {}},
      {v1::RESOURCE_KIND_HOME_CARE_SUPPORT_CLINIC,
       "在宅療養支援診療所",
       {"home_visit_medical", "response_24h"}},
      {v1::RESOURCE_KIND_HOME_CARE_SUPPORT_HOSPITAL,
       "在宅療養支援病院",
       {"home_visit_medical", "response_24h"}},
      {v1::RESOURCE_KIND_HOME_VISIT_DENTAL, "訪問歯科", {"home_visit_dental"}},
      {v1::RESOURCE_KIND_PHARMACY, "薬局", {}},
      {v1::RESOURCE_KIND_VISITING_NURSE_STATION, "訪問看護ステーション", {"home_visit_nursing"}},
      {v1::RESOURCE_KIND_HOME_CARE_SUPPORT_OFFICE, "居宅介護支援事業所", {"care_management"}},
      {v1::RESOURCE_KIND_COMMUNITY_GENERAL_SUPPORT_CENTER,
       "地域包括支援センター",
       {"consultation_support", "care_management"}},
      {v1::RESOURCE_KIND_COORDINATOR,
       "在宅医療・介護連携コーディネーター",
       {"consultation_support"}},
      {v1::RESOURCE_KIND_HOME_HELP, "訪問介護", {"home_help"}},
      {v1::RESOURCE_KIND_HOME_VISIT_BATHING, "訪問入浴介護", {"home_visit_bathing"}},
      {v1::RESOURCE_KIND_HOME_VISIT_REHABILITATION,
       "訪問リハビリテーション",
       {"home_visit_rehabilitation"}},
      {v1::RESOURCE_KIND_DAY_SERVICE, "通所介護", {"day_care"}},
      {v1::RESOURCE_KIND_DAY_REHABILITATION, "通所リハビリテーション", {"day_care"}},
      {v1::RESOURCE_KIND_SHORT_STAY, "短期入所生活介護", {"respite"}},
      {v1::RESOURCE_KIND_SHORT_STAY_MEDICAL, "短期入所療養介護", {"respite"}},
      {v1::RESOURCE_KIND_SPECIFIED_FACILITY, "特定施設入居者生活介護", {"residential_care"}},
      {v1::RESOURCE_KIND_WELFARE_EQUIPMENT_RENTAL, "福祉用具貸与", {}},
      {v1::RESOURCE_KIND_WELFARE_EQUIPMENT_SALES, "特定福祉用具販売", {}},
      {v1::RESOURCE_KIND_DEMENTIA_GROUP_HOME,
       "認知症対応型共同生活介護",
       {"dementia", "residential_care"}},
      {v1::RESOURCE_KIND_SPECIAL_NURSING_HOME, "介護老人福祉施設", {"residential_care"}},
      {v1::RESOURCE_KIND_GERIATRIC_HEALTH_FACILITY, "介護老人保健施設", {"residential_care"}},
      {v1::RESOURCE_KIND_INTEGRATED_CARE_HOSPITAL, "介護医療院", {"residential_care"}},
      {v1::RESOURCE_KIND_NIGHT_HOME_HELP, "夜間対応型訪問介護", {"home_help", "night_response"}},
      {v1::RESOURCE_KIND_DEMENTIA_DAY_SERVICE, "認知症対応型通所介護", {"dementia", "day_care"}},
      {v1::RESOURCE_KIND_SMALL_MULTIFUNCTIONAL,
       "小規模多機能型居宅介護",
       {"multi_function", "home_help", "respite"}},
      {v1::RESOURCE_KIND_COMMUNITY_SPECIFIED_FACILITY,
       "地域密着型特定施設入居者生活介護",
       {"residential_care"}},
      {v1::RESOURCE_KIND_COMMUNITY_SPECIAL_NURSING_HOME,
       "地域密着型介護老人福祉施設",
       {"residential_care"}},
      {v1::RESOURCE_KIND_PERIODIC_VISIT_24H,
       "定期巡回・随時対応型訪問介護看護",
       {"home_help", "response_24h"}},
      {v1::RESOURCE_KIND_NURSING_SMALL_MULTIFUNCTIONAL,
       "看護小規模多機能型居宅介護",
       {"multi_function", "home_visit_nursing", "respite"}},
      {v1::RESOURCE_KIND_COMMUNITY_DAY_SERVICE, "地域密着型通所介護", {"day_care"}},
  };
  return kinds;
}

const KindInfo* FindKind(v1::ResourceKind kind) {
  for (const auto& k : Kinds()) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

bool IsCapabilityCode(std::string_view code) {
  if (code.size() < 2 || code.size() > 40) return false;
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return code[0] >= 'a' && code[0] <= 'z';
}

}  // namespace

CapabilityVocabulary::CapabilityVocabulary(const std::vector<v1::CapabilityDefinition>& extra) {
  for (const auto& b : kBuiltIns) {
    v1::Capability c;
    c.set_code(b.code);
    c.set_label_ja(b.ja);
    c.set_label_en(b.en);
    c.set_built_in(true);
    index_[c.code()] = static_cast<int>(capabilities_.size());
    capabilities_.push_back(std::move(c));
  }
  for (const auto& e : extra) {
    if (index_.count(e.code())) continue;
    v1::Capability c;
    c.set_code(e.code());
    c.set_label_ja(e.label_ja());
    c.set_label_en(e.label_en());
    index_[c.code()] = static_cast<int>(capabilities_.size());
    capabilities_.push_back(std::move(c));
  }
}

int CapabilityVocabulary::IndexOf(std::string_view code) const {
  auto it = index_.find(std::string(code));
  return it == index_.end() ? -1 : it->second;
}

void ValidateExtraCapabilities(const std::vector<v1::CapabilityDefinition>& extra,
                               std::string_view path, common::FieldViolations* v) {
  CapabilityVocabulary builtins;
  if (builtins.size() + extra.size() > kMaxVocabulary) {
    v->Add(std::string(path), "対応内容は合計 " + std::to_string(kMaxVocabulary) +
                                  " 件までです / at most " +
                                  std::to_string(kMaxVocabulary - builtins.size()) + " additions");
  }
  std::vector<std::string> seen;
  for (size_t i = 0; i < extra.size(); ++i) {
    std::string p = std::string(path) + "[" + std::to_string(i) + "]";
    const auto& e = extra[i];
    if (!IsCapabilityCode(e.code())) {
      v->Add(p + ".code", "英小文字・数字・_ の2〜40文字 / [a-z][a-z0-9_]{1,39}");
    } else if (builtins.Contains(e.code()) ||
               std::find(seen.begin(), seen.end(), e.code()) != seen.end()) {
      v->Add(p + ".code", "既に定義されています: " + e.code() + " / already defined");
    }
    seen.push_back(e.code());
    v->CheckText(p + ".label_ja", e.label_ja(), {.required = true, .max_chars = 50});
    v->CheckText(p + ".label_en", e.label_en(), {.max_chars = 100});
  }
}

std::string KindCode(v1::ResourceKind kind) {
  std::string name = v1::ResourceKind_Name(kind);
  constexpr std::string_view kPrefix = "RESOURCE_KIND_";
  if (name.rfind(kPrefix, 0) == 0) name = name.substr(kPrefix.size());
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

std::optional<v1::ResourceKind> KindFromCode(std::string_view code) {
  std::string upper = "RESOURCE_KIND_";
  for (char c : code)
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  v1::ResourceKind kind;
  if (!v1::ResourceKind_Parse(upper, &kind) || kind == v1::RESOURCE_KIND_UNSPECIFIED) {
    return std::nullopt;
  }
  return kind;
}

std::string_view KindLabel(v1::ResourceKind kind) {
  const KindInfo* k = FindKind(kind);
  return k ? k->label : "不明";
}

std::optional<v1::ResourceKind> KindFromMhlwServiceType(std::string_view service_type) {
  // Most specific first: several names contain shorter ones.
  static const std::vector<std::pair<const char*, v1::ResourceKind>> kRules = {
      {"看護小規模多機能", v1::RESOURCE_KIND_NURSING_SMALL_MULTIFUNCTIONAL},
      {"複合型サービス", v1::RESOURCE_KIND_NURSING_SMALL_MULTIFUNCTIONAL},
      {"小規模多機能", v1::RESOURCE_KIND_SMALL_MULTIFUNCTIONAL},
      {"定期巡回", v1::RESOURCE_KIND_PERIODIC_VISIT_24H},
      {"夜間対応型訪問介護", v1::RESOURCE_KIND_NIGHT_HOME_HELP},
      {"訪問入浴", v1::RESOURCE_KIND_HOME_VISIT_BATHING},
      {"訪問リハ", v1::RESOURCE_KIND_HOME_VISIT_REHABILITATION},
      {"訪問看護", v1::RESOURCE_KIND_VISITING_NURSE_STATION},
      {"訪問介護", v1::RESOURCE_KIND_HOME_HELP},
      {"認知症対応型通所", v1::RESOURCE_KIND_DEMENTIA_DAY_SERVICE},
      {"認知症対応型共同生活", v1::RESOURCE_KIND_DEMENTIA_GROUP_HOME},
      {"地域密着型通所介護", v1::RESOURCE_KIND_COMMUNITY_DAY_SERVICE},
      {"通所リハ", v1::RESOURCE_KIND_DAY_REHABILITATION},
      {"通所介護", v1::RESOURCE_KIND_DAY_SERVICE},
      {"短期入所生活", v1::RESOURCE_KIND_SHORT_STAY},
      {"短期入所療養", v1::RESOURCE_KIND_SHORT_STAY_MEDICAL},
      {"地域密着型特定施設", v1::RESOURCE_KIND_COMMUNITY_SPECIFIED_FACILITY},
      {"特定施設", v1::RESOURCE_KIND_SPECIFIED_FACILITY},
      {"特定福祉用具", v1::RESOURCE_KIND_WELFARE_EQUIPMENT_SALES},
      {"福祉用具", v1::RESOURCE_KIND_WELFARE_EQUIPMENT_RENTAL},
      {"地域密着型介護老人福祉施設", v1::RESOURCE_KIND_COMMUNITY_SPECIAL_NURSING_HOME},
      {"介護老人福祉施設", v1::RESOURCE_KIND_SPECIAL_NURSING_HOME},
      {"介護老人保健施設", v1::RESOURCE_KIND_GERIATRIC_HEALTH_FACILITY},
      {"介護医療院", v1::RESOURCE_KIND_INTEGRATED_CARE_HOSPITAL},
      {"居宅介護支援", v1::RESOURCE_KIND_HOME_CARE_SUPPORT_OFFICE},
      {"地域包括支援センター", v1::RESOURCE_KIND_COMMUNITY_GENERAL_SUPPORT_CENTER},
  };
  for (const auto& [needle, kind] : kRules) {
    if (service_type.find(needle) != std::string_view::npos) return kind;
  }
  return std::nullopt;
}

std::vector<std::string> CapabilitiesImpliedByKind(v1::ResourceKind kind) {
  std::vector<std::string> out;
  if (const KindInfo* k = FindKind(kind)) {
    for (const char* c : k->implied) out.emplace_back(c);
  }
  return out;
}

std::vector<std::string> CapabilitiesInferredFromName(std::string_view name) {
  std::string n = common::NormalizeForSearch(name);
  auto has = [&](const char* needle) {
    return n.find(common::NormalizeForSearch(needle)) != std::string::npos;
  };
  std::vector<std::string> out;
  if (has("在宅") || has("訪問診療") || has("往診") || has("ホームケア") ||
      has("ホームクリニック") || has("訪問クリニック")) {
    out.emplace_back("home_visit_medical");
  }
  if (has("神経内科")) {
    out.emplace_back("neurology");
    out.emplace_back("parkinsons");
  }
  if (has("緩和") || has("ホスピス")) out.emplace_back("palliative_care");
  if (has("もの忘れ") || has("物忘れ") || has("認知症")) {
    out.emplace_back("dementia");
  }
  return out;
}

}  // namespace renkei::directory
