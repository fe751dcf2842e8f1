// Integration-test harness: a real nats-server and real RocksDB in temp dirs, and the directory
// either in-process (gRPC on a loopback port, the same classes main() wires) or as the real
// renkei-directory binary in a child process.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "directory/directory.h"
#include "directory/directory_service.h"
#include "renkei/common/bus.h"
#include "renkei/common/outbox.h"
#include "renkei/common/server.h"
#include "renkei/common/store.h"
#include "renkei/v1/directory.grpc.pb.h"
#include "testing.h"

namespace renkei::testing {

// ../shared/data (RENKEI_SHARED_DATA, <repo>/../shared/data or /work/shared/data).
std::string SharedDataDir();

// Every message currently in the stream, read with a throwaway durable consumer.
struct StreamMessage {
  std::string subject;
  std::string msg_id;
  std::string data;
};
std::vector<StreamMessage> ReadStream(common::NatsBus& bus, const std::string& stream,
                                      const std::string& filter = "renkei.>");

// The directory in this process, with its relay publishing to a real nats-server.
class InProcessDirectory {
 public:
  static constexpr char kStream[] = "RENKEI_EVENTS";
  static constexpr char kInstance[] = "m132250";

  InProcessDirectory();
  ~InProcessDirectory();
  v1::DirectoryService::Stub& stub() { return *stub_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  common::NatsBus& bus() { return *bus_; }
  common::Store& store() { return *store_; }
  common::OutboxRelay& relay() { return *relay_; }
  NatsServer& nats() { return *nats_; }
  directory::Directory& directory() { return *directory_; }
  // Waits until the stream holds `n` messages (or the timeout passes); returns the count.
  uint64_t WaitForStreamCount(uint64_t n,
                              std::chrono::milliseconds timeout = std::chrono::seconds(15));
  int CountKeys(const std::string& column_family);

 private:
  TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<common::Store> store_;
  std::unique_ptr<common::Outbox> outbox_;
  std::unique_ptr<common::NatsBus> bus_;
  std::unique_ptr<common::OutboxRelay> relay_;
  directory::CapabilityVocabulary vocabulary_;
  std::unique_ptr<directory::Directory> directory_;
  std::unique_ptr<directory::DirectoryService> service_;
  std::unique_ptr<common::GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::DirectoryService::Stub> stub_;
};

// The renkei-directory binary with its own config, data dir and port.
class DirectoryProcess {
 public:
  DirectoryProcess(const std::string& dir, const std::string& nats_url);
  // Starts the binary (with optional RENKEI_FAILPOINTS) and waits until it answers health checks.
  absl::Status Start(const std::string& failpoints = "");
  bool WaitHealthy(std::chrono::milliseconds timeout);
  ChildProcess* process() { return process_.get(); }
  v1::DirectoryService::Stub& stub() { return *stub_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& log_path() const { return log_; }

 private:
  std::string dir_, log_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
  std::unique_ptr<v1::DirectoryService::Stub> stub_;
};

}  // namespace renkei::testing
