// The process around a service: everything every renkei-<service> binary does the same way.
//
// A service is a module (ServiceModule): its name and column families, the checks of the parts
// of the instance file it reads, and how it builds its domain, gRPC services and subscriptions
// on a host. Its main is one line:
//
//   int main(int argc, char** argv) {
//     return renkei::common::RunService(argc, argv, renkei::intake::Module());
//   }
//
// RunService parses --config, loads the instance file and opens a ServiceHost for the module:
// the file is validated (fatal on any error, with every bad field named — the server section and
// the module's own), the instance's data keys loaded (creating the first one in an empty
// security.data_key_dir) for the personal fields at rest, the service's RocksDB and its audit
// log opened, NATS connected in the background; then the module builds, and Serve starts the
// outbox relay, the metrics endpoint and the gRPC server (the module's services and the
// AdminService of admin.proto, behind the token check of auth.h). On SIGTERM/SIGINT it shuts
// down in order: stop accepting calls, finish running ones (5 s), stop the module's consumers
// and workers, the relay, the request ledger, close the store.
//
// Tests open a host in-process the same way (ServiceHost::Open with a config listening on port
// 0, then Serve and port()), with a fake clock if they need one.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/impl/codegen/service_type.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/audit.h"
#include "renkei/common/auth.h"
#include "renkei/common/bus.h"
#include "renkei/common/consumer.h"
#include "renkei/common/events.h"
#include "renkei/common/metrics.h"
#include "renkei/common/outbox.h"
#include "renkei/common/requests.h"
#include "renkei/common/server.h"
#include "renkei/common/store.h"
#include "renkei/common/validation.h"
#include "renkei/v1/config.pb.h"

namespace renkei::common {

class ServiceHost;
using Services = std::vector<std::unique_ptr<grpc::Service>>;

// One step of a service's data format (docs/compatibility.md), from format `to - 1` to `to`: run
// at start-up, before anything else reads the data. It may write in several batches, and must
// be safe to run again: the new format is recorded only after it returned (a crash in between
// runs it again).
struct DataMigration {
  int to = 0;
  std::string what;  // for the log, e.g. "consultations indexed by ward"
  std::function<absl::Status(Store*)> run;
};

// The key in the store's default family that holds its data format (a decimal number). Data
// written before formats were recorded has none and is format 1.
inline constexpr char kDataFormatKey[] = "renkei.data_format";

// What a service is, to the host that runs it.
struct ServiceModule {
  std::string name;  // "directory": renkei-directory, its config section, logs and metrics
  std::vector<std::string> column_families;
  // The service's server section in the config (e.g. &InstanceConfig::directory's server).
  std::function<v1::ServerConfig*(v1::InstanceConfig*)> server_section;
  // Adds every bad field of what the service reads from the instance file beyond its server
  // section, named by its path (e.g. "intake.directory_address"). May be empty.
  std::function<void(const v1::InstanceConfig&, FieldViolations*)> validate_config;
  // Builds the domain on the host (config validated), starts the consumers and workers its
  // domain declares (host.Consume, host.OnShutdown), and returns its gRPC services.
  std::function<absl::StatusOr<Services>(ServiceHost&)> build;
  // The steps from format 1 to the format this build writes (1 + their number), in order
  // (migrations[i].to == i + 2). A store of a newer format than that is refused.
  std::vector<DataMigration> migrations = {};
};

// Brings the store's data to the module's format (see DataMigration), recording it; returns the
// format. FAILED_PRECONDITION for data of a newer format than the module knows.
absl::StatusOr<int> MigrateData(Store* store, const ServiceModule& module);

// The usual end of a module's build: its one gRPC service, made from `args`.
template <typename Service, typename... Args>
absl::StatusOr<Services> OneService(Args&&... args) {
  Services services;
  services.push_back(std::make_unique<Service>(std::forward<Args>(args)...));
  return services;
}

struct HostOptions {
  // The clock of the domain's events, the request ledger and the consumers.
  const Clock* clock = SystemClock::Get();
};

class ServiceHost {
 public:
  // Validates `config` for `module` (INVALID_ARGUMENT naming every bad field), loads the data
  // keys, opens the store, the audit log and the request ledger, connects NATS in the
  // background and builds the module. Nothing is served until Serve. Errors: INVALID_ARGUMENT or
  // FAILED_PRECONDITION for what the operator must fix in the configuration or the key
  // directory; others for what failed at start-up.
  static absl::StatusOr<std::unique_ptr<ServiceHost>> Open(v1::InstanceConfig config,
                                                           const ServiceModule& module,
                                                           HostOptions options = {});
  // Starts the relay, the metrics endpoint and the gRPC server.
  absl::Status Serve();
  // The gRPC port (after Serve; the one chosen when listening on port 0).
  int port() const;
  // The format of the service's data (after the migrations at start-up).
  int data_format() const { return data_format_; }
  // Stops serving and shuts down in order (see above). Also run by the destructor.
  void Shutdown();
  // Events in the outbox not yet published.
  int64_t outbox_pending() const;
  ~ServiceHost();
  ServiceHost(const ServiceHost&) = delete;
  ServiceHost& operator=(const ServiceHost&) = delete;

