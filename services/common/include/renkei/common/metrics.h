// Prometheus metrics for one service process, served over HTTP at /metrics.
//
// Every service gets: renkei_rpc_requests_total{method,code}, renkei_rpc_latency_seconds{method},
// renkei_outbox_events_published_total, renkei_outbox_pending, renkei_outbox_retained,
// renkei_events_consumed_total{consumer,result}. Services register their own on registry().
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

  prometheus::Registry& registry();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace renkei::common
