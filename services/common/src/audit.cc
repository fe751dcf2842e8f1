#include "renkei/common/audit.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <set>

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
    : store_(store),
      clock_(clock),
      cf_(store->Cf(kCf)),
      journal_counter_(static_cast<uint64_t>(clock->NowMicros()) << 8) {}

absl::Status AuditLog::Load() {
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialize");
  std::lock_guard<std::mutex> lock(seal_mu_);
  auto head = store_->Get(cf_, kHeadKey);
  if (absl::IsNotFound(head.status())) {
    head_.Clear();
    return absl::OkStatus();
  }
  if (!head.ok()) return head.status();
  if (!head_.ParseFromString(*head)) return absl::DataLossError("audit head unreadable");
  return absl::OkStatus();
}

std::string AuditLog::JournalKey(int64_t at_micros) {
  std::string key = "j";
  auto put = [&](uint64_t v) {
    for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put(static_cast<uint64_t>(at_micros));
  put(journal_counter_.fetch_add(1));
  return key;
}

void AuditLog::JournalInto(Batch* batch, v1::AuditEntry entry) {
  if (entry.at_micros() == 0) entry.set_at_micros(clock_->NowMicros());
  entry.clear_seq();
  entry.clear_prev_hash();
  entry.clear_hash();
  std::string key = JournalKey(entry.at_micros());
  batch->Put(cf_, key, entry.SerializeAsString());
  std::lock_guard<std::mutex> lock(later_mu_);
  unsealed_.emplace_back(std::move(key), clock_->NowMicros());
}

absl::Status AuditLog::Record(std::vector<v1::AuditEntry> entries, Durability durability) {
  if (entries.empty()) return absl::OkStatus();
  Batch batch;
  for (auto& e : entries) JournalInto(&batch, std::move(e));
  return store_->Write(batch, durability);
}

void AuditLog::RecordLater(v1::AuditEntry entry) {
  if (entry.at_micros() == 0) entry.set_at_micros(clock_->NowMicros());
  std::lock_guard<std::mutex> lock(later_mu_);
  later_.push_back(std::move(entry));
}

absl::Status AuditLog::Seal() {
  std::lock_guard<std::mutex> lock(seal_mu_);
  std::vector<std::pair<std::string, v1::AuditEntry>> journal;  // key ("" for later_), entry
  {
    std::lock_guard<std::mutex> later_lock(later_mu_);
    for (auto& e : later_) journal.emplace_back("", std::move(e));
    later_.clear();
  }
  std::vector<std::pair<std::string, int64_t>> unsealed;
  {
    std::lock_guard<std::mutex> later_lock(later_mu_);
    unsealed.swap(unsealed_);
  }
  // Counted as waiting (sealing()) until the round ends, however it ends.
  in_round_ = journal.size() + unsealed.size();
  struct RoundEnds {
    std::atomic<uint64_t>* in_round;
    ~RoundEnds() { *in_round = 0; }
  } round_ends{&in_round_};
  // Whatever `unsealed` holds when the round ends goes back: every key taken, when it ends early
  // (and the next round scans); the keys not found yet, when it gets that far.
  struct GiveBack {
    AuditLog* log;
    std::vector<std::pair<std::string, int64_t>>* keys;
    ~GiveBack() {
      std::lock_guard<std::mutex> later_lock(log->later_mu_);
      for (auto& k : *keys) log->unsealed_.push_back(std::move(k));
    }
  } give_back{this, &unsealed};
  auto add = [&](std::string_view key, std::string_view value) {
    v1::AuditEntry e;
    if (!e.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError("audit journal record unreadable");
    }
    journal.emplace_back(std::string(key), std::move(e));
    return absl::OkStatus();
  };
  // Until this round has written, the next one scans: a failed round loses no key it took. And
  // once a minute anyway: a key forgotten below (its batch not found for a minute) whose write
  // was only slow is sealed then.
  const auto now_steady = std::chrono::steady_clock::now();
  const bool scan = !journal_scanned_ || now_steady - last_scan_ >= std::chrono::minutes(1);
  if (scan) last_scan_ = now_steady;
  journal_scanned_ = false;
  std::set<std::string> scanned;
  if (scan) {
    // What an earlier process journaled and did not seal (and whatever this one put so far).
    auto it = store_->NewIterator(cf_);
    for (it->Seek("j"); it->Valid() && !it->key().empty() && it->key()[0] == 'j'; it->Next()) {
      RETURN_IF_ERROR(add(it->key(), it->value()));
      scanned.emplace(it->key());
    }
    RETURN_IF_ERROR(it->status());
  }
  std::vector<std::pair<std::string, int64_t>> keep;  // put, but not written yet
  if (!unsealed.empty()) {
    std::vector<std::string> keys;
    keys.reserve(unsealed.size());
    for (const auto& u : unsealed) keys.push_back(u.first);
    auto values = store_->MultiGet(cf_, keys);
    const int64_t now = clock_->NowMicros();
    for (size_t i = 0; i < keys.size(); ++i) {
      if (values[i].ok()) {
        if (scanned.count(keys[i]) == 0) RETURN_IF_ERROR(add(keys[i], *values[i]));
      } else if (absl::IsNotFound(values[i].status())) {
        // Its batch is still being written — or failed, and then nothing is there to seal: a
        // key not found for a minute is forgotten (the scan once a minute finds it if its write
        // was only slow).
        if (now - unsealed[i].second < 60LL * 1000000) keep.push_back(unsealed[i]);
      } else {
        keep.push_back(unsealed[i]);
      }
    }
  }
  unsealed.swap(keep);  // given back from here on: the keys not found yet
  if (journal.empty()) {
    journal_scanned_ = true;
    return absl::OkStatus();
  }
  std::stable_sort(journal.begin(), journal.end(), [](const auto& a, const auto& b) {
    return a.second.at_micros() < b.second.at_micros();
  });
  Batch batch;
  v1::AuditHead head = head_;
  for (auto& [key, e] : journal) {
    e.set_seq(head.seq() + 1);
    e.set_prev_hash(head.hash());
    e.set_hash(HashOf(e));
    head.set_seq(e.seq());
    head.set_hash(e.hash());
    batch.Put(cf_, EntryKey(e.seq()), e.SerializeAsString());
    if (!key.empty()) batch.Delete(cf_, key);
  }
  batch.Put(cf_, kHeadKey, head.SerializeAsString());
  if (absl::Status s = store_->Write(batch, Durability::kSync); !s.ok()) {
    // The entries kept in memory wait for the next round (the journal's are still stored).
    std::lock_guard<std::mutex> later_lock(later_mu_);
    for (auto& [key, e] : journal) {
      if (!key.empty()) continue;
      e.clear_seq();
      e.clear_prev_hash();
      e.clear_hash();
      later_.push_back(std::move(e));
    }
    return s;
  }
  head_ = head;
  journal_scanned_ = true;
  return absl::OkStatus();
}

absl::StatusOr<v1::AuditEntry> AuditLog::Append(const v1::AuditEntry& entry) {
  RETURN_IF_ERROR(Record({entry}, Durability::kSync));
  RETURN_IF_ERROR(Seal());
  std::lock_guard<std::mutex> lock(seal_mu_);
  ASSIGN_OR_RETURN(std::string raw, store_->Get(cf_, EntryKey(head_.seq())));
  v1::AuditEntry written;
  if (!written.ParseFromString(raw)) return absl::DataLossError("audit entry unreadable");
  return written;
}

void AuditLog::StartSealer(std::chrono::milliseconds interval) {
  sealer_ = std::thread([this, interval] {
    std::unique_lock<std::mutex> lock(stop_mu_);
    auto wait = interval;
    while (!stopping_) {
      lock.unlock();
      if (absl::Status s = Seal(); !s.ok()) {
        // A store that refuses writes (a full disk): back off, up to a minute, and say so once
        // per backoff step rather than every round.
        std::fprintf(stderr, "audit: sealing failed: %s\n", s.ToString().c_str());
        ++seal_failures_;
        wait = std::min<std::chrono::milliseconds>(wait * 2, std::chrono::minutes(1));
      } else {
        last_seal_micros_ = clock_->NowMicros();
        wait = interval;
      }
      lock.lock();
      stop_.wait_for(lock, wait, [this] { return stopping_; });
    }
  });
}

AuditSealing AuditLog::sealing() const {
  AuditSealing state{.last_seal_micros = last_seal_micros_.load(),
                     .failures = seal_failures_.load()};
  std::lock_guard<std::mutex> lock(later_mu_);
  state.waiting = later_.size() + unsealed_.size() + in_round_.load();
  return state;
}

AuditLog::~AuditLog() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (sealer_.joinable()) {
    sealer_.join();
    (void)Seal();  // what arrived during shutdown
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
  for (it->Seek("j"); it->Valid() && !it->key().empty() && it->key()[0] == 'j'; it->Next()) {
    ++v.journal;
  }
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
  for (const char* prefix : {"e", "j"}) {
    for (it->Seek(prefix); it->Valid() && !it->key().empty() && it->key()[0] == prefix[0];
         it->Next()) {
      v1::AuditEntry e;
      if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        return absl::DataLossError("audit entry unreadable");
      }
      out.push_back(std::move(e));
    }
    RETURN_IF_ERROR(it->status());
  }
  return out;
}

bool AuditLog::Present(const Store& store) { return store.HasCf(kCf); }

}  // namespace renkei::common
