#include "renkei/common/consumer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "renkei/common/backup.h"
#include "renkei/common/failpoint.h"
#include "renkei/common/keys.h"
#include "renkei/common/log.h"
#include "renkei/common/metrics.h"
#include "renkei/common/status_macros.h"

namespace renkei::common {
namespace {

constexpr char kInboxCf[] = "inbox";
constexpr char kParkedCf[] = "parked";

std::string InboxKey(const std::string& durable, const std::string& event_id) {
  return KeyBuilder().Str(durable).Str(event_id).Release();
}

bool Retryable(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s) || absl::IsAborted(s) ||
         absl::IsResourceExhausted(s);
}

bool HasUnknownFields(const google::protobuf::Message& message) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  if (!reflection->GetUnknownFields(message).empty()) return true;
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const auto* field : fields) {
    if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_ENUM) {
      // A value a newer version added to the enum: kept as its number by proto3.
      const int n = field->is_repeated() ? reflection->FieldSize(message, field) : 1;
      for (int i = 0; i < n; ++i) {
        const int value = field->is_repeated() ? reflection->GetRepeatedEnumValue(message, field, i)
                                               : reflection->GetEnumValue(message, field);
        if (field->enum_type()->FindValueByNumber(value) == nullptr) return true;
      }
      continue;
    }
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      const int n = reflection->FieldSize(message, field);
      for (int i = 0; i < n; ++i) {
        if (HasUnknownFields(reflection->GetRepeatedMessage(message, field, i))) return true;
      }
    } else if (HasUnknownFields(reflection->GetMessage(message, field))) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> InboxColumnFamilies() { return {kInboxCf, kParkedCf}; }

bool FromANewerVersion(const v1::EventEnvelope& event) { return HasUnknownFields(event); }

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
      inbox_cf_(store->Cf(kInboxCf)),
      parked_cf_(store->Cf(kParkedCf)) {}

DurableConsumer::~DurableConsumer() { Stop(); }

