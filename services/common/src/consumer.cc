#include "renkei/common/consumer.h"

#include <algorithm>

#include "renkei/common/backup.h"
#include "renkei/common/failpoint.h"
#include "renkei/common/keys.h"
#include "renkei/common/log.h"
#include "renkei/common/metrics.h"
#include "renkei/common/status_macros.h"

namespace renkei::common {
namespace {

constexpr char kInboxCf[] = "inbox";

std::string InboxKey(const std::string& durable, const std::string& event_id) {
  return KeyBuilder().Str(durable).Str(event_id).Release();
}

bool Retryable(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s) || absl::IsAborted(s) ||
         absl::IsResourceExhausted(s);
}

}  // namespace

std::vector<std::string> InboxColumnFamilies() { return {kInboxCf}; }

DurableConsumer::DurableConsumer(Store* store, Outbox* outbox, NatsBus* bus,
                                 ConsumerOptions options, EventHandler handler, const Clock* clock,
                                 Metrics* metrics)
    : store_(store),
      outbox_(outbox),
      bus_(bus),
      options_(std::move(options)),
      handler_(std::move(handler)),
      clock_(clock),
      metrics_(metrics),
      inbox_cf_(store->Cf(kInboxCf)) {}

DurableConsumer::~DurableConsumer() { Stop(); }

void DurableConsumer::Start() {
  stop_ = false;
  thread_ = std::thread([this] {
    int64_t last_log = 0;
    int backoff_ms = 250;
    while (!stop_) {
      auto r = PollOnce(options_.fetch_timeout_ms);
      if (!r.ok()) {
        if (clock_->NowMillis() - last_log > 10000) {
          LogLine(LogLevel::kWarning, "consumer waiting")
              .Field("consumer", options_.consumer.durable)
              .Field("reason", r.status().ToString());
          last_log = clock_->NowMillis();
        }
        // NATS away or the store refusing writes: back off, 250 ms .. 4 s.
        for (int waited = 0; waited < backoff_ms && !stop_; waited += 50) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        backoff_ms = std::min(backoff_ms * 2, 4000);
      } else {
        backoff_ms = 250;
      }
    }
  });
}

void DurableConsumer::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<int> DurableConsumer::PollOnce(int timeout_ms) {
  if (!bus_->IsConnected()) return absl::UnavailableError("nats not connected");
  if (sub_ == nullptr) {
    RETURN_IF_ERROR(ReplayAfterRestore());
    ASSIGN_OR_RETURN(sub_, bus_->PullSubscribe(options_.consumer));
  }
  auto fetched = sub_->Fetch(options_.fetch_batch, timeout_ms);
  if (!fetched.ok()) {
    // The subscription may be stale (server restarted): make a new one next time.
    sub_.reset();
    return fetched.status();
  }
  int handled = 0;
  for (auto& msg : *fetched) {
    // Stopping, or the server is gone (each ack would wait for its timeout): leave the rest of
    // the batch; it is redelivered, and what was applied is recognized by the inbox.
    if (stop_ || !bus_->IsConnected()) break;
    absl::Status s = HandleOne(msg);
    if (!s.ok()) return s;
    ++handled;
  }
  return handled;
}

// The JetStream consumer's position is not part of a backup: after a restore it may be past
// events whose effects the restored store does not have (applied and acknowledged after the
// checkpoint). Starting the consumer over replays the stream; the restored inbox skips what the
// checkpoint holds (backup.h).
absl::Status DurableConsumer::ReplayAfterRestore() {
  const ColumnFamily cf = store_->Cf("default");
  auto marker = store_->Get(cf, kRestoreMarkerKey);
  if (absl::IsNotFound(marker.status())) return absl::OkStatus();
  RETURN_IF_ERROR(marker.status());
  const std::string key =
      KeyBuilder().Str("restore_replayed").Str(options_.consumer.durable).Release();
  auto replayed = store_->Get(cf, key);
  if (replayed.ok() && *replayed == *marker) return absl::OkStatus();
  if (!replayed.ok() && !absl::IsNotFound(replayed.status())) return replayed.status();
  absl::Status deleted = bus_->DeleteConsumer(options_.consumer.stream, options_.consumer.durable);
  if (!deleted.ok() && !absl::IsNotFound(deleted)) return deleted;
  Batch batch;
  batch.Put(cf, key, *marker);
  RETURN_IF_ERROR(store_->Write(batch));
  LogLine(LogLevel::kInfo, "consumer replays its stream after a restore")
      .Field("consumer", options_.consumer.durable)
      .Field("restore", *marker);
  return absl::OkStatus();
}

