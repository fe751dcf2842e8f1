#include "renkei/common/service_host.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "renkei/common/admin_service.h"
#include "renkei/common/auth.h"
#include "renkei/common/config.h"
#include "renkei/common/event_counts.h"
#include "renkei/common/federation.h"
#include "renkei/common/log.h"
#include "renkei/common/server.h"
#include "renkei/common/status_macros.h"

namespace renkei::common {

int RunService(int argc, char** argv, const ServiceSpec& spec, const ServiceFactory& factory) {
  BlockTerminationSignals();
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      config_path = argv[++i];
    } else if (std::strncmp(argv[i], "--config=", 9) == 0) {
      config_path = argv[i] + 9;
    } else {
      std::fprintf(stderr, "usage: renkei-%s --config <instance.json>\n", spec.name.c_str());
      return 2;
    }
  }
  if (config_path.empty()) {
    std::fprintf(stderr, "usage: renkei-%s --config <instance.json>\n", spec.name.c_str());
    return 2;
  }

  ServiceHost host;
  auto config = LoadInstanceConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "renkei-%s: %s\n", spec.name.c_str(),
                 std::string(config.status().message()).c_str());
    return 2;
  }
  host.config_ = std::move(*config);
  v1::ServerConfig* section = spec.server_section(&host.config_);
  FieldViolations v;
  PrepareServerConfig(host.config_, spec.name, spec.name + ".server", section, &v);
  if (!v.empty()) {
    std::fprintf(stderr, "renkei-%s: %s: %s\n", spec.name.c_str(), config_path.c_str(),
                 std::string(v.ToStatus().message()).c_str());
    return 2;
  }
  host.server_ = *section;
  host.instance_id_ = InstanceId(host.config_.instance());
  InitLogging(spec.name, host.instance_id_);

  host.name_ = spec.name;
  auto keys = DataKeys::Load(host.config_.security().data_key_dir(), /*create_if_empty=*/true);
  if (!keys.ok()) {
    LogLine(LogLevel::kError, "cannot load data keys").Field("error", keys.status().ToString());
    return absl::IsFailedPrecondition(keys.status()) ? 2 : 1;
  }
  host.data_keys_ = std::move(*keys);
  host.sealer_ = std::make_unique<RecordSealer>(host.data_keys_.get());

  std::vector<std::string> cfs = spec.column_families;
  for (const auto& cf : AuditLog::ColumnFamilies()) cfs.push_back(cf);
  for (const auto& cf : RequestLedger::ColumnFamilies()) cfs.push_back(cf);
  auto store = Store::Open({.path = host.server_.data_dir(),
                            .column_families = cfs,
                            .point_lookup_families = RequestLedger::ColumnFamilies()});
  if (!store.ok()) {
    LogLine(LogLevel::kError, "cannot open store").Field("error", store.status().ToString());
    return 1;
  }
  host.store_ = std::move(*store);
  if (auto s = InitEventCounts(host.store_.get(), host.store_->created(),
                               SystemClock::Get()->NowMicros());
      !s.ok()) {
    LogLine(LogLevel::kError, "cannot start the event counts").Field("error", s.ToString());
    return 1;
  }
  host.outbox_ = std::make_unique<Outbox>(host.store_.get());
  host.audit_ = std::make_unique<AuditLog>(host.store_.get());
  if (auto s = host.audit_->Load(); !s.ok()) {
    LogLine(LogLevel::kError, "cannot read the audit log").Field("error", s.ToString());
    return 1;
  }
  host.audit_->StartSealer();
  auto security =
      ServerSecurityFromConfig(host.config_, host.server_.listen_address(), host.audit_.get());
  if (!security.ok()) {
    std::fprintf(stderr, "renkei-%s: %s: %s\n", spec.name.c_str(), config_path.c_str(),
                 std::string(security.status().message()).c_str());
    return 2;
  }
  host.metrics_ = std::make_unique<Metrics>(spec.name);
  RequestLedgerOptions ledger_options;
  ledger_options.window_micros =
      int64_t{host.config_.commands().request_window_hours()} * 3600 * 1000000;
  host.requests_ =
      std::make_unique<RequestLedger>(host.store_.get(), host.sealer_.get(), ledger_options,
                                      SystemClock::Get(), host.metrics_.get());
  host.requests_->Start();
  if (!host.server_.metrics_address().empty()) {
    if (auto s = host.metrics_->Serve(host.server_.metrics_address()); !s.ok()) {
      LogLine(LogLevel::kError, "cannot serve metrics").Field("error", s.ToString());
      return 1;
    }
  }
  NatsOptions nats;
  nats.url = host.config_.nats().url();
  nats.client_name = "renkei-" + spec.name + "-" + host.instance_id_;
  nats.jetstream_domain = host.config_.nats().jetstream_domain();
  nats.tls_cert_file = host.config_.nats().tls().cert_file();
  nats.tls_key_file = host.config_.nats().tls().key_file();
  nats.tls_ca_file = host.config_.nats().tls().ca_file();
  nats.allow_plaintext = host.config_.nats().allow_plaintext();
  auto bus = NatsBus::Connect(nats);
  if (!bus.ok()) {
    LogLine(LogLevel::kError, "bad NATS settings").Field("error", bus.status().ToString());
    return 2;
  }
  host.bus_ = std::move(*bus);

  RelayOptions relay_options;
  relay_options.service = spec.name;
  relay_options.stream.name = host.config_.nats().stream();
  relay_options.stream.subjects = InstanceStreamSubjects(host.instance_id_);
  relay_options.stream.duplicate_window_seconds = host.config_.nats().duplicate_window_seconds();
  relay_options.stream.max_age_seconds = int64_t{host.config_.nats().max_age_days()} * 86400;
  relay_options.extra_streams = FederationStreams(host.config_);
  relay_options.batch_size = static_cast<int>(host.config_.outbox().batch_size());
  relay_options.retention_ms = int64_t{host.config_.outbox().retention_seconds()} * 1000;
  OutboxRelay relay(host.outbox_.get(), host.bus_.get(), relay_options, SystemClock::Get(),
                    host.metrics_.get());

  auto services = factory(host);
  if (!services.ok()) {
    LogLine(LogLevel::kError, "service failed to start")
        .Field("error", services.status().ToString());
    return 1;
  }
  services->push_back(
      std::make_unique<AdminService>(spec.name, host.store_.get(), &relay, host.requests_.get()));
  relay.Start();

  std::vector<grpc::Service*> raw;
  for (auto& s : *services) raw.push_back(s.get());
  ServerOptions server_options;
  server_options.listen_address = host.server_.listen_address();
  server_options.max_message_bytes = static_cast<int>(host.server_.max_message_bytes());
  server_options.default_deadline_ms = static_cast<int>(host.server_.default_deadline_ms());
  server_options.security = std::make_shared<ServerSecurity>(std::move(*security));
  auto server = GrpcServer::Start(server_options, raw, host.metrics_.get());
  if (!server.ok()) {
    LogLine(LogLevel::kError, "cannot start gRPC server")
        .Field("error", server.status().ToString());
    relay.Stop();
    return 1;
  }
  std::atomic<bool> stopping{false};
  std::thread depth([&] {
    bool serving = true;
    for (int tick = 0; !stopping; ++tick) {
      // NOT_SERVING while the store refuses writes (store.h): load balancers and supervisors
      // see it; reads go on being answered.
      const bool writable = host.store_->writable();
      if (writable != serving) {
        serving = writable;
        (*server)->SetServing(serving);
        host.metrics_->SetStoreWritable(serving);
      }
      if (tick % 50 == 0) {
        host.metrics_->SetOutboxDepth(relay.PendingCount(), relay.RetainedCount());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  LogLine(LogLevel::kInfo, "ready")
      .Field("listen", host.server_.listen_address())
      .Field("port", (*server)->port())
      .Field("data_dir", host.server_.data_dir())
      .Field("data_key", host.data_keys_->newest_id())
      .Field("nats", host.config_.nats().url())
      .Field("nats_connected", host.bus_->IsConnected());

  WaitForTerminationSignal();
  (*server)->Shutdown(std::chrono::seconds(5));
  stopping = true;
  depth.join();
  for (auto it = host.shutdown_.rbegin(); it != host.shutdown_.rend(); ++it) (*it)();
  relay.Stop();
  host.requests_->Stop();
  LogLine(LogLevel::kInfo, "stopped").Field("outbox_pending", relay.PendingCount());
  return 0;
}

void ServiceHost::Consume(const ConsumerOptions& options, EventHandler handler) {
  auto* consumer = Keep(std::make_unique<DurableConsumer>(
      store(), outbox(), bus(), options, std::move(handler), SystemClock::Get(), metrics()));
  consumer->Start();
  OnShutdown([consumer] { consumer->Stop(); });
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ServiceHost::ChannelTo(const std::string& address) {
  ClientSecurity security;
  if (config_.security().unauthenticated_loopback()) {
    security.plaintext = true;
  } else {
    ASSIGN_OR_RETURN(security.token, ServiceIdentity(config_, name_));
    security.tls = config_.security().grpc_tls();
  }
  return NewChannel(address, security);
}

}  // namespace renkei::common
