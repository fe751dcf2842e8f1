#include "renkei/common/periodic.h"

#include <utility>

namespace renkei::common {

PeriodicTask::PeriodicTask(std::function<void()> run, std::chrono::milliseconds period)
    : run_(std::move(run)), period_(period) {}

PeriodicTask::~PeriodicTask() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicTask::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      lock.unlock();
      run_();
      lock.lock();
      cv_.wait_for(lock, period_, [this] { return stop_; });
    }
  });
}

}  // namespace renkei::common
