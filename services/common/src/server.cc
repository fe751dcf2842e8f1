#include "renkei/common/server.h"

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <thread>

#include "google/protobuf/stubs/logging.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/server_interceptor.h"
#include "renkei/common/grpc_status.h"
#include "renkei/common/log.h"
#include "renkei/common/metrics.h"
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

// "renkei.v1.Resource.name" -> "Resource.name" (the message and field the client can find).
std::string FieldPathFromFullName(const std::string& full) {
  size_t last = full.rfind('.');
  if (last == std::string::npos) return full;
  size_t prev = full.rfind('.', last - 1);
  return prev == std::string::npos ? full : full.substr(prev + 1);
}

class EdgeInterceptor final : public grpc::experimental::Interceptor {
 public:
  EdgeInterceptor(grpc::experimental::ServerRpcInfo* info, Metrics* metrics)
      : info_(info), metrics_(metrics), start_(std::chrono::steady_clock::now()) {
    g_calls_in_flight.fetch_add(1);
  }
  ~EdgeInterceptor() override { g_calls_in_flight.fetch_sub(1); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();

      // gRPC's failed request parse is INTERNAL with an empty message (proto3 has no
      // initialization errors); our own INTERNAL errors always carry a message.
      if (status.error_code() == grpc::StatusCode::INTERNAL && status.error_message().empty() &&
          !t_invalid_utf8_field.empty()) {
        std::string field = FieldPathFromFullName(t_invalid_utf8_field);
        status = ToGrpcStatus(InvalidField(field, "UTF-8 として不正な文字列です / invalid UTF-8"));
        methods->ModifySendStatus(status);
      }
      t_invalid_utf8_field.clear();
      if (metrics_ != nullptr) {
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        metrics_->ObserveRpc(info_->method(), status.error_code(), seconds);
      }
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  Metrics* metrics_;
  std::chrono::steady_clock::time_point start_;
};

class EdgeInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit EdgeInterceptorFactory(Metrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new EdgeInterceptor(info, metrics_);
  }

 private:
  Metrics* metrics_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const ServerOptions& options, const std::vector<grpc::Service*>& services, Metrics* metrics) {
  google::protobuf::SetLogHandler(&ProtobufLogHandler);
  g_default_deadline_ms = options.default_deadline_ms;
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  auto out = std::unique_ptr<GrpcServer>(new GrpcServer());
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, grpc::InsecureServerCredentials(), &out->port_);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  for (grpc::Service* s : services) builder.RegisterService(s);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<EdgeInterceptorFactory>(metrics));
  builder.experimental().SetInterceptorCreators(std::move(factories));
  out->server_ = builder.BuildAndStart();
  if (out->server_ == nullptr || out->port_ == 0) {
    return absl::UnavailableError("gRPC サーバーを起動できません / cannot listen on " +
                                  options.listen_address);
  }
  out->server_->GetHealthCheckService()->SetServingStatus(true);
  return out;
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

absl::Status StreamReadStatus() {
  if (t_invalid_utf8_field.empty()) return absl::OkStatus();
  std::string field = FieldPathFromFullName(t_invalid_utf8_field);
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
