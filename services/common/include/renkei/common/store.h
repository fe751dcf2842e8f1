// RocksDB behind a small API: named column families, atomic batches written with sync=true, and
// missing keys reported as NotFound.
//
// Every command of every service is one Batch: the entity, its secondary indexes and the outbox
// record of its event, written together by Store::Write (WAL synced before returning), so either
// all of it is durable or none of it is.
//
// Write errors (docs/operations.md, "A full disk"). When a write fails with an I/O error — the
// disk is full, or it failed otherwise — RocksDB refuses every later write with the same error
// until it is recovered; reads go on. Store::Write then answers RESOURCE_EXHAUSTED (a full disk,
// ErrorInfo DISK_FULL) or UNAVAILABLE (ErrorInfo STORE_READ_ONLY), with no server path in the
// message, and writable() turns false. A watchdog thread checks every second: once the store
// takes a probe write again it is writable; otherwise, once the disk has room for what the
// memtables hold, it closes and reopens the database in this process (every acknowledged write
// is in the WAL or the table files; a write that failed is not). RocksDB's own recovery
// (DB::Resume, the SstFileManager's) is never used: in RocksDB 7.8 it can hang, or keep a broken
// WAL writer and abort on the next write (an assertion Debian's build keeps), and it waits for
// 32 MiB free whatever the memtables hold. RocksDB's info log goes through a logger that ignores
// its own write errors (the default one aborts on a full disk).
//
// While it is closed for a reopen, reads and writes answer UNAVAILABLE (an iterator is empty and
// says so); a failed open is retried every second.
//
// Thread safety: Store is thread-safe. A Batch or an Iterator belongs to one thread; an Iterator
// holds the store open (a reopen waits for it: do not keep one across a slow call). Every use
// takes a shared lock; a thread may take it again while holding it (glibc's rwlock prefers
// readers), so code may read or write while iterating.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rocksdb {
class DB;
class Status;
class ColumnFamilyHandle;
class WriteBatch;
class Iterator;
class Cache;
}  // namespace rocksdb

namespace renkei::common {

struct StoreFamily;

// A column family of an open Store (cheap to copy; valid while the Store lives, across reopens).
class ColumnFamily {
 public:
  ColumnFamily() = default;
  // False for a default-constructed ColumnFamily (no family).
  bool valid() const { return family_ != nullptr; }

 private:
  friend class Store;
  friend class Batch;
  explicit ColumnFamily(const StoreFamily* f) : family_(f) {}
  const StoreFamily* family_ = nullptr;
};

class Batch {
 public:
  Batch();
  ~Batch();
  Batch(Batch&&) noexcept;
  Batch& operator=(Batch&&) noexcept;

  void Put(ColumnFamily cf, std::string_view key, std::string_view value);
  // Adds `value` (EncodeSums) to what `key` holds, in a family named "sum_*" (no read needed:
  // RocksDB's merge operator adds the operands up when the key is read or compacted).
  void Merge(ColumnFamily cf, std::string_view key, std::string_view value);
  void Delete(ColumnFamily cf, std::string_view key);
  // Removes every key in [begin, end) with one range tombstone.
  void DeleteRange(ColumnFamily cf, std::string_view begin, std::string_view end);
  // Number of operations in the batch.
  int Count() const;
  // Approximate size in bytes.
  size_t ByteSize() const;
  void Clear();

 private:
  friend class Store;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
};

// Forward iteration over one column family.
class Iterator {
 public:
  ~Iterator();
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;
  void Seek(std::string_view key);
  void SeekToFirst();
  void SeekToLast();
  void Next();
  void Prev();
  bool Valid() const;
  std::string_view key() const;
  std::string_view value() const;
  absl::Status status() const;

