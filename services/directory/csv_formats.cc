#include "csv_formats.h"

#include <charconv>
#include <cstdlib>
#include <map>

#include "renkei/common/jurisdiction.h"
#include "renkei/common/text.h"
#include "vocabulary.h"

namespace renkei::directory {
namespace {

// Column names of each format.
constexpr const char* kProjectColumns[] = {"id",
                                           "kind",
                                           "name",
                                           "name_kana",
                                           "address",
                                           "municipality_code",
                                           "latitude",
                                           "longitude",
                                           "location_precision",
                                           "service_area",
                                           "capabilities",
                                           "accepting_new_patients",
                                           "capacity",
                                           "phone",
                                           "fax",
                                           "url",
                                           "email",
                                           "corporation_name",
                                           "source_system",
                                           "source_id",
                                           "last_verified",
                                           "note",
                                           "version",
                                           "updated_at",
                                           "capability_sources",
                                           "hours",
                                           "liaison_department",
                                           "liaison_phone",
                                           "liaison_fax",
                                           "liaison_email",
                                           "liaison_internal"};

constexpr const char* kMhlwRequired[] = {"都道府県コード又は市町村コード",
                                         "事業所名",
                                         "サービスの種類",
                                         "住所",
                                         "緯度",
                                         "経度",
                                         "事業所番号"};
constexpr const char* kNursingRequired[] = {"office_number", "name", "address",
                                            "lat",           "lon",  "municipality_code_derived"};
constexpr const char* kMedicalRequired[] = {"medical_institution_code_10", "name", "address",
                                            "municipality_code_derived"};

v1::RowError MakeError(int64_t line, std::string column, v1::RowErrorReason reason,
                       std::string message) {
  v1::RowError e;
  e.set_line(line);
  e.set_column(std::move(column));
  e.set_reason(reason);
  e.set_message(std::move(message));
  return e;
}

std::vector<std::string> SplitSpaces(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out.push_back(' ');
    out += s;
  }
  return out;
}

// Parses a decimal number; false for anything else (including empty).
bool ParseDouble(const std::string& s, double* out) {
  std::string t(common::TrimSpaces(s));
  if (t.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size() && std::isfinite(*out);
}

bool ParseInt(const std::string& s, int64_t* out) {
  std::string t(common::TrimSpaces(s));
  if (t.empty()) return false;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
  return ec == std::errc() && ptr == t.data() + t.size();
}

// Reads "lat" and "lon" columns into the resource; returns an error when they are present but
// not usable (not numbers, or 0,0 — a placeholder in the source data).
std::optional<v1::RowError> ReadCoordinates(const std::string* lat_s, const std::string* lon_s,
                                            const char* lat_col, int64_t line, v1::Resource* r) {
  bool lat_empty = lat_s == nullptr || common::TrimSpaces(*lat_s).empty();
  bool lon_empty = lon_s == nullptr || common::TrimSpaces(*lon_s).empty();
  if (lat_empty && lon_empty) return std::nullopt;
  double lat = 0, lon = 0;
  if (!ParseDouble(lat_empty ? "" : *lat_s, &lat) || !ParseDouble(lon_empty ? "" : *lon_s, &lon)) {
    return MakeError(line, lat_col, v1::ROW_ERROR_REASON_BAD_COORDINATES,
                     "緯度・経度が数値ではありません / coordinates are not numbers");
  }
  if (lat == 0 && lon == 0) {
    return MakeError(line, lat_col, v1::ROW_ERROR_REASON_BAD_COORDINATES,
                     "緯度・経度が 0,0 です / coordinates are 0,0");
  }
  r->mutable_location()->set_latitude(lat);
  r->mutable_location()->set_longitude(lon);
  r->set_location_precision(v1::LOCATION_PRECISION_EXACT);
  return std::nullopt;
}

void AddCapabilities(const std::vector<std::string>& caps, v1::CapabilitySource source,
                     v1::Resource* r) {
  for (const auto& c : caps) {
    r->add_capabilities(c);
    auto* e = r->add_capability_provenance();
    e->set_capability(c);
    e->set_source(source);
  }
}

// The project CSV's capability_sources column: "parkinsons=survey@2026-11-30 dementia=name".
constexpr std::pair<v1::CapabilitySource, const char*> kSourceCodes[] = {
    {v1::CAPABILITY_SOURCE_UNSPECIFIED, "unrecorded"},
    {v1::CAPABILITY_SOURCE_KIND, "kind"},
    {v1::CAPABILITY_SOURCE_NAME, "name"},
    {v1::CAPABILITY_SOURCE_SURVEY, "survey"},
    {v1::CAPABILITY_SOURCE_COORDINATOR, "coordinator"},
    {v1::CAPABILITY_SOURCE_CURATED_FILE, "curated_file"},
};

void SetOfficeLocation(v1::Resource* r) {
  const auto* m = common::Jurisdictions::Get().FindMunicipality(r->municipality_code());
  if (m == nullptr || (m->office_lat == 0 && m->office_lon == 0)) return;
  r->mutable_location()->set_latitude(m->office_lat);
  r->mutable_location()->set_longitude(m->office_lon);
  r->set_location_precision(v1::LOCATION_PRECISION_MUNICIPALITY_OFFICE);
}

std::string DateString(const v1::Date& d) {
  if (d.year() == 0) return "";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year(), d.month(), d.day());
  return buf;
}

bool ParseDate(const std::string& s, v1::Date* d) {
  int y = 0, m = 0, day = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%d", &y, &m, &day) != 3) return false;
  d->set_year(y);
  d->set_month(m);
  d->set_day(day);
  return true;
}

}  // namespace

