#include "renkei/common/server.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <thread>

#include "google/protobuf/stubs/logging.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/server_interceptor.h"
#include "renkei/common/auth.h"
#include "renkei/common/grpc_status.h"
#include "renkei/common/log.h"
#include "renkei/common/metrics.h"
#include "renkei/common/personal.h"
#include "renkei/common/requests.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/store.h"
#include "renkei/common/validation.h"

namespace renkei::common {
namespace {

std::atomic<int> g_default_deadline_ms{30000};
// Calls between arrival and completion (an interceptor lives exactly as long as its call).
std::atomic<int> g_calls_in_flight{0};

// Protobuf reports a string field with invalid UTF-8 only through its log ("String field
// 'renkei.v1.Resource.name' contains invalid UTF-8 data when parsing ..."), and gRPC then answers
// INTERNAL. We remember the field on the parsing thread (the sync server parses the request, runs
// the interceptors and sends the status on one thread; the parse happens before the first hook)
// and the interceptor below rewrites the status.
thread_local std::string t_invalid_utf8_field;

void ProtobufLogHandler(google::protobuf::LogLevel level, const char* filename, int line,
                        const std::string& message) {
  static const std::string kPrefix = "String field '";
  if (message.rfind(kPrefix, 0) == 0 &&
      message.find("invalid UTF-8 data when parsing") != std::string::npos) {
    size_t end = message.find('\'', kPrefix.size());
    if (end != std::string::npos) {
      t_invalid_utf8_field = message.substr(kPrefix.size(), end - kPrefix.size());
      return;
    }
  }
  LogLine(level >= google::protobuf::LOGLEVEL_ERROR ? LogLevel::kError : LogLevel::kWarning,
          "protobuf")
      .Field("detail", message)
      .Field("at", std::string(filename) + ":" + std::to_string(line));
}

// Where a field (its full name, "renkei.v1.PersonConcerned.name") sits in a request of type
// `request`, in request terms: "person.name", "needs[*].note" (an element of a repeated field
// whose index the parser did not say). Several places: every one, joined by " | ". None found
// (a type not reachable, or no request type): "PersonConcerned.name".
std::string FieldPathInRequest(const google::protobuf::Descriptor* request,
                               const std::string& full) {
  std::vector<std::string> paths;
  std::function<void(const google::protobuf::Descriptor*, const std::string&, int)> walk =
      [&](const google::protobuf::Descriptor* d, const std::string& prefix, int depth) {
        if (depth > 8 || paths.size() >= 4) return;
        for (int i = 0; i < d->field_count(); ++i) {
          const auto* f = d->field(i);
          std::string path = prefix.empty() ? f->name() : prefix + "." + f->name();
          if (f->is_repeated()) path += "[*]";
          if (f->full_name() == full) paths.push_back(path);
          if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE && !f->is_map()) {
            walk(f->message_type(), path, depth + 1);
          }
        }
      };
  if (request != nullptr) walk(request, "", 0);
  if (paths.empty()) {
    size_t last = full.rfind('.');
    if (last == std::string::npos) return full;
    size_t prev = full.rfind('.', last - 1);
    return prev == std::string::npos ? full : full.substr(prev + 1);
  }
  std::string out;
  for (const auto& p : paths) out += (out.empty() ? "" : " | ") + p;
  return out;
}

// The request type of a method path ("/renkei.v1.IntakeService/CreateConsultation").
const google::protobuf::Descriptor* RequestTypeOf(std::string_view method) {
  if (method.size() < 2 || method[0] != '/') return nullptr;
  std::string name(method.substr(1));
  const size_t slash = name.find('/');
  if (slash == std::string::npos) return nullptr;
  name[slash] = '.';
  const auto* m = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(name);
  return m == nullptr ? nullptr : m->input_type();
}

// The record a message is: its type and its string field `id` ("" when it has none).
std::string RecordId(const google::protobuf::Message& message) {
  const auto* id = message.GetDescriptor()->FindFieldByName("id");
  if (id == nullptr || id->is_repeated() ||
      id->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
    return "";
  }
  return message.GetReflection()->GetString(message, id);
}

struct AuditedRecord {
  std::string type;
  std::string id;
};

// The outermost records (messages with an `id`) of an answer that carry personal values: the
// consultation of GetConsultation, each item of a list.
void CollectPersonalRecords(const google::protobuf::Message& message,
                            std::vector<AuditedRecord>* out) {
  if (!HasPersonal(message)) return;
  if (std::string id = RecordId(message); !id.empty()) {
    out->push_back({message.GetDescriptor()->full_name(), std::move(id)});
    return;
  }
  const google::protobuf::Reflection* r = message.GetReflection();
  const google::protobuf::Descriptor* d = message.GetDescriptor();
  bool found = false;
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE ||
        !MayHoldPersonal(f->message_type())) {
      continue;
    }
    size_t before = out->size();
    if (f->is_repeated()) {
      for (int j = 0; j < r->FieldSize(message, f); ++j) {
        CollectPersonalRecords(r->GetRepeatedMessage(message, f, j), out);
      }
    } else if (r->HasField(message, f)) {
      CollectPersonalRecords(r->GetMessage(message, f), out);
    }
    found = found || out->size() > before;
  }
  // Personal values outside any record with an id: audited against the message type alone.
  if (!found) out->push_back({message.GetDescriptor()->full_name(), ""});
}

