#include "renkei/common/outbox.h"

#include <algorithm>
#include <limits>

#include "renkei/common/events.h"
#include "renkei/common/failpoint.h"
#include "renkei/common/keys.h"
#include "renkei/common/log.h"
#include "renkei/common/metrics.h"
#include "renkei/common/personal.h"
#include "renkei/common/status_macros.h"

namespace renkei::common {
namespace {

constexpr char kPendingCf[] = "outbox";
constexpr char kSentCf[] = "outbox_sent";

std::string SeqKey(uint64_t seq) { return KeyBuilder().U64(seq).Release(); }

uint64_t SeqOf(std::string_view key) {
  uint64_t seq = 0;
  KeyReader(key).U64(&seq);
  return seq;
}

uint64_t LastSeq(Store* store, ColumnFamily cf) {
  auto it = store->NewIterator(cf);
  it->SeekToLast();
  return it->Valid() ? SeqOf(it->key()) : 0;
}

// Sent records: 8-byte big-endian sent time (ms) + the envelope.
std::string SentValue(int64_t sent_ms, std::string_view envelope) {
  std::string v = KeyBuilder().I64(sent_ms).Release();
  v.append(envelope.data(), envelope.size());
  return v;
}

}  // namespace

std::vector<std::string> OutboxColumnFamilies() { return {kPendingCf, kSentCf}; }

Outbox::Outbox(Store* store)
    : store_(store), pending_cf_(store->Cf(kPendingCf)), sent_cf_(store->Cf(kSentCf)) {
  next_seq_ = std::max(LastSeq(store, pending_cf_), LastSeq(store, sent_cf_)) + 1;
}

uint64_t Outbox::Reserve(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t first = next_seq_;
  next_seq_ += n;
  inflight_.emplace(first, n);
  return first;
}

void Outbox::Release(uint64_t first) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = inflight_.find(first);
  if (it != inflight_.end()) inflight_.erase(it);
}

uint64_t Outbox::SettledBelow() const {
  std::lock_guard<std::mutex> lock(mu_);
  return inflight_.empty() ? next_seq_ : inflight_.begin()->first;
}

void Outbox::Put(Batch* batch, uint64_t seq, const v1::EventEnvelope& event) const {
  batch->Put(pending_cf_, SeqKey(seq), event.SerializeAsString());
}

void Outbox::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

void Outbox::WaitForWork(int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return notified_; });
  notified_ = false;
}

void CommandBatch::AddEvent(const v1::EventEnvelope& event) {
  events_.push_back(event);
  StripPersonal(&events_.back());
}

CommandBatch::~CommandBatch() {
  if (reserved_first_ != 0) outbox_->Release(reserved_first_);
}

absl::Status CommandBatch::Commit() {
  if (!events_.empty()) {
    reserved_first_ = outbox_->Reserve(events_.size());
    for (size_t i = 0; i < events_.size(); ++i) {
      outbox_->Put(&batch_, reserved_first_ + i, events_[i]);
    }
  }
  absl::Status s = store_->Write(batch_, Durability::kSync);
  if (reserved_first_ != 0) {
    outbox_->Release(reserved_first_);
    reserved_first_ = 0;
  }
  if (s.ok() && !events_.empty()) outbox_->Notify();
  return s;
}

OutboxRelay::OutboxRelay(Outbox* outbox, NatsBus* bus, RelayOptions options, const Clock* clock,
                         Metrics* metrics)
    : outbox_(outbox), bus_(bus), options_(std::move(options)), clock_(clock), metrics_(metrics) {}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Start() {
  stop_ = false;
  thread_ = std::thread([this] {
    int64_t last_error_log_ms = 0;
    while (!stop_) {
      auto published = RunOnce();
      if (!published.ok()) {
        int64_t now = clock_->NowMillis();
        if (now - last_error_log_ms > 10000) {
          LogLine(LogLevel::kWarning, "outbox relay waiting")
              .Field("reason", published.status().ToString());
          last_error_log_ms = now;
        }
        outbox_->WaitForWork(250);
      } else if (*published == 0) {
        outbox_->WaitForWork(1000);
      }
    }
  });
}

void OutboxRelay::Stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  outbox_->Notify();
  thread_.join();
}

absl::StatusOr<int> OutboxRelay::RunOnce() {
  if (!bus_->IsConnected()) return absl::UnavailableError("nats not connected");
  uint64_t generation = bus_->connection_generation();
  if (generation != seen_generation_) {
    RETURN_IF_ERROR(OnConnected());
    seen_generation_ = generation;
  }
  ASSIGN_OR_RETURN(int published, PublishPending());
  int64_t now = clock_->NowMillis();
  if (now - last_prune_ms_ >= 1000) {
    RETURN_IF_ERROR(PruneSent());
    last_prune_ms_ = now;
  }
  if (metrics_ != nullptr && published > 0) metrics_->AddEventsPublished(published);
  return published;
}

