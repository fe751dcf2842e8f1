// Runs intake's retention (Intake::ErasePersonalData) at start-up and then every `period` in a
// background thread, logging how many consultations it erased (never what). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "intake.h"

namespace renkei::intake {

class RetentionSweeper {
 public:
  // `intake` must outlive the sweeper; retention_days > 0.
  RetentionSweeper(Intake* intake, uint32_t retention_days, std::chrono::milliseconds period);
  ~RetentionSweeper();  // stops

  void Start();
  // Waits for a running sweep to finish its batch and returns; idempotent.
  void Stop();
  // Sweeps completed so far (each logged).
  int sweeps() const;

 private:
  void Run();

  Intake* intake_;
  const uint32_t retention_days_;
  const std::chrono::milliseconds period_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  int sweeps_ = 0;
  std::thread thread_;
};

}  // namespace renkei::intake