std::string FormatDouble(double v) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, ptr) : std::to_string(v);
}

std::optional<v1::ImportFormat> DetectFormat(const std::vector<std::string>& header) {
  auto has = [&](const char* name) {
    for (const auto& h : header) {
      if (common::TrimSpaces(h) == name) return true;
    }
    return false;
  };
  if (has("id") && has("kind") && has("municipality_code") && has("source_id")) {
    return v1::IMPORT_FORMAT_PROJECT_CSV;
  }
  if (has("都道府県コード又は市町村コード") && has("サービスの種類")) {
    return v1::IMPORT_FORMAT_MHLW_KAIGO_OPEN_DATA;
  }
  if (has("office_number") && has("municipality_code_derived")) {
    return v1::IMPORT_FORMAT_VISITING_NURSING_STATIONS;
  }
  if (has("medical_institution_code_10")) return v1::IMPORT_FORMAT_MEDICAL_INSTITUTION_CODES;
  return std::nullopt;
}

std::string FormatName(v1::ImportFormat format) {
  switch (format) {
    case v1::IMPORT_FORMAT_PROJECT_CSV:
      return "project CSV";
    case v1::IMPORT_FORMAT_MHLW_KAIGO_OPEN_DATA:
      return "MHLW 介護サービス情報公表システム open data";
    case v1::IMPORT_FORMAT_VISITING_NURSING_STATIONS:
      return "visiting nursing stations";
    case v1::IMPORT_FORMAT_MEDICAL_INSTITUTION_CODES:
      return "medical institution codes (地方厚生局)";
    default:
      return "unknown";
  }
}

absl::StatusOr<RowParser> RowParser::ForHeader(v1::ImportFormat format,
                                               const std::vector<std::string>& header) {
  RowParser p;
  p.format_ = format;
  p.width_ = header.size();
  for (size_t i = 0; i < header.size(); ++i) {
    p.columns_[std::string(common::TrimSpaces(header[i]))] = i;
  }
  std::vector<const char*> required;
  switch (format) {
    case v1::IMPORT_FORMAT_PROJECT_CSV:
      required = {"id", "kind", "name", "municipality_code"};
      break;
    case v1::IMPORT_FORMAT_MHLW_KAIGO_OPEN_DATA:
      required.assign(std::begin(kMhlwRequired), std::end(kMhlwRequired));
      break;
    case v1::IMPORT_FORMAT_VISITING_NURSING_STATIONS:
      required.assign(std::begin(kNursingRequired), std::end(kNursingRequired));
      break;
    case v1::IMPORT_FORMAT_MEDICAL_INSTITUTION_CODES:
      required.assign(std::begin(kMedicalRequired), std::end(kMedicalRequired));
      break;
    default:
      return absl::InvalidArgumentError(
          "ファイル形式を判別できません (ヘッダー行を確認してください) / unknown format: the "
          "header "
          "row matches no supported format");
  }
  std::string missing;
  for (const char* c : required) {
    if (!p.columns_.count(c)) missing += (missing.empty() ? "" : ", ") + std::string(c);
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError("必要な列がありません: " + missing + " / missing columns (" +
                                      FormatName(format) + ")");
  }
  return p;
}

