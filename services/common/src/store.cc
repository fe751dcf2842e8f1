#include "renkei/common/store.h"

#include <algorithm>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "renkei/common/errors.h"
#include "renkei/common/log.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/listener.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace renkei::common {
namespace {

// RocksDB -> absl::Status, the one place this translation happens. What reaches a client never
// names a file: RocksDB's text (it may) goes to the log.
absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  if (s.IsNotFound()) return absl::NotFoundError(std::string(what) + ": not found");
  LogLine(LogLevel::kWarning, "store error")
      .Field("what", std::string(what))
      .Field("detail", s.ToString());
  switch (s.code()) {
    case rocksdb::Status::kInvalidArgument:
      return absl::InternalError(std::string(what) + ": invalid argument to the store");
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain:
    case rocksdb::Status::kTimedOut:
      return absl::UnavailableError(std::string(what) + ": the store is busy; try again");
    case rocksdb::Status::kIOError:
      if (s.IsNoSpace()) return DiskFull();
      return StoreReadOnly("入出力エラー / I/O error");
    case rocksdb::Status::kCorruption:
      return absl::DataLossError(std::string(what) +
                                 ": データが壊れています / stored data is corrupt (see the log)");
    default:
      return absl::InternalError(std::string(what) + ": store error (see the log)");
  }
}

// Errors on close are not actionable (the process is going away); greppable on purpose.
void IgnoreErrorRocks(const rocksdb::Status&) {}

// The merge operator of the "sum_*" families: operands and values are Sums, added up.
class SumsOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    Sums total, add;
    if (existing != nullptr && !DecodeSums({existing->data(), existing->size()}, &total)) {
      return false;
    }
    if (!DecodeSums({value.data(), value.size()}, &add)) return false;
    total.a += add.a;
    total.b += add.b;
    total.c += add.c;
    *new_value = EncodeSums(total);
    return true;
  }
  const char* Name() const override { return "renkei.Sums"; }
};

// A column family by its id, for WriteBatch (which records only the id): stays valid while the
// database is closed and reopened, unlike RocksDB's own handles.
class IdHandle final : public rocksdb::ColumnFamilyHandle {
 public:
  IdHandle(std::string name, uint32_t id) : name_(std::move(name)), id_(id) {}
  const std::string& GetName() const override { return name_; }
  uint32_t GetID() const override { return id_; }
  rocksdb::Status GetDescriptor(rocksdb::ColumnFamilyDescriptor*) override {
    return rocksdb::Status::NotSupported("IdHandle");
  }
  const rocksdb::Comparator* GetComparator() const override {
    return rocksdb::BytewiseComparator();
  }

 private:
  std::string name_;
  uint32_t id_;
};

// RocksDB's info log, written to <path>/LOG with every write error ignored: the default logger
// aborts (an assertion in Debian's build) when its file cannot be written on a full disk.
class QuietLogger final : public rocksdb::Logger {
 public:
  explicit QuietLogger(const std::string& path)
      : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL), file_(std::fopen(path.c_str(), "a")) {}
  ~QuietLogger() override {
    if (file_ != nullptr) std::fclose(file_);
  }
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (file_ == nullptr) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (std::ftell(file_) > kMaxBytes) {
      // Start over rather than grow without bound (RocksDB's own logger would roll files).
      std::FILE* again = std::freopen(nullptr, "w", file_);
      if (again == nullptr) {
        file_ = nullptr;
        return;
      }
    }
    (void)std::vfprintf(file_, format, ap);
    (void)std::fputc('\n', file_);
    (void)std::fflush(file_);
  }

 private:
  static constexpr long kMaxBytes = 16L << 20;
  std::mutex mu_;
  std::FILE* file_;
};

}  // namespace

// A family of the store: its name, its index in the store's handles, and a handle by id for
// batches.
struct StoreFamily {
  std::string name;
  size_t index = 0;
  mutable IdHandle by_id;  // WriteBatch takes a non-const handle; it only reads the id
};

// RocksDB's background errors, seen by the store, and its own recovery turned off.
struct Store::Recovery : public rocksdb::EventListener {
  std::atomic<bool> needed{false};
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  std::string error;  // guarded by mu
  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* s) override { Note(*s); }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;  // the store recovers by reopening (store.h)
  }
  void Note(const rocksdb::Status& s) {
    {
      std::lock_guard<std::mutex> lock(mu);
      error = s.ToString();
    }
    needed = true;
    cv.notify_all();
  }
};

