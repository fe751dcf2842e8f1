#include "directory_parts.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>

#include "absl/strings/escaping.h"
#include "renkei/common/encoding.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/table.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "resource_rules.h"

namespace renkei::directory {

uint64_t Fingerprint(const v1::SearchResourcesRequest& r) {
  v1::SearchResourcesRequest copy = r;
  copy.clear_page_token();
  copy.clear_page_size();
  std::string bytes = copy.SerializeAsString();
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string EncodePageToken(int offset, uint64_t fingerprint) {
  return absl::WebSafeBase64Escape(std::to_string(offset) + ":" + std::to_string(fingerprint));
}

bool DecodePageToken(const std::string& token, int* offset, uint64_t* fingerprint) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return false;
  size_t colon = raw.find(':');
  if (colon == std::string::npos) return false;
  char* end = nullptr;
  long long o = std::strtoll(raw.c_str(), &end, 10);
  if (end != raw.c_str() + colon || o < 0 || o > 10000000) return false;
  unsigned long long f = std::strtoull(raw.c_str() + colon + 1, &end, 10);
  if (end != raw.c_str() + raw.size()) return false;
  *offset = static_cast<int>(o);
  *fingerprint = f;
  return true;
}

// Field violation from ValidateResource (".name", ".capabilities[2]") -> row error.
v1::RowError RowErrorFor(const RowParser& parser, int64_t line, const std::string& field,
                         const std::string& description) {
  std::string f = !field.empty() && field[0] == '.' ? field.substr(1) : field;
  v1::RowError e;
  e.set_line(line);
  e.set_column(parser.ColumnFor(f));
  e.set_message(description);
  if (f == "name") {
    e.set_reason(v1::ROW_ERROR_REASON_MISSING_NAME);
    e.set_message("名称がありません / name missing");
  } else if (f == "municipality_code") {
    e.set_reason(v1::ROW_ERROR_REASON_BAD_MUNICIPALITY_CODE);
  } else if (f == "location") {
    e.set_reason(description.find("範囲外です / coordinates outside the prefecture") !=
                         std::string::npos
                     ? v1::ROW_ERROR_REASON_COORDINATES_OUTSIDE_PREFECTURE
                     : v1::ROW_ERROR_REASON_BAD_COORDINATES);
  } else if (f == "kind") {
    e.set_reason(v1::ROW_ERROR_REASON_UNKNOWN_KIND);
  } else {
    e.set_reason(v1::ROW_ERROR_REASON_BAD_VALUE);
  }
  return e;
}

}  // namespace renkei::directory
