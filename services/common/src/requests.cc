#include "renkei/common/requests.h"

#include <sodium.h>

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
#include "renkei/common/status_macros.h"
#include "renkei/common/validation.h"
#include "renkei/v1/storage.pb.h"

namespace renkei::common {
namespace {

constexpr char kCf[] = "requests";
constexpr char kRecordPrefix[] = "r";
constexpr char kTimePrefix[] = "t";

std::string Deterministic(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeWithCachedSizes(&coded);
  }
  return out;
}

// SHA-256 of the request's type and its deterministic serialization without request_id.
std::string RequestHash(const google::protobuf::Message& request,
                        const google::protobuf::FieldDescriptor* id_field) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  copy->GetReflection()->ClearField(copy.get(), id_field);
  copy->ByteSizeLong();  // caches sizes for SerializeWithCachedSizes
  const std::string type = request.GetDescriptor()->full_name();
  const std::string body = Deterministic(*copy);
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(type.data()),
                            type.size() + 1);  // with its terminating NUL as a separator
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                            body.size());
  std::string hash(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256_final(&state, reinterpret_cast<unsigned char*>(hash.data()));
  return hash;
}

std::string SerializedAnswer(const google::protobuf::Message& m) {
  m.ByteSizeLong();
  return Deterministic(m);
}

absl::Status RequestIdReused() {
  absl::Status s = absl::FailedPreconditionError(
      "request_id: この ID は別の内容の操作で使われています。操作ごとに新しい ID を付けてください "
      "/ request_id was already used for a different request");
  google::rpc::PreconditionFailure detail;
  auto* v = detail.add_violations();
  v->set_type("REQUEST_ID_REUSED");
  v->set_subject(kRequestIdField);
  v->set_description("この ID は別の内容の操作で使われています / used for a different request");
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
  std::string hash;
  int64_t at_micros = 0;
  bool pending = false;   // a batch with the record is being written
  bool written = false;   // a committed batch holds the record
  bool answered = false;  // ... with an answer
  std::string answer;     // the answer recorded, deterministic serialization
};

