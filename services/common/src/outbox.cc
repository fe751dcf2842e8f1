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

constexpr char kRecordsCf[] = "outbox";

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

// Pending records: the subject and event id (order-preserving string encoding), then the
// envelope, so the relay publishes without parsing protobuf.
std::string PendingValue(const v1::EventEnvelope& event) {
  std::string v = KeyBuilder().Str(EventSubject(event)).Str(event.id()).Release();
  event.AppendToString(&v);
  return v;
}

}  // namespace

std::vector<std::string> OutboxColumnFamilies() { return {kRecordsCf}; }

bool DecodeOutboxRecord(std::string_view record, v1::EventEnvelope* event) {
  KeyReader header(record);
  std::string subject, id;
  if (!header.Str(&subject) || !header.Str(&id)) return false;
  const size_t header_bytes = KeyBuilder().Str(subject).Str(id).Build().size();
  return event->ParseFromArray(record.data() + header_bytes,
                               static_cast<int>(record.size() - header_bytes));
}

Outbox::Outbox(Store* store) : store_(store), records_cf_(store->Cf(kRecordsCf)) {
  next_seq_ = LastSeq(store, records_cf_) + 1;
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
  batch->Put(records_cf_, SeqKey(seq), PendingValue(event));
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
  if (s.ok()) {
    for (auto& fn : on_committed_) fn();
  }
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
      } else if (*published < options_.batch_size) {
        outbox_->WaitForWork(1000);
        if (options_.linger_ms > 0 && !stop_) {
          std::this_thread::sleep_for(std::chrono::milliseconds(options_.linger_ms));
        }
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
    RETURN_IF_ERROR(Prune());
    last_prune_ms_ = now;
  }
  if (metrics_ != nullptr && published > 0) metrics_->AddEventsPublished(published);
  return published;
}

absl::Status OutboxRelay::OnConnected() {
  RETURN_IF_ERROR(bus_->EnsureStream(options_.stream));
  for (const auto& extra : options_.extra_streams) RETURN_IF_ERROR(bus_->EnsureStream(extra));
  // Everything still kept may not have reached disk on the server (or was published by a relay
  // that died before moving on): it all goes out again, and the duplicate window drops what the
  // stream already has.
  scan_from_ = pruned_below_;
  published_marks_.clear();
  const int64_t kept = CountRecords(pruned_below_, UINT64_MAX);
  if (kept > 0) {
    LogLine(LogLevel::kInfo, "outbox relay (re)publishing the events it keeps")
        .Field("count", kept);
  }
  return absl::OkStatus();
}

absl::StatusOr<int> OutboxRelay::PublishPending() {
  Store* store = outbox_->store();
  const uint64_t settled = outbox_->SettledBelow();
  const int64_t started_ms = clock_->NowMillis();
  std::vector<uint64_t> seqs;
  std::vector<OutgoingMessage> messages;
  auto it = store->NewIterator(outbox_->records_cf());
  for (it->Seek(SeqKey(scan_from_));
       it->Valid() && static_cast<int>(seqs.size()) < options_.batch_size; it->Next()) {
    uint64_t seq = SeqOf(it->key());
    std::string_view value = it->value();
    std::string subject, id;
    KeyReader header(value);
    if (!header.Str(&subject) || !header.Str(&id)) {
      // Cannot happen for records we wrote; keep the relay moving and say so loudly.
      LogLine(LogLevel::kError, "outbox record unreadable; dropped").Field("seq", seq);
      Batch drop;
      drop.Delete(outbox_->records_cf(), it->key());
      RETURN_IF_ERROR(store->Write(drop));
      continue;
    }
    const size_t header_bytes = KeyBuilder().Str(subject).Str(id).Build().size();
    seqs.push_back(seq);
    messages.push_back(
        {std::move(subject), std::move(id), std::string(value.substr(header_bytes))});
  }
  RETURN_IF_ERROR(it->status());
  const bool hit_limit = static_cast<int>(seqs.size()) >= options_.batch_size;
  if (seqs.empty()) {
    // Nothing pending from scan_from_ on; everything below `settled` is written (the settled
    // bound never decreases), so later rounds can start there.
    scan_from_ = std::max(scan_from_.load(), settled);
    published_marks_.emplace_back(scan_from_.load(), started_ms);
    return 0;
  }

  std::vector<PublishResult> results = bus_->PublishBatch(messages, options_.publish_timeout_ms);
  MaybeCrash("outbox.after_publish");

  uint64_t first_failed = std::numeric_limits<uint64_t>::max();
  int published = 0;
  absl::Status first_error;
  for (size_t i = 0; i < seqs.size(); ++i) {
    if (results[i].status.ok()) {
      ++published;
    } else {
      first_failed = std::min(first_failed, seqs[i]);
      if (first_error.ok()) first_error = results[i].status;
    }
  }
  published_total_ += published;
  // Resume at the first record not acknowledged: before `settled`, the first failure, or after
  // the last one read when the batch was full. Records published after a failure are published
  // again next round (deduplicated by the stream).
  uint64_t next = std::min(settled, first_failed);
  if (hit_limit) next = std::min(next, seqs.back() + 1);
  scan_from_ = std::max(scan_from_.load(), next);
  published_marks_.emplace_back(scan_from_.load(), clock_->NowMillis());
  if (published == 0 && !first_error.ok()) return first_error;
  return published;
}

absl::Status OutboxRelay::Prune() {
  // Only records published on the current connection, retention ago or more: a record sent
  // before a disconnect is published again after the reconnect instead.
  if (!bus_->IsConnected() || bus_->connection_generation() != seen_generation_) {
    return absl::OkStatus();
  }
  const int64_t cutoff = clock_->NowMillis() - options_.retention_ms;
  uint64_t below = pruned_below_;
  while (!published_marks_.empty() && published_marks_.front().second <= cutoff) {
    below = std::max(below, published_marks_.front().first);
    published_marks_.pop_front();
  }
  if (below <= pruned_below_) return absl::OkStatus();
  Batch batch;
  batch.DeleteRange(outbox_->records_cf(), SeqKey(pruned_below_), SeqKey(below));
  RETURN_IF_ERROR(outbox_->store()->Write(batch, Durability::kAsync));
  pruned_below_ = below;
  return absl::OkStatus();
}

int64_t OutboxRelay::CountRecords(uint64_t from, uint64_t to) const {
  int64_t n = 0;
  auto it = outbox_->store()->NewIterator(outbox_->records_cf());
  for (it->Seek(SeqKey(from)); it->Valid() && SeqOf(it->key()) < to; it->Next()) ++n;
  return n;
}

int64_t OutboxRelay::PendingCount() const { return CountRecords(scan_from_.load(), UINT64_MAX); }

int64_t OutboxRelay::RetainedCount() const { return CountRecords(0, scan_from_.load()); }

}  // namespace renkei::common
