// Identifiers: "<prefix>_" + 26 Crockford base32 characters.
//
// NewId() is a ULID (48-bit millisecond time + 80 random bits): unique and roughly time-ordered,
// so ids of records created later sort later. DeterministicId() hashes a natural key (e.g. the
// source system and source id of an imported facility) so that the same thing gets the same id on
// every instance.
#pragma once

#include <string>
#include <string_view>

#include "renkei/common/clock.h"

namespace renkei::common {

// Thread-safe.
std::string NewId(std::string_view prefix, const Clock& clock = *SystemClock::Get());

std::string DeterministicId(std::string_view prefix, std::string_view natural_key);

// True when `id` is "<prefix>_" followed by 26 Crockford base32 characters.
bool IsWellFormedId(std::string_view prefix, std::string_view id);

}  // namespace renkei::common
