#include "renkei/common/store.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace renkei::common {
namespace {

// RocksDB -> absl::Status, the one place this translation happens.
absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = std::string(what) + ": " + s.ToString();
  switch (s.code()) {
    case rocksdb::Status::kNotFound:
      return absl::NotFoundError(msg);
    case rocksdb::Status::kInvalidArgument:
      return absl::InvalidArgumentError(msg);
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain:
    case rocksdb::Status::kTimedOut:
      return absl::UnavailableError(msg);
    case rocksdb::Status::kIOError:
      // A held LOCK file is an IOError: another process owns the directory.
      return absl::UnavailableError(msg);
    case rocksdb::Status::kCorruption:
      return absl::DataLossError(msg);
    default:
      return absl::InternalError(msg);
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

}  // namespace

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
  auto s = batch_->Put(cf.handle_, rocksdb::Slice(key.data(), key.size()),
                       rocksdb::Slice(value.data(), value.size()));
  if (!s.ok()) std::abort();
}

void Batch::Merge(ColumnFamily cf, std::string_view key, std::string_view value) {
  auto s = batch_->Merge(cf.handle_, rocksdb::Slice(key.data(), key.size()),
                         rocksdb::Slice(value.data(), value.size()));
  if (!s.ok()) std::abort();
}

void Batch::Delete(ColumnFamily cf, std::string_view key) {
  auto s = batch_->Delete(cf.handle_, rocksdb::Slice(key.data(), key.size()));
  if (!s.ok()) std::abort();
}

void Batch::DeleteRange(ColumnFamily cf, std::string_view begin, std::string_view end) {
  auto s = batch_->DeleteRange(cf.handle_, rocksdb::Slice(begin.data(), begin.size()),
                               rocksdb::Slice(end.data(), end.size()));
  if (!s.ok()) std::abort();
}

int Batch::Count() const { return batch_->Count(); }
size_t Batch::ByteSize() const { return batch_->GetDataSize(); }
void Batch::Clear() { batch_->Clear(); }

Iterator::Iterator(rocksdb::Iterator* it) : it_(it) {}
Iterator::~Iterator() = default;
void Iterator::Seek(std::string_view key) { it_->Seek(rocksdb::Slice(key.data(), key.size())); }
void Iterator::SeekToFirst() { it_->SeekToFirst(); }
void Iterator::SeekToLast() { it_->SeekToLast(); }
void Iterator::Next() { it_->Next(); }
void Iterator::Prev() { it_->Prev(); }
bool Iterator::Valid() const { return it_->Valid(); }
std::string_view Iterator::key() const {
  auto k = it_->key();
  return {k.data(), k.size()};
}
std::string_view Iterator::value() const {
  auto v = it_->value();
  return {v.data(), v.size()};
}
absl::Status Iterator::status() const { return FromRocks(it_->status(), "iterator"); }

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::error_code ec;
  const bool existed = std::filesystem::exists(options.path + "/CURRENT", ec);
  if (options.read_only) {
    if (!std::filesystem::exists(options.path + "/CURRENT")) {
      return absl::NotFoundError("no database in " + options.path);
    }
  } else {
    std::filesystem::create_directories(options.path, ec);
    if (ec) return absl::UnavailableError("create " + options.path + ": " + ec.message());
  }
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 3;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.write_buffer_size = 32u << 20;
  if (!options.compress) {
    cf_options.compression = rocksdb::kNoCompression;
    cf_options.bottommost_compression = rocksdb::kNoCompression;
  }

  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName};
  if (!options.read_only) {
    for (const auto& name : options.column_families) names.push_back(name);
  }
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(db_options), options.path, &existing)
          .ok()) {
    for (const auto& name : existing) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  rocksdb::ColumnFamilyOptions sum_options = cf_options;
  sum_options.merge_operator = std::make_shared<SumsOperator>();
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) {
    descriptors.emplace_back(name, name.rfind(kSumFamilyPrefix, 0) == 0 ? sum_options : cf_options);
  }

  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  auto s = options.read_only
               ? rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(db_options), options.path,
                                              descriptors, &handles, &raw)
               : rocksdb::DB::Open(rocksdb::DBOptions(db_options), options.path, descriptors,
                                   &handles, &raw);
  if (!s.ok()) return FromRocks(s, "open " + options.path);

  auto store = std::unique_ptr<Store>(new Store());
  store->path_ = options.path;
  store->created_ = !existed;
  store->db_.reset(raw);
  store->cf_names_ = names;
  store->cf_handles_ = std::move(handles);
  return store;
}

Store::~Store() {
  if (!db_) return;
  for (auto* h : cf_handles_) IgnoreErrorRocks(db_->DestroyColumnFamilyHandle(h));
  IgnoreErrorRocks(db_->Close());
}

bool Store::HasCf(std::string_view name) const {
  return std::find(cf_names_.begin(), cf_names_.end(), name) != cf_names_.end();
}

ColumnFamily Store::Cf(std::string_view name) const {
  for (size_t i = 0; i < cf_names_.size(); ++i) {
    if (cf_names_[i] == name) return ColumnFamily(cf_handles_[i]);
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
  return FromRocks(db_->Write(wo, batch.batch_.get()), "write");
}

absl::StatusOr<std::string> Store::Get(ColumnFamily cf, std::string_view key) const {
  std::string value;
  auto s =
      db_->Get(rocksdb::ReadOptions(), cf.handle_, rocksdb::Slice(key.data(), key.size()), &value);
  if (!s.ok()) return FromRocks(s, "get");
  return value;
}

std::vector<absl::StatusOr<std::string>> Store::MultiGet(
    ColumnFamily cf, const std::vector<std::string>& keys) const {
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> cfs(keys.size(), cf.handle_);
  std::vector<std::string> values;
  auto statuses = db_->MultiGet(rocksdb::ReadOptions(), cfs, slices, &values);
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
  return std::unique_ptr<Iterator>(
      new Iterator(db_->NewIterator(rocksdb::ReadOptions(), cf.handle_)));
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
  rocksdb::FlushOptions fo;
  fo.wait = true;
  // All families: a WAL file is dropped only when every family that wrote to it is flushed.
  if (auto s = FromRocks(db_->Flush(fo, cf_handles_), "flush"); !s.ok()) return s;
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  return FromRocks(db_->CompactRange(co, cf.handle_, nullptr, nullptr), "compact");
}

absl::Status Store::CompactAll() {
  for (auto* h : cf_handles_) {
    if (auto s = Compact(ColumnFamily(h)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Store::Checkpoint(const std::string& dir, uint64_t* sequence) const {
  rocksdb::Checkpoint* raw = nullptr;
  auto s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!s.ok()) return FromRocks(s, "checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  // log_size_for_flush 0: memtables are always flushed first, so the copy needs no WAL replay.
  return FromRocks(cp->CreateCheckpoint(dir, /*log_size_for_flush=*/0, sequence),
                   "checkpoint " + dir);
}

}  // namespace renkei::common
