#include "renkei/common/requests.h"

#include <sodium.h>

#include <algorithm>

#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/rpc/error_details.pb.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/auth.h"
#include "renkei/common/failpoint.h"
#include "renkei/common/keys.h"
#include "renkei/common/log.h"
#include "renkei/common/metrics.h"
#include "renkei/common/outbox.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/validation.h"
#include "renkei/v1/storage.pb.h"

namespace renkei::common {
namespace {

constexpr char kCf[] = "requests";
constexpr char kRecordPrefix[] = "r";
// Time keys ("t", at, caller, id) of earlier versions: pruned, no longer written.
constexpr char kTimePrefix[] = "t";

// The message's deterministic serialization, straight into a string of the right size.
std::string Deterministic(const google::protobuf::Message& message) {
  const size_t size = message.ByteSizeLong();
  std::string out(size, '\0');
  google::protobuf::io::ArrayOutputStream array(out.data(), static_cast<int>(size));
  google::protobuf::io::CodedOutputStream coded(&array);
  coded.SetSerializationDeterministic(true);
  message.SerializeWithCachedSizes(&coded);
  return out;
}

// The hash records of earlier versions hold: BLAKE2b-256 of the request's type (with its NUL)
// and its deterministic serialization.
std::string UnkeyedHash(std::string_view type, std::string_view body) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(type.data()),
                            type.size());
  const unsigned char nul = 0;
  crypto_generichash_update(&state, &nul, 1);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                            body.size());
  std::string hash(crypto_generichash_BYTES, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(hash.data()), hash.size());
  return hash;
}

absl::Status RequestIdReused() {
  absl::Status s = absl::FailedPreconditionError(
      "この操作 ID は別の内容の操作で使われています。操作ごとに新しい ID を付けてください "
      "/ request_id was already used for a different request");
  google::rpc::PreconditionFailure detail;
  auto* v = detail.add_violations();
  v->set_type("REQUEST_ID_REUSED");
  v->set_subject(kRequestIdField);
  v->set_description("この操作 ID は別の内容の操作で使われています / used for a different request");
  s.SetPayload("type.googleapis.com/google.rpc.PreconditionFailure",
               absl::Cord(detail.SerializeAsString()));
  return s;
}

thread_local std::string t_caller_subject;

}  // namespace

// The request being executed on this thread.
struct RequestLedger::Scope {
  RequestLedger* ledger = nullptr;
  std::string caller;
  std::string id;
  std::string key;
  // The request as compared: its type and deterministic serialization (the request id is part
  // of it, which changes nothing: records are looked up by it, so two requests compared always
  // share it), and its fingerprint under the newest data key.
  std::string_view type;
  std::string body;
  RecordSealer::Fingerprint fingerprint;
  int64_t at_micros = 0;
  bool pending = false;    // a batch with the record is being written
  bool written = false;    // a committed batch holds the record
  bool answered = false;   // ... with an answer
  size_t answer_size = 0;  // of the answer recorded (deterministic serialization)
  const google::protobuf::Descriptor* answer_type = nullptr;
};

namespace {
thread_local RequestLedger::Scope* t_scope = nullptr;

std::string RecordKey(std::string_view caller, std::string_view id) {
  return KeyBuilder().Str(kRecordPrefix).Str(caller).Str(id).Release();
}
}  // namespace

std::string_view CurrentCallerSubject() { return t_caller_subject; }

namespace internal {
void SetCurrentCallerSubject(std::string subject) { t_caller_subject = std::move(subject); }
}  // namespace internal

