#include "vocabulary.h"

#include <algorithm>
#include <cctype>

#include "renkei/common/text.h"

namespace renkei::directory {
namespace {

struct KindInfo {
  v1::ResourceKind kind;
  std::vector<const char*> implied;
};

const std::vector<KindInfo>& Kinds() {
  static const std::vector<KindInfo> kinds = {
      {v1::RESOURCE_KIND_HOSPITAL, {}},
      {v1::RESOURCE_KIND_CLINIC, {}},
      {v1::RESOURCE_KIND_HOME_CARE_SUPPORT_CLINIC, {"home_visit_medical", "response_24h"}},
      {v1::RESOURCE_KIND_HOME_CARE_SUPPORT_HOSPITAL, {"home_visit_medical", "response_24h"}},
      {v1::RESOURCE_KIND_HOME_VISIT_DENTAL, {"home_visit_dental"}},
      {v1::RESOURCE_KIND_PHARMACY, {}},
      {v1::RESOURCE_KIND_VISITING_NURSE_STATION, {"home_visit_nursing"}},
      {v1::RESOURCE_KIND_HOME_CARE_SUPPORT_OFFICE, {"care_management"}},
      {v1::RESOURCE_KIND_COMMUNITY_GENERAL_SUPPORT_CENTER,
       {"consultation_support", "care_management"}},
      {v1::RESOURCE_KIND_COORDINATOR, {"consultation_support"}},
      {v1::RESOURCE_KIND_HOME_HELP, {"home_help"}},
      {v1::RESOURCE_KIND_HOME_VISIT_BATHING, {"home_visit_bathing"}},
      {v1::RESOURCE_KIND_HOME_VISIT_REHABILITATION, {"home_visit_rehabilitation"}},
      {v1::RESOURCE_KIND_DAY_SERVICE, {"day_care"}},
      {v1::RESOURCE_KIND_DAY_REHABILITATION, {"day_care"}},
      {v1::RESOURCE_KIND_SHORT_STAY, {"respite"}},
      {v1::RESOURCE_KIND_SHORT_STAY_MEDICAL, {"respite"}},
      {v1::RESOURCE_KIND_SPECIFIED_FACILITY, {"residential_care"}},
      {v1::RESOURCE_KIND_WELFARE_EQUIPMENT_RENTAL, {}},
      {v1::RESOURCE_KIND_WELFARE_EQUIPMENT_SALES, {}},
      {v1::RESOURCE_KIND_DEMENTIA_GROUP_HOME, {"dementia", "residential_care"}},
      {v1::RESOURCE_KIND_SPECIAL_NURSING_HOME, {"residential_care"}},
      {v1::RESOURCE_KIND_GERIATRIC_HEALTH_FACILITY, {"residential_care"}},
      {v1::RESOURCE_KIND_INTEGRATED_CARE_HOSPITAL, {"residential_care"}},
      {v1::RESOURCE_KIND_NIGHT_HOME_HELP, {"home_help", "night_response"}},
      {v1::RESOURCE_KIND_DEMENTIA_DAY_SERVICE, {"dementia", "day_care"}},
      {v1::RESOURCE_KIND_SMALL_MULTIFUNCTIONAL, {"multi_function", "home_help", "respite"}},
      {v1::RESOURCE_KIND_COMMUNITY_SPECIFIED_FACILITY, {"residential_care"}},
      {v1::RESOURCE_KIND_COMMUNITY_SPECIAL_NURSING_HOME, {"residential_care"}},
      {v1::RESOURCE_KIND_PERIODIC_VISIT_24H, {"home_help", "response_24h"}},
      {v1::RESOURCE_KIND_NURSING_SMALL_MULTIFUNCTIONAL,
       {"multi_function", "home_visit_nursing", "respite"}},
      {v1::RESOURCE_KIND_COMMUNITY_DAY_SERVICE, {"day_care"}},
  };
  return kinds;
}

const KindInfo* FindKind(v1::ResourceKind kind) {
  for (const auto& k : Kinds()) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

}  // namespace

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
