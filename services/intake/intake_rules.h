// The rules of a consultation: what a valid request is, which status changes are allowed, how
// de-identified attributes are derived. The labels of its enum values are the protos'
// (renkei/common/labels.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "renkei/common/validation.h"
#include "renkei/common/vocabulary.h"
#include "renkei/v1/intake.pb.h"

namespace renkei::intake {

inline constexpr size_t kMaxNeeds = 20;
inline constexpr size_t kMaxAlsoRequires = 5;
// An advice need: with its capability, the five areas of expertise a network search takes.
inline constexpr size_t kMaxAdviceAlsoRequires = 4;
inline constexpr size_t kMaxConditions = 10;
inline constexpr size_t kMaxTags = 10;
inline constexpr size_t kMaxTagChars = 30;

// Adds violations for the request's fields (paths like "person.birth_date", "needs[1].capability").
// `today` is the Tokyo date used to reject birth dates in the future.
void ValidateCreate(const v1::CreateConsultationRequest& r,
                    const common::CapabilityVocabulary& vocab, const v1::Date& today,
                    common::FieldViolations* v);
void ValidateRequester(const v1::Requester& r, std::string_view path, common::FieldViolations* v);
void ValidatePerson(const v1::PersonConcerned& p, std::string_view path, const v1::Date& today,
                    common::FieldViolations* v);
void ValidateNeed(const v1::NewNeed& n, std::string_view path,
                  const common::CapabilityVocabulary& vocab, common::FieldViolations* v);

// Whether the lifecycle allows going from `from` to `to`:
//   received  -> assessing, matched, referred, unresolved
//   assessing -> matched, referred, closed, unresolved
//   matched   -> assessing, referred, closed, unresolved
//   referred  -> matched, closed, unresolved
//   unresolved -> assessing (reopened)
//   closed    -> (nothing)
bool TransitionAllowed(v1::ConsultationStatus from, v1::ConsultationStatus to);
bool IsOpen(v1::ConsultationStatus s);

v1::AgeBand AgeBandOf(const v1::Date& birth, const v1::Date& on);

// Tags normalized for clustering (width, kana, case folded; spaces removed); empty ones dropped.
std::vector<std::string> NormalizeTags(const google::protobuf::RepeatedPtrField<std::string>& tags);

}  // namespace renkei::intake
