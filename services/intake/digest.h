// The digest for the regular meeting with the municipality (定例ミーティング資料): counts and
// lists for a period, and the same as a Markdown brief in Japanese.
#pragma once

#include <string>
#include <vector>

#include "renkei/common/vocabulary.h"
#include "renkei/v1/intake.pb.h"

namespace renkei::intake {

// `consultations`: those received in the period; `seeds`: raised in the period; `overdue`: open
// follow-ups past due today.
v1::Digest BuildDigest(const std::string& municipality_code, const v1::Date& from,
                       const v1::Date& to, const std::vector<v1::Consultation>& consultations,
                       const v1::ListIssueSeedsResponse& seeds,
                       const v1::ListOverdueFollowUpsResponse& overdue,
                       const common::CapabilityVocabulary& vocabulary);

std::string DigestMarkdown(const v1::Digest& digest);

}  // namespace renkei::intake
