// The words for audience roles (issues.proto AudienceRole) that `issue countermeasure … --audience`
// and `training … --audience / --role` share; their labels are the enum values' (words.h).
#pragma once

#include <string>

#include "google/protobuf/repeated_field.h"
#include "renkei/v1/issues.pb.h"
#include "words.h"

namespace renkei::cli {

// In the order of the AudienceRole enum.
inline constexpr Word<v1::AudienceRole> kAudiences[] = {
    {"family", v1::AUDIENCE_ROLE_PERSON_AND_FAMILY},
    {"residents", v1::AUDIENCE_ROLE_RESIDENTS},
    {"care_managers", v1::AUDIENCE_ROLE_CARE_MANAGERS},
    {"visiting_nurses", v1::AUDIENCE_ROLE_VISITING_NURSES},
    {"physicians", v1::AUDIENCE_ROLE_PHYSICIANS},
    {"specialists", v1::AUDIENCE_ROLE_SPECIALISTS},
    {"hospital_staff", v1::AUDIENCE_ROLE_HOSPITAL_STAFF},
    {"care_workers", v1::AUDIENCE_ROLE_CARE_WORKERS},
    {"pharmacists", v1::AUDIENCE_ROLE_PHARMACISTS},
    {"dentists", v1::AUDIENCE_ROLE_DENTISTS},
    {"coordinators", v1::AUDIENCE_ROLE_COORDINATORS},
    {"municipal_staff", v1::AUDIENCE_ROLE_MUNICIPAL_STAFF},
    {"support_center_staff", v1::AUDIENCE_ROLE_SUPPORT_CENTER_STAFF},
    {"emergency_services", v1::AUDIENCE_ROLE_EMERGENCY_SERVICES},
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
