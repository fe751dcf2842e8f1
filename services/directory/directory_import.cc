// The directory: import sessions (a file of resources, streamed in chunks, committed in batches).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>

#include "absl/strings/escaping.h"
#include "directory.h"
#include "directory_parts.h"
#include "renkei/common/encoding.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/log.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/table.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "resource_rules.h"

namespace renkei::directory {

// ---- ImportSession ----

ImportSession::ImportSession(Directory* directory, v1::ImportOptions options)
    : directory_(directory), options_(std::move(options)) {
  summary_.set_format(options_.format());
}

void ImportSession::ReportProgress() {
  if (progress_) progress_(progress_state_);
  last_progress_rows_ = progress_state_.rows_read();
}

void ImportSession::Reject(v1::RowError error) {
  summary_.set_rejected(summary_.rejected() + 1);
  if (static_cast<size_t>(summary_.errors_size()) < directory_->options_.max_reported_errors) {
    *summary_.add_errors() = std::move(error);
  }
}

absl::Status ImportSession::Feed(std::string_view bytes) {
  progress_state_.set_bytes_received(progress_state_.bytes_received() +
                                     static_cast<int64_t>(bytes.size()));
  raw_tail_.append(bytes.data(), bytes.size());
  return Decode(/*last=*/false);
}

absl::Status ImportSession::DecideEncoding(bool last, bool* decided) {
  *decided = false;
  if (!bom_checked_) {
    if (raw_tail_.size() < 3 && !last) return absl::OkStatus();
    bom_checked_ = true;
    std::string_view head = raw_tail_;
    if (common::StripUtf8Bom(&head)) {
      raw_tail_.erase(0, 3);
      if (options_.encoding() != v1::TEXT_ENCODING_SHIFT_JIS) {
        shift_jis_ = false;
        *decided = true;
        return absl::OkStatus();
      }
    }
  }
  if (options_.encoding() != v1::TEXT_ENCODING_UNSPECIFIED) {
    shift_jis_ = options_.encoding() == v1::TEXT_ENCODING_SHIFT_JIS;
    *decided = true;
    return absl::OkStatus();
  }
  // ASCII reads the same in both encodings: pass it on and decide at the first byte above 0x7F,
  // from a sample long enough to tell (1 KiB, or what is left of the file).
  size_t first = 0;
  while (first < raw_tail_.size() && static_cast<unsigned char>(raw_tail_[first]) < 0x80) ++first;
  if (first == raw_tail_.size() && !last) {
    RETURN_IF_ERROR(FeedDecoded(raw_tail_, false));
    raw_tail_.clear();
    return absl::OkStatus();
  }
  if (!last && raw_tail_.size() - first < 1024) {
    RETURN_IF_ERROR(FeedDecoded(std::string_view(raw_tail_).substr(0, first), false));
    raw_tail_.erase(0, first);
    return absl::OkStatus();
  }
  std::string_view sample = std::string_view(raw_tail_).substr(first, 1024);
  if (!last || sample.size() == 1024) sample = sample.substr(0, common::Utf8CompletePrefix(sample));
  shift_jis_ = !common::IsValidUtf8(sample);
  *decided = true;
  return absl::OkStatus();
}

absl::Status ImportSession::Decode(bool last) {
  if (!encoding_decided_) {
    bool decided = false;
    RETURN_IF_ERROR(DecideEncoding(last, &decided));
    if (!decided) return last ? FeedDecoded("", true) : absl::OkStatus();
    encoding_decided_ = true;
    summary_.set_encoding(shift_jis_ ? v1::TEXT_ENCODING_SHIFT_JIS : v1::TEXT_ENCODING_UTF8);
  }
  if (!shift_jis_) {
    RETURN_IF_ERROR(FeedDecoded(raw_tail_, last));
    raw_tail_.clear();
    return absl::OkStatus();
  }
  size_t complete = common::ShiftJisCompletePrefix(raw_tail_);
  if (last && complete != raw_tail_.size()) {
    return common::InvalidField(
        "options.encoding",
        "ファイル末尾の文字が途中で切れています / truncated Shift_JIS character at end");
  }
  auto utf8 = common::ShiftJisToUtf8(std::string_view(raw_tail_).substr(0, complete));
  if (!utf8.ok()) {
    return common::InvalidField("options.encoding", std::string(utf8.status().message()));
  }
  raw_tail_.erase(0, complete);
  return FeedDecoded(*utf8, last);
}

absl::Status ImportSession::FeedDecoded(std::string_view utf8, bool last) {
  reader_.Feed(utf8);
  if (last) reader_.Finish();
  return TakeRecords();
}

absl::Status ImportSession::TakeRecords() {
  common::CsvRecord rec;
  while (reader_.Next(&rec)) {
    RETURN_IF_ERROR(HandleRecord(rec));
  }
  return absl::OkStatus();
}

absl::Status ImportSession::HandleRecord(const common::CsvRecord& rec) {
  if (!parser_) {
    v1::ImportFormat format = options_.format();
    if (format == v1::IMPORT_FORMAT_UNSPECIFIED) {
      auto detected = DetectFormat(rec.fields);
      if (!detected) {
        return common::InvalidField("options.format",
                                    "ヘッダー行から形式を判別できません / cannot detect the format "
                                    "from the header row");
      }
      format = *detected;
    }
    auto parser = RowParser::ForHeader(format, rec.fields);
    if (!parser.ok())
      return common::InvalidField("options.format", std::string(parser.status().message()));
    parser_ = std::move(*parser);
    summary_.set_format(format);
    return absl::OkStatus();
  }
  // Blank lines are not rows.
  if (rec.fields.size() == 1 && common::TrimSpaces(rec.fields[0]).empty()) return absl::OkStatus();
  progress_state_.set_rows_read(progress_state_.rows_read() + 1);
  summary_.set_rows_total(summary_.rows_total() + 1);
  if (static_cast<size_t>(summary_.rows_total()) > directory_->options_.max_import_rows) {
    return absl::ResourceExhaustedError(
        "1ファイルの行数が上限を超えました / too many rows (limit " +
        std::to_string(directory_->options_.max_import_rows) + ")");
  }
  ParsedRow parsed = parser_->Parse(rec);
  if (parsed.errors.empty()) {
    Canonicalize(&parsed.resource);
    FieldViolations v;
    ValidateResource(parsed.resource, *directory_->vocabulary_, "", &v);
    for (const auto& [field, description] : v.violations()) {
      parsed.errors.push_back(RowErrorFor(*parser_, rec.line, field, description));
    }
  }
  if (parsed.errors.empty() && options_.only_municipalities_size() > 0 &&
      std::find(options_.only_municipalities().begin(), options_.only_municipalities().end(),
                parsed.resource.municipality_code()) == options_.only_municipalities().end()) {
    summary_.set_skipped(summary_.skipped() + 1);
    return absl::OkStatus();
  }
  if (parsed.errors.empty()) {
    std::string key = SourceKey(parsed.resource);
    if (key.empty()) key = parsed.resource.id();
    if (!key.empty() && !seen_keys_.insert(key).second) {
      v1::RowError e;
      e.set_line(rec.line);
      e.set_reason(v1::ROW_ERROR_REASON_DUPLICATE_IN_FILE);
      e.set_message("同じ事業所がファイル内で重複しています: " + key + " / duplicate in file");
      parsed.errors.push_back(e);
    }
  }
  if (!parsed.errors.empty()) {
    // One error per row is reported (the first), so the count of errors equals rejected rows.
    Reject(parsed.errors.front());
  } else {
    pending_.push_back({rec.line, std::move(parsed.resource)});
  }
  if (options_.allow_partial() && !options_.dry_run() &&
      static_cast<int>(pending_.size()) >= directory_->options_.import_batch_rows) {
    RETURN_IF_ERROR(CommitPending());
  } else if (progress_state_.rows_read() - last_progress_rows_ >= 10000) {
    ReportProgress();
  }
  return absl::OkStatus();
}

absl::Status ImportSession::CommitPending() {
  if (pending_.empty()) return absl::OkStatus();
  const int64_t last_line = pending_.back().line;
  const size_t n = pending_.size();
  ASSIGN_OR_RETURN(auto result, directory_->ApplyImported(std::move(pending_)));
  pending_.clear();
  summary_.set_inserted(summary_.inserted() + result.inserted);
  summary_.set_updated(summary_.updated() + result.updated);
  summary_.set_unchanged(summary_.unchanged() + result.unchanged);
  for (auto& e : result.errors) Reject(std::move(e));
  progress_state_.set_rows_committed(progress_state_.rows_committed() +
                                     static_cast<int64_t>(n - result.errors.size()));
  progress_state_.set_committed_through_line(last_line);
  summary_.set_committed(true);
  ReportProgress();
  return absl::OkStatus();
}

absl::StatusOr<v1::ImportSummary> ImportSession::Finish() {
  RETURN_IF_ERROR(Decode(/*last=*/true));
  if (!parser_) {
    return common::InvalidField("file", "ファイルが空です / the file has no header row");
  }
  if (options_.dry_run()) {
    summary_.set_committed(false);
    pending_.clear();
    return summary_;
  }
  if (!options_.allow_partial() && summary_.rejected() > 0) {
    summary_.set_committed(false);
    pending_.clear();
    return summary_;
  }
  // Strict mode commits only now, in batches; partial mode commits the rest.
  std::vector<Directory::ImportRow> all = std::move(pending_);
  pending_.clear();
  const size_t batch = static_cast<size_t>(directory_->options_.import_batch_rows);
  for (size_t i = 0; i < all.size(); i += batch) {
    for (size_t j = i; j < std::min(all.size(), i + batch); ++j)
      pending_.push_back(std::move(all[j]));
    RETURN_IF_ERROR(CommitPending());
  }
  // Valid rows (possibly none) are written: with allow_partial always, otherwise only because no
  // row was bad.
  summary_.set_committed(true);
  return summary_;
}

}  // namespace renkei::directory
