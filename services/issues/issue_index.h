// The in-memory index that answers ListIssues: one summary per issue, ordered most recently
// updated first, filtered by status, step, scope, theme tag and text in the theme.
//
// Filters run over a contiguous array of small rows (time, status, step, scope, a 64-bit mask of
// the theme tags' hashes), so a full scan of 10,000 issues for the total touches ~300 KB; only
// rows passing those filters look at their summary (exact tag, text). Thread-safe: lists share a
// lock, updates take it exclusively.
#pragma once

#include <cstdint>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/v1/issues.pb.h"

namespace renkei::issues {

class IssueIndex {
 public:
  // Adds or replaces the issue's summary (an older version than the one held is ignored).
  void Put(const v1::RegionalIssue& issue);
  void Clear();

  struct Query {
    v1::IssueStatus status = v1::ISSUE_STATUS_UNSPECIFIED;
    int step = 0;
    v1::IssueScope scope = v1::ISSUE_SCOPE_UNSPECIFIED;
    std::string theme_tag;        // exact, already normalized
    std::string normalized_text;  // NormalizeForSearch of the text, searched in the theme
    int limit = 50;
    std::string page_token;  // from a previous page
  };
  // INVALID_ARGUMENT naming "page_token" when the token is not one this index gave.
  absl::StatusOr<v1::ListIssuesResponse> List(const Query& query) const;
  size_t size() const;

 private:
  struct Row {
    int64_t newest_first;  // -updated micros
    uint32_t slot;         // in entries_
    uint8_t status, step, scope;
    uint64_t tag_mask;
  };
  struct Entry {
    v1::IssueSummary summary;
    std::string normalized_theme;
    std::vector<std::string> theme_tags;
  };
  static uint64_t TagBit(const std::string& tag);
  Row RowOf(uint32_t slot) const;
  bool Before(const Row& a, const Row& b) const;

  mutable std::shared_mutex mu_;
  std::vector<Entry> entries_;  // by slot; slots never move
  std::vector<Row> rows_;       // sorted by Before
  std::unordered_map<std::string, uint32_t> slots_;
};

}  // namespace renkei::issues
