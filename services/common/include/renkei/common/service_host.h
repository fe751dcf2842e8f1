// The process around a service: everything every renkei-<service> binary does the same way.
//
//   int main(int argc, char** argv) {
//     return renkei::common::RunService(argc, argv, {"directory", ColumnFamilies()},
//                                       [](ServiceHost& host) -> absl::StatusOr<Services> {...});
//   }
//
// RunService parses --config, loads and validates the instance file (fatal on any error, with
// every bad field named), loads the instance's data keys (creating the first one in an empty
// security.data_key_dir) for the personal fields at rest, opens the service's RocksDB and its
// audit log, connects to NATS in the background, starts the outbox relay, the metrics endpoint
// and the gRPC server (the service's own services and the AdminService of admin.proto, behind
// the token check of auth.h), and on SIGTERM/SIGINT shuts down in order: stop accepting calls,
// finish running ones (5 s), stop the relay, close the store.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/impl/codegen/service_type.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/audit.h"
#include "renkei/common/bus.h"
#include "renkei/common/consumer.h"
#include "renkei/common/events.h"
#include "renkei/common/metrics.h"
#include "renkei/common/outbox.h"
#include "renkei/common/requests.h"
#include "renkei/common/store.h"
#include "renkei/v1/config.pb.h"

namespace renkei::common {

struct ServiceSpec {
  std::string name;  // "directory"
  std::vector<std::string> column_families;
  // The service's server section in the config (e.g. &InstanceConfig::directory's server).
  std::function<v1::ServerConfig*(v1::InstanceConfig*)> server_section;
};

class ServiceHost {
 public:
  ServiceHost() = default;
  const v1::InstanceConfig& config() const { return config_; }
  const v1::ServerConfig& server_config() const { return server_; }
  const std::string& instance_id() const { return instance_id_; }
  Store* store() { return store_.get(); }
  Outbox* outbox() { return outbox_.get(); }
  NatsBus* bus() { return bus_.get(); }
  Metrics* metrics() { return metrics_.get(); }
  AuditLog* audit() { return audit_.get(); }
  // Answers to commands by request id (requests.h): every service's command handlers use it.
  RequestLedger* requests() { return requests_.get(); }
  // A channel to another service of the instance that calls with this service's own identity
  // (security.service_key_id) over the instance's transport security.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelTo(const std::string& address);
  // Seals and opens every record the service stores (at_rest.h).
  const RecordSealer* sealer() const { return sealer_.get(); }
  EventSource event_source() const { return {instance_id_, SystemClock::Get()}; }
  // Starts a durable consumer of the service's store, outbox and bus, kept alive and stopped at
  // shutdown.
  void Consume(const ConsumerOptions& options, EventHandler handler);
  // Registers something to run (in reverse order) at shutdown after the server stopped.
  void OnShutdown(std::function<void()> fn) { shutdown_.push_back(std::move(fn)); }
  // Keeps a domain object alive until after the server stopped; returns it.
  template <typename T>
  T* Keep(std::unique_ptr<T> object) {
    T* raw = object.get();
    kept_.push_back(std::shared_ptr<T>(std::move(object)));
    return raw;
  }
  ~ServiceHost() {
    while (!kept_.empty()) kept_.pop_back();  // newest first
  }

 private:
  friend int RunService(
      int, char**, const ServiceSpec&,
      const std::function<
          absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>>(ServiceHost&)>&);
  v1::InstanceConfig config_;
  v1::ServerConfig server_;
  std::string instance_id_;
  std::unique_ptr<DataKeys> data_keys_;
  std::unique_ptr<RecordSealer> sealer_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<NatsBus> bus_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<RequestLedger> requests_;
  std::string name_;
  std::vector<std::function<void()>> shutdown_;
  std::vector<std::shared_ptr<void>> kept_;
};

using ServiceFactory =
    std::function<absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>>(ServiceHost&)>;

// Returns the process exit code: 0 after a clean shutdown, 2 for bad arguments or configuration,
// 1 when start-up failed.
int RunService(int argc, char** argv, const ServiceSpec& spec, const ServiceFactory& factory);

}  // namespace renkei::common
