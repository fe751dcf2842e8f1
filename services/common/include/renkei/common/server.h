// gRPC server bootstrap shared by every service: the standard health service, server reflection,
// authentication and authorization (common/auth.h: the token check in the auth filter, then
// personal fields removed from answers to callers not allowed them and every read or change of
// personal data audited here), request metrics, graceful shutdown on SIGTERM/SIGINT, default
// request deadlines, and the mapping of undecodable requests (invalid UTF-8 in a string field) to
// INVALID_ARGUMENT naming the field.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/server.h"
#include "grpcpp/server_context.h"

namespace renkei::common {

class Metrics;
struct ServerSecurity;

struct ServerOptions {
  std::string listen_address;  // "127.0.0.1:0" picks a free port
  int max_message_bytes = 4 << 20;
  int default_deadline_ms = 30000;
  // Authentication, authorization and audit (common/auth.h). Null or unauthenticated: plaintext
  // without token checks, refused unless the listen address is loopback.
  std::shared_ptr<const ServerSecurity> security;
};

class GrpcServer {
 public:
  // Builds and starts the server with the given services (not owned; they must outlive it).
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const ServerOptions& options, const std::vector<grpc::Service*>& services,
      Metrics* metrics = nullptr);
  ~GrpcServer();

  int port() const { return port_; }
  // The standard health service's answer (SERVING or NOT_SERVING), e.g. while the store refuses
  // writes.
  void SetServing(bool serving);
  // Marks the server NOT_SERVING, stops accepting calls, lets running ones finish for `grace`,
  // then cancels what is left.
  void Shutdown(std::chrono::milliseconds grace);
  void Wait();

 private:
  GrpcServer() = default;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it creates afterwards. Call
// first thing in main, before any library starts threads, so that WaitForTerminationSignal sees
// the signal instead of a random thread dying of it.
void BlockTerminationSignals();
// Waits until SIGTERM or SIGINT arrives (BlockTerminationSignals must have run).
void WaitForTerminationSignal();

// For streaming handlers: after Read() returned false, INVALID_ARGUMENT naming the field when
// the message was rejected for invalid UTF-8; OK when the stream simply ended.
// `request` (the stream's message type) lets the field be named in request terms.
absl::Status StreamReadStatus(const google::protobuf::Descriptor* request = nullptr);

// The time budget of one call: the client's deadline, capped by the server default
// (ServerOptions::default_deadline_ms) counted from construction unless apply_default is false
// (streaming imports run as long as the client allows). Long handlers call Check() between units
// of work: DEADLINE_EXCEEDED past the budget, CANCELLED when the client went away.
class RequestBudget {
 public:
  explicit RequestBudget(const grpc::ServerContext& context, bool apply_default = true);
  absl::Status Check() const;

 private:
  const grpc::ServerContext& context_;
  std::chrono::system_clock::time_point deadline_;
};

}  // namespace renkei::common
