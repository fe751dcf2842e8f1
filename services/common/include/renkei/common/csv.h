// CSV (RFC 4180) reading and writing.
//
// CsvReader is incremental: feed bytes as they arrive (e.g. from a gRPC stream) and take complete
// records out. Quoted fields may contain commas, quotes ("") and line breaks; each record knows
// the physical line it starts on, for error messages. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace renkei::common {

struct CsvRecord {
  std::vector<std::string> fields;
  int64_t line = 0;        // physical line (1-based) where the record starts
  bool malformed = false;  // e.g. a quote left open at end of input
};

class CsvReader {
 public:
  void Feed(std::string_view bytes);
  // No more input will come: a last record without a line break becomes available.
  void Finish() { finished_ = true; }
  // Takes the next complete record; false when none is complete yet (or input is exhausted).
  bool Next(CsvRecord* record);
  // Bytes fed but not yet returned as records.
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  std::string buf_;
  size_t pos_ = 0;
  int64_t line_ = 1;
  bool finished_ = false;
};

// Appends one row with \r\n (Excel's convention); fields are quoted only when needed.
void AppendCsvRow(const std::vector<std::string>& fields, std::string* out);

// Removes a UTF-8 byte order mark at the start, if any; returns whether there was one.
bool StripUtf8Bom(std::string_view* s);

}  // namespace renkei::common