 private:
  friend class Store;
  Iterator(rocksdb::Iterator* it, std::shared_ptr<void> hold);
  std::shared_ptr<void> hold_;  // the store's shared lock: no reopen under an iterator
  std::unique_ptr<rocksdb::Iterator> it_;
};

// The values of a summing family ("sum_*"): three numbers added up element by element.
struct Sums {
  double a = 0, b = 0, c = 0;
};
std::string EncodeSums(const Sums& sums);
bool DecodeSums(std::string_view value, Sums* sums);
inline constexpr char kSumFamilyPrefix[] = "sum_";

struct StoreOptions {
  std::string path;
  // Column families besides RocksDB's "default"; created when missing. Families that exist in
  // the database but are not listed are opened too (a newer version may have dropped them).
  std::vector<std::string> column_families;
  // Shared block cache for all column families.
  size_t block_cache_bytes = 128u << 20;
  // Opens the database as it is on disk, without writing or taking its lock (tools reading a
  // running service's data, e.g. `renkeictl audit verify`); only existing column families.
  bool read_only = false;
  // false: table blocks are written uncompressed, for tests that scan the raw files (a compressed
  // block could hide a string from such a scan).
  bool compress = true;
  // How often the watchdog looks at a store that refuses writes (0: no watchdog).
  int recovery_check_ms = 1000;
  // Families read mostly by keys that are not there (e.g. request ids seen for the first time):
  // their memtables get a bloom filter, so such a miss costs no skiplist search.
  std::vector<std::string> point_lookup_families = {};
};

enum class Durability {
  kSync,   // fsync the WAL before returning: every command
  kAsync,  // WAL written but not synced: relay bookkeeping that can be redone after a crash
};

class Store;

// Called by the next synced Store::Write on this thread with its batch, before writing; returns
// true once it has done its work (then it is cleared). The audit log uses it to journal a change
// in the very write that makes the change. The caller sets and clears it (nullptr).
using BatchHook = std::function<bool(const Store&, Batch&)>;
void SetThreadBatchHook(std::shared_ptr<BatchHook> hook);

class Store {
 public:
  // Opens (creating if needed) the database. Fails with the RocksDB error (e.g. the directory is
  // locked by another process: UNAVAILABLE).
  static absl::StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();

  // Fails (program error) for a name not given in StoreOptions.
  ColumnFamily Cf(std::string_view name) const;
  bool HasCf(std::string_view name) const;

  // Atomically applies the batch. An empty batch is a no-op.
  absl::Status Write(Batch& batch, Durability durability = Durability::kSync);

  // NotFound when the key is absent.
  absl::StatusOr<std::string> Get(ColumnFamily cf, std::string_view key) const;
  // Point lookups in one call; each result is the value or NotFound.
  std::vector<absl::StatusOr<std::string>> MultiGet(ColumnFamily cf,
                                                    const std::vector<std::string>& keys) const;

  std::unique_ptr<Iterator> NewIterator(ColumnFamily cf) const;

  // Calls fn(key, value) for every key starting with prefix, in key order, until fn returns false.
  absl::Status ScanPrefix(ColumnFamily cf, std::string_view prefix,
                          const std::function<bool(std::string_view, std::string_view)>& fn) const;

  // Writes every family's memtable to table files (after which RocksDB deletes the WAL files
  // that held them), then rewrites every table file of `cf`, so values overwritten or deleted
  // in it are gone from the disk. Blocks until done.
  absl::Status Compact(ColumnFamily cf);
  // The same for every family.
  absl::Status CompactAll();
  // Every open family, "default" first.
  const std::vector<std::string>& column_family_names() const { return cf_names_; }
  // A consistent on-disk copy (hard links where possible) in a new directory `dir`. When
  // `sequence` is given it receives the sequence number the copy holds (every write up to it).
  absl::Status Checkpoint(const std::string& dir, uint64_t* sequence = nullptr) const;

  const std::string& path() const { return path_; }
  // Whether Open created the database (the directory held none before).
  bool created() const { return created_; }

  // False from a failed write until the store takes writes again (see the header comment).
  bool writable() const { return writable_.load(); }
  // Why it is not writable, for logs (may name files); "" when writable.
  std::string write_error() const;
  // How many times the database was reopened to recover from a write error.
  int reopens() const { return reopens_.load(); }

 private:
  struct Recovery;
  Store();
  absl::Status OpenDb();
  absl::Status WriteError(const rocksdb::Status& s);
  void WatchWrites();
  bool Reopen();

  std::string path_;
  StoreOptions options_;
  bool created_ = false;
  // Held shared by every use of db_ and the handles, exclusively by a reopen.
  mutable std::shared_mutex db_mu_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<std::string> cf_names_;
  std::vector<rocksdb::ColumnFamilyHandle*> cf_handles_;  // by family index
  std::vector<std::unique_ptr<StoreFamily>> families_;    // stable across reopens
  std::unique_ptr<Recovery> recovery_;
  std::atomic<bool> writable_{true};
  std::atomic<int> reopens_{0};
  std::thread watchdog_;
};

}  // namespace renkei::common
