// Transactional outbox: events are written in the same RocksDB batch as the state change that
// produced them, and a relay publishes them to JetStream afterwards.
//
//   CommandBatch cmd(store, outbox);
//   cmd.batch().Put(resources_cf, key, value);
//   cmd.AddEvent(event);
//   RETURN_IF_ERROR(cmd.Commit());   // one synced WriteBatch: state + event, or nothing
//
// The relay publishes records in sequence order with the event id as Nats-Msg-Id. A published
// record stays where it is for a retention window and is then removed with the whole published
// prefix in one range deletion: nats-server 2.9 acks before fsync, so after a reconnect
// (possibly to a server that crashed and lost its unsynced tail) and after a restart of the
// relay, every record still present is published again, and the stream's duplicate window drops
// the ones it already has. A relay killed between publishing and moving on does the same.
// Publishing writes nothing to RocksDB; only the periodic pruning does. NATS being down never
// fails a command.
//
// Thread safety: Outbox and CommandBatch are thread-safe / single-thread respectively;
// OutboxRelay runs its own thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "renkei/common/bus.h"
#include "renkei/common/clock.h"
#include "renkei/common/store.h"
#include "renkei/v1/admin.pb.h"
#include "renkei/v1/events.pb.h"
#include "renkei/v1/storage.pb.h"

namespace renkei::common {

class Metrics;

// Column families the outbox needs in a service's Store: its records, the relay's own records and
// the event tally (event_counts.h).
std::vector<std::string> OutboxColumnFamilies();

// The event of a pending outbox record (a record is the subject and id, then the envelope);
// false when the record is malformed.
bool DecodeOutboxRecord(std::string_view record, v1::EventEnvelope* event);

class Outbox {
 public:
  explicit Outbox(Store* store);

  // Reserves `n` consecutive sequence numbers for records about to be written; returns the
  // first. Every reservation must be Released once its batch is written or abandoned.
  uint64_t Reserve(uint64_t n);
  void Release(uint64_t first);
  // Adds the record to the batch under sequence `seq`.
  void Put(Batch* batch, uint64_t seq, const v1::EventEnvelope& event) const;

  // Wakes the relay (after a batch with events was written).
  void Notify();
  // Blocks until notified or timeout.
  void WaitForWork(int timeout_ms);

  // Every sequence below this is written or abandoned (nothing below it is in flight).
  uint64_t SettledBelow() const;

  Store* store() const { return store_; }
  ColumnFamily records_cf() const { return records_cf_; }
  // The tally of what the events add to the derived indicators (event_counts.h); unset when the
  // store has no such family.
  ColumnFamily counts_cf() const { return counts_cf_; }

 private:
  Store* store_;
  ColumnFamily records_cf_;
  ColumnFamily counts_cf_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool notified_ = false;
  uint64_t next_seq_ = 1;
  std::multimap<uint64_t, uint64_t> inflight_;  // first -> count
};

// One command: a batch plus the outbox records of its events, committed together.
// A command's answer as its request record keeps it (requests.h).
struct CommandAnswer {
  // Where the batch stored it (family non-empty), or else a copy: the deterministic
  // serialization.
  std::string family;
  std::string key;
  std::string copy;
  size_t size = 0;  // serialized, in bytes
  const google::protobuf::Descriptor* type = nullptr;
};

class CommandBatch {
 public:
  CommandBatch(Store* store, Outbox* outbox) : store_(store), outbox_(outbox) {}
  ~CommandBatch();
  CommandBatch(const CommandBatch&) = delete;
  CommandBatch& operator=(const CommandBatch&) = delete;

  Batch& batch() { return batch_; }
  // Adds an event to publish with this batch. Any field marked (renkei.v1.personal) is cleared
  // first: personal data never reaches the bus, whatever a payload is given.
  void AddEvent(const v1::EventEnvelope& event);
  size_t event_count() const { return events_.size(); }

  // Keeps `held` (e.g. a lock taken while reading what the batch changes) until the batch is
  // destroyed, i.e. past the commit: for event handlers, whose batch the consumer commits.
  void Hold(std::shared_ptr<void> held) { held_.push_back(std::move(held)); }
  // Runs `fn` after a successful commit (e.g. to update an in-memory index).
  void OnCommitted(std::function<void()> fn) { on_committed_.push_back(std::move(fn)); }
  // The command's answer: exactly what the RPC will send back. When the command runs for a
  // request id (requests.h), the answer is recorded in this batch so that a retry receives it;
  // otherwise nothing is kept.
  void SetAnswer(const google::protobuf::Message& answer);
  // The same, when the answer is `record`, put by this batch under (family, key): the request's
  // record then names it instead of holding a copy (common::Table::PutAnswer).
  void SetAnswerStored(std::string_view family, std::string_view key,
                       const google::protobuf::Message& record);
  // This batch is one of several of a command: its request id is recorded with a later one.
  void DeferAnswer() { defer_answer_ = true; }

  // Writes state and events with sync=true; wakes the relay. Usable once.
  absl::Status Commit();

