// What makes a resource valid, and its canonical form. Used by Upsert and by every import row,
// so a file and an RPC are held to the same rules.
#pragma once

#include <string>
#include <string_view>

#include "renkei/common/clock.h"
#include "renkei/common/validation.h"
#include "renkei/v1/directory.pb.h"
#include "vocabulary.h"

namespace renkei::directory {

// Limits (code points / items).
inline constexpr size_t kMaxNameChars = 200;
inline constexpr size_t kMaxAddressChars = 300;
inline constexpr size_t kMaxNoteChars = 2000;
inline constexpr size_t kMaxCapabilities = 64;
inline constexpr size_t kMaxServiceArea = 100;
inline constexpr int kMaxCapacity = 100000;
inline constexpr size_t kMaxHoursChars = 200;
inline constexpr size_t kMaxDepartmentChars = 100;

// Adds a violation per bad field, with paths under `path` (e.g. "resource.name").
// Read-only fields (version, updated_at) are ignored.
void ValidateResource(const v1::Resource& r, const CapabilityVocabulary& vocabulary,
                      std::string_view path, common::FieldViolations* v);

// Trims text, sorts and de-duplicates capabilities and service area (dropping the resource's own
// municipality), rounds coordinates to 1e-7 degrees (about a centimetre) and marks a location
// without precision as exact. Run before validation.
void Canonicalize(v1::Resource* r);

// The liaison contact's rules (Upsert's and a survey answer's): lengths, a phone or fax number
// that is one, an e-mail address that is one.
void ValidateLiaison(const v1::LiaisonContact& l, std::string_view path,
                     common::FieldViolations* v);
void CanonicalizeLiaison(v1::LiaisonContact* l);

// A source that counts as verified for search ranking: the kind's definition, a survey answer,
// staff, a curated file (not the name's inference, not an unrecorded source).
bool IsVerified(v1::CapabilitySource source);

// Upsert's provenance for capabilities given without one: the stored resource's entry for the
// capability when there is one, else confirmed by the caller (COORDINATOR) on `today`.
void FillProvenance(const v1::Resource* stored, const v1::Date& today, v1::Resource* r);

// Equal in everything but version and updated_at.
bool SameContent(const v1::Resource& a, const v1::Resource& b);

// "system:source_id" for a sourced resource, "" otherwise.
std::string SourceKey(const v1::Resource& r);

// Deterministic for sourced resources (the same facility gets the same id everywhere), a new
// time-ordered id otherwise.
std::string NewResourceId(const v1::Resource& r, const common::Clock& clock);

}  // namespace renkei::directory
