// The vocabularies whose values are string codes, not enum values: built-in capabilities
// (対応内容: "parkinsons", "home_visit_medical", …), the tags the system itself puts on issue
// seeds ("resource_gap"), the names of derived indicators ("derived.consultations", …), the
// seven PDCA steps and the built-in skills of the skill framework.
// Declared once, with Japanese and English labels, in services/common/data/vocabulary.csv:
// compiled into renkei_common (tools/cmake/embed.cmake) and read by the console's build
// (console/vocabulary.mjs), so the services, renkeictl and the console label a code alike.
// Enum values have theirs in the protos (renkei/common/labels.h).
//
// Codes are stable identifiers (they appear in events, CSV files and other instances); labels may
// be reworded. Everything here is immutable after first use and thread-safe.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "renkei/common/validation.h"
#include "renkei/v1/config.pb.h"
#include "renkei/v1/directory.pb.h"

namespace renkei::common {

// The sets of vocabulary.csv's first column.
inline constexpr std::string_view kCapabilitySet = "capability";
inline constexpr std::string_view kSeedTagSet = "seed_tag";
// Derived indicators: a code ending in "." names a family ("derived.survey_score.<skill>").
inline constexpr std::string_view kIndicatorSet = "indicator";

// The seven steps of a regional issue's PDCA cycle, codes "1".."7".
inline constexpr std::string_view kPdcaStepSet = "pdca_step";
// The built-in skills of the skill framework (training: the framework an instance starts with).
inline constexpr std::string_view kSkillSet = "skill";
// The anchors of a survey's five-point scale, codes "1".."5".
inline constexpr std::string_view kLikertSet = "likert";

// The tag intake puts on a seed it raises for a resource gap.
inline constexpr std::string_view kResourceGapTag = "resource_gap";

struct VocabularyEntry {
  std::string set;
  std::string code;
  std::string ja;
  std::string en;
};

// Every entry of vocabulary.csv, in its order (the display order).
const std::vector<VocabularyEntry>& Vocabulary();
// The entry for `code` in `set`; nullptr when there is none.
const VocabularyEntry* FindVocabulary(std::string_view set, std::string_view code);

// The name of PDCA step `step` (1..7); "不明" outside.
std::string StepName(int step);

// A tag of a seed or an issue as people read it: a system tag's or a built-in capability's label,
// also behind the clustering's "capability:" and "tag:" prefixes; any other tag as it is.
std::string TagLabel(std::string_view tag);

// The labels of `tags` (TagLabel) in their order, each once: "tag:parkinsons" and
// "capability:parkinsons" both read パーキンソン病.
template <typename Tags>
std::vector<std::string> TagLabels(const Tags& tags) {
  std::vector<std::string> out;
  for (const auto& tag : tags) {
    std::string label = TagLabel(tag);
    if (std::find(out.begin(), out.end(), label) == out.end()) out.push_back(std::move(label));
  }
  return out;
}

// The capabilities of an instance: the built-in ones plus those its configuration adds
// (directory.extra_capabilities).
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
  // The Japanese label of `code`; the code itself when unknown.
  std::string LabelOf(std::string_view code) const;

 private:
  std::vector<v1::Capability> capabilities_;
  std::unordered_map<std::string, int> index_;
};

// At most this many capabilities in all (built-in and instance-defined): the directory's search
// index keeps each resource's capabilities as a bit set.
inline constexpr size_t kMaxVocabulary = 128;

// Checks instance-defined capabilities: code format, no clash with built-ins or each other, and
// the vocabulary limit.
void ValidateExtraCapabilities(const std::vector<v1::CapabilityDefinition>& extra,
                               std::string_view path, FieldViolations* violations);

}  // namespace renkei::common