const std::string* RowParser::Get(const common::CsvRecord& r, const char* column) const {
  auto it = columns_.find(column);
  if (it == columns_.end() || it->second >= r.fields.size()) return nullptr;
  return &r.fields[it->second];
}

std::string RowParser::ColumnFor(const std::string& field) const {
  std::string f = field;
  size_t bracket = f.find('[');
  if (bracket != std::string::npos) f = f.substr(0, bracket);
  switch (format_) {
    case v1::IMPORT_FORMAT_MHLW_KAIGO_OPEN_DATA: {
      static const std::map<std::string, std::string> kMap = {
          {"name", "事業所名"},
          {"name_kana", "事業所名カナ"},
          {"address", "住所"},
          {"municipality_code", "都道府県コード又は市町村コード"},
          {"location", "緯度"},
          {"contact.phone", "電話番号"},
          {"contact.fax", "FAX番号"},
          {"contact.url", "URL"},
          {"corporation_name", "法人の名称"},
          {"capacity", "定員"},
          {"note", "備考"},
          {"kind", "サービスの種類"},
          {"source.source_id", "事業所番号"}};
      auto it = kMap.find(f);
      return it == kMap.end() ? f : it->second;
    }
    case v1::IMPORT_FORMAT_VISITING_NURSING_STATIONS:
    case v1::IMPORT_FORMAT_MEDICAL_INSTITUTION_CODES:
      if (f == "municipality_code") return "municipality_code_derived";
      if (f == "location") return "lat";
      if (f == "source.source_id") {
        return format_ == v1::IMPORT_FORMAT_VISITING_NURSING_STATIONS
                   ? "office_number"
                   : "medical_institution_code_10";
      }
      return f;
    default:
      if (f == "location") return "latitude";
      if (f.rfind("contact.", 0) == 0) return f.substr(8);
      if (f == "source.system") return "source_system";
      if (f == "source.source_id") return "source_id";
      if (f == "source.last_verified") return "last_verified";
      return f;
  }
}

ParsedRow RowParser::Parse(const common::CsvRecord& record) const {
  if (record.malformed) {
    ParsedRow p;
    p.errors.push_back(MakeError(record.line, "", v1::ROW_ERROR_REASON_MALFORMED,
                                 "引用符が閉じていません / unterminated quoted field"));
    return p;
  }
  if (record.fields.size() != width_) {
    ParsedRow p;
    p.errors.push_back(MakeError(record.line, "", v1::ROW_ERROR_REASON_MALFORMED,
                                 "列の数がヘッダーと違います (" +
                                     std::to_string(record.fields.size()) + " / " +
                                     std::to_string(width_) + ") / wrong number of columns"));
    return p;
  }
  for (const auto& f : record.fields) {
    if (!common::IsValidUtf8(f)) {
      ParsedRow p;
      p.errors.push_back(MakeError(record.line, "", v1::ROW_ERROR_REASON_MALFORMED,
                                   "文字コードが不正です (Shift_JIS なら --encoding sjis) / "
                                   "invalid UTF-8"));
      return p;
    }
  }
  switch (format_) {
    case v1::IMPORT_FORMAT_PROJECT_CSV:
      return ParseProject(record);
    case v1::IMPORT_FORMAT_MHLW_KAIGO_OPEN_DATA:
      return ParseMhlw(record);
    case v1::IMPORT_FORMAT_VISITING_NURSING_STATIONS:
      return ParseNursing(record);
    default:
      return ParseMedical(record);
  }
}

