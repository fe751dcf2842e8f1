// The feed of the derived indicators (derived.h): the durable consumers that add every event of
// the instance (and, at a prefecture or the nation, of the instances below) to the derived
// figures; a recompute that clears the figures and reads the stream's whole history again under
// a new generation; and the reconciliation of the figures with what the owning services count
// in their own stores (AdminService.CountEvents, common/event_counts.h).
//
// Recompute first asks every counting service of the instance (intake, issues, training — those
// the instance file lists) whether the stream still holds every event it published
// (AdminService.GetStreamHistory): when one does not, the recompute would silently miss events,
// so it is refused (FAILED_PRECONDITION naming the service and how many are lost) unless the
// caller accepts the gap.
//
// Reconcile needs a moment when nothing is in flight: it holds the derived consumers back, waits
// until they have acknowledged everything in the stream and every owner has published every
// event it counted, and compares (or repairs) only then; while events keep arriving it tries
// again for a few seconds and then answers UNAVAILABLE.
//
// Thread safety: thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "indicators.h"
#include "renkei/common/bus.h"
#include "renkei/common/consumer.h"
#include "renkei/common/metrics.h"
#include "renkei/v1/admin.grpc.pb.h"
#include "renkei/v1/indicators.pb.h"

namespace renkei::indicators {

struct DerivedFeedOptions {
  std::string instance_id;      // "m132250": the events the feed counts
  std::string stream;           // the instance's stream
  std::string children_stream;  // the sourced stream of the instances below; empty: none
  // The services whose events count, by name ("intake"), with a channel to each (their
  // AdminService).
  std::map<std::string, std::shared_ptr<grpc::Channel>> sources;
  int call_timeout_ms = 5000;
  // Reconcile: tries to find a quiet moment this long.
  int reconcile_wait_ms = 20000;
  // A municipal instance compares (report only) this often, for renkei_derived_differences;
  // 0: never.
  int64_t reconcile_interval_ms = 0;
};

class DerivedFeed {
 public:
  DerivedFeed(Indicators* domain, common::Store* store, common::Outbox* outbox,
              common::NatsBus* bus, common::Metrics* metrics, DerivedFeedOptions options);
  ~DerivedFeed();

  // Starts the consumers of the current generation, and the scheduled comparison when
  // reconcile_interval_ms is set (its result in renkei_derived_differences: figures that differ
  // from the owners' counts; logged as a warning when any do).
  absl::Status Start();
  void Stop();

  absl::StatusOr<v1::RecomputeDerivedResponse> Recompute(const v1::RecomputeDerivedRequest& r);
  absl::StatusOr<v1::ReconcileDerivedResponse> Reconcile(const v1::ReconcileDerivedRequest& r);

  // The durable consumer of the instance's own events now ("indicators_derived[_g<N>]").
  std::string durable() const;

 private:
  absl::Status StartConsumersLocked(const std::string& durable);
  void StopConsumersLocked();
  absl::Status Apply(const v1::EventEnvelope& event, common::CommandBatch* cmd);
  absl::StatusOr<std::vector<v1::StreamHistory>> Histories() const;
  absl::StatusOr<std::vector<v1::EventCounts>> Counts() const;
  // Asks every source service's AdminService `rpc`; UNAVAILABLE naming the first that does not
  // answer (`what`: what was asked, for the message).
  template <typename Response, typename Request>
  absl::StatusOr<std::vector<Response>> AskEach(
      const Request& request,
      grpc::Status (v1::AdminService::Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
      const char* what) const;

  Indicators* domain_;
  common::Store* store_;
  common::Outbox* outbox_;
  common::NatsBus* bus_;
  common::Metrics* metrics_;
  DerivedFeedOptions options_;
  mutable std::mutex mu_;  // recompute and reconcile, one at a time
  std::string durable_;
  std::vector<std::unique_ptr<common::DurableConsumer>> consumers_;
  // Held shared by every derived event applied (until its batch commits), exclusively by a
  // reconciliation while it compares and repairs.
  std::shared_mutex apply_mu_;
  // The scheduled comparison.
  std::mutex schedule_mu_;
  std::condition_variable schedule_cv_;
  bool stopping_ = false;  // guarded by schedule_mu_
  std::atomic<bool> stopping_requested_{false};
  std::thread schedule_;
};

}  // namespace renkei::indicators
