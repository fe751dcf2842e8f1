// Durable JetStream consumer with an inbox, for exactly-once effects.
//
// For each delivered event the handler adds its effect to a CommandBatch (state changes and, if
// it emits events, their outbox records); the consumer adds the event id to the "inbox" column
// family in the same batch, commits it (sync) and only then acks. A redelivered event (crash
// before the ack, consumer restarted, replay) finds its id in the inbox and is acked without
// being applied again.
//
// Handler results: OK -> committed and acked; UNAVAILABLE (or another retryable code) -> nothing
// written, redelivered later; any other error -> the event is recorded as rejected in the inbox
// (with the reason) and acked, so one bad event never blocks the stream.
//
// Events from a newer version (docs/compatibility.md): an event whose payload type this version
// does not know, or that carries fields or enum values it does not know, is neither applied in
// part nor rejected: it is parked — kept whole in the "parked" column family (with an inbox check
// first, so a redelivery is not parked twice) and acknowledged, so the stream moves on. Whenever
// the consumer (re)subscribes — at start-up, so after the service is upgraded — it goes through its
// parked events and applies, through the inbox as usual, every one it now understands; the others
// stay parked. renkei_events_parked{consumer} counts them; renkei_consumer_pending{consumer} is
// what its stream holds for it that it has not handled yet (both every 5 s while it runs).
//
// After a restore (backup.h) the consumer starts over from the beginning of its stream once:
// the inbox restored with the store skips what the checkpoint already holds.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "renkei/common/bus.h"
#include "renkei/common/clock.h"
#include "renkei/common/outbox.h"
#include "renkei/common/store.h"
#include "renkei/v1/events.pb.h"

namespace renkei::common {

class Metrics;

// Column families the consumer needs in a service's Store.
std::vector<std::string> InboxColumnFamilies();

using EventHandler = std::function<absl::Status(const v1::EventEnvelope&, CommandBatch*)>;

struct ConsumerOptions {
  ConsumerSpec consumer;
  int fetch_batch = 100;
  int fetch_timeout_ms = 1000;
  int retry_delay_ms = 1000;
  // For handlers whose "nothing to do" depends only on the event (e.g. an event type they do
  // not count): an event that changes nothing is acknowledged without an inbox record, saving a
  // synced write per ignored event. Leave false when a no-op can depend on state.
  bool skip_inbox_for_no_ops = false;
  // How often parked events whose handler asked for a retry are tried again.
  int parked_retry_ms = 60000;
  // Which events this build cannot apply (default: FromANewerVersion). Tests stand in for an
  // older build with it, to show what happens once the service is upgraded.
  std::function<bool(const v1::EventEnvelope&)> newer_than_this_build;
};

struct ConsumerStats {
  uint64_t applied = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
  uint64_t retried = 0;
  uint64_t ignored = 0;  // no-ops acknowledged without an inbox record (skip_inbox_for_no_ops)
  uint64_t parked = 0;   // events from a newer version waiting in the store (now)
};

// Whether the event carries a payload type, a field or an enum value this build does not know: it
// was written by a newer version of Renkei.
bool FromANewerVersion(const v1::EventEnvelope& event);

class DurableConsumer {
 public:
  DurableConsumer(Store* store, Outbox* outbox, NatsBus* bus, ConsumerOptions options,
                  EventHandler handler, const Clock* clock = SystemClock::Get(),
                  Metrics* metrics = nullptr);
  ~DurableConsumer();

  void Start();
  void Stop();

  // Fetches once (waiting up to timeout_ms) and handles what arrived; returns how many messages
  // were handled (applied, duplicate or rejected).
  absl::StatusOr<int> PollOnce(int timeout_ms);

  // Whether the event id is recorded in the inbox.
  bool Seen(const std::string& event_id) const;
  ConsumerStats stats() const;
  const ConsumerSpec& spec() const { return options_.consumer; }

 private:
  enum class Outcome { kApplied, kDuplicate, kRejected, kRetry, kIgnored, kParked };
  absl::Status HandleOne(InboundMessage& msg);
  // Applies one event through the inbox; `parked_key` is its key in the parked family when it
  // comes from there ("" when it comes from the stream).
  absl::StatusOr<Outcome> Apply(const v1::EventEnvelope& event, std::string_view raw,
                                const std::string& parked_key);
  // Applies the parked events this build now understands (see above).
  absl::Status ApplyParked();
  absl::Status ReplayAfterRestore();
  // renkei_events_parked and renkei_consumer_pending for this consumer (every 5 s while it runs).
  void ReportState();

  Store* store_;
  Outbox* outbox_;
  NatsBus* bus_;
  ConsumerOptions options_;
  EventHandler handler_;
  const Clock* clock_;
  Metrics* metrics_;
  ColumnFamily inbox_cf_;
  ColumnFamily parked_cf_;
  bool parked_retry_due_ = false;  // a parked event asked for a retry (consumer thread only)
  int64_t parked_tried_ms_ = 0;
  std::unique_ptr<PullSubscription> sub_;
  std::atomic<uint64_t> applied_{0}, duplicates_{0}, rejected_{0}, retried_{0}, ignored_{0},
      parked_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace renkei::common
