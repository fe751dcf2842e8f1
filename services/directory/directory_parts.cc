#include "directory_parts.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>

#include "absl/strings/escaping.h"
#include "renkei/common/encoding.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/labels.h"
#include "renkei/common/log.h"
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

void AppendFhirOrganization(const v1::Resource& r, std::string* out) {
  using common::AppendJsonString;
  auto field = [&](const char* name, const std::string& value, bool comma = true) {
    if (comma) out->push_back(',');
    AppendJsonString(name, out);
    out->push_back(':');
    AppendJsonString(value, out);
  };
  out->append("{\"resourceType\":\"Organization\"");
  field("id", r.id());
  out->append(",\"meta\":{");
  field("versionId", std::to_string(r.version()), false);
  out->append("}");
  if (!r.source().system().empty()) {
    out->append(",\"identifier\":[{");
    field("system", "urn:renkei:source:" + r.source().system(), false);
    field("value", r.source().source_id());
    out->append("}]");
  }
  out->append(",\"active\":true,\"type\":[{\"coding\":[{");
  field("system", "urn:renkei:resource-kind", false);
  field("code", KindCode(r.kind()));
  field("display", std::string(common::Label(r.kind())));
  out->append("}]}]");
  field("name", r.name());
  if (!r.name_kana().empty()) {
    out->append(",\"alias\":[");
    AppendJsonString(r.name_kana(), out);
    out->append("]");
  }
  std::vector<std::pair<const char*, std::string>> telecom = {{"phone", r.contact().phone()},
                                                              {"fax", r.contact().fax()},
                                                              {"url", r.contact().url()},
                                                              {"email", r.contact().email()}};
  bool first = true;
  for (const auto& [system, value] : telecom) {
    if (value.empty()) continue;
    out->append(first ? ",\"telecom\":[{" : ",{");
    first = false;
    field("system", system, false);
    field("value", value);
    out->append("}");
  }
  if (!first) out->append("]");
  const auto* m = common::Jurisdictions::Get().FindMunicipality(r.municipality_code());
  out->append(",\"address\":[{");
  field("text", r.address(), false);
  if (m != nullptr) {
    field("city", m->name);
    field("state", m->prefecture_name);
  }
  field("country", "JP");
  out->append(",\"extension\":[{");
  field("url", "urn:renkei:fhir:municipality-code", false);
  field("valueCode", r.municipality_code());
  out->append("}");
  if (r.has_location() && r.location_precision() != v1::LOCATION_PRECISION_UNSPECIFIED) {
    out->append(
        ",{\"url\":\"http://hl7.org/fhir/StructureDefinition/geolocation\",\"extension\":[");
    out->append("{\"url\":\"latitude\",\"valueDecimal\":" + FormatDouble(r.location().latitude()) +
                "},{\"url\":\"longitude\",\"valueDecimal\":" +
                FormatDouble(r.location().longitude()) + "}]}");
  }
  out->append("]}]");
  if (r.capabilities_size() > 0) {
    out->append(",\"extension\":[");
    for (int i = 0; i < r.capabilities_size(); ++i) {
      if (i) out->push_back(',');
      out->append("{");
      field("url", "urn:renkei:fhir:capability", false);
      field("valueCode", r.capabilities(i));
      out->append("}");
    }
    out->append("]");
  }
  out->append("}\n");
}

}  // namespace renkei::directory