void DurableConsumer::Start() {
  stop_ = false;
  thread_ = std::thread([this] {
    int64_t last_log = 0;
    int64_t last_report = 0;
    int backoff_ms = 250;
    while (!stop_) {
      auto r = PollOnce(options_.fetch_timeout_ms);
      if (metrics_ != nullptr && clock_->NowMillis() - last_report >= 5000) {
        ReportState();
        last_report = clock_->NowMillis();
      }
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
    RETURN_IF_ERROR(ApplyParked());
    ASSIGN_OR_RETURN(sub_, bus_->PullSubscribe(options_.consumer));
  } else if (parked_retry_due_ &&
             clock_->NowMillis() - parked_tried_ms_ >= options_.parked_retry_ms) {
    RETURN_IF_ERROR(ApplyParked());
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
  v1::EventEnvelope event;
  if (!event.ParseFromString(msg.data()) || event.id().empty()) {
    LogLine(LogLevel::kError, "undecodable event rejected")
        .Field("consumer", options_.consumer.durable)
        .Field("subject", msg.subject())
        .Field("stream_seq", msg.stream_sequence());
    ++rejected_;
    if (metrics_) metrics_->CountConsumed(options_.consumer.durable, "rejected");
    return msg.Ack();
  }
  ASSIGN_OR_RETURN(Outcome outcome, Apply(event, msg.data(), ""));
  if (outcome == Outcome::kRetry) {
    IgnoreError(msg.Nak(options_.retry_delay_ms));
    return absl::OkStatus();
  }
  if (outcome != Outcome::kApplied) return msg.Ack();
  MaybeCrash("consumer.before_ack");  // durability tests: the effect is written, the ack is not
  // If the ack is lost, the redelivery finds the inbox record and is only acked.
  absl::Status ack = msg.Ack();
  if (!ack.ok()) {
    LogLine(LogLevel::kWarning, "ack failed after commit; redelivery will be deduplicated")
        .Field("event_id", event.id());
  }
  return absl::OkStatus();
}

absl::StatusOr<DurableConsumer::Outcome> DurableConsumer::Apply(const v1::EventEnvelope& event,
                                                                std::string_view raw,
                                                                const std::string& parked_key) {
  const std::string& durable = options_.consumer.durable;
  const bool from_parked = !parked_key.empty();
  auto count = [&](std::string_view result) {
    if (metrics_) metrics_->CountConsumed(durable, result);
  };
  // The parked copy goes in the same write as whatever settles the event.
  auto settle = [&](CommandBatch& cmd) {
    if (from_parked) cmd.batch().Delete(parked_cf_, parked_key);
  };
  const std::string key = InboxKey(durable, event.id());
  auto seen = store_->Get(inbox_cf_, key);
  if (seen.ok()) {
    if (from_parked) {
      CommandBatch cmd(store_, outbox_);
      settle(cmd);
      RETURN_IF_ERROR(cmd.Commit());
    }
    ++duplicates_;
    count("duplicate");
    return Outcome::kDuplicate;
  }
  if (!absl::IsNotFound(seen.status())) return seen.status();

  const bool newer = options_.newer_than_this_build ? options_.newer_than_this_build(event)
                                                    : FromANewerVersion(event);
  if (newer) {
    if (from_parked) return Outcome::kParked;  // still newer than this build
    auto parked = store_->Get(parked_cf_, key);
    if (parked.ok()) return Outcome::kParked;  // a redelivery of one parked already
    if (!absl::IsNotFound(parked.status())) return parked.status();
    CommandBatch cmd(store_, outbox_);
    cmd.batch().Put(parked_cf_, key, raw);
    RETURN_IF_ERROR(cmd.Commit());
    LogLine(LogLevel::kWarning, "event from a newer version parked until this service is upgraded")
        .Field("consumer", durable)
        .Field("event_id", event.id())
        .Field("aggregate_type", event.aggregate_type());
    ++parked_;
    count("parked");
    return Outcome::kParked;
  }

  CommandBatch cmd(store_, outbox_);
  absl::Status handled = handler_(event, &cmd);
  if (!handled.ok() && Retryable(handled)) {
    ++retried_;
    count("retried");
    return Outcome::kRetry;
  }
  std::string record = std::to_string(clock_->NowMillis());
  if (!handled.ok()) {
    // A permanent failure: remember it so a redelivery does not try again, and move on.
    CommandBatch rejected(store_, outbox_);
    rejected.batch().Put(inbox_cf_, key, record + " rejected: " + std::string(handled.message()));
    settle(rejected);
    RETURN_IF_ERROR(rejected.Commit());
    LogLine(LogLevel::kWarning, "event rejected by handler")
        .Field("consumer", durable)
        .Field("event_id", event.id())
        .Field("reason", handled.ToString());
    ++rejected_;
    count("rejected");
    return Outcome::kRejected;
  }
  if (options_.skip_inbox_for_no_ops && cmd.batch().Count() == 0 && cmd.event_count() == 0) {
    settle(cmd);
    RETURN_IF_ERROR(cmd.Commit());
    ++ignored_;
    count("ignored");
    return Outcome::kIgnored;  // nothing to apply, now or on a redelivery
  }
  cmd.batch().Put(inbox_cf_, key, record);
  settle(cmd);
  RETURN_IF_ERROR(cmd.Commit());
  ++applied_;
  count("applied");
  return Outcome::kApplied;
}

absl::Status DurableConsumer::ApplyParked() {
  const std::string prefix = KeyBuilder().Str(options_.consumer.durable).Release();
  std::vector<std::pair<std::string, std::string>> parked;
  RETURN_IF_ERROR(store_->ScanPrefix(parked_cf_, prefix, [&](auto key, auto value) {
    parked.emplace_back(std::string(key), std::string(value));
    return true;
  }));
  uint64_t still = 0;
  parked_retry_due_ = false;
  parked_tried_ms_ = clock_->NowMillis();
  for (const auto& [key, raw] : parked) {
    v1::EventEnvelope event;
    if (!event.ParseFromString(raw)) {
      ++still;  // kept for an operator to look at; never lost
      continue;
    }
    ASSIGN_OR_RETURN(Outcome outcome, Apply(event, raw, key));
    if (outcome == Outcome::kRetry) {
      parked_retry_due_ = true;  // stays parked; the stream goes on meanwhile
      ++still;
    } else if (outcome == Outcome::kParked) {
      ++still;
    } else {
      LogLine(LogLevel::kInfo, "parked event applied after the upgrade")
          .Field("consumer", options_.consumer.durable)
          .Field("event_id", event.id());
    }
  }
  parked_ = still;
  return absl::OkStatus();
}

void DurableConsumer::ReportState() {
  const std::string& durable = options_.consumer.durable;
  metrics_->SetGauge("renkei_events_parked",
                     "Events from a newer version kept until this service is upgraded",
                     static_cast<double>(parked_.load()), {{"consumer", durable}});
  if (!bus_->IsConnected()) return;
  auto state = bus_->GetConsumerState(options_.consumer.stream, durable);
  if (!state.ok()) return;
  metrics_->SetGauge(
      "renkei_consumer_pending",
      "Events of the consumer's stream not handled yet (undelivered or unacked)",
      static_cast<double>(state->num_pending) + static_cast<double>(state->num_ack_pending),
      {{"consumer", durable}});
}

bool DurableConsumer::Seen(const std::string& event_id) const {
  return store_->Get(inbox_cf_, InboxKey(options_.consumer.durable, event_id)).ok();
}

ConsumerStats DurableConsumer::stats() const {
  return {applied_.load(), duplicates_.load(), rejected_.load(),
          retried_.load(), ignored_.load(),    parked_.load()};
}

}  // namespace renkei::common