// The record a request is about: its `id`, else its first top-level string field named
// "<something>_id" (e.g. consultation_id).
std::string RequestRecordId(const google::protobuf::Message& request) {
  if (std::string id = RecordId(request); !id.empty()) return id;
  const auto* d = request.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (f->is_repeated() || f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_STRING)
      continue;
    const std::string& n = f->name();
    if (n == kRequestIdField) continue;  // the client's id of the call, not of a record
    if (n.size() > 3 && n.compare(n.size() - 3, 3, "_id") == 0) {
      std::string v = request.GetReflection()->GetString(request, f);
      if (!v.empty()) return v;
    }
  }
  return "";
}

class EdgeInterceptor final : public grpc::experimental::Interceptor {
 public:
  EdgeInterceptor(grpc::experimental::ServerRpcInfo* info, Metrics* metrics,
                  const ServerSecurity* security)
      : info_(info), metrics_(metrics), start_(std::chrono::steady_clock::now()) {
    g_calls_in_flight.fetch_add(1);
    // Calls of Renkei's services on an authenticating server: the auth filter has already
    // accepted the call's token; Guard() reads the caller from it.
    if (security != nullptr && !security->unauthenticated &&
        std::string_view(info->method()).rfind("/renkei.", 0) == 0) {
      audit_ = security->audit;
      processor_ = security->processor.get();
      guarded_ = true;
    }
  }
  ~EdgeInterceptor() override {
    if (journal_ != nullptr) journal_->active = false;  // a hook left on a thread stays inert
    g_calls_in_flight.fetch_sub(1);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (guarded_) Guard(methods);
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      // The handler runs next on this thread: its request ids are the caller's (requests.h).
      internal::SetCurrentCallerSubject(caller_.has_value() ? caller_->subject : std::string());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();

      // gRPC's failed request parse is INTERNAL with an empty message (proto3 has no
      // initialization errors); our own INTERNAL errors always carry a message.
      if (status.error_code() == grpc::StatusCode::INTERNAL && status.error_message().empty()) {
        if (!t_invalid_utf8_field.empty()) {
          std::string field =
              FieldPathInRequest(RequestTypeOf(info_->method()), t_invalid_utf8_field);
          status =
              ToGrpcStatus(InvalidField(field, "UTF-8 として不正な文字列です / invalid UTF-8"));
        } else {
          // Any other failed parse: not the message type, or nested deeper than protobuf's
          // recursion limit (100) allows.
          status = ToGrpcStatus(InvalidField(
              "",
              "リクエストを読めません (形式が不正か、入れ子が 100 段を超えています) / the "
              "request could not be parsed: malformed, or nested more than 100 levels deep"));
        }
        methods->ModifySendStatus(status);
      }
      t_invalid_utf8_field.clear();
      internal::SetCurrentCallerSubject(std::string());
      if (guarded_) {
        if (absl::Status s = WriteAudit(status); !s.ok()) {
          // No answer leaves without its audit record.
          status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                "監査ログに書けません / audit log unavailable");
          methods->ModifySendStatus(status);
        }
      }
      if (metrics_ != nullptr) {
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        metrics_->ObserveRpc(info_->method(), status.error_code(), seconds);
      }
    }
    methods->Proceed();
  }

 private:
  // Personal fields: removed from what a caller may not see; what it may see, and whatever it
  // changes, goes to the audit log.
  void Guard(grpc::experimental::InterceptorBatchMethods* methods) {
    using grpc::experimental::InterceptionHookPoints;
    if (!caller_read_) {
      // The token the auth filter accepted (its verification is cached there).
      caller_read_ = true;
      const auto& metadata = info_->server_context()->client_metadata();
      auto header = metadata.find("authorization");
      if (header != metadata.end() && processor_ != nullptr) {
        caller_ = processor_->CallerOf(
            std::string_view(header->second.data(), header->second.size()), info_->method());
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      const auto* request =
          static_cast<const google::protobuf::Message*>(methods->GetRecvMessage());
      if (request != nullptr && HasPersonal(*request)) {
        // The change is journaled in the handler's own synced WriteBatch (the store's thread
        // batch hook): the change and its audit record commit together.
        changed_ = true;
        change_record_ = {request->GetDescriptor()->full_name(), RequestRecordId(*request)};
        if (audit_ != nullptr) {
          journal_ = std::make_shared<Journal>();
          journal_->entry = Entry(v1::AUDIT_ACTION_CHANGE, change_record_);
          journal_->entry.set_detail("受付 / received");
          auto journal = journal_;
          AuditLog* log = audit_;
          SetThreadBatchHook(
              std::make_shared<BatchHook>([journal, log](const Store& store, Batch& batch) {
                if (!journal->active || &store != log->store()) return false;
                log->JournalInto(&batch, journal->entry);
                journal->written = true;
                return true;
              }));
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      const auto* response =
          static_cast<const google::protobuf::Message*>(methods->GetSendMessage());
      if (response == nullptr) return;
      if (caller_.has_value() && caller_->personal) {
        CollectPersonalRecords(*response, &read_);
        if (changed_) created_ = {response->GetDescriptor()->full_name(), RecordId(*response)};
      } else if (HasPersonal(*response)) {
        std::unique_ptr<google::protobuf::Message> copy(response->New());
        copy->CopyFrom(*response);
        StripPersonal(copy.get());
        methods->ModifySendMessage(copy.get());
        stripped_.push_back(std::move(copy));  // alive until serialized
      }
    }
  }

  v1::AuditEntry Entry(v1::AuditAction action, const AuditedRecord& record) const {
    v1::AuditEntry e;
    if (caller_.has_value()) {
      e.set_subject(caller_->subject);
      e.set_role(caller_->role);
      e.set_jurisdiction(caller_->jurisdiction);
    }
    e.set_rpc(info_->method());
    e.set_record_type(record.type);
    e.set_record_id(record.id);
    e.set_action(action);
    return e;
  }

  // Before the answer leaves. A change was journaled in the handler's own synced write (the
  // batch hook); if the handler wrote nothing, the entry gets a synced write of its own when
  // the call succeeded, or is kept as "not applied". A create adds the record it made
  // (durable with the next sealing). Reads of personal data get a synced journal write
  // (group-committed with concurrent writes).
  absl::Status WriteAudit(const grpc::Status& status) {
    if (journal_ != nullptr) {
      SetThreadBatchHook(nullptr);
      journal_->active = false;
    }
    if (audit_ == nullptr) return absl::OkStatus();
    if (changed_) {
      v1::AuditEntry e = journal_->entry;
      if (!status.ok()) {
        e.set_detail("不成立 / not applied: " + std::to_string(status.error_code()));
        audit_->RecordLater(std::move(e));
        return absl::OkStatus();
      }
      if (!journal_->written) RETURN_IF_ERROR(audit_->Record({e}, Durability::kSync));
      if (!created_.id.empty() && created_.id != change_record_.id) {
        v1::AuditEntry c = Entry(v1::AUDIT_ACTION_CHANGE, created_);
        c.set_detail("作成 / created");
        audit_->RecordLater(std::move(c));
      }
      return absl::OkStatus();
    }
    if (!status.ok() || read_.empty()) return absl::OkStatus();
    std::vector<v1::AuditEntry> entries;
    for (const auto& r : read_) entries.push_back(Entry(v1::AUDIT_ACTION_READ, r));
    return audit_->Record(std::move(entries), Durability::kSync);
  }

  grpc::experimental::ServerRpcInfo* info_;
  Metrics* metrics_;
  std::chrono::steady_clock::time_point start_;
  bool guarded_ = false;
  AuditLog* audit_ = nullptr;
  TokenAuthProcessor* processor_ = nullptr;
  bool caller_read_ = false;
  std::optional<Caller> caller_;
  bool changed_ = false;
  AuditedRecord change_record_;
  // The change's entry, journaled by the batch hook in the handler's write.
  struct Journal {
    v1::AuditEntry entry;
    std::atomic<bool> active{true};
    std::atomic<bool> written{false};
  };
  std::shared_ptr<Journal> journal_;
  AuditedRecord created_;
  std::vector<AuditedRecord> read_;
  std::vector<std::unique_ptr<google::protobuf::Message>> stripped_;
};

class EdgeInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  EdgeInterceptorFactory(Metrics* metrics, std::shared_ptr<const ServerSecurity> security)
      : metrics_(metrics), security_(std::move(security)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new EdgeInterceptor(info, metrics_, security_.get());
  }

 private:
  Metrics* metrics_;
  std::shared_ptr<const ServerSecurity> security_;
};

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const ServerOptions& options) {
  const ServerSecurity* sec = options.security.get();
  if (sec == nullptr || sec->unauthenticated || sec->processor == nullptr) {
    if (!IsLoopbackAddress(options.listen_address)) {
      return absl::FailedPreconditionError(
          "認証なしではループバック以外で待ち受けできません / refusing to serve without "
          "authentication on " +
          options.listen_address);
    }
    return grpc::InsecureServerCredentials();
  }
  std::shared_ptr<grpc::ServerCredentials> creds;
  if (!sec->tls.cert_file().empty()) {
    auto cert = ReadCredentialFile(sec->tls.cert_file(), "security.grpc_tls.cert_file");
    auto key = ReadCredentialFile(sec->tls.key_file(), "security.grpc_tls.key_file");
    auto ca = ReadCredentialFile(sec->tls.ca_file(), "security.grpc_tls.ca_file");
    if (!cert.ok()) return cert.status();
    if (!key.ok()) return key.status();
    if (!ca.ok()) return ca.status();
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = *ca;
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    creds = grpc::SslServerCredentials(ssl);
  } else {
    if (!IsLoopbackAddress(options.listen_address)) {
      return absl::FailedPreconditionError("TLS is required to listen on " +
                                           options.listen_address);
    }
    creds = grpc::experimental::LocalServerCredentials(LOCAL_TCP);
  }
  creds->SetAuthMetadataProcessor(sec->processor);
  return creds;
}

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const ServerOptions& options, const std::vector<grpc::Service*>& services, Metrics* metrics) {
  google::protobuf::SetLogHandler(&ProtobufLogHandler);
  g_default_deadline_ms = options.default_deadline_ms;
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  // Every RPC that changes state takes a request id (requests.h), declared like its access.
  if (auto undeclared = UndeclaredCommands(); !undeclared.empty()) {
    std::string list;
    for (const auto& m : undeclared) list += (list.empty() ? "" : ", ") + m;
    return absl::FailedPreconditionError(
        "RPCs without request_id nor idempotency_level (program error): " + list);
  }
  auto out = std::unique_ptr<GrpcServer>(new GrpcServer());
  auto creds = ServerCredentialsFor(options);
  if (!creds.ok()) return creds.status();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, *creds, &out->port_);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  for (grpc::Service* s : services) builder.RegisterService(s);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<EdgeInterceptorFactory>(metrics, options.security));
  builder.experimental().SetInterceptorCreators(std::move(factories));
  out->server_ = builder.BuildAndStart();
  if (out->server_ == nullptr || out->port_ == 0) {
    return absl::UnavailableError("gRPC サーバーを起動できません / cannot listen on " +
                                  options.listen_address);
  }
  out->server_->GetHealthCheckService()->SetServingStatus(true);
  return out;
}