 private:
  Store* store_;
  Outbox* outbox_;
  Batch batch_;
  std::vector<v1::EventEnvelope> events_;
  uint64_t reserved_first_ = 0;
  std::vector<std::function<void()>> on_committed_;
  std::vector<std::shared_ptr<void>> held_;  // released when the batch is destroyed
  // The answer, when the command runs for a request id.
  std::optional<CommandAnswer> answer_;
  bool defer_answer_ = false;
};

struct RelayOptions {
  // The service whose outbox this is ("intake"), for the stream history.
  std::string service;
  StreamSpec stream;
  // Streams ensured after `stream` on every (re)connection, in order (the federation streams).
  std::vector<StreamSpec> extra_streams;
  int batch_size = 1000;
  // After being woken by a commit, wait this long for more before publishing, so that a busy
  // service publishes batches rather than one round trip per command (events reach the stream at
  // most this much later).
  int linger_ms = 2;
  int64_t retention_ms = 300000;
  int publish_timeout_ms = 5000;
  // How often the stream's history is checked besides after every (re)connection.
  int64_t history_check_interval_ms = 300000;
};

class OutboxRelay {
 public:
  OutboxRelay(Outbox* outbox, NatsBus* bus, RelayOptions options,
              const Clock* clock = SystemClock::Get(), Metrics* metrics = nullptr);
  ~OutboxRelay();

  void Start();
  // Stops the thread (pending records stay in the store for the next start).
  void Stop();

  // One round (for tests and the thread): after a (re)connect ensures the stream and starts over
  // from the oldest record kept; publishes what is pending; prunes what was published longer than
  // the retention ago. Returns how many records were published.
  absl::StatusOr<int> RunOnce();

  // Records not yet acknowledged by the stream / published and kept for the retention window.
  int64_t PendingCount() const;
  int64_t RetainedCount() const;
  uint64_t published_total() const { return published_total_.load(); }

  // Stream history: whether the stream still holds every event this relay published.
  //
  // The relay remembers, in the service's own store, which incarnation of the stream it
  // publishes to (the stream's creation time), the lowest stream sequence acknowledged for one
  // of its events there, and how many events it pruned from the outbox after that incarnation
  // acknowledged them. After every (re)connection and every history_check_interval_ms it
  // compares with the stream:
  //   - another incarnation (the stream was deleted, or its store lost, and created again):
  //     the events pruned before are gone for good (those still in the outbox are published
  //     again) — a gap of that many events, unless none was pruned;
  //   - the stream's first sequence is past the lowest one acknowledged: the oldest messages
  //     were removed — by the stream's max_age when that event is older than it (an expected
  //     gap, no alert), otherwise by a purge or a size limit (a gap of unknown size).
  // A gap is logged as an error, counted in renkei_stream_history_gap until an operator
  // accepts it (AdminService.AcceptStreamHistoryGap), and kept on record: the history stays
  // incomplete, so a recompute of the derived indicators refuses unless told otherwise.
  v1::StreamHistory History() const;
  //   - the stream's last sequence is below the highest one of an event pruned: its newest
  //     messages are gone (a store restored from an older copy) — a gap of unknown size.
  // Events removed within 30 days of the stream's max_age are taken for its expiry.
  // Accepts every gap not yet accepted (as `subject`), in a synced command batch that also
  // records `answer` for the call's request id; the history after.
  absl::StatusOr<v1::StreamHistory> AcceptGaps(const std::string& subject);
  // Compares with the stream now (the relay's thread does it on its own; tests call it).
  absl::Status CheckHistory();

 private:
  absl::Status OnConnected();
  // Everything still in the outbox goes out again (after a reconnect, a new incarnation of the
  // stream, or a reopened store).
  void StartOver();
  absl::StatusOr<int> PublishPending();
  absl::Status Prune();
  int64_t CountRecords(uint64_t from, uint64_t to) const;
  v1::StreamHistory HistoryLocked() const;
  void SaveHistoryLocked(Batch* batch) const;
  void AddGapLocked(std::string cause, uint64_t lost, int64_t lost_before_ms, bool expected);
  void ReportGapLocked() const;

  Outbox* outbox_;
  NatsBus* bus_;
  RelayOptions options_;
  const Clock* clock_;
  Metrics* metrics_;
  uint64_t seen_generation_ = 0;
  // Every record below scan_from_ is published (since the last (re)connect); the relay resumes
  // there. Read by the metrics thread.
  std::atomic<uint64_t> scan_from_{0};
  // After each round: every record below `below` was published by `at`, the highest stream
  // sequence acknowledged so far being `stream_sequence`. For pruning.
  struct Mark {
    uint64_t below;
    int64_t at;
    uint64_t stream_sequence;
  };
  std::deque<Mark> published_marks_;
  uint64_t highest_acked_ = 0;  // the highest stream sequence acknowledged on this connection
  int seen_reopens_ = 0;        // the store's reopens() when the relay last started over
  uint64_t pruned_below_ = 0;
  int64_t last_prune_ms_ = 0;
  std::atomic<uint64_t> published_total_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
  ColumnFamily meta_cf_;  // unset when the store has no "outbox_meta" (tests)
  mutable std::mutex history_mu_;
  v1::StreamHistoryRecord history_;  // guarded by history_mu_
  int64_t history_checked_ms_ = 0;   // guarded by history_mu_; 0: never
  int64_t last_history_check_ms_ = 0;
  bool incarnation_changed_ = false;  // set by CheckHistory for the relay's thread
};

}  // namespace renkei::common