namespace {
thread_local RequestLedger::Scope* t_scope = nullptr;

std::string RecordKey(std::string_view caller, std::string_view id) {
  return KeyBuilder().Str(kRecordPrefix).Str(caller).Str(id).Release();
}
std::string TimeKey(int64_t at_micros, std::string_view caller, std::string_view id) {
  return KeyBuilder().Str(kTimePrefix).I64(at_micros).Str(caller).Str(id).Release();
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

RequestLedger::RequestLedger(Store* store, const RecordSealer* sealer, RequestLedgerOptions options,
                             const Clock* clock, Metrics* metrics)
    : store_(store),
      sealer_(sealer),
      options_(options),
      clock_(clock),
      metrics_(metrics),
      cf_(store->Cf(kCf)) {}

RequestLedger::~RequestLedger() { Stop(); }

std::string RequestLedger::RecordValue(const Scope& scope,
                                       const google::protobuf::Message* answer) const {
  v1::RequestRecord record;
  record.set_request_hash(scope.hash);
  record.set_at_micros(scope.at_micros);
  if (answer != nullptr) {
    record.set_answer(sealer_->Seal(kCf, scope.key, *answer));
    record.set_answered(true);
  }
  return record.SerializeAsString();
}

RequestLedger::Scope* RequestLedger::AddRecordOfCurrentRequest(
    Store* store, Batch* batch, const google::protobuf::Message* answer) {
  Scope* scope = t_scope;
  if (scope == nullptr || scope->written || scope->ledger->store_ != store) return nullptr;
  RequestLedger* ledger = scope->ledger;
  scope->at_micros = ledger->clock_->NowMicros();
  batch->Put(ledger->cf_, scope->key, ledger->RecordValue(*scope, answer));
  batch->Put(ledger->cf_, TimeKey(scope->at_micros, scope->caller, scope->id), "");
  scope->pending = true;
  scope->answered = answer != nullptr;
  scope->answer = answer != nullptr ? SerializedAnswer(*answer) : std::string();
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
  if (!record.ParseFromArray(stored.data(), static_cast<int>(stored.size()))) {
    return absl::DataLossError("request record unreadable");
  }
  if (record.request_hash() != scope.hash) return RequestIdReused();
  if (!record.answered()) {
    return absl::AlreadyExistsError(
        "この操作は既に受け付けられています (応答は記録されていません) / the command with this "
        "request_id was already applied; its answer was not recorded");
  }
  RETURN_IF_ERROR(sealer_->Open(kCf, scope.key, record.answer(), response));
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
  scope.hash = RequestHash(request, field);

  // One call per (caller, id) at a time: a retry sent while the first call still runs waits for
  // it and then finds its record.
  {
    std::unique_lock<std::mutex> lock(inflight_mu_);
    inflight_cv_.wait(lock, [&] { return inflight_.count(scope.key) == 0; });
    inflight_.insert(scope.key);
  }
  struct Release {
    RequestLedger* ledger;
    const std::string& key;
    ~Release() {
      {
        std::lock_guard<std::mutex> lock(ledger->inflight_mu_);
        ledger->inflight_.erase(key);
      }
      ledger->inflight_cv_.notify_all();
    }
  } release{this, scope.key};

  auto stored = store_->Get(cf_, scope.key);
  if (stored.ok()) {
    v1::RequestRecord record;
    const bool expired = record.ParseFromString(*stored) &&
                         record.at_micros() < clock_->NowMicros() - options_.window_micros;
    if (!expired) {
      RETURN_IF_ERROR(Replay(scope, *stored, response));
      replays_.fetch_add(1);
      if (metrics_ != nullptr) metrics_->CountRequestReplay();
      return absl::OkStatus();
    }
  } else if (!absl::IsNotFound(stored.status())) {
    return stored.status();
  }

  t_scope = &scope;
  absl::Status s = execute(response);
  t_scope = nullptr;
  if (!s.ok() || !scope.written) return s;
  // Tests: the process dies after the commit, before the caller hears of it.
  MaybeCrash("requests.after_commit");
  if (!scope.answered || scope.answer != SerializedAnswer(*response)) {
    // The command's batch held no answer or another one than the RPC sends (a program error):
    // record what was sent, so that a retry gets it.
    LogLine(LogLevel::kError, "command answer not recorded in its batch (program error)")
        .Field("type", request.GetDescriptor()->full_name())
        .Field("answered", scope.answered);
    Batch fix;
    fix.Put(cf_, scope.key, RecordValue(scope, response));
    RETURN_IF_ERROR(store_->Write(fix, Durability::kSync));
  }
  return s;
}

absl::StatusOr<int64_t> RequestLedger::Prune() {
  const int64_t cutoff = clock_->NowMicros() - options_.window_micros;
  const std::string prefix = KeyBuilder().Str(kTimePrefix).Release();
  int64_t removed = 0;
  for (;;) {
    Batch batch;
    auto it = store_->NewIterator(cf_);
    for (it->Seek(prefix); it->Valid() && batch.Count() < 2000; it->Next()) {
      KeyReader r(it->key());
      std::string tag, caller, id;
      int64_t at = 0;
      if (!r.Str(&tag) || tag != kTimePrefix || !r.I64(&at)) break;
      if (at >= cutoff) break;
      if (!r.Str(&caller) || !r.Str(&id)) {
        batch.Delete(cf_, it->key());
        continue;
      }
      // A newer record under the same id (sent again after the window) keeps its own time key.
      auto record = store_->Get(cf_, RecordKey(caller, id));
      v1::RequestRecord parsed;
      if (record.ok() && parsed.ParseFromString(*record) && parsed.at_micros() == at) {
        batch.Delete(cf_, RecordKey(caller, id));
      }
      batch.Delete(cf_, it->key());
      ++removed;
    }
    RETURN_IF_ERROR(it->status());
    if (batch.Count() == 0) break;
    // Redone after a crash: nothing depends on the removal being durable.
    RETURN_IF_ERROR(store_->Write(batch, Durability::kAsync));
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
