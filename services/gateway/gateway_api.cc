// An API call: the route matched, the caller's token and CSRF checked, the JSON body and the
// parameters read into the request message (with a request id for commands), the call made to
// the service (again while it answers UNAVAILABLE) and its answer written as JSON.
#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "gateway_parts.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "renkei/common/grpc_status.h"
#include "renkei/common/ids.h"
#include "renkei/common/log.h"
#include "renkei/common/requests.h"

namespace renkei::gateway {
namespace {

using google::protobuf::Message;

constexpr char kIdempotencyHeader[] = "Idempotency-Key";
constexpr int kAttempts = 3;  // calls per request while the service answers UNAVAILABLE

// A unary call completed on the calling thread (the worker's own completion queue, as gRPC's
// synchronous stubs do), without handing the answer over from one of gRPC's threads.
grpc::Status CallOnThisThread(grpc::GenericStub& stub, grpc::ClientContext* context,
                              const std::string& method, const grpc::ByteBuffer& request,
                              grpc::ByteBuffer* response) {
  struct Queue {
    grpc::CompletionQueue cq;
    ~Queue() {
      cq.Shutdown();
      void* tag;
      bool ok;
      while (cq.Next(&tag, &ok)) {
      }
    }
  };
  thread_local Queue queue;
  auto call = stub.PrepareUnaryCall(context, method, request, &queue.cq);
  call->StartCall();
  grpc::Status status;
  call->Finish(response, &status, &status);
  void* tag = nullptr;
  bool ok = false;
  while (queue.cq.Next(&tag, &ok) && tag != &status) {
  }
  return status;
}

}  // namespace

void Gateway::Impl::HandleApi(const httplib::Request& req, httplib::Response& res) {
  const auto started = std::chrono::steady_clock::now();
  const RouteMatch match = router_.Match(req.method, req.path);
  if (match.route == nullptr) {
    if (match.path_known) {
      return Fail(res, absl::UnimplementedError("このメソッドは使えません / method not allowed"),
                  405);
    }
    return Fail(res, absl::NotFoundError("そのような API はありません / no such route"));
  }
  const Endpoint& endpoint = endpoints_.at(match.route);
  bool from_cookie = false;
  const std::string token = TokenOf(req, &from_cookie);
  const bool open = config_.security().unauthenticated_loopback() && token.empty();
  if (!open && !TokenUsable(token, res)) return;
  if (from_cookie && IsUnsafe(req.method) && !CsrfOk(req)) {
    return Fail(res, absl::PermissionDeniedError(
                         "CSRF トークンがないか一致しません / missing or mismatched CSRF token"));
  }

  if (endpoint.stub == nullptr) {
    return Fail(res, absl::UnavailableError(
                         "このインスタンスでは使えません / the instance has no such service"));
  }
  std::unique_ptr<Message> request(endpoint.request_prototype->New());
  if (!ReadRequest(match, req, res, request.get())) return;
  Relay(endpoint, token, *request, req, res, started);
}

bool Gateway::Impl::ReadRequest(const RouteMatch& match, const httplib::Request& req,
                                httplib::Response& res, Message* request) {
  if (req.method != "GET" && !req.body.empty()) {
    const std::string type = req.get_header_value("Content-Type");
    if (!absl::StartsWithIgnoreCase(type, "application/json")) {
      Fail(res,
           absl::InvalidArgumentError("Content-Type は application/json です / "
                                      "the body must be application/json"),
           415);
      return false;
    }
    if (auto s = ParseJsonBody(req.body, request); !s.ok()) {
      Fail(res, s);
      return false;
    }
  }
  // Query parameters (any method), then the path's: the path wins.
  const Params query(req.params.begin(), req.params.end());
  for (const Params* params : {&query, &match.path_params}) {
    if (auto s = FillFromParams(*params, request); !s.ok()) {
      Fail(res, s);
      return false;
    }
  }
  // Commands carry a request id (docs/gateway.md, "Retries"): the body's request_id, else the
  // Idempotency-Key header, else a new one; it goes back in the Idempotency-Key header so that a
  // client can send the same command again without applying it twice.
  if (const auto* field = request->GetDescriptor()->FindFieldByName(common::kRequestIdField)) {
    std::string id = request->GetReflection()->GetString(*request, field);
    if (id.empty()) {
      id = req.get_header_value(kIdempotencyHeader);
      if (id.empty()) id = common::NewId("req");
      request->GetReflection()->SetString(request, field, id);
    }
    if (common::IsWellFormedRequestId(id)) res.set_header(kIdempotencyHeader, id);
  }
  return true;
}

void Gateway::Impl::Relay(const Endpoint& endpoint, const std::string& token,
                          const Message& request, const httplib::Request& req,
                          httplib::Response& res, std::chrono::steady_clock::time_point started) {
  grpc::ByteBuffer request_bytes;
  bool own = false;
  if (!grpc::SerializationTraits<Message>::Serialize(request, &request_bytes, &own).ok()) {
    return Fail(res, absl::InternalError("内部エラー / cannot serialize"));
  }
  // A service that is restarting answers UNAVAILABLE, or CANCELLED for a call it was handling
  // as it stopped (it may have committed): the call is sent again (reads, and commands with
  // their request id) while the deadline allows.
  const auto deadline =
      std::chrono::system_clock::now() + std::chrono::milliseconds(config_.gateway().deadline_ms());
  grpc::ByteBuffer response_bytes;
  grpc::Status status;
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    status = CallOnThisThread(*endpoint.stub, &context, endpoint.grpc_path, request_bytes,
                              &response_bytes);
    const auto wait = std::chrono::milliseconds(100 << (2 * (attempt - 1)));  // 100, 400 ms
    const bool transient = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           status.error_code() == grpc::StatusCode::CANCELLED;
    if (!transient || attempt >= kAttempts || std::chrono::system_clock::now() + wait >= deadline) {
      break;
    }
    std::this_thread::sleep_for(wait);
  }
  int http_status = 200;
  if (status.ok()) {
    std::unique_ptr<Message> response(endpoint.response_prototype->New());
    if (!grpc::SerializationTraits<Message>::Deserialize(&response_bytes, response.get()).ok()) {
      http_status = 502;
      Fail(res, absl::InternalError("サービスの応答を読めません / unreadable answer"), 502);
    } else {
      std::string json;
      if (endpoint.route->file) {
        WriteFile(*response, res);
      } else if (auto s = WriteJson(*response, &json); !s.ok()) {
        http_status = 500;
        Fail(res, s);
      } else {
        res.set_content(json, kJson);
      }
    }
  } else {
    const absl::Status error = common::FromGrpcStatus(status);
    Fail(res, error);
    http_status = res.status;
  }
  if (http_status >= 400) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
    // The route's pattern, never the path or query (ids only, but the habit matters).
    common::LogLine(http_status >= 500 ? common::LogLevel::kWarning : common::LogLevel::kInfo,
                    "request failed")
        .Field("method", req.method)
        .Field("route", endpoint.route->path)
        .Field("status", http_status)
        .Field("code", absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())))
        .Field("micros", static_cast<int64_t>(micros));
  }
}

}  // namespace renkei::gateway