absl::Status OutboxRelay::OnConnected() {
  RETURN_IF_ERROR(bus_->EnsureStream(options_.stream));
  // Whatever was published but may not have reached disk on the server goes out again; the
  // duplicate window drops what the stream already has.
  Store* store = outbox_->store();
  Batch batch;
  int requeued = 0;
  auto it = store->NewIterator(outbox_->sent_cf());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view v = it->value();
    batch.Delete(outbox_->sent_cf(), it->key());
    batch.Put(outbox_->pending_cf(), it->key(), v.substr(8));
    ++requeued;
  }
  RETURN_IF_ERROR(it->status());
  RETURN_IF_ERROR(store->Write(batch, Durability::kAsync));
  scan_from_ = 0;
  if (requeued > 0) {
    LogLine(LogLevel::kInfo, "outbox relay republishing retained events after (re)connect")
        .Field("count", requeued);
  }
  return absl::OkStatus();
}

absl::StatusOr<int> OutboxRelay::PublishPending() {
  Store* store = outbox_->store();
  const uint64_t settled = outbox_->SettledBelow();
  std::vector<uint64_t> seqs;
  std::vector<std::string> envelopes;
  std::vector<OutgoingMessage> messages;
  auto it = store->NewIterator(outbox_->pending_cf());
  for (it->Seek(SeqKey(scan_from_));
       it->Valid() && static_cast<int>(seqs.size()) < options_.batch_size; it->Next()) {
    v1::EventEnvelope event;
    uint64_t seq = SeqOf(it->key());
    std::string value(it->value());
    if (!event.ParseFromString(value)) {
      // Cannot happen for records we wrote; keep the relay moving and say so loudly.
      LogLine(LogLevel::kError, "outbox record unreadable; dropped").Field("seq", seq);
      Batch drop;
      drop.Delete(outbox_->pending_cf(), it->key());
      RETURN_IF_ERROR(store->Write(drop));
      continue;
    }
    seqs.push_back(seq);
    messages.push_back({EventSubject(event), event.id(), value});
    envelopes.push_back(std::move(value));
  }
  RETURN_IF_ERROR(it->status());
  const bool hit_limit = static_cast<int>(seqs.size()) >= options_.batch_size;
  if (seqs.empty()) {
    // Nothing pending from scan_from_ on; everything below `settled` is written (the settled
    // bound never decreases), so later rounds can start there.
    scan_from_ = settled;
    return 0;
  }

  std::vector<PublishResult> results = bus_->PublishBatch(messages, options_.publish_timeout_ms);
  MaybeCrash("outbox.after_publish");

  Batch batch;
  const int64_t now = clock_->NowMillis();
  uint64_t first_failed = std::numeric_limits<uint64_t>::max();
  int published = 0;
  absl::Status first_error;
  for (size_t i = 0; i < seqs.size(); ++i) {
    if (!results[i].status.ok()) {
      first_failed = std::min(first_failed, seqs[i]);
      if (first_error.ok()) first_error = results[i].status;
      continue;
    }
    std::string key = SeqKey(seqs[i]);
    batch.Delete(outbox_->pending_cf(), key);
    batch.Put(outbox_->sent_cf(), key, SentValue(now, envelopes[i]));
    ++published;
  }
  // Losing this bookkeeping in a crash only means publishing again (deduplicated).
  RETURN_IF_ERROR(store->Write(batch, Durability::kAsync));
  published_total_ += published;

  uint64_t next = settled;
  next = std::min(next, first_failed);
  if (hit_limit) next = std::min(next, seqs.back() + 1);
  scan_from_ = next;
  if (published == 0 && !first_error.ok()) return first_error;
  return published;
}

absl::Status OutboxRelay::PruneSent() {
  if (!bus_->IsConnected() || bus_->connection_generation() != seen_generation_) {
    return absl::OkStatus();
  }
  Store* store = outbox_->store();
  const int64_t cutoff = clock_->NowMillis() - options_.retention_ms;
  Batch batch;
  auto it = store->NewIterator(outbox_->sent_cf());
  for (it->SeekToFirst(); it->Valid() && batch.Count() < 10000; it->Next()) {
    int64_t sent_ms = 0;
    KeyReader(it->value().substr(0, 8)).I64(&sent_ms);
    if (sent_ms > cutoff) break;
    batch.Delete(outbox_->sent_cf(), it->key());
  }
  RETURN_IF_ERROR(it->status());
  return store->Write(batch, Durability::kAsync);
}

int64_t OutboxRelay::PendingCount() const {
  int64_t n = 0;
  auto it = outbox_->store()->NewIterator(outbox_->pending_cf());
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

int64_t OutboxRelay::RetainedCount() const {
  int64_t n = 0;
  auto it = outbox_->store()->NewIterator(outbox_->sent_cf());
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

}  // namespace renkei::common
