#include "renkei/common/audit.h"

#include <sodium.h>

#include "renkei/common/status_macros.h"

namespace renkei::common {
namespace {

constexpr char kCf[] = "audit";
constexpr char kHeadKey[] = "h";

}  // namespace

std::vector<std::string> AuditLog::ColumnFamilies() { return {kCf}; }

std::string AuditLog::EntryKey(uint64_t seq) {
  std::string key = "e";
  for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>((seq >> (8 * i)) & 0xff));
  return key;
}

std::string AuditLog::HashOf(const v1::AuditEntry& entry) {
  v1::AuditEntry body = entry;
  body.clear_hash();
  std::string bytes = body.SerializeAsString();
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(entry.prev_hash().data()),
                            entry.prev_hash().size());
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(bytes.data()),
                            bytes.size());
  crypto_hash_sha256_final(&st, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

AuditLog::AuditLog(Store* store, const Clock* clock)
    : store_(store), clock_(clock), cf_(store->Cf(kCf)) {}

absl::Status AuditLog::Load() {
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialize");
  std::lock_guard<std::mutex> lock(mu_);
  auto head = store_->Get(cf_, kHeadKey);
  if (absl::IsNotFound(head.status())) {
    head_.Clear();
    written_head_.Clear();
    durable_seq_ = 0;
    return absl::OkStatus();
  }
  if (!head.ok()) return head.status();
  if (!head_.ParseFromString(*head)) return absl::DataLossError("audit head unreadable");
  durable_seq_ = head_.seq();
  written_head_ = head_;
  return absl::OkStatus();
}

absl::StatusOr<v1::AuditEntry> AuditLog::Append(v1::AuditEntry entry) {
  std::vector<v1::AuditEntry> one;
  one.push_back(std::move(entry));
  ASSIGN_OR_RETURN(auto written, AppendAll(std::move(one)));
  return written.front();
}

absl::StatusOr<std::vector<v1::AuditEntry>> AuditLog::AppendAll(std::vector<v1::AuditEntry> entries,
                                                                Durability durability) {
  if (entries.empty()) return entries;
  const bool sync = durability == Durability::kSync;
  std::unique_lock<std::mutex> lock(mu_);
  if (!failed_.ok()) return failed_;
  int64_t now = clock_->NowMicros();
  for (auto& entry : entries) {
    entry.set_seq(head_.seq() + 1);
    entry.set_at_micros(now);
    entry.set_prev_hash(head_.hash());
    entry.set_hash(HashOf(entry));
    head_.set_seq(entry.seq());
    head_.set_hash(entry.hash());
    pending_.push_back(entry);
  }
  pending_sync_ = pending_sync_ || sync;
  const uint64_t mine = head_.seq();
  auto done = [&] { return sync ? durable_seq_ >= mine : written_head_.seq() >= mine; };
  while (!done()) {
    if (!failed_.ok()) return failed_;
    if (writing_) {
      committed_.wait(lock);
      continue;
    }
    // Leader: write everything chained so far in one batch, synced when any entry asks.
    writing_ = true;
    std::vector<v1::AuditEntry> batch_entries;
    batch_entries.swap(pending_);
    const bool batch_sync = pending_sync_;
    pending_sync_ = false;
    v1::AuditHead head;
    head.set_seq(batch_entries.back().seq());
    head.set_hash(batch_entries.back().hash());
    lock.unlock();
    Batch batch;
    for (const auto& e : batch_entries) batch.Put(cf_, EntryKey(e.seq()), e.SerializeAsString());
    batch.Put(cf_, kHeadKey, head.SerializeAsString());
    absl::Status s = store_->Write(batch, batch_sync ? Durability::kSync : Durability::kAsync);
    lock.lock();
    writing_ = false;
    if (s.ok()) {
      written_head_ = head;
      if (batch_sync) durable_seq_ = head.seq();
    } else {
      failed_ = s;
    }
    committed_.notify_all();
  }
  return entries;
}

void AuditLog::StartFlusher(std::chrono::milliseconds flush_interval) {
  flusher_ = std::thread([this, flush_interval] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      // Its own condition: woken by every append, it would sync after each one.
      stop_.wait_for(lock, flush_interval, [this] { return stopping_; });
      if (writing_ || written_head_.seq() <= durable_seq_ || !failed_.ok()) continue;
      // Rewriting the head with sync syncs the WAL, and with it every entry written before.
      writing_ = true;
      v1::AuditHead head = written_head_;
      lock.unlock();
      Batch batch;
      batch.Put(cf_, kHeadKey, head.SerializeAsString());
      absl::Status s = store_->Write(batch, Durability::kSync);
      lock.lock();
      writing_ = false;
      if (s.ok()) {
        durable_seq_ = std::max(durable_seq_, head.seq());
      } else {
        failed_ = s;
      }
      committed_.notify_all();
    }
  });
}

