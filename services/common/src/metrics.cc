#include "renkei/common/metrics.h"

#include <exception>
#include <map>
#include <mutex>

#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace renkei::common {

struct Metrics::Impl {
  std::string service;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<prometheus::Exposer> exposer;
  prometheus::Family<prometheus::Counter>* rpc_requests = nullptr;
  prometheus::Family<prometheus::Histogram>* rpc_latency = nullptr;
  prometheus::Counter* published = nullptr;
  prometheus::Gauge* outbox_pending = nullptr;
  prometheus::Gauge* outbox_retained = nullptr;
  prometheus::Family<prometheus::Counter>* consumed = nullptr;
  prometheus::Counter* replays = nullptr;
  prometheus::Gauge* history_gap = nullptr;
  prometheus::Gauge* store_writable = nullptr;
  std::mutex gauges_mu;
  // guarded by gauges_mu
  std::map<std::string, prometheus::Family<prometheus::Gauge>*> gauges;
  std::map<std::string, prometheus::Family<prometheus::Counter>*> counters;
};

Metrics::Metrics(std::string_view service) : impl_(std::make_unique<Impl>()) {
  impl_->service = std::string(service);
  const prometheus::Labels base{{"service", impl_->service}};
  impl_->rpc_requests = &prometheus::BuildCounter()
                             .Name("renkei_rpc_requests_total")
                             .Help("gRPC requests by method and status code")
                             .Labels(base)
                             .Register(*impl_->registry);
  impl_->rpc_latency = &prometheus::BuildHistogram()
                            .Name("renkei_rpc_latency_seconds")
                            .Help("gRPC handling time by method")
                            .Labels(base)
                            .Register(*impl_->registry);
  impl_->published = &prometheus::BuildCounter()
                          .Name("renkei_outbox_events_published_total")
                          .Help("Events the outbox relay published to JetStream")
                          .Labels(base)
                          .Register(*impl_->registry)
                          .Add({});
  auto& gauges = prometheus::BuildGauge()
                     .Name("renkei_outbox_records")
                     .Help("Outbox records: pending (not yet acknowledged) and retained (sent)")
                     .Labels(base)
                     .Register(*impl_->registry);
  impl_->outbox_pending = &gauges.Add({{"state", "pending"}});
  impl_->outbox_retained = &gauges.Add({{"state", "retained"}});
  impl_->consumed = &prometheus::BuildCounter()
                         .Name("renkei_events_consumed_total")
                         .Help("Events handled by durable consumers, by result")
                         .Labels(base)
                         .Register(*impl_->registry);
  impl_->replays = &prometheus::BuildCounter()
                        .Name("renkei_request_replays_total")
                        .Help("Commands answered from the record of their request id")
                        .Labels(base)
                        .Register(*impl_->registry)
                        .Add({});
  impl_->history_gap = &prometheus::BuildGauge()
                            .Name("renkei_stream_history_gap")
                            .Help(
                                "Events this service published that the instance's stream no "
                                "longer holds (gaps not yet accepted); 0: none known")
                            .Labels(base)
                            .Register(*impl_->registry)
                            .Add({});
  impl_->store_writable = &prometheus::BuildGauge()
                               .Name("renkei_store_writable")
                               .Help(
                                   "1 while the service's store accepts writes; 0 after a write "
                                   "error (e.g. a full disk) until it recovers")
                               .Labels(base)
                               .Register(*impl_->registry)
                               .Add({});
  impl_->store_writable->Set(1);
}

Metrics::~Metrics() = default;

absl::Status Metrics::Serve(const std::string& address) {
  try {
    impl_->exposer = std::make_unique<prometheus::Exposer>(address);
    impl_->exposer->RegisterCollectable(impl_->registry);
  } catch (const std::exception& e) {
    return absl::UnavailableError("metrics endpoint " + address + ": " + e.what());
  }
  return absl::OkStatus();
}

void Metrics::ObserveRpc(std::string_view method, int code, double seconds) {
  static const prometheus::Histogram::BucketBoundaries kBuckets{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5};
  impl_->rpc_requests->Add({{"method", std::string(method)}, {"code", std::to_string(code)}})
      .Increment();
  impl_->rpc_latency->Add({{"method", std::string(method)}}, kBuckets).Observe(seconds);
}

void Metrics::AddEventsPublished(int n) { impl_->published->Increment(n); }

void Metrics::SetOutboxDepth(int64_t pending, int64_t retained) {
  impl_->outbox_pending->Set(static_cast<double>(pending));
  impl_->outbox_retained->Set(static_cast<double>(retained));
}

void Metrics::CountConsumed(std::string_view consumer, std::string_view result) {
  impl_->consumed->Add({{"consumer", std::string(consumer)}, {"result", std::string(result)}})
      .Increment();
}

void Metrics::CountRequestReplay() { impl_->replays->Increment(); }

void Metrics::SetStreamHistoryGap(uint64_t events_lost) {
  impl_->history_gap->Set(static_cast<double>(events_lost));
}

void Metrics::SetStoreWritable(bool writable) { impl_->store_writable->Set(writable ? 1 : 0); }

void Metrics::SetGauge(const std::string& name, const std::string& help, double value,
                       const std::map<std::string, std::string>& labels) {
  std::lock_guard<std::mutex> lock(impl_->gauges_mu);
  auto& family = impl_->gauges[name];
  if (family == nullptr) {
    family = &prometheus::BuildGauge()
                  .Name(name)
                  .Help(help)
                  .Labels({{"service", impl_->service}})
                  .Register(*impl_->registry);
  }
  family->Add(prometheus::Labels(labels.begin(), labels.end())).Set(value);
}

void Metrics::SetCounter(const std::string& name, const std::string& help, double total) {
  std::lock_guard<std::mutex> lock(impl_->gauges_mu);
  auto& family = impl_->counters[name];
  if (family == nullptr) {
    family = &prometheus::BuildCounter()
                  .Name(name)
                  .Help(help)
                  .Labels({{"service", impl_->service}})
                  .Register(*impl_->registry);
  }
  prometheus::Counter& counter = family->Add({});
  if (total > counter.Value()) counter.Increment(total - counter.Value());
}

prometheus::Registry& Metrics::registry() { return *impl_->registry; }

}  // namespace renkei::common
