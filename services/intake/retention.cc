#include "retention.h"

#include "renkei/common/log.h"

namespace renkei::intake {

RetentionSweeper::RetentionSweeper(Intake* intake, uint32_t retention_days,
                                   std::chrono::milliseconds period)
    : intake_(intake), retention_days_(retention_days), period_(period) {}

RetentionSweeper::~RetentionSweeper() { Stop(); }

void RetentionSweeper::Start() {
  thread_ = std::thread([this] { Run(); });
}

void RetentionSweeper::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int RetentionSweeper::sweeps() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sweeps_;
}

void RetentionSweeper::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    auto erased = intake_->ErasePersonalData(retention_days_);
    if (erased.ok()) {
      common::LogLine(common::LogLevel::kInfo, "retention sweep")
          .Field("erased", *erased)
          .Field("retention_days", static_cast<int64_t>(retention_days_));
    } else {
      // Retried at the next period; the error names ids and keys, never personal data.
      common::LogLine(common::LogLevel::kError, "retention sweep failed")
          .Field("error", erased.status().ToString());
    }
    lock.lock();
    ++sweeps_;
    cv_.wait_for(lock, period_, [this] { return stop_; });
  }
}

}  // namespace renkei::intake
