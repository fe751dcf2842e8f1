// The CSV formats the directory reads, and the project format it writes.
//
//   PROJECT_CSV                 our own (ExportResources writes it; import reads it back unchanged)
//   MHLW_KAIGO_OPEN_DATA        介護サービス情報公表システム open data, Japanese headers
//   VISITING_NURSING_STATIONS   office_number,name,address,lat,lon,prefecture_code,...
//   MEDICAL_INSTITUTION_CODES   medical_institution_code_10,...,name,postal_code,address,...
//
// A RowParser turns one record into a Resource (with its source id) or row errors; the caller then
// applies the same canonical form and validation as an RPC upsert.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/csv.h"
#include "renkei/v1/directory.pb.h"

namespace renkei::directory {

// The format a header row announces; nullopt when none matches.
std::optional<v1::ImportFormat> DetectFormat(const std::vector<std::string>& header);
std::string FormatName(v1::ImportFormat format);

struct ParsedRow {
  v1::Resource resource;
  std::vector<v1::RowError> errors;  // when not empty, the row is rejected
};

class RowParser {
 public:
  // INVALID_ARGUMENT naming the missing columns when the header does not fit the format.
  static absl::StatusOr<RowParser> ForHeader(v1::ImportFormat format,
                                             const std::vector<std::string>& header);
  ParsedRow Parse(const common::CsvRecord& record) const;
  v1::ImportFormat format() const { return format_; }
  // The column a resource field came from (for error messages), e.g. "municipality_code" ->
  // "都道府県コード又は市町村コード".
  std::string ColumnFor(const std::string& field) const;

 private:
  RowParser() = default;
  const std::string* Get(const common::CsvRecord& r, const char* column) const;
  ParsedRow ParseProject(const common::CsvRecord& r) const;
  ParsedRow ParseMhlw(const common::CsvRecord& r) const;
  ParsedRow ParseNursing(const common::CsvRecord& r) const;
  ParsedRow ParseMedical(const common::CsvRecord& r) const;

  v1::ImportFormat format_ = v1::IMPORT_FORMAT_UNSPECIFIED;
  std::map<std::string, size_t> columns_;
  size_t width_ = 0;
};

// The project format.
std::vector<std::string> ProjectCsvHeader();
std::vector<std::string> ProjectCsvRow(const v1::Resource& r);

// Shortest text that parses back to the same double.
std::string FormatDouble(double v);

}  // namespace renkei::directory
