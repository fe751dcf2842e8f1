// Prometheus metrics for one service process, served over HTTP at /metrics.
//
// Every service gets: renkei_rpc_requests_total{method,code}, renkei_rpc_latency_seconds{method},
// renkei_outbox_events_published_total, renkei_outbox_records{state="pending"|"retained"},
// renkei_events_consumed_total{consumer,result}, renkei_request_replays_total (commands answered
// from their request id's record), renkei_stream_history_gap (events the service published that
// the stream no longer holds, gaps not yet accepted; docs/operations.md) and
// renkei_store_writable (0 while the store refuses writes after an I/O error, e.g. a full disk).
// The service host adds (service_host.cc, every few seconds): renkei_consumer_pending{consumer}
// and renkei_events_parked{consumer} (consumer.h), renkei_store_disk_free_bytes and
// renkei_store_disk_total_bytes (the file system of the data directory),
// renkei_certificate_expiry_timestamp_seconds{file}, renkei_audit_unsealed_entries,
// renkei_audit_last_seal_timestamp_seconds, renkei_audit_seal_failures_total,
// renkei_store_format_version and renkei_build_info{version}. The alert rules on them are in
// deploy/prometheus/. Services register their own on registry().
// Thread-safe.
#pragma once

#include <map>
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
  // A gauge, registered on first use (e.g. renkei_derived_differences); `labels` besides the
  // service's own (the same name always with the same label names).
  void SetGauge(const std::string& name, const std::string& help, double value,
                const std::map<std::string, std::string>& labels = {});
  // The same for a counter that only goes up: sets it to `total` when that is more than it holds.
  void SetCounter(const std::string& name, const std::string& help, double total);

  prometheus::Registry& registry();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace renkei::common
