// Request validation that answers INVALID_ARGUMENT naming every bad field.
//
// The resulting absl::Status carries a google.rpc.BadRequest payload; ToGrpcStatus (grpc_status.h)
// turns it into gRPC rich error details, so clients see each field path and its problem.
//
//   FieldViolations v;
//   v.CheckText("resource.name", r.name(), {.required = true, .max_chars = 200});
//   v.CheckMunicipalityCode("resource.municipality_code", r.municipality_code());
//   RETURN_IF_ERROR(v.ToStatus());
//
// Descriptions are Japanese first, English after " / ", e.g. "必須です / required".
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace renkei::common {

struct TextRule {
  bool required = false;
  size_t max_chars = 200;   // code points
  bool single_line = true;  // no control characters (tab/newline allowed when false)
};

class FieldViolations {
 public:
  void Add(std::string field, std::string description);
  bool empty() const { return violations_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& violations() const { return violations_; }

  // OK when empty; otherwise INVALID_ARGUMENT with every violation.
  absl::Status ToStatus() const;

  // Valid UTF-8, not over max_chars, no control characters; present when required.
  void CheckText(std::string_view field, std::string_view value, const TextRule& rule);
  // A valid, known local government code of a municipality (6 digits, check digit).
  void CheckMunicipalityCode(std::string_view field, std::string_view code, bool required = true);
  // A 2-digit prefecture code 01..47.
  void CheckPrefectureCode(std::string_view field, std::string_view code, bool required = true);
  // An enum value the server knows (proto3 keeps unknown numbers); UNSPECIFIED when
  // !allow_unspecified.
  template <typename IsValidFn>
  void CheckEnum(std::string_view field, int value, IsValidFn is_valid, bool allow_unspecified) {
    if (!is_valid(value)) {
      Add(std::string(field), "不明な値です: " + std::to_string(value) + " / unknown enum value");
    } else if (value == 0 && !allow_unspecified) {
      Add(std::string(field), "指定してください / required");
    }
  }
  // A field the service fills with the instance's own jurisdiction code `own` (a municipality's,
  // a prefecture's 6-digit code, or "000000"): empty takes `own`; anything else must be `own`
  // exactly — a malformed, wrong-check-digit or unknown code is refused like everywhere, and so
  // is another jurisdiction's.
  void CheckOwnCode(std::string_view field, std::string_view code, std::string_view own);
  void CheckLatLng(std::string_view field, double lat, double lng);
  // A real Gregorian date, 1900..2999. All zero counts as absent (an error when required).
  void CheckDate(std::string_view field, int year, int month, int day, bool required = false);
  void CheckCount(std::string_view field, size_t count, size_t max);

 private:
  std::vector<std::pair<std::string, std::string>> violations_;
};

// INVALID_ARGUMENT for one field.
absl::Status InvalidField(std::string_view field, std::string_view description);

// The field violations carried by a status (empty when it has none).
std::vector<std::pair<std::string, std::string>> FieldViolationsOf(const absl::Status& status);

bool IsValidDate(int year, int month, int day);

// Digits, hyphens, parentheses, plus and spaces, at least 6 digits: a phone or fax number as
// people write it.
bool LooksLikePhone(std::string_view s);
// One "@" with text on both sides and a dot in the domain; no spaces, control characters or
// what would end or quote an address in a mail header (< > , ; : " ( ) [ ] \).
bool LooksLikeEmail(std::string_view s);

// True when (lat, lng) lies in the box that contains Japan (20-46°N, 122-154°E).
bool InsideJapan(double lat, double lng);

}  // namespace renkei::common
