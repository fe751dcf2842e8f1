// The directory's controlled vocabularies: capabilities (built-in, extensible per instance) and
// resource kinds (labels, short codes used in CSV, and the capabilities a kind implies).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "renkei/common/validation.h"
#include "renkei/v1/config.pb.h"
#include "renkei/v1/directory.pb.h"

namespace renkei::directory {

class CapabilityVocabulary {
 public:
  // The built-in codes plus `extra` (codes already validated by ValidateExtraCapabilities).
  explicit CapabilityVocabulary(const std::vector<v1::CapabilityDefinition>& extra = {});

  bool Contains(std::string_view code) const { return index_.count(std::string(code)) > 0; }
  // Dense index 0..size()-1, or -1 when unknown.
  int IndexOf(std::string_view code) const;
  const v1::Capability& at(int index) const { return capabilities_[index]; }
  size_t size() const { return capabilities_.size(); }
  const std::vector<v1::Capability>& all() const { return capabilities_; }

 private:
  std::vector<v1::Capability> capabilities_;
  std::unordered_map<std::string, int> index_;
};

// At most this many capabilities in all (built-in and instance-defined): the search index keeps
// each resource's capabilities as a bit set.
inline constexpr size_t kMaxVocabulary = 128;

// Checks instance-defined capabilities: code format, no clash with built-ins or each other, and
// the vocabulary limit.
void ValidateExtraCapabilities(const std::vector<v1::CapabilityDefinition>& extra,
                               std::string_view path, common::FieldViolations* violations);

// "clinic", "visiting_nurse_station", ... (the enum name without its prefix, lower case).
std::string KindCode(v1::ResourceKind kind);
std::optional<v1::ResourceKind> KindFromCode(std::string_view code);
// 診療所, 訪問看護ステーション, ...
std::string_view KindLabel(v1::ResourceKind kind);

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
