#include "issue_index.h"

#include <algorithm>
#include <functional>
#include <mutex>

#include "absl/strings/escaping.h"
#include "renkei/common/clock.h"
#include "renkei/common/keys.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"

namespace renkei::issues {

uint64_t IssueIndex::TagBit(const std::string& tag) {
  return uint64_t{1} << (std::hash<std::string>()(tag) % 64);
}

IssueIndex::Row IssueIndex::RowOf(uint32_t slot) const {
  const Entry& e = entries_[slot];
  Row r;
  r.newest_first = -common::MicrosFromTimestamp(e.summary.updated_at());
  r.slot = slot;
  r.status = static_cast<uint8_t>(e.summary.status());
  r.step = static_cast<uint8_t>(e.summary.current_step());
  r.scope = static_cast<uint8_t>(e.summary.scope());
  r.tag_mask = 0;
  for (const auto& t : e.theme_tags) r.tag_mask |= TagBit(t);
  return r;
}

bool IssueIndex::Before(const Row& a, const Row& b) const {
  if (a.newest_first != b.newest_first) return a.newest_first < b.newest_first;
  return entries_[a.slot].summary.id() < entries_[b.slot].summary.id();
}

void IssueIndex::Put(const v1::RegionalIssue& issue) {
  Entry entry;
  entry.summary.set_id(issue.id());
  entry.summary.set_municipality_code(issue.municipality_code());
  entry.summary.set_theme(issue.theme());
  entry.summary.set_scope(issue.scope());
  entry.summary.set_status(issue.status());
  entry.summary.set_current_step(issue.current_step());
  entry.summary.set_cycle(issue.cycle());
  entry.summary.set_countermeasures(issue.countermeasures_size());
  entry.summary.set_version(issue.version());
  *entry.summary.mutable_updated_at() = issue.updated_at();
  entry.summary.set_origin_municipality_code(issue.origin_municipality_code());
  entry.normalized_theme = common::NormalizeForSearch(issue.theme());
  entry.theme_tags.assign(issue.theme_tags().begin(), issue.theme_tags().end());

  std::unique_lock lock(mu_);
  auto cmp = [this](const Row& a, const Row& b) { return Before(a, b); };
  uint32_t slot;
  auto it = slots_.find(issue.id());
  if (it != slots_.end()) {
    slot = it->second;
    // A commit that lost the race to the index update of a later version must not roll it back.
    if (entries_[slot].summary.version() > issue.version()) return;
    const Row old = RowOf(slot);
    auto pos = std::lower_bound(rows_.begin(), rows_.end(), old, cmp);
    if (pos != rows_.end() && pos->slot == slot) rows_.erase(pos);
    entries_[slot] = std::move(entry);
  } else {
    slot = static_cast<uint32_t>(entries_.size());
    entries_.push_back(std::move(entry));
    slots_.emplace(issue.id(), slot);
  }
  const Row row = RowOf(slot);
  rows_.insert(std::upper_bound(rows_.begin(), rows_.end(), row, cmp), row);
}

void IssueIndex::Clear() {
  std::unique_lock lock(mu_);
  entries_.clear();
  rows_.clear();
  slots_.clear();
}

size_t IssueIndex::size() const {
  std::shared_lock lock(mu_);
  return rows_.size();
}

absl::StatusOr<v1::ListIssuesResponse> IssueIndex::List(const Query& q) const {
  bool resuming = false;
  int64_t resume_time = 0;
  std::string resume_id;
  if (!q.page_token.empty()) {
    std::string raw;
    bool ok = absl::WebSafeBase64Unescape(q.page_token, &raw);
    if (ok) {
      common::KeyReader reader(raw);
      ok = reader.I64(&resume_time) && reader.Str(&resume_id) && reader.AtEnd();
    }
    if (!ok)
      return common::InvalidField("page_token", "ページトークンが不正です / invalid page token");
    resuming = true;
  }
  const uint64_t tag_bit = q.theme_tag.empty() ? 0 : TagBit(q.theme_tag);
  auto matches = [&](const Row& row) {
    if (q.status != v1::ISSUE_STATUS_UNSPECIFIED && row.status != q.status) return false;
    if (q.step != 0 && row.step != q.step) return false;
    if (q.scope != v1::ISSUE_SCOPE_UNSPECIFIED && row.scope != q.scope) return false;
    if (tag_bit == 0 && q.normalized_text.empty()) return true;
    if (tag_bit != 0 && (row.tag_mask & tag_bit) == 0) return false;
    const Entry& e = entries_[row.slot];
    if (tag_bit != 0 &&
        std::find(e.theme_tags.begin(), e.theme_tags.end(), q.theme_tag) == e.theme_tags.end()) {
      return false;
    }
    return q.normalized_text.empty() ||
           e.normalized_theme.find(q.normalized_text) != std::string::npos;
  };
  v1::ListIssuesResponse out;
  int total = 0;
  bool more = false;
  const Row* last = nullptr;
  std::shared_lock lock(mu_);
  for (const Row& row : rows_) {
    if (!matches(row)) continue;
    ++total;
    if (resuming &&
        (row.newest_first < resume_time ||
         (row.newest_first == resume_time && entries_[row.slot].summary.id() <= resume_id))) {
      continue;
    }
    if (out.issues_size() < q.limit) {
      *out.add_issues() = entries_[row.slot].summary;
      last = &row;
    } else {
      more = true;
    }
  }
  out.set_total(total);
  if (more) {
    out.set_next_page_token(absl::WebSafeBase64Escape(common::KeyBuilder()
                                                          .I64(last->newest_first)
                                                          .Str(entries_[last->slot].summary.id())
                                                          .Release()));
  }
  return out;
}

}  // namespace renkei::issues
