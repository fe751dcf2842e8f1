// The directory's resource kinds: short codes used in CSV and on renkeictl's command line, the
// kinds of the MHLW open data, and the capabilities a kind implies. Their labels are the
// ResourceKind values' (renkei/common/labels.h); the capabilities are common's
// (renkei/common/vocabulary.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "renkei/common/vocabulary.h"
#include "renkei/v1/config.pb.h"
#include "renkei/v1/directory.pb.h"

namespace renkei::directory {

// The capability vocabulary is shared with intake: it lives in common (renkei/common/vocabulary.h).
using common::CapabilityVocabulary;
using common::kMaxVocabulary;
using common::ValidateExtraCapabilities;

// "clinic", "visiting_nurse_station", ... (the enum name without its prefix, lower case).
std::string KindCode(v1::ResourceKind kind);
std::optional<v1::ResourceKind> KindFromCode(std::string_view code);

// The kind for an MHLW open-data サービスの種類 value (e.g. "訪問入浴介護",
// "看護小規模多機能型居宅介護（複合型サービス）"); nullopt when unknown.
std::optional<v1::ResourceKind> KindFromMhlwServiceType(std::string_view service_type);

// Capabilities a kind of service provides by definition (e.g. a visiting nurse station:
// home_visit_nursing; 定期巡回・随時対応型: home_help + response_24h).
std::vector<std::string> CapabilitiesImpliedByKind(v1::ResourceKind kind);

// Capabilities inferred from a medical institution's name in the regional health bureaus' code
// list, which has no other attributes: 在宅/訪問診療/往診 -> home_visit_medical,
// 神経内科 -> neurology + parkinsons, 緩和/ホスピス -> palliative_care, もの忘れ/認知症 ->
// dementia.
std::vector<std::string> CapabilitiesInferredFromName(std::string_view name);

}  // namespace renkei::directory