std::string EncodeSums(const Sums& sums) {
  std::string out(3 * sizeof(double), '\0');
  std::memcpy(out.data(), &sums.a, sizeof(double));
  std::memcpy(out.data() + sizeof(double), &sums.b, sizeof(double));
  std::memcpy(out.data() + 2 * sizeof(double), &sums.c, sizeof(double));
  return out;
}

bool DecodeSums(std::string_view value, Sums* sums) {
  if (value.size() != 3 * sizeof(double)) return false;
  std::memcpy(&sums->a, value.data(), sizeof(double));
  std::memcpy(&sums->b, value.data() + sizeof(double), sizeof(double));
  std::memcpy(&sums->c, value.data() + 2 * sizeof(double), sizeof(double));
  return true;
}

Batch::Batch() : batch_(std::make_unique<rocksdb::WriteBatch>()) {}
Batch::~Batch() = default;
Batch::Batch(Batch&&) noexcept = default;
Batch& Batch::operator=(Batch&&) noexcept = default;

void Batch::Put(ColumnFamily cf, std::string_view key, std::string_view value) {
  // WriteBatch::Put only fails on sizes beyond 4 GiB, which no command comes near.
  auto s = batch_->Put(&cf.family_->by_id, rocksdb::Slice(key.data(), key.size()),
                       rocksdb::Slice(value.data(), value.size()));
  if (!s.ok()) std::abort();
}

void Batch::Merge(ColumnFamily cf, std::string_view key, std::string_view value) {
  auto s = batch_->Merge(&cf.family_->by_id, rocksdb::Slice(key.data(), key.size()),
                         rocksdb::Slice(value.data(), value.size()));
  if (!s.ok()) std::abort();
}

void Batch::Delete(ColumnFamily cf, std::string_view key) {
  auto s = batch_->Delete(&cf.family_->by_id, rocksdb::Slice(key.data(), key.size()));
  if (!s.ok()) std::abort();
}

void Batch::DeleteRange(ColumnFamily cf, std::string_view begin, std::string_view end) {
  auto s = batch_->DeleteRange(&cf.family_->by_id, rocksdb::Slice(begin.data(), begin.size()),
                               rocksdb::Slice(end.data(), end.size()));
  if (!s.ok()) std::abort();
}

int Batch::Count() const { return static_cast<int>(batch_->Count()); }
size_t Batch::ByteSize() const { return batch_->GetDataSize(); }
void Batch::Clear() { batch_->Clear(); }

// `it` null: the store is being reopened; the iterator is empty and says UNAVAILABLE.
Iterator::Iterator(rocksdb::Iterator* it, std::shared_ptr<void> hold)
    : hold_(std::move(hold)), it_(it) {}
Iterator::~Iterator() { it_.reset(); }  // before the lock is released
void Iterator::Seek(std::string_view key) {
  if (it_) it_->Seek(rocksdb::Slice(key.data(), key.size()));
}
void Iterator::SeekToFirst() {
  if (it_) it_->SeekToFirst();
}
void Iterator::SeekToLast() {
  if (it_) it_->SeekToLast();
}
void Iterator::Next() { it_->Next(); }
void Iterator::Prev() { it_->Prev(); }
bool Iterator::Valid() const { return it_ && it_->Valid(); }
std::string_view Iterator::key() const {
  auto k = it_->key();
  return {k.data(), k.size()};
}
std::string_view Iterator::value() const {
  auto v = it_->value();
  return {v.data(), v.size()};
}
absl::Status Iterator::status() const {
  if (!it_) return StoreReadOnly("再オープン中 / reopening");
  return FromRocks(it_->status(), "iterator");
}

