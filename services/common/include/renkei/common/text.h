// UTF-8 and Japanese text handling.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace renkei::common {

// Strict UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points; `s` must be valid UTF-8.
size_t Utf8Length(std::string_view s);

// Decodes valid UTF-8 (invalid bytes become U+FFFD).
std::vector<char32_t> DecodeUtf8(std::string_view s);
void AppendUtf8(char32_t cp, std::string* out);

// Normalizes text for matching, so that the variants people type or sources spell differently
// compare equal:
//   - full-width ASCII -> ASCII, ideographic space -> space, ASCII letters -> lower case
//   - half-width katakana -> full-width (with voiced marks composed), hiragana -> katakana
//   - ヶ ヵ (and ゖ ゕ) -> ケ カ; combining voiced marks composed (カ + ゛ -> ガ)
//   - hyphen and minus variants -> '-'; common itaiji (檮->梼, 﨑->崎, 髙->高, ...)
//   - whitespace removed
// Idempotent: Normalize(Normalize(x)) == Normalize(x).
std::string NormalizeForSearch(std::string_view s);

// Columns a terminal uses to show `s` (East Asian wide and full-width characters count 2).
int DisplayWidth(std::string_view s);

// `s` cut to at most `width` columns, with "…" when cut.
std::string TruncateToWidth(std::string_view s, int width);

// Removes leading and trailing ASCII and ideographic spaces.
std::string_view TrimSpaces(std::string_view s);

// `s` with & < > " ' as character references: safe as HTML or XML text and attribute values.
std::string EscapeMarkup(std::string_view s);

}  // namespace renkei::common