  const v1::InstanceConfig& config() const { return config_; }
  const v1::ServerConfig& server_config() const { return server_; }
  const std::string& instance_id() const { return instance_id_; }
  const Clock* clock() const { return options_.clock; }
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
  EventSource event_source() const { return {instance_id_, options_.clock}; }
  // Starts a durable consumer of the service's store, outbox and bus, kept alive and stopped at
  // shutdown.
  void Consume(const ConsumerOptions& options, EventHandler handler);
  // The same for the usual case: `durable` on `stream`, events matching `filter`.
  void Consume(const std::string& stream, const std::string& durable, const std::string& filter,
               EventHandler handler);
  // Registers something to run (in reverse order) at shutdown after the server stopped.
  void OnShutdown(std::function<void()> fn) { shutdown_.push_back(std::move(fn)); }
  // Keeps a domain object alive until after the server stopped; returns it.
  template <typename T>
  T* Keep(std::unique_ptr<T> object) {
    T* raw = object.get();
    kept_.push_back(std::shared_ptr<T>(std::move(object)));
    return raw;
  }

 private:
  ServiceHost() = default;
  absl::Status OpenParts(const ServiceModule& module);

  HostOptions options_;
  v1::InstanceConfig config_;
  v1::ServerConfig server_;
  std::string instance_id_;
  std::string name_;
  int data_format_ = 0;
  std::unique_ptr<DataKeys> data_keys_;
  std::unique_ptr<RecordSealer> sealer_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<NatsBus> bus_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<RequestLedger> requests_;
  std::shared_ptr<ServerSecurity> security_;
  std::unique_ptr<OutboxRelay> relay_;
  Services services_;
  std::unique_ptr<GrpcServer> server_running_;
  std::atomic<bool> stopping_{false};
  std::thread health_;
  // The certificate files the process uses (for renkei_certificate_expiry_timestamp_seconds).
  std::vector<std::string> certificates_;
  void ReportHealth(int tick);
  bool shut_down_ = false;
  std::vector<std::function<void()>> shutdown_;
  std::vector<std::shared_ptr<void>> kept_;
};

// What every renkei-* process (the services and the gateway) does the same way around its own
// start: parse `--config <instance.json>` (or one of its print flags), load the instance file,
// start logging, start, wait for SIGTERM/SIGINT, stop.
struct ProcessSpec {
  std::string name;  // "gateway": renkei-gateway, its logs
  // Flags that print something and exit 0 instead of running (the gateway's --routes-markdown).
  std::vector<std::pair<std::string, std::function<void()>>> print_flags;
  // Starts on the loaded instance file and returns how to stop. INVALID_ARGUMENT and
  // FAILED_PRECONDITION: what the operator must fix (exit 2); others: start-up failed (exit 1).
  std::function<absl::StatusOr<std::function<void()>>(v1::InstanceConfig)> start;
};
// Returns the process exit code: 0 after a clean shutdown, 2 for bad arguments or configuration,
// 1 when start-up failed.
int RunProcess(int argc, char** argv, const ProcessSpec& process);

// The whole main of a service (see above): RunProcess with a ServiceHost for `module`.
int RunService(int argc, char** argv, const ServiceModule& module);

}  // namespace renkei::common