Store::Store() : recovery_(std::make_unique<Recovery>()) {}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::error_code ec;
  const bool existed = std::filesystem::exists(options.path + "/CURRENT", ec);
  if (options.read_only) {
    if (!existed) return absl::NotFoundError("no database in " + options.path);
  } else {
    std::filesystem::create_directories(options.path, ec);
    if (ec) return absl::UnavailableError("create " + options.path + ": " + ec.message());
  }
  auto store = std::unique_ptr<Store>(new Store());
  store->path_ = options.path;
  store->options_ = options;
  store->created_ = !existed;
  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName};
  if (!options.read_only) {
    for (const auto& name : options.column_families) names.push_back(name);
  }
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), options.path, &existing).ok()) {
    for (const auto& name : existing) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  store->cf_names_ = std::move(names);
  if (absl::Status s = store->OpenDb(); !s.ok()) return s;
  for (size_t i = 0; i < store->cf_names_.size(); ++i) {
    store->families_.push_back(std::make_unique<StoreFamily>(StoreFamily{
        store->cf_names_[i], i, IdHandle(store->cf_names_[i], store->cf_handles_[i]->GetID())}));
  }
  if (!options.read_only && options.recovery_check_ms > 0) {
    store->watchdog_ = std::thread([s = store.get()] { s->WatchWrites(); });
  }
  return store;
}

absl::Status Store::OpenDb() {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 3;
  if (!options_.read_only) {
    db_options.info_log = std::make_shared<QuietLogger>(path_ + "/LOG");
    // Recovery needs room for what the memtables hold: keep the WAL, which a family written
    // rarely pins, from growing far beyond them.
    db_options.max_total_wal_size = 64u << 20;
    db_options.listeners.push_back(std::shared_ptr<rocksdb::EventListener>(
        recovery_.get(), [](rocksdb::EventListener*) {}));  // owned by the store
  }

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.write_buffer_size = 32u << 20;
  if (!options_.compress) {
    cf_options.compression = rocksdb::kNoCompression;
    cf_options.bottommost_compression = rocksdb::kNoCompression;
  }
  rocksdb::ColumnFamilyOptions sum_options = cf_options;
  sum_options.merge_operator = std::make_shared<SumsOperator>();
  rocksdb::ColumnFamilyOptions lookup_options = cf_options;
  lookup_options.memtable_whole_key_filtering = true;
  lookup_options.memtable_prefix_bloom_size_ratio = 0.02;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : cf_names_) {
    const auto& lookups = options_.point_lookup_families;
    descriptors.emplace_back(
        name, name.rfind(kSumFamilyPrefix, 0) == 0                               ? sum_options
              : std::find(lookups.begin(), lookups.end(), name) != lookups.end() ? lookup_options
                                                                                 : cf_options);
  }

  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  auto s = options_.read_only ? rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(db_options), path_,
                                                             descriptors, &handles, &raw)
                              : rocksdb::DB::Open(rocksdb::DBOptions(db_options), path_,
                                                  descriptors, &handles, &raw);
  if (!s.ok()) {
    // Start-up: an operator reads this (e.g. the directory is locked by another process).
    return s.IsIOError() ? absl::UnavailableError("open " + path_ + ": " + s.ToString())
                         : FromRocks(s, "open " + path_);
  }
  db_.reset(raw);
  cf_handles_ = std::move(handles);
  return absl::OkStatus();
}

Store::~Store() {
  {
    std::lock_guard<std::mutex> lock(recovery_->mu);
    recovery_->stop = true;
  }
  recovery_->cv.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
  std::unique_lock<std::shared_mutex> lock(db_mu_);
  if (!db_) return;
  for (auto* h : cf_handles_) IgnoreErrorRocks(db_->DestroyColumnFamilyHandle(h));
  IgnoreErrorRocks(db_->Close());
}

bool Store::HasCf(std::string_view name) const {
  return std::find(cf_names_.begin(), cf_names_.end(), name) != cf_names_.end();
}

ColumnFamily Store::Cf(std::string_view name) const {
  for (const auto& f : families_) {
    if (f->name == name) return ColumnFamily(f.get());
  }
  std::fprintf(stderr, "store: unknown column family '%.*s' (program error)\n",
               static_cast<int>(name.size()), name.data());
  std::abort();
}

namespace {
thread_local std::shared_ptr<BatchHook> t_batch_hook;
}  // namespace

void SetThreadBatchHook(std::shared_ptr<BatchHook> hook) { t_batch_hook = std::move(hook); }

