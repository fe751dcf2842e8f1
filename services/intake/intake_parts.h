// The intake service's own helpers, shared by the files its domain is split into (intake.cc and
// its parts: matching and referrals, follow-ups, seeds and the digest). Not part of the service's
// interface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "renkei/common/table.h"
#include "renkei/common/validation.h"
#include "renkei/common/vocabulary.h"
#include "renkei/v1/intake.pb.h"
#include "renkei/v1/storage.pb.h"

namespace renkei::intake {

using common::FieldViolations;

inline constexpr int64_t kClockSkewMicros = 5LL * 60 * 1000000;

using common::CheckId;
int64_t FromMicros(const v1::Date& d);
int64_t ToMicrosExclusive(const v1::Date& d);
void CheckPeriod(const v1::Date& from, const v1::Date& to, bool required,
                 const std::string& from_field, const std::string& to_field, FieldViolations* v);
v1::ConsultationSummary Summarize(const v1::Consultation& c);
// What a need asks for as people read it: its capability and what the same resource must also
// offer, e.g. "パーキンソン病＋訪問診療" (a municipality's own capabilities by their labels too).
std::string NeedLabel(const v1::Need& n, const common::CapabilityVocabulary& vocab);
int64_t EndedAtMicros(const v1::Consultation& c);

}  // namespace renkei::intake
