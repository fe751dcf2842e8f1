// The practice library's search index: every practice this instance holds, in memory, in the
// order a search answers (featured first, then the most recently updated), with the normalized
// text a query matches. Built from the store at start (Network::Load) and changed after each
// commit. Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/v1/network.pb.h"

namespace renkei::network {

class PracticeIndex {
 public:
  // Adds the practice or replaces its earlier version.
  void Put(const v1::Practice& practice);
  void Remove(const std::string& id);
  size_t size() const;
  // The practice `home_instance` published for `issue_id`, if any (a scan in memory).
  std::optional<v1::Practice> FindByIssue(const std::string& home_instance,
                                          const std::string& issue_id) const;

  // The request is validated by the caller (page size 1..100, codes).
  absl::StatusOr<v1::SearchPracticesResponse> Search(const v1::SearchPracticesRequest& r) const;

  // What a query's text is matched against: theme, states, issue, causes, countermeasures, tags
  // and capability labels, normalized (common::NormalizeForSearch).
  static std::string SearchText(const v1::Practice& practice);

 private:
  // Featured first, then newest update, then id.
  using Order = std::tuple<bool, int64_t, std::string>;
  static Order OrderOf(const v1::Practice& practice);
  // A practice with what a query compares, prepared once.
  struct Entry {
    v1::Practice practice;
    std::string text;               // SearchText
    std::vector<std::string> tags;  // normalized
    std::string prefecture;         // "13"
    Order order;
  };
  void RemoveLocked(const std::string& id);

  mutable std::shared_mutex mu_;
  std::map<std::string, Entry> by_id_;
  // The search order; the entries are by_id_'s (map nodes do not move).
  std::map<Order, const Entry*> ordered_;
};

}  // namespace renkei::network
