// The words for audience roles (issues.proto AudienceRole) that `issue countermeasure … --audience`
// and `training … --audience / --role` share, and their Japanese labels (issue_rules.h, via
// RulesLabel, defined in issue_commands.cc).
#pragma once

#include <string>

#include "google/protobuf/repeated_field.h"
#include "renkei/v1/issues.pb.h"
#include "words.h"

namespace renkei::cli {

template <>
std::string RulesLabel(v1::AudienceRole v);

// In the order of the AudienceRole enum.
inline constexpr Word<v1::AudienceRole> kAudiences[] = {
    {"family", v1::AUDIENCE_ROLE_PERSON_AND_FAMILY, nullptr},
    {"residents", v1::AUDIENCE_ROLE_RESIDENTS, nullptr},
    {"care_managers", v1::AUDIENCE_ROLE_CARE_MANAGERS, nullptr},
    {"visiting_nurses", v1::AUDIENCE_ROLE_VISITING_NURSES, nullptr},
    {"physicians", v1::AUDIENCE_ROLE_PHYSICIANS, nullptr},
    {"specialists", v1::AUDIENCE_ROLE_SPECIALISTS, nullptr},
    {"hospital_staff", v1::AUDIENCE_ROLE_HOSPITAL_STAFF, nullptr},
    {"care_workers", v1::AUDIENCE_ROLE_CARE_WORKERS, nullptr},
    {"pharmacists", v1::AUDIENCE_ROLE_PHARMACISTS, nullptr},
    {"dentists", v1::AUDIENCE_ROLE_DENTISTS, nullptr},
    {"coordinators", v1::AUDIENCE_ROLE_COORDINATORS, nullptr},
    {"municipal_staff", v1::AUDIENCE_ROLE_MUNICIPAL_STAFF, nullptr},
    {"support_center_staff", v1::AUDIENCE_ROLE_SUPPORT_CENTER_STAFF, nullptr},
    {"emergency_services", v1::AUDIENCE_ROLE_EMERGENCY_SERVICES, nullptr},
};

// "ケアマネジャー、訪問看護師".
inline std::string AudienceText(const google::protobuf::RepeatedField<int>& roles) {
  std::string out;
  for (int r : roles) {
    out += (out.empty() ? "" : "、") + LabelOf(kAudiences, static_cast<v1::AudienceRole>(r));
  }
  return out;
}

}  // namespace renkei::cli
