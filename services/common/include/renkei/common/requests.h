// Request ids: a command sent again with the same request id is answered, not applied again.
//
// A client that does not know whether a command reached the service (the connection dropped, the
// deadline passed, the service was killed between its commit and its answer) sends it again with
// the same `request_id`. Every state-changing request message has that field (the RPCs that do
// not change state declare `option idempotency_level = NO_SIDE_EFFECTS`; a service refuses to
// start with an RPC that does neither, see UndeclaredCommands). The handler runs the command
// through RespondOnce:
//
//   grpc::Status IntakeService::CreateConsultation(grpc::ServerContext*, const Req* r, Out* out) {
//     return common::RespondOnce(*requests_, *r, out, [&] { return intake_->Create(*r); });
//   }
//
// and the domain hands its answer to the command's batch before committing it:
//
//   cmd.SetAnswer(consultation);
//   RETURN_IF_ERROR(cmd.Commit());
//
// The ledger then writes the record of the request — the request's keyed fingerprint (at_rest.h
// RecordSealer::FingerprintOf) and the answer — into that same synced batch: no extra fsync, and
// a command is never durable without its record nor the record without the command. When the
// answer is the record the command stores (most commands answer with the changed record), the
// domain says so — `table.PutAnswer(&cmd, key, record)` or `cmd.SetAnswerStored(...)` — and the
// request's record names it instead of holding a copy: a retry is answered with that record as it
// is then, which is the first answer unless someone changed the record since. (A copy doubled
// what a create writes to the disk, and a synced write's cost grows with its bytes.) Such a
// record holds nothing personal and is stored plain; a copy of an answer is sealed.
//
// For a request id the caller (token subject) has used within the window (default 7 days):
//   - the same request (a keyed BLAKE2b of its type and deterministic serialization, request_id
//     included, which two requests compared always share): the first call's answer, byte for byte
//     (for an answer stored as a record: as the record is now), also after a kill -9 between
//     commit and answer and after a restart; nothing is applied;
//   - another request: FAILED_PRECONDITION naming `request_id` (PreconditionFailure
//     REQUEST_ID_REUSED).
// Concurrent calls with the same id wait for each other. A command that failed wrote nothing and
// leaves no record: a retry runs it again. A command that succeeded without changing anything
// (cancelling what is already cancelled, a report) leaves its record in a write of its own, not
// synced. Without a request id a command runs as before.
//
// Request ids: 8..64 characters of A-Z a-z 0-9 . _ : - (a UUID or a ULID, one per user action).
//
// Thread safety: RequestLedger is thread-safe. The request scope is per thread: the domain must
// commit on the handler's thread (every service does).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "renkei/common/clock.h"
#include "renkei/common/grpc_status.h"
#include "renkei/common/store.h"

namespace renkei::common {

struct CommandAnswer;
class Metrics;
class RecordSealer;

struct RequestLedgerOptions {
  int64_t window_micros = 7LL * 24 * 3600 * 1000000;
  // The key filter's size: at 2^22 bits (512 KiB), one lookup in a thousand goes to the store
  // needlessly with 300,000 request ids in the window.
  size_t filter_bits = size_t{1} << 22;
  // How often records older than the window are removed (also once at Start).
  int64_t prune_interval_ms = int64_t{10} * 60 * 1000;
};

// The field every state-changing request message carries.
inline constexpr char kRequestIdField[] = "request_id";

// Whether `id` is a usable request id (see above).
bool IsWellFormedRequestId(std::string_view id);

// gRPC method paths of Renkei's services that declare neither NO_SIDE_EFFECTS / IDEMPOTENT nor a
// request_id field in their request (a service refuses to start while any exists).
std::vector<std::string> UndeclaredCommands();

class RequestLedger {
 public:
  // Column families the ledger needs in a service's Store.
  static std::vector<std::string> ColumnFamilies();

  // `sealer` seals the answers (they may hold personal fields); must outlive the ledger.
  RequestLedger(Store* store, const RecordSealer* sealer, RequestLedgerOptions options = {},
                const Clock* clock = SystemClock::Get(), Metrics* metrics = nullptr);
  ~RequestLedger();

