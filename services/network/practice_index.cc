#include "practice_index.h"

#include <algorithm>
#include <mutex>

#include "absl/strings/escaping.h"
#include "network_rules.h"
#include "renkei/common/clock.h"
#include "renkei/common/text.h"
#include "renkei/common/vocabulary.h"

namespace renkei::network {

std::string PracticeIndex::SearchText(const v1::Practice& p) {
  std::string text = p.theme() + "\n" + p.target_state() + "\n" + p.current_state() + "\n" +
                     p.chosen_issue() + "\n" + p.root_cause();
  for (const auto& c : p.causes()) text += "\n" + c.text();
  for (const auto& m : p.countermeasures()) text += "\n" + m.content();
  for (const auto& e : p.expected_changes())
    text += "\n" + e.description() + " " + e.indicator_name();
  for (const auto& t : p.tags()) text += "\n" + t;
  for (const auto& c : p.capabilities()) {
    const common::VocabularyEntry* e = common::FindVocabulary(common::kCapabilitySet, c);
    text += "\n" + c + " " + (e ? e->ja : "");
  }
  return common::NormalizeForSearch(text);
}

PracticeIndex::Order PracticeIndex::OrderOf(const v1::Practice& p) {
  return {!p.featured(), -common::MicrosFromTimestamp(p.updated_at()), p.id()};
}

void PracticeIndex::RemoveLocked(const std::string& id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  ordered_.erase(it->second.order);
  by_id_.erase(it);
}

void PracticeIndex::Put(const v1::Practice& practice) {
  Entry e{practice,
          SearchText(practice),
          {},
          PrefectureOf(practice.jurisdiction_code()),
          OrderOf(practice)};
  for (const auto& t : practice.tags()) e.tags.push_back(common::NormalizeForSearch(t));
  std::unique_lock lock(mu_);
  RemoveLocked(practice.id());
  auto [it, added] = by_id_.emplace(practice.id(), std::move(e));
  ordered_.emplace(it->second.order, &it->second);
}

void PracticeIndex::Remove(const std::string& id) {
  std::unique_lock lock(mu_);
  RemoveLocked(id);
}

size_t PracticeIndex::size() const {
  std::shared_lock lock(mu_);
  return by_id_.size();
}

std::optional<v1::Practice> PracticeIndex::FindByIssue(const std::string& home_instance,
                                                       const std::string& issue_id) const {
  std::shared_lock lock(mu_);
  for (const auto& [id, e] : by_id_) {
    if (e.practice.issue_id() == issue_id && e.practice.home_instance() == home_instance) {
      return e.practice;
    }
  }
  return std::nullopt;
}

absl::StatusOr<v1::SearchPracticesResponse> PracticeIndex::Search(
    const v1::SearchPracticesRequest& r) const {
  const std::string text = common::NormalizeForSearch(r.text());
  const std::string tag = common::NormalizeForSearch(r.tag());
  const std::string prefecture =
      r.prefecture_code().empty() ? "" : PrefectureOf(r.prefecture_code());
  const int page_size = r.page_size() == 0 ? 20 : r.page_size();
  int64_t skip = 0;
  if (!r.page_token().empty()) {
    std::string raw;
    if (absl::WebSafeBase64Unescape(r.page_token(), &raw)) skip = std::atoll(raw.c_str());
  }
  v1::SearchPracticesResponse out;
  int64_t matched = 0;
  std::shared_lock lock(mu_);
  for (const auto& [order, entry] : ordered_) {
    const Entry& e = *entry;
    const v1::Practice& p = e.practice;
    if (r.featured_only() && !p.featured()) continue;
    if (r.min_step() > 0 && p.step_reached() < r.min_step()) continue;
    if (!prefecture.empty() && e.prefecture != prefecture) continue;
    if (!r.capability().empty() && std::find(p.capabilities().begin(), p.capabilities().end(),
                                             r.capability()) == p.capabilities().end()) {
      continue;
    }
    if (!tag.empty() && std::find(e.tags.begin(), e.tags.end(), tag) == e.tags.end()) continue;
    if (!text.empty() && e.text.find(text) == std::string::npos) continue;
    if (matched >= skip && out.practices_size() < page_size) *out.add_practices() = p;
    ++matched;
  }
  out.set_total(static_cast<int32_t>(matched));
  if (skip + out.practices_size() < matched) {
    out.set_next_page_token(absl::WebSafeBase64Escape(std::to_string(skip + out.practices_size())));
  }
  return out;
}

}  // namespace renkei::network
