// Striped locks: serialize read-check-write sequences per aggregate id without a lock per id.
// Two ids may share a stripe (harmless: they just wait for each other).
#pragma once

#include <algorithm>
#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace renkei::common {

class StripedLocks {
 public:
  static constexpr size_t kStripes = 256;

  // Locks the stripes of all keys (in stripe order, so concurrent callers never deadlock).
  class Guard {
   public:
    Guard(StripedLocks* locks, std::vector<size_t> stripes)
        : locks_(locks), stripes_(std::move(stripes)) {
      for (size_t s : stripes_) locks_->mu_[s].lock();
    }
    ~Guard() {
      for (auto it = stripes_.rbegin(); it != stripes_.rend(); ++it) locks_->mu_[*it].unlock();
    }
    Guard(const Guard&) = delete;

   private:
    StripedLocks* locks_;
    std::vector<size_t> stripes_;
  };

  Guard Lock(std::string_view key) { return Guard(this, {Stripe(key)}); }
  // The same, held by whoever keeps the pointer (e.g. a CommandBatch until it is committed).
  std::shared_ptr<Guard> LockShared(std::string_view key) {
    return std::make_shared<Guard>(this, std::vector<size_t>{Stripe(key)});
  }

  template <typename Keys>
  Guard LockAll(const Keys& keys) {
    std::vector<size_t> stripes;
    stripes.reserve(keys.size());
    for (const auto& k : keys) stripes.push_back(Stripe(k));
    std::sort(stripes.begin(), stripes.end());
    stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
    return Guard(this, std::move(stripes));
  }

 private:
  static size_t Stripe(std::string_view key) {
    return std::hash<std::string_view>()(key) % kStripes;
  }
  std::array<std::mutex, kStripes> mu_;
};

}  // namespace renkei::common
