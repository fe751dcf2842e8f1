// Prometheus metrics for one service process, served over HTTP at /metrics.
//
// Every service gets: renkei_rpc_requests_total{method,code}, renkei_rpc_latency_seconds{method},
// renkei_outbox_events_published_total, renkei_outbox_pending, renkei_outbox_retained,
// renkei_events_consumed_total{consumer,result}, renkei_request_replays_total (commands answered
// from their request id's record), renkei_stream_history_gap (events the service published that
// the stream no longer holds, gaps not yet accepted; docs/operations.md) and
// renkei_store_writable (0 while the store refuses writes after an I/O error, e.g. a full disk).
// Services register their own on registry().
// Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace prometheus {
class Registry;
class Exposer;
}  // namespace prometheus

namespace renkei::common {

class Metrics {
 public:
  explicit Metrics(std::string_view service);
  ~Metrics();

  // Serves /metrics on `address` ("127.0.0.1:9101"); UNAVAILABLE when the port is taken.
  absl::Status Serve(const std::string& address);

  void ObserveRpc(std::string_view method, int code, double seconds);
  void AddEventsPublished(int n);
  void SetOutboxDepth(int64_t pending, int64_t retained);
  void CountConsumed(std::string_view consumer, std::string_view result);
  void CountRequestReplay();
  void SetStreamHistoryGap(uint64_t events_lost);
  void SetStoreWritable(bool writable);
  // A gauge of the service's own, registered on first use (e.g. renkei_derived_differences).
  void SetGauge(const std::string& name, const std::string& help, double value);

  prometheus::Registry& registry();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace renkei::common
