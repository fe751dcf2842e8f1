// The tamper-evident audit log (MHLW guideline 6.0: access records): every read or change of
// personal data and every denied call, appended with who, when, which RPC and which record.
//
// Entries live in the service's RocksDB ("audit" column family) under their sequence number;
// each entry's hash is SHA-256 over the previous entry's hash and the entry itself, and the head
// (last sequence and hash) is kept beside them. Verify() recomputes the chain: an edited entry
// fails its own hash, a deleted one leaves a gap, a reordered one is out of sequence and breaks
// the links, and entries removed from the end no longer match the head. (Someone able to rewrite
// the whole chain and the head can forge it: publishing the head outside the instance is what
// closes that; see docs/security.md.)
//
// Writing and chaining are separate, so that auditing costs no fsync of its own: a record is
// first written to the journal (keys "j<time><n>") — inside the change's own synced WriteBatch
// (JournalInto, through the store's thread batch hook), with a group-committed synced write of
// its own (Record: reads, refusals), or from memory by the sealer (RecordLater) — and the
// sealer (every 100 ms, at start-up and at shutdown) moves journal records into the chain in
// time order with one synced write. A journal record is durable from the moment its write
// returns and tamper-evident once sealed.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/clock.h"
#include "renkei/common/store.h"
#include "renkei/v1/security.pb.h"

namespace renkei::common {

struct AuditVerification {
  bool ok = true;
  uint64_t entries = 0;    // entries read
  uint64_t first_bad = 0;  // the sequence where the first problem shows (0 when ok)
  std::string problem;     // what is wrong, e.g. "entry 4 was modified"
  uint64_t journal = 0;    // records written but not sealed yet
};

// How the sealer is doing (metrics: renkei_audit_*).
struct AuditSealing {
  int64_t last_seal_micros = 0;  // when a round of the sealer last succeeded (0: not yet)
  uint64_t failures = 0;         // rounds that failed since start-up
  uint64_t waiting = 0;          // records this process knows are not sealed yet
};

class AuditLog {
 public:
  static std::vector<std::string> ColumnFamilies();

  AuditLog(Store* store, const Clock* clock = SystemClock::Get());
  ~AuditLog();
  // Reads the head (start-up).
  absl::Status Load();

  // Writes the entries to the journal with one write of the given durability.
  absl::Status Record(std::vector<v1::AuditEntry> entries, Durability durability);
  // Adds the entry's journal record to `batch` (the change's own write).
  void JournalInto(Batch* batch, v1::AuditEntry entry);
  // Keeps the entry for the sealer's next write (durable within the sealing interval).
  void RecordLater(v1::AuditEntry entry);
  // Chains every journal record (and every entry kept for later) now, in time order.
  absl::Status Seal();
  // Appends and seals the entry at once; returns the newest chained entry — this one when
  // nothing else appends concurrently (tests).
  absl::StatusOr<v1::AuditEntry> Append(const v1::AuditEntry& entry);
  // Seals every `interval` in a thread of its own (the services start it).
  void StartSealer(std::chrono::milliseconds interval = std::chrono::milliseconds(100));

  const Store* store() const { return store_; }
  AuditSealing sealing() const;

  AuditVerification Verify() const;
  // Every entry about the record, oldest first (sealed entries, then journal records not sealed
  // yet, whose seq is 0).
  absl::StatusOr<std::vector<v1::AuditEntry>> Query(const std::string& record_id) const;
  absl::StatusOr<std::vector<v1::AuditEntry>> QueryAll() const;
  // Whether the store holds an audit log (tools open service data read-only).
  static bool Present(const Store& store);

  // The hash an entry must have after `prev_hash` (exposed for tests and tools).
  static std::string HashOf(const v1::AuditEntry& entry);
  // The key of an entry (tests tamper with raw keys).
  static std::string EntryKey(uint64_t seq);

 private:
  std::string JournalKey(int64_t at_micros);
  Store* store_;
  const Clock* clock_;
  ColumnFamily cf_;
  std::atomic<uint64_t> journal_counter_;
  std::mutex seal_mu_;  // one sealer at a time
  v1::AuditHead head_;  // guarded by seal_mu_
  std::atomic<int64_t> last_seal_micros_{0};
  std::atomic<uint64_t> seal_failures_{0};
  std::atomic<uint64_t> in_round_{0};  // records a sealing round has taken and not written yet
  mutable std::mutex later_mu_;
  std::vector<v1::AuditEntry> later_;  // guarded by later_mu_
  // Journal keys this process put into batches and the sealer has not found yet (when they were
  // put): the sealer looks them up instead of scanning the journal, whose sealed records leave
  // tombstones that a scan walks over again each round (a quarter of intake's CPU under load).
  // The journal is scanned once, at the first seal, for what an earlier process left.
  std::vector<std::pair<std::string, int64_t>> unsealed_;  // guarded by later_mu_
  bool journal_scanned_ = false;                           // guarded by seal_mu_
  std::chrono::steady_clock::time_point last_scan_;        // guarded by seal_mu_
  std::mutex stop_mu_;
  std::condition_variable stop_;
  bool stopping_ = false;  // guarded by stop_mu_
  std::thread sealer_;
};

}  // namespace renkei::common
