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

// The demand side of the need gaps: per combination asked for (a need's capability, then what it
// also requires in code order; advice needs left out), how many of `consultations` asked for it
// and whether they were matched inside the municipality, only outside, or not at all (each
// consultation counted once per combination, by its best match). Ordered by consultations, most
// first, then by label. The supply fields are left for the caller.
std::vector<v1::NeedGap> NeedGapDemand(const std::vector<v1::Consultation>& consultations,
                                       const common::CapabilityVocabulary& vocabulary);

}  // namespace renkei::intake
