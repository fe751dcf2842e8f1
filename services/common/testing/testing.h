// Test helpers shared by unit, integration and scenario tests: temp directories, a real
// nats-server on a free loopback port, child processes, waiting on conditions, status matchers.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "grpcpp/support/status.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/store.h"
#include "renkei/common/validation.h"
#include "renkei/v1/config.pb.h"

namespace renkei::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A data key directory with one fresh key (under `dir`) and the sealer over it, for tests that
// build a service's store themselves.
class TestSealer {
 public:
  explicit TestSealer(const std::string& dir);
  const common::RecordSealer* get() const { return sealer_.get(); }
  const common::DataKeys& keys() const { return *keys_; }

 private:
  std::unique_ptr<common::DataKeys> keys_;
  std::unique_ptr<common::RecordSealer> sealer_;
};

// Every regular file under `dir` (recursively) whose raw bytes contain `needle`, as paths
// relative to `dir`, sorted. The second form reads each file once for all the needles.
std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle);
std::map<std::string, std::vector<std::string>> FilesContaining(
    const std::string& dir, const std::vector<std::string>& needles);

// "family: key" of every entry of every column family whose key or value contains `needle`.
std::vector<std::string> StoreEntriesContaining(const common::Store& store,
                                                const std::string& needle);

// Polls `condition` every few milliseconds until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A child process (argv[0] is the program path). Destruction kills it.
class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(
      const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
      const std::string& log_file = "");
  ~ChildProcess();
  pid_t pid() const { return pid_; }
  // Sends the signal and waits for the process to end; returns its wait status.
  int Signal(int sig);
  int Kill() { return Signal(9); }
  int Terminate() { return Signal(15); }
  // Waits for the process to end on its own (≤ timeout); true when it did.
  bool WaitExit(std::chrono::milliseconds timeout, int* wait_status = nullptr);
  bool Running();

 private:
  pid_t pid_ = -1;
};

// A real nats-server with JetStream: loopback, free port, its own store under `dir`.
class NatsServer {
 public:
  static absl::StatusOr<std::unique_ptr<NatsServer>> Start(const std::string& dir);
  // With a configuration file (listen address, domain, leaf nodes, store dir all from it).
  static absl::StatusOr<std::unique_ptr<NatsServer>> StartConfigured(const std::string& dir,
                                                                     const std::string& config);
  ~NatsServer();
  int port() const { return port_; }
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  void Stop();  // SIGTERM, clean shutdown
  void Kill();  // SIGKILL
  // Starts again on the same port and store.
  absl::Status Restart();

 private:
  absl::Status Launch(int port);
  std::string dir_;
  std::string config_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// A TCP proxy on a loopback port in front of `target_port`, to cut a link (a leaf-node
// connection) and restore it without stopping either end.
class TcpProxy {
 public:
  static absl::StatusOr<std::unique_ptr<TcpProxy>> Start(int target_port);
  ~TcpProxy();
  int port() const { return port_; }
  // Closes every connection and refuses new ones until Restore().
  void Cut();
  void Restore();

 private:
  TcpProxy() = default;
  void AcceptLoop();
  int port_ = 0;
  int target_port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<bool> cut_{false};
  std::mutex mu_;
  std::vector<int> fds_;  // open connections, both sides (guarded by mu_)
  std::vector<std::thread> pumps_;
  std::thread accept_thread_;
};

// Path of a program built next to the tests (RENKEI_BIN_DIR, set by CTest).
std::string BinaryPath(const std::string& name);
// A free loopback TCP port (bound then released: callers should bind soon).
int FreePort();
// Whether something accepts TCP connections on 127.0.0.1:<port>.
bool PortAccepts(int port);
// The repository's root (RENKEI_SOURCE_DIR, set by CTest).
std::string SourceDir();
std::string ReadFile(const std::string& path);

MATCHER_P(StatusIs, code, "has status code " + ::testing::PrintToString(code)) {
  return arg.code() == code;
}

MATCHER_P(GrpcStatusIs, code,
          "has gRPC status code " + ::testing::PrintToString(static_cast<int>(code))) {
  if (arg.error_code() != code) {
    *result_listener << "code " << static_cast<int>(arg.error_code()) << ": "
                     << arg.error_message();
    return false;
  }
  return true;
}

// The field paths named in a status's BadRequest details.
std::vector<std::string> ViolatedFields(const grpc::Status& status);
std::vector<std::string> ViolatedFields(const absl::Status& status);
std::vector<std::string> ViolatedFields(const common::FieldViolations& violations);

// An absl::Status or grpc::Status whose BadRequest details name `field` ("training.title"):
//   EXPECT_THAT(result.status(), HasViolation("training.title"));
MATCHER_P(HasViolation, field, "names the field " + ::testing::PrintToString(field)) {
  const std::vector<std::string> fields = ViolatedFields(arg);
  for (const auto& f : fields) {
    if (f == field) return true;
  }
  *result_listener << "names " << ::testing::PrintToString(fields);
  return false;
}
// "field: description" per violation, one a line.
std::string ViolationDescriptions(const grpc::Status& status);

// An instance file for services run in-process (common::ServiceHost::Open): `level`
// ("municipality", "prefecture", "national") and `code`, data under `dir`, no authentication
// (loopback), every service's gRPC on port 0, NATS at an address nothing listens on (the bus
// connects in the background: commands are accepted, events wait in the outbox). `sections` is JSON
// spliced into the file's object, e.g. R"("intake": {"directory_address": "127.0.0.1:1"})".
v1::InstanceConfig InProcessConfig(const std::string& dir, std::string_view level,
                                   std::string_view code, std::string_view sections = "");

}  // namespace renkei::testing