ParsedRow RowParser::ParseMhlw(const common::CsvRecord& rec) const {
  ParsedRow p;
  v1::Resource& r = p.resource;
  const std::string& service = *Get(rec, "サービスの種類");
  auto kind = KindFromMhlwServiceType(service);
  if (!kind) {
    p.errors.push_back(
        MakeError(rec.line, "サービスの種類", v1::ROW_ERROR_REASON_UNKNOWN_KIND,
                  "未対応のサービスの種類です: " + service + " / unknown service type"));
    return p;
  }
  r.set_kind(*kind);
  r.set_municipality_code(*Get(rec, "都道府県コード又は市町村コード"));
  r.set_name(*Get(rec, "事業所名"));
  if (const auto* kana = Get(rec, "事業所名カナ")) r.set_name_kana(*kana);
  std::string address = *Get(rec, "住所");
  if (const auto* building = Get(rec, "方書（ビル名等）")) {
    std::string_view b = common::TrimSpaces(*building);
    if (!b.empty() && address.find(b) == std::string::npos) address += " " + std::string(b);
  }
  r.set_address(address);
  if (auto err = ReadCoordinates(Get(rec, "緯度"), Get(rec, "経度"), "緯度", rec.line, &r)) {
    p.errors.push_back(*err);
  }
  if (const auto* v = Get(rec, "電話番号")) r.mutable_contact()->set_phone(*v);
  if (const auto* v = Get(rec, "FAX番号")) r.mutable_contact()->set_fax(*v);
  if (const auto* v = Get(rec, "URL")) r.mutable_contact()->set_url(*v);
  if (const auto* v = Get(rec, "法人の名称")) r.set_corporation_name(*v);
  if (const auto* v = Get(rec, "備考")) r.set_note(*v);
  if (const auto* v = Get(rec, "定員"); v && !common::TrimSpaces(*v).empty()) {
    int64_t cap = 0;
    if (ParseInt(*v, &cap)) {
      r.set_capacity(static_cast<int32_t>(std::min<int64_t>(cap, INT32_MAX)));
    } else {
      p.errors.push_back(
          MakeError(rec.line, "定員", v1::ROW_ERROR_REASON_BAD_VALUE,
                    "定員が整数ではありません: " + *v + " / capacity is not an integer"));
    }
  }
  const std::string& office = *Get(rec, "事業所番号");
  if (common::TrimSpaces(office).empty()) {
    p.errors.push_back(MakeError(rec.line, "事業所番号", v1::ROW_ERROR_REASON_BAD_VALUE,
                                 "事業所番号がありません / office number missing"));
  }
  r.mutable_source()->set_system("mhlw-kaigo");
  r.mutable_source()->set_source_id(std::string(common::TrimSpaces(office)) + ":" +
                                    KindCode(*kind));
  AddCapabilities(CapabilitiesImpliedByKind(*kind), v1::CAPABILITY_SOURCE_KIND, &r);
  return p;
}

ParsedRow RowParser::ParseNursing(const common::CsvRecord& rec) const {
  ParsedRow p;
  v1::Resource& r = p.resource;
  r.set_kind(v1::RESOURCE_KIND_VISITING_NURSE_STATION);
  r.set_name(*Get(rec, "name"));
  r.set_address(*Get(rec, "address"));
  r.set_municipality_code(*Get(rec, "municipality_code_derived"));
  if (auto err = ReadCoordinates(Get(rec, "lat"), Get(rec, "lon"), "lat", rec.line, &r)) {
    p.errors.push_back(*err);
  }
  const std::string office(common::TrimSpaces(*Get(rec, "office_number")));
  if (office.empty()) {
    p.errors.push_back(MakeError(rec.line, "office_number", v1::ROW_ERROR_REASON_BAD_VALUE,
                                 "事業所番号がありません / office number missing"));
  }
  r.mutable_source()->set_system("mhlw-kaigo");
  r.mutable_source()->set_source_id(office + ":" + KindCode(r.kind()));
  AddCapabilities(CapabilitiesImpliedByKind(r.kind()), v1::CAPABILITY_SOURCE_KIND, &r);
  return p;
}

