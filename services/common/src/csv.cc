#include "renkei/common/csv.h"

namespace renkei::common {

void CsvReader::Feed(std::string_view bytes) {
  // Drop consumed bytes now and then so the buffer does not grow with the whole input.
  if (pos_ > (1u << 20) && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes.data(), bytes.size());
}

bool CsvReader::Next(CsvRecord* record) {
  if (pos_ >= buf_.size()) return false;
  std::vector<std::string> fields;
  std::string field;
  bool in_quotes = false;
  bool field_was_quoted = false;
  int64_t newlines = 0;
  size_t i = pos_;
  const size_t n = buf_.size();
  while (i < n) {
    char c = buf_[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < n && buf_[i + 1] == '"') {
          field.push_back('"');
          i += 2;
          continue;
        }
        if (i + 1 >= n && !finished_) return false;  // need to see the next byte
        in_quotes = false;
        ++i;
        continue;
      }
      if (c == '\n') ++newlines;
      field.push_back(c);
      ++i;
      continue;
    }
    if (c == '"' && field.empty() && !field_was_quoted) {
      in_quotes = true;
      field_was_quoted = true;
      ++i;
      continue;
    }
    if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      field_was_quoted = false;
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      size_t end = i + 1;
      if (c == '\r') {
        if (end >= n && !finished_) return false;  // maybe \r\n split across feeds
        if (end < n && buf_[end] == '\n') ++end;
      }
      fields.push_back(std::move(field));
      record->fields = std::move(fields);
      record->line = line_;
      record->malformed = false;
      line_ += newlines + 1;
      pos_ = end;
      return true;
    }
    field.push_back(c);
    ++i;
  }
  if (!finished_) return false;
  // End of input without a line break.
  fields.push_back(std::move(field));
  record->fields = std::move(fields);
  record->line = line_;
  record->malformed = in_quotes;
  line_ += newlines;
  pos_ = n;
  return true;
}

void AppendCsvRow(const std::vector<std::string>& fields, std::string* out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out->push_back(',');
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      out->append(f);
      continue;
    }
    out->push_back('"');
    for (char c : f) {
      if (c == '"') out->push_back('"');
      out->push_back(c);
    }
    out->push_back('"');
  }
  out->append("\r\n");
}

bool StripUtf8Bom(std::string_view* s) {
  if (s->size() >= 3 && (*s)[0] == '\xEF' && (*s)[1] == '\xBB' && (*s)[2] == '\xBF') {
    s->remove_prefix(3);
    return true;
  }
  return false;
}

}  // namespace renkei::common