absl::Status Store::Write(Batch& batch, Durability durability) {
  if (batch.Count() == 0) return absl::OkStatus();
  if (durability == Durability::kSync && t_batch_hook != nullptr) {
    std::shared_ptr<BatchHook> hook = t_batch_hook;
    if ((*hook)(*this, batch)) t_batch_hook.reset();
  }
  rocksdb::WriteOptions wo;
  wo.sync = durability == Durability::kSync;
  rocksdb::Status s;
  {
    std::shared_lock<std::shared_mutex> lock(db_mu_);
    if (!db_) return StoreReadOnly("再オープン中 / reopening");
    s = db_->Write(wo, batch.batch_.get());
  }
  if (s.ok()) return absl::OkStatus();
  return WriteError(s);
}

absl::Status Store::WriteError(const rocksdb::Status& s) {
  if (!s.IsIOError() && s.severity() < rocksdb::Status::Severity::kHardError) {
    return FromRocks(s, "write");
  }
  // RocksDB refuses writes from now on: the watchdog recovers (store.h).
  recovery_->Note(s);
  if (writable_.exchange(false)) {
    LogLine(LogLevel::kError, "store refuses writes; recovering once the cause is gone")
        .Field("path", path_)
        .Field("error", s.ToString());
  }
  if (s.IsNoSpace()) return DiskFull();
  return StoreReadOnly("入出力エラー / I/O error");
}

std::string Store::write_error() const {
  if (writable_.load()) return "";
  std::lock_guard<std::mutex> lock(recovery_->mu);
  return recovery_->error;
}

void Store::WatchWrites() {
  const auto interval = std::chrono::milliseconds(options_.recovery_check_ms);
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(recovery_->mu);
      recovery_->cv.wait_for(lock, interval,
                             [&] { return recovery_->stop || recovery_->needed.load(); });
      if (recovery_->stop) return;
    }
    if (!recovery_->needed.exchange(false)) continue;
    // A probe write: a soft error (a compaction short of space) leaves writes going.
    rocksdb::Status probe;
    uint64_t memtables = 0;
    {
      std::shared_lock<std::shared_mutex> lock(db_mu_);
      if (db_) {
        rocksdb::WriteBatch b;
        static const std::string kProbeKey("\0renkei_probe", 13);
        (void)b.Put(cf_handles_[0], kProbeKey, "1");
        rocksdb::WriteOptions wo;
        wo.sync = true;
        probe = db_->Write(wo, &b);
        for (auto* h : cf_handles_) {
          uint64_t v = 0;
          if (db_->GetIntProperty(h, "rocksdb.cur-size-all-mem-tables", &v)) memtables += v;
        }
      } else {
        probe = rocksdb::Status::IOError("closed");
      }
    }
    if (probe.ok()) {
      // NOLINTNEXTLINE(bugprone-unused-raii): a LogLine writes its line when the temporary ends.
      if (!writable_.exchange(true)) LogLine(LogLevel::kInfo, "store writable again");
      continue;
    }
    // A background error (a flush or compaction) with no client write failing yet.
    if (writable_.exchange(false)) {
      LogLine(LogLevel::kError, "store refuses writes; recovering once the cause is gone")
          .Field("path", path_)
          .Field("error", probe.ToString());
    }
    // Reopening writes the memtables out: wait until the disk has room for them.
    std::error_code ec;
    const auto space = std::filesystem::space(path_, ec);
    if (ec || space.available < memtables + (1u << 20)) {
      recovery_->needed = true;
      continue;
    }
    if (Reopen()) {
      writable_ = true;
      LogLine(LogLevel::kInfo, "store reopened after a write error; writable again")
          .Field("reopens", reopens_.load());
    } else {
      recovery_->needed = true;
    }
  }
}

bool Store::Reopen() {
  {
    std::unique_lock<std::shared_mutex> lock(db_mu_);
    if (db_) {
      for (auto* h : cf_handles_) IgnoreErrorRocks(db_->DestroyColumnFamilyHandle(h));
      cf_handles_.clear();
      // "Seen error. Skip writing buffer": the memtables' content is in the WAL and is recovered
      // by the open.
      IgnoreErrorRocks(db_->Close());
      db_.reset();
    }
  }
  // Closed meanwhile: reads and writes answer UNAVAILABLE rather than wait for the open.
  for (;;) {
    {
      std::unique_lock<std::shared_mutex> lock(db_mu_);
      absl::Status s = OpenDb();
      if (s.ok()) break;
      LogLine(LogLevel::kError, "store reopen failed; retrying").Field("error", s.ToString());
    }
    std::unique_lock<std::mutex> wait(recovery_->mu);
    if (recovery_->cv.wait_for(wait, std::chrono::seconds(1), [&] { return recovery_->stop; })) {
      return false;
    }
  }
  reopens_.fetch_add(1);
  return true;
}