ParsedRow RowParser::ParseMedical(const common::CsvRecord& rec) const {
  ParsedRow p;
  v1::Resource& r = p.resource;
  const std::string& name = *Get(rec, "name");
  const std::string n = common::NormalizeForSearch(name);
  bool clinic = n.find("診療所") != std::string::npos ||
                n.find("クリニック") != std::string::npos || n.find("医院") != std::string::npos;
  bool hospital = n.find("病院") != std::string::npos;
  r.set_kind(hospital && !clinic ? v1::RESOURCE_KIND_HOSPITAL : v1::RESOURCE_KIND_CLINIC);
  r.set_name(name);
  r.set_address(*Get(rec, "address"));
  r.set_municipality_code(*Get(rec, "municipality_code_derived"));
  SetOfficeLocation(&r);
  const std::string code(common::TrimSpaces(*Get(rec, "medical_institution_code_10")));
  if (code.empty()) {
    p.errors.push_back(MakeError(rec.line, "medical_institution_code_10",
                                 v1::ROW_ERROR_REASON_BAD_VALUE,
                                 "医療機関コードがありません / institution code missing"));
  }
  r.mutable_source()->set_system("kouseikyoku");
  r.mutable_source()->set_source_id(code);
  AddCapabilities(CapabilitiesInferredFromName(name), v1::CAPABILITY_SOURCE_NAME, &r);
  return p;
}

ParsedRow RowParser::ParseProject(const common::CsvRecord& rec) const {
  ParsedRow p;
  v1::Resource& r = p.resource;
  auto text = [&](const char* col) -> std::string {
    const std::string* v = Get(rec, col);
    return v ? *v : std::string();
  };
  auto bad = [&](const char* col, std::string msg) {
    p.errors.push_back(MakeError(rec.line, col, v1::ROW_ERROR_REASON_BAD_VALUE, std::move(msg)));
  };
  r.set_id(text("id"));
  std::string kind = text("kind");
  if (auto k = KindFromCode(kind)) {
    r.set_kind(*k);
  } else {
    p.errors.push_back(MakeError(rec.line, "kind", v1::ROW_ERROR_REASON_UNKNOWN_KIND,
                                 "未定義の種別です: " + kind + " / unknown kind"));
  }
  r.set_name(text("name"));
  r.set_name_kana(text("name_kana"));
  r.set_address(text("address"));
  r.set_municipality_code(text("municipality_code"));
  const std::string lat = text("latitude"), lon = text("longitude");
  if (auto err = ReadCoordinates(&lat, &lon, "latitude", rec.line, &r)) p.errors.push_back(*err);
  std::string precision = text("location_precision");
  if (precision == "municipality_office") {
    r.set_location_precision(v1::LOCATION_PRECISION_MUNICIPALITY_OFFICE);
  } else if (!precision.empty() && precision != "exact") {
    bad("location_precision", "exact か municipality_office です / exact or municipality_office");
  }
  for (auto& code : SplitSpaces(text("service_area"))) r.add_service_area(code);
  for (auto& code : SplitSpaces(text("capabilities"))) r.add_capabilities(code);
  std::string accepting = text("accepting_new_patients");
  if (accepting == "accepting") {
    r.set_accepting_new_patients(v1::ACCEPTANCE_ACCEPTING);
  } else if (accepting == "not_accepting") {
    r.set_accepting_new_patients(v1::ACCEPTANCE_NOT_ACCEPTING);
  } else if (!accepting.empty()) {
    bad("accepting_new_patients", "accepting か not_accepting です / accepting or not_accepting");
  }
  std::string capacity = text("capacity");
  int64_t cap = 0;
  if (!capacity.empty()) {
    if (ParseInt(capacity, &cap) && cap >= 0 && cap <= INT32_MAX) {
      r.set_capacity(static_cast<int32_t>(cap));
    } else {
      bad("capacity", "定員が整数ではありません / capacity is not an integer");
    }
  }
  r.mutable_contact()->set_phone(text("phone"));
  r.mutable_contact()->set_fax(text("fax"));
  r.mutable_contact()->set_url(text("url"));
  r.mutable_contact()->set_email(text("email"));
  r.set_corporation_name(text("corporation_name"));
  r.mutable_source()->set_system(text("source_system"));
  r.mutable_source()->set_source_id(text("source_id"));
  std::string verified = text("last_verified");
  if (!verified.empty() && !ParseDate(verified, r.mutable_source()->mutable_last_verified())) {
    bad("last_verified", "日付は YYYY-MM-DD です / date must be YYYY-MM-DD");
  }
  r.set_note(text("note"));
  // Capabilities the file names without a source are the file's own (a curated list), as of its
  // last_verified date.
  std::map<std::string, v1::CapabilityProvenance> sources;
  for (const auto& item : SplitSpaces(text("capability_sources"))) {
    v1::CapabilityProvenance e;
    size_t eq = item.find('='), at = item.find('@');
    std::string code = item.substr(0, eq);
    std::string source =
        eq == std::string::npos
            ? ""
            : item.substr(eq + 1, at == std::string::npos ? std::string::npos : at - eq - 1);
    bool known = false;
    for (const auto& [value, name] : kSourceCodes) {
      if (source == name) {
        e.set_source(value);
        known = true;
      }
    }
    if (!known || (at != std::string::npos && !ParseDate(item.substr(at + 1), e.mutable_as_of()))) {
      bad("capability_sources",
          "対応内容の出典は 対応内容=出典[@YYYY-MM-DD] です (出典: kind, name, survey, "
          "coordinator, curated_file, unrecorded): " +
              item);
      continue;
    }
    e.set_capability(code);
    sources[code] = std::move(e);
  }
  for (const auto& code : r.capabilities()) {
    auto* e = r.add_capability_provenance();
    if (auto it = sources.find(code); it != sources.end()) {
      *e = it->second;
    } else {
      e->set_capability(code);
      e->set_source(v1::CAPABILITY_SOURCE_CURATED_FILE);
      if (r.source().last_verified().year() != 0) *e->mutable_as_of() = r.source().last_verified();
    }
  }
  r.set_hours(text("hours"));
  auto* liaison = r.mutable_liaison();
  liaison->set_department(text("liaison_department"));
  liaison->set_phone(text("liaison_phone"));
  liaison->set_fax(text("liaison_fax"));
  liaison->set_email(text("liaison_email"));
  std::string internal = text("liaison_internal");
  if (internal == "true") {
    liaison->set_internal(true);
  } else if (!internal.empty() && internal != "false") {
    bad("liaison_internal", "true か false です / true or false");
  }
  return p;
}

