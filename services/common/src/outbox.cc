#include "renkei/common/outbox.h"

#include <algorithm>
#include <cstddef>
#include <limits>

#include "renkei/common/event_counts.h"
#include "renkei/common/events.h"
#include "renkei/common/failpoint.h"
#include "renkei/common/keys.h"
#include "renkei/common/log.h"
#include "renkei/common/metrics.h"
#include "renkei/common/personal.h"
#include "renkei/common/requests.h"
#include "renkei/common/status_macros.h"

namespace renkei::common {
namespace {

constexpr char kRecordsCf[] = "outbox";
// The relay's own records (the stream history).
constexpr char kMetaCf[] = "outbox_meta";
constexpr char kHistoryKey[] = "stream_history";
constexpr int64_t kNanosPerMilli = 1000000;
constexpr int64_t kExpirySlackMs = 30LL * 86400 * 1000;

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

std::vector<std::string> OutboxColumnFamilies() {
  return {kRecordsCf, kMetaCf, kEventCountsFamily};
}

bool DecodeOutboxRecord(std::string_view record, v1::EventEnvelope* event) {
  KeyReader header(record);
  std::string subject, id;
  if (!header.Str(&subject) || !header.Str(&id)) return false;
  const size_t header_bytes = KeyBuilder().Str(subject).Str(id).Build().size();
  return event->ParseFromArray(record.data() + header_bytes,
                               static_cast<int>(record.size() - header_bytes));
}

Outbox::Outbox(Store* store)
    : store_(store),
      records_cf_(store->Cf(kRecordsCf)),
      counts_cf_(store->HasCf(kEventCountsFamily) ? store->Cf(kEventCountsFamily)
                                                  : ColumnFamily()) {
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

void CommandBatch::SetAnswer(const google::protobuf::Message& answer) {
  if (!RequestLedger::InRequest(store_)) return;
  CommandAnswer a;
  a.copy = RequestLedger::SerializeAnswer(answer);
  a.size = a.copy.size();
  a.type = answer.GetDescriptor();
  answer_ = std::move(a);
}

void CommandBatch::SetAnswerStored(std::string_view family, std::string_view key,
                                   const google::protobuf::Message& record) {
  if (!RequestLedger::InRequest(store_)) return;
  CommandAnswer a;
  a.family = std::string(family);
  a.key = std::string(key);
  a.size = record.ByteSizeLong();
  a.type = record.GetDescriptor();
  answer_ = std::move(a);
}

absl::Status CommandBatch::Commit() {
  if (!events_.empty()) {
    reserved_first_ = outbox_->Reserve(events_.size());
    for (size_t i = 0; i < events_.size(); ++i) {
      outbox_->Put(&batch_, reserved_first_ + i, events_[i]);
      TallyEvent(events_[i], outbox_->counts_cf(), &batch_);
    }
  }
  RequestLedger::Scope* request =
      defer_answer_ ? nullptr
                    : RequestLedger::AddRecordOfCurrentRequest(
                          store_, &batch_, answer_.has_value() ? &*answer_ : nullptr);
  absl::Status s = store_->Write(batch_, Durability::kSync);
  if (request != nullptr) RequestLedger::Committed(request, s.ok());
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
    : outbox_(outbox), bus_(bus), options_(std::move(options)), clock_(clock), metrics_(metrics) {
  Store* store = outbox_->store();
  if (store->HasCf(kMetaCf)) {
    meta_cf_ = store->Cf(kMetaCf);
    auto stored = store->Get(meta_cf_, kHistoryKey);
    if (stored.ok() && !history_.ParseFromString(*stored)) {
      // NOLINTNEXTLINE(bugprone-unused-raii): a LogLine writes its line when the temporary ends.
      LogLine(LogLevel::kError, "stream history record unreadable; starting over");
      history_.Clear();
    }
  }
  std::lock_guard<std::mutex> lock(history_mu_);
  ReportGapLocked();
  if (HistoryLocked().unaccepted_events_lost() > 0) {
    LogLine(LogLevel::kError, "the stream lacks events this service published (gap not accepted)")
        .Field("stream", history_.stream())
        .Field("events_lost", static_cast<int64_t>(HistoryLocked().unaccepted_events_lost()));
  }
}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Start() {
  stop_ = false;
  thread_ = std::thread([this] {
    int64_t last_error_log_ms = 0;
    int backoff_ms = 250;
    while (!stop_) {
      auto published = RunOnce();
      if (!published.ok()) {
        int64_t now = clock_->NowMillis();
        if (now - last_error_log_ms > 10000) {
          LogLine(LogLevel::kWarning, "outbox relay waiting")
              .Field("reason", published.status().ToString());
          last_error_log_ms = now;
        }
        // NATS away or the store refusing writes: back off (250 ms .. 4 s), woken by a commit.
        outbox_->WaitForWork(backoff_ms);
        backoff_ms = std::min(backoff_ms * 2, 4000);
        continue;
      }
      backoff_ms = 250;
      if (*published < options_.batch_size) {
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
  // A store reopened after a write error may hold a batch its writer was told had failed (the
  // WAL append made it, the sync did not): its outbox records must not be skipped.
  if (const int reopens = outbox_->store()->reopens(); reopens != seen_reopens_) {
    seen_reopens_ = reopens;
    StartOver();
  }
  auto published = PublishPending();
  int64_t now = clock_->NowMillis();
  // Publishing failing while connected may mean the stream is gone: look (at most every 5 s).
  const bool suspicious = !published.ok() && now - last_history_check_ms_ >= 5000;
  if (suspicious || now - last_history_check_ms_ >= options_.history_check_interval_ms) {
    last_history_check_ms_ = now;
    if (absl::Status s = CheckHistory(); !s.ok()) {
      LogLine(LogLevel::kWarning, "stream history not checked").Field("reason", s.ToString());
    }
    if (incarnation_changed_) StartOver();
  }
  if (!published.ok()) return published.status();
  if (now - last_prune_ms_ >= 1000) {
    RETURN_IF_ERROR(Prune());
    last_prune_ms_ = now;
  }
  if (metrics_ != nullptr && *published > 0) metrics_->AddEventsPublished(*published);
  return *published;
}

absl::Status OutboxRelay::OnConnected() {
  RETURN_IF_ERROR(bus_->EnsureStream(options_.stream));
  for (const auto& extra : options_.extra_streams) RETURN_IF_ERROR(bus_->EnsureStream(extra));
  // Before anything is published to it: a stream created again now is another incarnation.
  RETURN_IF_ERROR(CheckHistory());
  // Everything still kept may not have reached disk on the server (or was published by a relay
  // that died before moving on): it all goes out again, and the duplicate window drops what the
  // stream already has.
  StartOver();
  return absl::OkStatus();
}

void OutboxRelay::StartOver() {
  scan_from_ = pruned_below_;
  published_marks_.clear();
  highest_acked_ = 0;
  incarnation_changed_ = false;
  const int64_t kept = CountRecords(pruned_below_, UINT64_MAX);
  if (kept > 0) {
    LogLine(LogLevel::kInfo, "outbox relay (re)publishing the events it keeps")
        .Field("count", kept);
  }
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
  it.reset();  // not held across publishing (a store reopen waits for iterators)
  const bool hit_limit = static_cast<int>(seqs.size()) >= options_.batch_size;
  if (seqs.empty()) {
    // Nothing pending from scan_from_ on; everything below `settled` is written (the settled
    // bound never decreases), so later rounds can start there.
    scan_from_ = std::max(scan_from_.load(), settled);
    published_marks_.push_back({scan_from_.load(), started_ms, highest_acked_});
    return 0;
  }

  std::vector<PublishResult> results = bus_->PublishBatch(messages, options_.publish_timeout_ms);
  MaybeCrash("outbox.after_publish");

  uint64_t first_failed = std::numeric_limits<uint64_t>::max();
  int published = 0;
  absl::Status first_error;
  uint64_t lowest_acked = std::numeric_limits<uint64_t>::max();
  for (size_t i = 0; i < seqs.size(); ++i) {
    if (results[i].status.ok()) {
      ++published;
      if (results[i].stream_sequence > 0) {
        lowest_acked = std::min(lowest_acked, results[i].stream_sequence);
        highest_acked_ = std::max(highest_acked_, results[i].stream_sequence);
      }
    } else {
      first_failed = std::min(first_failed, seqs[i]);
      if (first_error.ok()) first_error = results[i].status;
    }
  }
  published_total_ += published;
  if (meta_cf_.valid() && lowest_acked != std::numeric_limits<uint64_t>::max()) {
    std::lock_guard<std::mutex> lock(history_mu_);
    if (history_.stream_created_ns() != 0 &&
        (history_.first_acked_sequence() == 0 || lowest_acked < history_.first_acked_sequence())) {
      history_.set_first_acked_sequence(lowest_acked);
      history_.set_first_acked_ms(started_ms);
      Batch batch;
      SaveHistoryLocked(&batch);
      RETURN_IF_ERROR(outbox_->store()->Write(batch));
    }
  }
  // Resume at the first record not acknowledged: before `settled`, the first failure, or after
  // the last one read when the batch was full. Records published after a failure are published
  // again next round (deduplicated by the stream).
  uint64_t next = std::min(settled, first_failed);
  if (hit_limit) next = std::min(next, seqs.back() + 1);
  scan_from_ = std::max(scan_from_.load(), next);
  published_marks_.push_back({scan_from_.load(), clock_->NowMillis(), highest_acked_});
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
  uint64_t stream_sequence = 0;
  std::ptrdiff_t marks = 0;  // how many leave the front of published_marks_
  for (const Mark& m : published_marks_) {
    if (m.at > cutoff) break;
    below = std::max(below, m.below);
    stream_sequence = std::max(stream_sequence, m.stream_sequence);
    ++marks;
  }
  if (below <= pruned_below_) {
    published_marks_.erase(published_marks_.begin(), published_marks_.begin() + marks);
    return absl::OkStatus();
  }
  Batch batch;
  batch.DeleteRange(outbox_->records_cf(), SeqKey(pruned_below_), SeqKey(below));
  std::lock_guard<std::mutex> lock(history_mu_);
  v1::StreamHistoryRecord next = history_;
  if (meta_cf_.valid() && next.stream_created_ns() != 0) {
    // These leave the outbox for good: were the stream lost, they could not be sent again.
    const int64_t n = CountRecords(pruned_below_, below);
    if (next.events_pruned() == 0 && n > 0) next.set_first_pruned_published_ms(cutoff);
    next.set_events_pruned(next.events_pruned() + static_cast<uint64_t>(n));
    next.set_last_pruned_stream_sequence(
        std::max(next.last_pruned_stream_sequence(), stream_sequence));
    batch.Put(meta_cf_, kHistoryKey, next.SerializeAsString());
  }
  // Nothing changes unless the write succeeded (a full disk: the same records again later).
  RETURN_IF_ERROR(outbox_->store()->Write(batch, Durability::kAsync));
  history_ = std::move(next);
  published_marks_.erase(published_marks_.begin(), published_marks_.begin() + marks);
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

void OutboxRelay::SaveHistoryLocked(Batch* batch) const {
  if (meta_cf_.valid()) batch->Put(meta_cf_, kHistoryKey, history_.SerializeAsString());
}

v1::StreamHistory OutboxRelay::HistoryLocked() const {
  v1::StreamHistory out;
  out.set_service(options_.service);
  out.set_stream(options_.stream.name);
  out.set_complete(history_.gaps_size() == 0);
  uint64_t unaccepted = 0;
  for (const auto& g : history_.gaps()) {
    if (!g.has_accepted_at() && !g.expected()) unaccepted += std::max<uint64_t>(g.events_lost(), 1);
  }
  out.set_unaccepted_events_lost(unaccepted);
  *out.mutable_gaps() = history_.gaps();
  out.set_events_pruned(history_.events_pruned());
  if (history_checked_ms_ > 0) {
    *out.mutable_checked_at() = TimestampFromMicros(history_checked_ms_ * 1000);
  }
  return out;
}

v1::StreamHistory OutboxRelay::History() const {
  std::lock_guard<std::mutex> lock(history_mu_);
  return HistoryLocked();
}

void OutboxRelay::ReportGapLocked() const {
  if (metrics_ != nullptr) metrics_->SetStreamHistoryGap(HistoryLocked().unaccepted_events_lost());
}

void OutboxRelay::AddGapLocked(std::string cause, uint64_t lost, int64_t lost_before_ms,
                               bool expected) {
  const int64_t now_ms = clock_->NowMillis();
  v1::StreamHistoryGap* gap = nullptr;
  if (expected) {
    // One entry for what aged out; it moves on with the stream.
    for (auto& g : *history_.mutable_gaps()) {
      if (g.expected()) gap = &g;
    }
  }
  if (gap == nullptr) {
    gap = history_.add_gaps();
    *gap->mutable_detected_at() = TimestampFromMicros(now_ms * 1000);
  }
  gap->set_cause(std::move(cause));
  gap->set_events_lost(expected ? 0 : lost);
  gap->set_expected(expected);
  *gap->mutable_lost_before() = TimestampFromMicros(lost_before_ms * 1000);
  if (expected) {
    LogLine(LogLevel::kInfo, "events aged out of the stream (max_age)")
        .Field("stream", options_.stream.name);
  } else {
    LogLine(LogLevel::kError,
            "stream history gap: events this service published are missing from the stream")
        .Field("stream", options_.stream.name)
        .Field("events_lost", static_cast<int64_t>(lost))
        .Field("cause", gap->cause());
  }
}

absl::Status OutboxRelay::CheckHistory() {
  if (!meta_cf_.valid()) return absl::OkStatus();
  auto info = bus_->GetStreamInfo(options_.stream.name);
  if (absl::IsNotFound(info.status())) {
    // Deleted under a running relay: create it again (and find it is another incarnation).
    RETURN_IF_ERROR(bus_->EnsureStream(options_.stream));
    info = bus_->GetStreamInfo(options_.stream.name);
  }
  if (!info.ok()) return info.status();
  const int64_t now_ms = clock_->NowMillis();
  std::lock_guard<std::mutex> lock(history_mu_);
  const v1::StreamHistoryRecord before = history_;
  if (history_.stream_created_ns() == 0 || history_.stream() != options_.stream.name) {
    // The first look at this stream (a new service, a renamed stream, or a store from before
    // stream history was kept): what was pruned before is unknown, nothing is counted yet.
    history_.set_stream(options_.stream.name);
    history_.set_stream_created_ns(info->created_ns);
    history_.set_first_acked_sequence(0);
    history_.set_events_pruned(0);
  } else if (info->created_ns != history_.stream_created_ns()) {
    if (history_.events_pruned() > 0) {
      AddGapLocked(
          "ストリームが作り直されました。送信済みで送信箱から消えたイベントは戻りません / the "
          "stream was created again (deleted, or its store lost); events published before and "
          "no longer in the outbox cannot be sent again",
          history_.events_pruned(), now_ms - options_.retention_ms, /*expected=*/false);
    }
    history_.set_stream_created_ns(info->created_ns);
    history_.set_first_acked_sequence(0);
    history_.set_first_acked_ms(0);
    history_.set_events_pruned(0);
    history_.set_first_pruned_published_ms(0);
    history_.set_last_pruned_stream_sequence(0);
    incarnation_changed_ = true;
  } else if (history_.last_pruned_stream_sequence() > 0 &&
             info->state.last_sequence < history_.last_pruned_stream_sequence()) {
    AddGapLocked(
        "ストリームの新しいメッセージがありません (古い写しから戻された?) / the stream's newest "
        "messages are gone (its store restored from an older copy?); events already pruned from "
        "the outbox cannot be sent again",
        0, now_ms - options_.retention_ms, /*expected=*/false);
    history_.set_last_pruned_stream_sequence(info->state.last_sequence);
    if (history_.first_acked_sequence() > info->state.last_sequence) {
      history_.set_first_acked_sequence(0);
    }
  } else if (history_.first_acked_sequence() > 0 &&
             info->state.first_sequence > history_.first_acked_sequence()) {
    const int64_t max_age_ms = info->max_age_ns / kNanosPerMilli;
    const int64_t first_ms =
        info->first_time_ns > 0 ? info->first_time_ns / kNanosPerMilli : now_ms;
    // The stream's own expiry removes messages older than max_age: its first message now is
    // about that old. A purge or a limit leaves a younger one (within 30 days of max_age is
    // taken for expiry: a quiet month would otherwise look like a purge).
    const bool aged = max_age_ms > 0 && first_ms <= now_ms - max_age_ms + kExpirySlackMs;
    if (aged) {
      AddGapLocked(
          "保存期間 (nats.max_age_days) を過ぎたイベントはストリームから消えました / events older "
          "than the stream's max_age were removed, as configured",
          0, first_ms, /*expected=*/true);
    } else {
      AddGapLocked(
          "ストリームの古いメッセージが削除されました (パージまたは容量の上限) / the stream's "
          "oldest messages were removed (a purge or a size limit); how many of this service's "
          "events is not known",
          0, first_ms, /*expected=*/false);
    }
    // Watch from the stream's present first message on.
    history_.set_first_acked_sequence(info->state.first_sequence);
    history_.set_first_acked_ms(first_ms);
  }
  history_checked_ms_ = now_ms;
  ReportGapLocked();
  if (history_.SerializeAsString() == before.SerializeAsString()) return absl::OkStatus();
  Batch batch;
  SaveHistoryLocked(&batch);
  return outbox_->store()->Write(batch);
}

absl::StatusOr<v1::StreamHistory> OutboxRelay::AcceptGaps(const std::string& subject) {
  std::lock_guard<std::mutex> lock(history_mu_);
  v1::StreamHistoryRecord next = history_;
  const auto now = clock_->NowTimestamp();
  for (auto& g : *next.mutable_gaps()) {
    if (g.has_accepted_at()) continue;
    *g.mutable_accepted_at() = now;
    g.set_accepted_by(subject);
  }
  std::swap(history_, next);
  v1::StreamHistory answer = HistoryLocked();
  CommandBatch cmd(outbox_->store(), outbox_);
  SaveHistoryLocked(&cmd.batch());
  cmd.SetAnswer(answer);
  if (absl::Status s = cmd.Commit(); !s.ok()) {
    std::swap(history_, next);
    return s;
  }
  ReportGapLocked();
  LogLine(LogLevel::kInfo, "stream history gaps accepted").Field("by", subject);
  return answer;
}

}  // namespace renkei::common
