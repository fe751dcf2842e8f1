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
// Thread-safe. Appends are chained in arrival order and group-committed: concurrent appenders
// share one synced write (a leader writes everything pending while the others wait), so an
// audited call costs a wait for the next sync, not a sync of its own.
#pragma once

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
};

class AuditLog {
 public:
  static std::vector<std::string> ColumnFamilies();

  AuditLog(Store* store, const Clock* clock = SystemClock::Get());
  // Reads the head (start-up).
  absl::Status Load();

  ~AuditLog();

  // Appends the entry (seq, time, hashes are set here); returns once it is durable.
  absl::StatusOr<v1::AuditEntry> Append(v1::AuditEntry entry);
  // Appends the entries, in order. kSync: returns once they are durable. kAsync: returns once
  // they are written to the WAL, not yet synced — the caller's next synced write to the same
  // store makes them durable with it (RocksDB syncs the WAL up to that write), and the flusher
  // (StartFlusher) syncs whatever is left within `flush_interval`. After a failed write every
  // later append fails too (the chain in memory would no longer match the disk).
  absl::StatusOr<std::vector<v1::AuditEntry>> AppendAll(std::vector<v1::AuditEntry> entries,
                                                        Durability durability = Durability::kSync);
  // Starts the thread that syncs entries appended with kAsync that no other write synced.
  void StartFlusher(std::chrono::milliseconds flush_interval = std::chrono::milliseconds(100));

  AuditVerification Verify() const;
  // Every entry about the record, oldest first.
  absl::StatusOr<std::vector<v1::AuditEntry>> Query(const std::string& record_id) const;
  // Every entry, oldest first.
  absl::StatusOr<std::vector<v1::AuditEntry>> QueryAll() const;
  // Whether the store holds an audit log (tools open service data read-only).
  static bool Present(const Store& store);

  // The hash an entry must have after `prev_hash` (exposed for tests and tools).
  static std::string HashOf(const v1::AuditEntry& entry);
  // The key of an entry (tests tamper with raw keys).
  static std::string EntryKey(uint64_t seq);

 private:
  Store* store_;
  const Clock* clock_;
  ColumnFamily cf_;
  mutable std::mutex mu_;
  std::condition_variable committed_;
  v1::AuditHead head_;                   // the last entry chained (guarded by mu_)
  std::vector<v1::AuditEntry> pending_;  // chained, not written yet
  bool pending_sync_ = false;            // some pending entry must be synced
  v1::AuditHead written_head_;           // the last entry written
  uint64_t durable_seq_ = 0;             // the last entry synced
  bool writing_ = false;                 // a leader is writing
  absl::Status failed_;                  // sticky write failure
  bool stopping_ = false;
  std::condition_variable stop_;
  std::thread flusher_;
};

}  // namespace renkei::common