bool IsWellFormedRequestId(std::string_view id) {
  if (id.size() < 8 || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string> UndeclaredCommands() {
  std::vector<std::string> out;
  ForEachRenkeiMethod([&](const google::protobuf::MethodDescriptor& method) {
    if (method.options().idempotency_level() !=
        google::protobuf::MethodOptions::IDEMPOTENCY_UNKNOWN) {
      return;
    }
    const auto* field = method.input_type()->FindFieldByName(kRequestIdField);
    if (field != nullptr && !field->is_repeated() &&
        field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      return;
    }
    out.push_back("/" + method.service()->full_name() + "/" + method.name());
  });
  return out;
}

std::vector<std::string> RequestLedger::ColumnFamilies() { return {kCf}; }

RequestLedger::Slot::Slot(RequestLedger* ledger, std::string key)
    : ledger_(ledger), key_(std::move(key)) {
  std::unique_lock<std::mutex> lock(ledger_->inflight_mu_);
  ledger_->inflight_cv_.wait(lock, [&] { return ledger_->inflight_.count(key_) == 0; });
  ledger_->inflight_.insert(key_);
}

RequestLedger::Slot::~Slot() {
  {
    std::lock_guard<std::mutex> lock(ledger_->inflight_mu_);
    ledger_->inflight_.erase(key_);
  }
  ledger_->inflight_cv_.notify_all();
}

RequestLedger::RequestLedger(Store* store, const RecordSealer* sealer, RequestLedgerOptions options,
                             const Clock* clock, Metrics* metrics)
    : store_(store),
      sealer_(sealer),
      options_(options),
      filter_(std::make_unique<KeyFilter>(options.filter_bits)),
      clock_(clock),
      metrics_(metrics),
      cf_(store->Cf(kCf)) {
  if (absl::Status s = RebuildFilter(); !s.ok()) {
    // Without a filter every lookup goes to the store: slower, still right.
    LogLine(LogLevel::kWarning, "request id filter not built").Field("reason", s.ToString());
    std::lock_guard<std::mutex> lock(filter_mu_);
    filter_.reset();
  }
}

RequestLedger::~RequestLedger() { Stop(); }

RequestLedger::KeyFilter::KeyFilter(size_t bits) : words_(std::max<size_t>(bits / 64, 1), 0) {}

namespace {
// Six probe positions from two 64-bit hashes (Kirsch–Mitzenmacher).
template <typename Fn>
void Probes(std::string_view key, size_t bits, Fn fn) {
  const uint64_t h1 = std::hash<std::string_view>()(key);
  uint64_t h2 = 1469598103934665603ULL;
  for (unsigned char c : key) h2 = (h2 ^ c) * 1099511628211ULL;
  h2 |= 1;
  for (uint64_t i = 0; i < 6; ++i) fn((h1 + i * h2) % bits);
}
}  // namespace

void RequestLedger::KeyFilter::Add(std::string_view key) {
  Probes(key, words_.size() * 64, [&](uint64_t b) { words_[b / 64] |= uint64_t{1} << (b % 64); });
}

bool RequestLedger::KeyFilter::MayContain(std::string_view key) const {
  bool all = true;
  Probes(key, words_.size() * 64,
         [&](uint64_t b) { all = all && (words_[b / 64] >> (b % 64) & 1) != 0; });
  return all;
}

bool RequestLedger::MayHaveRecordThenAdd(std::string_view key) {
  std::lock_guard<std::mutex> lock(filter_mu_);
  const bool maybe = !filter_ || filter_->MayContain(key);
  if (filter_) filter_->Add(key);
  if (building_) building_->Add(key);
  ++added_since_build_;
  return maybe;
}

absl::Status RequestLedger::RebuildFilter() {
  {
    std::lock_guard<std::mutex> lock(filter_mu_);
    building_ = std::make_unique<KeyFilter>(options_.filter_bits);
    added_since_build_ = 0;
    // Commands running now added their keys to the old filter only, and their records may come
    // after the scan's snapshot: their keys go into the new one from here.
    std::lock_guard<std::mutex> inflight(inflight_mu_);
    for (const auto& key : inflight_) building_->Add(key);
  }
  const std::string prefix = KeyBuilder().Str(kRecordPrefix).Release();
  std::vector<std::string> keys;
  absl::Status s = store_->ScanPrefix(cf_, prefix, [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    if (keys.size() >= 4096) {
      std::lock_guard<std::mutex> lock(filter_mu_);
      for (const auto& k : keys) building_->Add(k);
      keys.clear();
    }
    return true;
  });
  std::lock_guard<std::mutex> lock(filter_mu_);
  if (!s.ok()) {
    building_.reset();
    return s;
  }
  for (const auto& k : keys) building_->Add(k);
  filter_ = std::move(building_);
  return absl::OkStatus();
}

std::string RequestLedger::SerializeAnswer(const google::protobuf::Message& answer) {
  return Deterministic(answer);
}

std::string RequestLedger::RecordValue(const Scope& scope, const CommandAnswer* answer) const {
  v1::RequestRecord clear;
  clear.set_at_micros(scope.at_micros);
  clear.set_request_fingerprint(scope.fingerprint.digest);
  clear.set_fingerprint_key_id(scope.fingerprint.key_id);
  if (answer != nullptr) {
    clear.set_answered(true);
    if (answer->family.empty()) {
      // A copy of the answer: sealed (it may hold personal fields). Split by hand: without the
      // copy and the walk over fields Seal makes.
      v1::RequestRecord personal;
      personal.set_answer(answer->copy);
      return sealer_->SealSplit(kCf, scope.key, clear, personal);
    }
    clear.set_answer_family(answer->family);
    clear.set_answer_key(answer->key);
  }
  // Nothing personal (the fingerprint says nothing without its key): stored plain, which Open
  // reads as well — no nonce, no cipher, a third of the bytes.
  return clear.SerializeAsString();
}

namespace {
// When a stored record was written (its clear part: no key needed); -1 when unreadable.
int64_t WrittenAt(std::string_view stored) {
  v1::RequestRecord record;
  if (!RecordSealer::OpenClear(stored, &record).ok()) return -1;
  return record.at_micros();
}
}  // namespace

RequestLedger::Scope* RequestLedger::AddRecordOfCurrentRequest(Store* store, Batch* batch,
                                                               const CommandAnswer* answer) {
  Scope* scope = t_scope;
  if (scope == nullptr || scope->written || scope->ledger->store_ != store) return nullptr;
  RequestLedger* ledger = scope->ledger;
  scope->at_micros = ledger->clock_->NowMicros();
  batch->Put(ledger->cf_, scope->key, ledger->RecordValue(*scope, answer));
  scope->pending = true;
  scope->answered = answer != nullptr;
  scope->answer_size = answer != nullptr ? answer->size : 0;
  scope->answer_type = answer != nullptr ? answer->type : nullptr;
  return scope;
}

void RequestLedger::Committed(Scope* scope, bool ok) {
  scope->pending = false;
  scope->written = ok;
}

bool RequestLedger::InRequest(const Store* store) {
  return t_scope != nullptr && !t_scope->written && t_scope->ledger->store_ == store;
}

absl::Status RequestLedger::Replay(const Scope& scope, std::string_view stored,
                                   google::protobuf::Message* response) const {
  v1::RequestRecord record;
  RETURN_IF_ERROR(sealer_->Open(kCf, scope.key, stored, &record));
  if (!record.fingerprint_key_id().empty()) {
    std::string expected = scope.fingerprint.digest;
    if (record.fingerprint_key_id() != scope.fingerprint.key_id) {
      // Recorded under a key that was the newest then.
      ASSIGN_OR_RETURN(
          expected, sealer_->FingerprintOf(record.fingerprint_key_id(), {scope.type, scope.body}));
    }
    if (record.request_fingerprint() != expected) return RequestIdReused();
  } else if (record.request_hash() != UnkeyedHash(scope.type, scope.body)) {
    return RequestIdReused();
  }
  if (!record.answered()) {
    return absl::AlreadyExistsError(
        "この操作は既に受け付けられています (応答は記録されていません) / the command with this "
        "request_id was already applied; its answer was not recorded");
  }
  response->Clear();
  if (!record.answer_family().empty()) {
    if (!store_->HasCf(record.answer_family())) {
      return absl::DataLossError("request record names an unknown family");
    }
    auto stored_answer = store_->Get(store_->Cf(record.answer_family()), record.answer_key());
    if (absl::IsNotFound(stored_answer.status())) {
      return absl::AlreadyExistsError(
          "この操作は既に受け付けられています (その後記録が削除されました) / the command with "
          "this request_id was already applied; the record it answered with is gone since");
    }
    if (!stored_answer.ok()) return stored_answer.status();
    // Sealed or plain, Open reads both.
    return sealer_->Open(record.answer_family(), record.answer_key(), *stored_answer, response);
  }
  if (!response->ParseFromString(record.answer())) {
    return absl::DataLossError("request record's answer unreadable");
  }
  return absl::OkStatus();
}

absl::Status RequestLedger::Run(
    std::string_view caller, const google::protobuf::Message& request,
    google::protobuf::Message* response,
    const std::function<absl::Status(google::protobuf::Message*)>& execute) {
  const auto* field = request.GetDescriptor()->FindFieldByName(kRequestIdField);
  if (field == nullptr) return execute(response);
  const std::string id = request.GetReflection()->GetString(request, field);
  if (id.empty()) return execute(response);
  if (!IsWellFormedRequestId(id)) {
    return InvalidField(kRequestIdField,
                        "8〜64文字の英数字と . _ : - です (UUID など) / 8..64 characters of "
                        "A-Z a-z 0-9 . _ : - (e.g. a UUID)");
  }
  Scope scope;
  scope.ledger = this;
  scope.caller = std::string(caller);
  scope.id = id;
  scope.key = RecordKey(caller, id);
  scope.type = request.GetDescriptor()->full_name();
  scope.body = Deterministic(request);
  scope.fingerprint = sealer_->FingerprintOf({scope.type, scope.body});

  // One call per (caller, id) at a time: a retry sent while the first call still runs waits for
  // it and then finds its record. (Pruning takes the same slot.)
  Slot slot(this, scope.key);

  // Most ids are new: the filter says so without a lookup. The key goes in first, so that a
  // retry (which waits for this slot) looks it up.
  const bool maybe = MayHaveRecordThenAdd(scope.key);
  absl::StatusOr<std::string> stored =
      maybe ? store_->Get(cf_, scope.key) : absl::NotFoundError("new request id");
  if (stored.ok()) {
    const int64_t at = WrittenAt(*stored);
    const bool expired = at >= 0 && at < clock_->NowMicros() - options_.window_micros;
    if (!expired) {
      RETURN_IF_ERROR(Replay(scope, *stored, response));
      replays_.fetch_add(1);
      if (metrics_ != nullptr) metrics_->CountRequestReplay();
      return absl::OkStatus();
    }
  } else if (!absl::IsNotFound(stored.status())) {
    return stored.status();
  }

  absl::Status s;
  {
    struct Current {
      explicit Current(Scope* scope) { t_scope = scope; }
      ~Current() { t_scope = nullptr; }
    } current(&scope);
    s = execute(response);
  }
  if (!s.ok()) return s;
  if (!scope.written) {
    // A command that changed nothing (cancelling what is cancelled, a report): nothing to make
    // durable, but the id is taken all the same, so that it cannot carry another request later.
    // Not synced: lost with the machine, a retry finds the same nothing to do.
    scope.at_micros = clock_->NowMicros();
    Batch taken;
    CommandAnswer answer;
    answer.copy = Deterministic(*response);
    taken.Put(cf_, scope.key, RecordValue(scope, &answer));
    RETURN_IF_ERROR(store_->Write(taken, Durability::kAsync));
    return s;
  }
  // Tests: the process dies after the commit, before the caller hears of it.
  MaybeCrash("requests.after_commit");
  // The command's batch held no answer, or (by its type and size) another one than the RPC sends: a
  // program error, logged; what was sent is recorded, so that a retry gets it. (Type and size spare
  // a serialization per command; the bad-input table test compares every command's replay byte for
  // byte.)
  if (!scope.answered || scope.answer_type != response->GetDescriptor() ||
      scope.answer_size != response->ByteSizeLong()) {
    LogLine(LogLevel::kError, "command answer not recorded in its batch (program error)")
        .Field("type", request.GetDescriptor()->full_name())
        .Field("answered", scope.answered);
    CommandAnswer sent;
    sent.copy = Deterministic(*response);
    Batch fix;
    fix.Put(cf_, scope.key, RecordValue(scope, &sent));
    RETURN_IF_ERROR(store_->Write(fix, Durability::kSync));
  }
  return s;
}

absl::StatusOr<int64_t> RequestLedger::Prune() {
  const int64_t cutoff = clock_->NowMicros() - options_.window_micros;
  // Time keys left by earlier versions: all go (their records are judged by their own time), a
  // thousand per write.
  for (bool more = true; more;) {
    Batch batch;
    RETURN_IF_ERROR(store_->ScanPrefix(cf_, KeyBuilder().Str(kTimePrefix).Release(),
                                       [&](std::string_view key, std::string_view) {
                                         batch.Delete(cf_, key);
                                         return batch.Count() < 1000;
                                       }));
    more = batch.Count() >= 1000;
    if (batch.Count() > 0) RETURN_IF_ERROR(store_->Write(batch, Durability::kAsync));
  }
  const std::string prefix = KeyBuilder().Str(kRecordPrefix).Release();
  int64_t removed = 0;
  std::string resume = prefix;
  for (;;) {
    // A page of expired records' keys, read with no iterator held across the deletes.
    std::vector<std::string> page;
    bool more = false;
    {
      auto it = store_->NewIterator(cf_);
      int seen = 0;
      for (it->Seek(resume); it->Valid(); it->Next()) {
        if (it->key().substr(0, prefix.size()) != prefix) break;
        if (++seen > 10000) {
          resume = std::string(it->key());
          more = true;
          break;
        }
        // An unreadable record (-1) goes too: its id could only ever answer DATA_LOSS.
        if (WrittenAt(it->value()) < cutoff) page.emplace_back(it->key());
      }
      RETURN_IF_ERROR(it->status());
    }
    for (const auto& key : page) {
      // Under the id's slot: a command running with the same id again (after the window)
      // writes its new record only while it holds it.
      Slot slot(this, key);
      auto record = store_->Get(cf_, key);
      if (!record.ok() || WrittenAt(*record) >= cutoff) continue;
      Batch batch;
      batch.Delete(cf_, key);
      // Redone after a crash: nothing depends on the removal being durable.
      RETURN_IF_ERROR(store_->Write(batch, Durability::kAsync));
      ++removed;
    }
    if (!more) break;
  }
  return removed;
}

void RequestLedger::Start() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = false;
  }
  pruner_ = std::thread([this] {
    const int64_t interval_ms = options_.prune_interval_ms;
    for (;;) {
      auto removed = Prune();
      bool rebuild = false;
      {
        std::lock_guard<std::mutex> lock(filter_mu_);
        rebuild = removed.ok() && *removed > 0 && added_since_build_ > 0;
      }
      // Pruned keys stay in the filter (it cannot forget): rebuild it now and then.
      if (rebuild) {
        if (absl::Status s = RebuildFilter(); !s.ok()) {
          LogLine(LogLevel::kWarning, "request id filter not rebuilt")
              .Field("reason", s.ToString());
        }
      }
      if (!removed.ok()) {
        LogLine(LogLevel::kWarning, "request ids not pruned; retrying later")
            .Field("reason", removed.status().ToString());
      } else if (*removed > 0) {
        LogLine(LogLevel::kInfo, "request ids pruned").Field("count", *removed);
      }
      std::unique_lock<std::mutex> lock(stop_mu_);
      if (stop_cv_.wait_for(lock, std::chrono::milliseconds(interval_ms), [&] { return stop_; })) {
        return;
      }
    }
  });
}

void RequestLedger::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (pruner_.joinable()) pruner_.join();
}

}  // namespace renkei::common