AuditLog::~AuditLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  std::unique_lock<std::mutex> lock(mu_);
  if (failed_.ok() && written_head_.seq() > durable_seq_ && !writing_) {
    Batch batch;
    batch.Put(cf_, kHeadKey, written_head_.SerializeAsString());
    (void)store_->Write(batch, Durability::kSync);
  }
}

AuditVerification AuditLog::Verify() const {
  AuditVerification v;
  auto fail = [&](uint64_t seq, std::string problem) {
    if (v.ok) {
      v.ok = false;
      v.first_bad = seq;
      v.problem = std::move(problem);
    }
  };
  std::string running;  // the previous entry's hash
  uint64_t expected = 1;
  auto it = store_->NewIterator(cf_);
  for (it->Seek("e"); it->Valid() && !it->key().empty() && it->key()[0] == 'e'; it->Next()) {
    ++v.entries;
    v1::AuditEntry e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      fail(expected, "記録 " + std::to_string(expected) + " が読めません / entry unreadable");
      break;
    }
    if (std::string(it->key()) != EntryKey(e.seq())) {
      fail(expected, "記録 " + std::to_string(e.seq()) + " の位置が違います (並べ替え) / entry " +
                         std::to_string(e.seq()) + " is out of place (reordered)");
    } else if (e.seq() != expected) {
      fail(expected, "記録 " + std::to_string(expected) + " がありません (削除) / entry " +
                         std::to_string(expected) + " is missing (deleted)");
    } else if (e.prev_hash() != running) {
      fail(e.seq(), "記録 " + std::to_string(e.seq()) + " の前の記録と繋がりません / entry " +
                        std::to_string(e.seq()) + " does not follow the previous one");
    } else if (HashOf(e) != e.hash()) {
      fail(e.seq(), "記録 " + std::to_string(e.seq()) + " が書き換えられています / entry " +
                        std::to_string(e.seq()) + " was modified");
    }
    running = e.hash();
    expected = e.seq() + 1;
  }
  if (!it->status().ok()) fail(expected, "読み出しエラー / read error");
  v1::AuditHead head;
  auto raw = store_->Get(cf_, kHeadKey);
  if (raw.ok()) head.ParseFromString(*raw);
  if (head.seq() != expected - 1 || head.hash() != running) {
    fail(expected, "最後の記録 (" + std::to_string(head.seq()) +
                       ") と一致しません: 末尾が削除されています / the log does not end at its "
                       "head (entries removed from the end)");
  }
  return v;
}

absl::StatusOr<std::vector<v1::AuditEntry>> AuditLog::Query(const std::string& record_id) const {
  ASSIGN_OR_RETURN(auto all, QueryAll());
  std::vector<v1::AuditEntry> out;
  for (auto& e : all) {
    if (e.record_id() == record_id) out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<std::vector<v1::AuditEntry>> AuditLog::QueryAll() const {
  std::vector<v1::AuditEntry> out;
  auto it = store_->NewIterator(cf_);
  for (it->Seek("e"); it->Valid() && !it->key().empty() && it->key()[0] == 'e'; it->Next()) {
    v1::AuditEntry e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("audit entry unreadable");
    }
    out.push_back(std::move(e));
  }
  RETURN_IF_ERROR(it->status());
  return out;
}

bool AuditLog::Present(const Store& store) { return store.HasCf(kCf); }

}  // namespace renkei::common