absl::StatusOr<std::string> Store::Get(ColumnFamily cf, std::string_view key) const {
  std::string value;
  std::shared_lock<std::shared_mutex> lock(db_mu_);
  if (!db_) return StoreReadOnly("再オープン中 / reopening");
  auto s = db_->Get(rocksdb::ReadOptions(), cf_handles_[cf.family_->index],
                    rocksdb::Slice(key.data(), key.size()), &value);
  if (!s.ok()) return FromRocks(s, "get");
  return value;
}

std::vector<absl::StatusOr<std::string>> Store::MultiGet(
    ColumnFamily cf, const std::vector<std::string>& keys) const {
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<std::string> values;
  std::vector<rocksdb::Status> statuses;
  {
    std::shared_lock<std::shared_mutex> lock(db_mu_);
    if (!db_) {
      return std::vector<absl::StatusOr<std::string>>(keys.size(),
                                                      StoreReadOnly("再オープン中 / reopening"));
    }
    std::vector<rocksdb::ColumnFamilyHandle*> cfs(keys.size(), cf_handles_[cf.family_->index]);
    statuses = db_->MultiGet(rocksdb::ReadOptions(), cfs, slices, &values);
  }
  std::vector<absl::StatusOr<std::string>> out;
  out.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].ok()) {
      out.emplace_back(std::move(values[i]));
    } else {
      out.emplace_back(FromRocks(statuses[i], "get"));
    }
  }
  return out;
}

std::unique_ptr<Iterator> Store::NewIterator(ColumnFamily cf) const {
  auto hold = std::make_shared<std::shared_lock<std::shared_mutex>>(db_mu_);
  if (!db_) return std::unique_ptr<Iterator>(new Iterator(nullptr, nullptr));
  return std::unique_ptr<Iterator>(new Iterator(
      db_->NewIterator(rocksdb::ReadOptions(), cf_handles_[cf.family_->index]), std::move(hold)));
}

absl::Status Store::ScanPrefix(
    ColumnFamily cf, std::string_view prefix,
    const std::function<bool(std::string_view, std::string_view)>& fn) const {
  auto it = NewIterator(cf);
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    auto k = it->key();
    if (k.substr(0, prefix.size()) != prefix) break;
    if (!fn(k, it->value())) break;
  }
  return it->status();
}

absl::Status Store::Compact(ColumnFamily cf) {
  std::shared_lock<std::shared_mutex> lock(db_mu_);
  if (!db_) return StoreReadOnly("再オープン中 / reopening");
  rocksdb::FlushOptions fo;
  fo.wait = true;
  // All families: a WAL file is dropped only when every family that wrote to it is flushed.
  if (auto s = FromRocks(db_->Flush(fo, cf_handles_), "flush"); !s.ok()) return s;
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  return FromRocks(db_->CompactRange(co, cf_handles_[cf.family_->index], nullptr, nullptr),
                   "compact");
}

absl::Status Store::CompactAll() {
  for (const auto& f : families_) {
    if (auto s = Compact(ColumnFamily(f.get())); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Store::Checkpoint(const std::string& dir, uint64_t* sequence) const {
  std::shared_lock<std::shared_mutex> lock(db_mu_);
  if (!db_) return StoreReadOnly("再オープン中 / reopening");
  rocksdb::Checkpoint* raw = nullptr;
  auto s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!s.ok()) return FromRocks(s, "checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  // log_size_for_flush 0: memtables are always flushed first, so the copy needs no WAL replay.
  s = cp->CreateCheckpoint(dir, /*log_size_for_flush=*/0, sequence);
  if (s.IsIOError()) {
    // Operators read this one (renkeictl backup): the path is theirs.
    return s.IsNoSpace() ? DiskFull()
                         : absl::UnavailableError("checkpoint " + dir + ": " + s.ToString());
  }
  return FromRocks(s, "checkpoint " + dir);
}

}  // namespace renkei::common
