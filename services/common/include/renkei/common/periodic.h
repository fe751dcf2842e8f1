// A chore a service runs in the background: once at Start, then every `period`, until the
// object is destroyed (which waits for a run in progress). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace renkei::common {

class PeriodicTask {
 public:
  PeriodicTask(std::function<void()> run, std::chrono::milliseconds period);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start();

 private:
  std::function<void()> run_;
  const std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace renkei::common
