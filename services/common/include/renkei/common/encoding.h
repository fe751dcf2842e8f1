// Shift_JIS (Windows code page 932, what Excel writes in Japan) to UTF-8.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace renkei::common {

// Converts complete CP932 text. INVALID_ARGUMENT naming the byte offset when the input is not
// CP932.
absl::StatusOr<std::string> ShiftJisToUtf8(std::string_view sjis);

// Length of the longest prefix of `s` that does not end inside a multi-byte CP932 character,
// so a stream can be converted piecewise.
size_t ShiftJisCompletePrefix(std::string_view s);

// Same for UTF-8.
size_t Utf8CompletePrefix(std::string_view s);

}  // namespace renkei::common