namespace {

std::string CapabilitySourcesText(const v1::Resource& r) {
  std::string out;
  for (const auto& e : r.capability_provenance()) {
    const char* name = "unrecorded";
    for (const auto& [value, n] : kSourceCodes) {
      if (value == e.source()) name = n;
    }
    if (!out.empty()) out += ' ';
    out += e.capability() + "=" + name;
    if (e.as_of().year() != 0) out += "@" + DateString(e.as_of());
  }
  return out;
}

}  // namespace

std::vector<std::string> ProjectCsvHeader() {
  return std::vector<std::string>(std::begin(kProjectColumns), std::end(kProjectColumns));
}

std::vector<std::string> ProjectCsvRow(const v1::Resource& r) {
  std::string precision;
  if (r.location_precision() == v1::LOCATION_PRECISION_EXACT) precision = "exact";
  if (r.location_precision() == v1::LOCATION_PRECISION_MUNICIPALITY_OFFICE) {
    precision = "municipality_office";
  }
  std::string accepting;
  if (r.accepting_new_patients() == v1::ACCEPTANCE_ACCEPTING) accepting = "accepting";
  if (r.accepting_new_patients() == v1::ACCEPTANCE_NOT_ACCEPTING) accepting = "not_accepting";
  bool loc = r.has_location() && r.location_precision() != v1::LOCATION_PRECISION_UNSPECIFIED;
  std::string updated;
  if (r.has_updated_at()) {
    time_t secs = r.updated_at().seconds();
    std::tm tm;
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    updated = buf;
  }
  return {r.id(),
          KindCode(r.kind()),
          r.name(),
          r.name_kana(),
          r.address(),
          r.municipality_code(),
          loc ? FormatDouble(r.location().latitude()) : "",
          loc ? FormatDouble(r.location().longitude()) : "",
          precision,
          Join(r.service_area()),
          Join(r.capabilities()),
          accepting,
          r.capacity() ? std::to_string(r.capacity()) : "",
          r.contact().phone(),
          r.contact().fax(),
          r.contact().url(),
          r.contact().email(),
          r.corporation_name(),
          r.source().system(),
          r.source().source_id(),
          DateString(r.source().last_verified()),
          r.note(),
          std::to_string(r.version()),
          updated,
          CapabilitySourcesText(r),
          r.hours(),
          r.liaison().department(),
          r.liaison().phone(),
          r.liaison().fax(),
          r.liaison().email(),
          r.liaison().internal() ? "true" : ""};
}

}  // namespace renkei::directory