  // Runs `execute` (which fills *response) at most once per (caller, request id) of `request`;
  // see the header comment. `caller` is the token subject ("" on unauthenticated servers).
  absl::Status Run(std::string_view caller, const google::protobuf::Message& request,
                   google::protobuf::Message* response,
                   const std::function<absl::Status(google::protobuf::Message*)>& execute);

  // Removes the records older than the window (a scan of the records: they are small), in
  // batches; returns how many.
  absl::StatusOr<int64_t> Prune();
  // Prunes now and then every prune_interval_ms on a thread of its own, until Stop.
  void Start();
  void Stop();

  Store* store() const { return store_; }
  uint64_t replays() const { return replays_.load(); }

  // The request being executed on a thread (internal to the ledger and CommandBatch).
  struct Scope;

 private:
  friend class CommandBatch;
  // Called by CommandBatch::Commit on the handler's thread: adds the record of the request in
  // progress (if any, for this store, not yet written) to `batch`, with `answer` (may be null).
  // Returns the scope to tell after the write whether it succeeded, or null.
  static Scope* AddRecordOfCurrentRequest(Store* store, Batch* batch, const CommandAnswer* answer);
  // The form answers are recorded and compared in (deterministic serialization).
  static std::string SerializeAnswer(const google::protobuf::Message& answer);
  static void Committed(Scope* scope, bool ok);
  static bool InRequest(const Store* store);

  // `answer`: null when there is none.
  std::string RecordValue(const Scope& scope, const CommandAnswer* answer) const;
  // Holds (caller, id) `key` for one call, or for pruning it: the others wait.
  class Slot {
   public:
    Slot(RequestLedger* ledger, std::string key);
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    RequestLedger* ledger_;
    std::string key_;
  };
  absl::Status Replay(const Scope& scope, std::string_view stored,
                      google::protobuf::Message* response) const;

  // Which (caller, id) keys may have a record: a Bloom filter of every key recorded (built from
  // the store at start, rebuilt after pruning), so that a request id seen for the first time —
  // nearly every one — costs no store lookup. A key goes in before its command runs.
  class KeyFilter {
   public:
    explicit KeyFilter(size_t bits);
    void Add(std::string_view key);
    bool MayContain(std::string_view key) const;

   private:
    std::vector<uint64_t> words_;
  };
  // Whether `key` may have a record; adds it (to the filter being built too).
  bool MayHaveRecordThenAdd(std::string_view key);
  // Builds a new filter from the store (keys added meanwhile go into both).
  absl::Status RebuildFilter();

  Store* store_;
  const RecordSealer* sealer_;
  RequestLedgerOptions options_;
  mutable std::mutex filter_mu_;
  std::unique_ptr<KeyFilter> filter_;    // guarded by filter_mu_
  std::unique_ptr<KeyFilter> building_;  // guarded by filter_mu_; during a rebuild
  int64_t added_since_build_ = 0;        // guarded by filter_mu_
  const Clock* clock_;
  Metrics* metrics_;
  ColumnFamily cf_;
  // (caller, id) pairs being executed: a second call with the same pair waits for the first.
  std::mutex inflight_mu_;
  std::condition_variable inflight_cv_;
  std::set<std::string> inflight_;
  std::atomic<uint64_t> replays_{0};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread pruner_;
};

// The caller of the call being handled on this thread (the token subject; "" when the server
// does not authenticate). Set by the server interceptor (server.h).
std::string_view CurrentCallerSubject();
namespace internal {
void SetCurrentCallerSubject(std::string subject);
}  // namespace internal

// The unary answer of a read: the domain's result or its error as a gRPC status.
template <typename T>
grpc::Status Respond(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

// The unary answer of a command: `fn()` (returning absl::StatusOr<Response>) run at most once
// per request id through `ledger`.
template <typename Response, typename Fn>
grpc::Status RespondOnce(RequestLedger& ledger, const google::protobuf::Message& request,
                         Response* response, Fn&& fn) {
  absl::Status s = ledger.Run(CurrentCallerSubject(), request, response,
                              [&](google::protobuf::Message* out) -> absl::Status {
                                absl::StatusOr<Response> result = fn();
                                if (!result.ok()) return result.status();
                                *static_cast<Response*>(out) = std::move(*result);
                                return absl::OkStatus();
                              });
  return ToGrpcStatus(s);
}

}  // namespace renkei::common