absl::Status DurableConsumer::HandleOne(InboundMessage& msg) {
  const std::string& durable = options_.consumer.durable;
  v1::EventEnvelope event;
  if (!event.ParseFromString(msg.data()) || event.id().empty()) {
    LogLine(LogLevel::kError, "undecodable event rejected")
        .Field("consumer", durable)
        .Field("subject", msg.subject())
        .Field("stream_seq", msg.stream_sequence());
    ++rejected_;
    if (metrics_) metrics_->CountConsumed(durable, "rejected");
    return msg.Ack();
  }
  const std::string key = InboxKey(durable, event.id());
  auto seen = store_->Get(inbox_cf_, key);
  if (seen.ok()) {
    ++duplicates_;
    if (metrics_) metrics_->CountConsumed(durable, "duplicate");
    return msg.Ack();
  }
  if (!absl::IsNotFound(seen.status())) return seen.status();

  CommandBatch cmd(store_, outbox_);
  absl::Status handled = handler_(event, &cmd);
  if (!handled.ok() && Retryable(handled)) {
    ++retried_;
    if (metrics_) metrics_->CountConsumed(durable, "retried");
    IgnoreError(msg.Nak(options_.retry_delay_ms));
    return absl::OkStatus();
  }
  std::string record = std::to_string(clock_->NowMillis());
  if (!handled.ok()) {
    // A permanent failure: remember it so a redelivery does not try again, and move on.
    CommandBatch rejected(store_, outbox_);
    rejected.batch().Put(inbox_cf_, key, record + " rejected: " + std::string(handled.message()));
    RETURN_IF_ERROR(rejected.Commit());
    LogLine(LogLevel::kWarning, "event rejected by handler")
        .Field("consumer", durable)
        .Field("event_id", event.id())
        .Field("reason", handled.ToString());
    ++rejected_;
    if (metrics_) metrics_->CountConsumed(durable, "rejected");
    return msg.Ack();
  }
  if (options_.skip_inbox_for_no_ops && cmd.batch().Count() == 0 && cmd.event_count() == 0) {
    ++ignored_;
    if (metrics_) metrics_->CountConsumed(durable, "ignored");
    return msg.Ack();  // nothing to apply, now or on a redelivery
  }
  cmd.batch().Put(inbox_cf_, key, record);
  RETURN_IF_ERROR(cmd.Commit());
  MaybeCrash("consumer.before_ack");  // durability tests: the effect is written, the ack is not
  ++applied_;
  if (metrics_) metrics_->CountConsumed(durable, "applied");
  // If the ack is lost, the redelivery finds the inbox record and is only acked.
  absl::Status ack = msg.Ack();
  if (!ack.ok()) {
    LogLine(LogLevel::kWarning, "ack failed after commit; redelivery will be deduplicated")
        .Field("event_id", event.id());
  }
  return absl::OkStatus();
}

bool DurableConsumer::Seen(const std::string& event_id) const {
  return store_->Get(inbox_cf_, InboxKey(options_.consumer.durable, event_id)).ok();
}

ConsumerStats DurableConsumer::stats() const {
  return {applied_.load(), duplicates_.load(), rejected_.load(), retried_.load(), ignored_.load()};
}

}  // namespace renkei::common
