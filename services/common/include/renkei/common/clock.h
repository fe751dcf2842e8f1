// Time source injected into domain code so tests control time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "google/protobuf/timestamp.pb.h"

namespace renkei::common {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, microseconds since the Unix epoch. Thread-safe.
  virtual int64_t NowMicros() const = 0;

  int64_t NowMillis() const { return NowMicros() / 1000; }
  google::protobuf::Timestamp NowTimestamp() const;
};

// The real clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override;
  static SystemClock* Get();
};

// A clock tests set and advance. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_micros = 1767225600000000 /* 2026-01-01T00:00:00Z */)
      : now_(now_micros) {}
  int64_t NowMicros() const override { return now_.load(); }
  void AdvanceMicros(int64_t d) { now_.fetch_add(d); }
  void SetMicros(int64_t t) { now_.store(t); }

 private:
  std::atomic<int64_t> now_;
};

google::protobuf::Timestamp TimestampFromMicros(int64_t micros);
int64_t MicrosFromTimestamp(const google::protobuf::Timestamp& ts);

}  // namespace renkei::common