void GrpcServer::SetServing(bool serving) {
  if (server_) server_->GetHealthCheckService()->SetServingStatus(serving);
}

GrpcServer::~GrpcServer() {
  if (server_) Shutdown(std::chrono::milliseconds(0));
}

void GrpcServer::Shutdown(std::chrono::milliseconds grace) {
  if (!server_) return;
  server_->GetHealthCheckService()->SetServingStatus(false);
  // gRPC's own Shutdown(deadline) waits the whole grace period while any client keeps an idle
  // connection open; wait only as long as calls are actually running.
  auto end = std::chrono::steady_clock::now() + grace;
  while (g_calls_in_flight.load() > 0 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
  server_->Wait();
  server_.reset();
}

void GrpcServer::Wait() {
  if (server_) server_->Wait();
}

namespace {
sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}
}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void WaitForTerminationSignal() {
  sigset_t set = TerminationSignals();
  int sig = 0;
  sigwait(&set, &sig);
  LogLine(LogLevel::kInfo, "signal received; shutting down").Field("signal", sig);
}

absl::Status StreamReadStatus(const google::protobuf::Descriptor* request) {
  if (t_invalid_utf8_field.empty()) return absl::OkStatus();
  std::string field = FieldPathInRequest(request, t_invalid_utf8_field);
  t_invalid_utf8_field.clear();
  return InvalidField(field, "UTF-8 として不正な文字列です / invalid UTF-8");
}

RequestBudget::RequestBudget(const grpc::ServerContext& context, bool apply_default)
    : context_(context), deadline_(context.deadline()) {
  if (apply_default) {
    deadline_ = std::min(deadline_, std::chrono::system_clock::now() +
                                        std::chrono::milliseconds(g_default_deadline_ms.load()));
  }
}

absl::Status RequestBudget::Check() const {
  if (context_.IsCancelled()) return absl::CancelledError("client cancelled the request");
  if (std::chrono::system_clock::now() > deadline_) {
    return absl::DeadlineExceededError("request deadline exceeded");
  }
  return absl::OkStatus();
}

}  // namespace renkei::common
