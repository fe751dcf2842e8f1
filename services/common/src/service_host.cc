#include "renkei/common/service_host.h"

#include <sys/statvfs.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "renkei/common/admin_service.h"
#include "renkei/common/auth.h"
#include "renkei/common/certificates.h"
#include "renkei/common/config.h"
#include "renkei/common/event_counts.h"
#include "renkei/common/federation.h"
#include "renkei/common/log.h"
#include "renkei/common/server.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/version.h"

namespace renkei::common {

namespace {
// Exit code 2: what the operator must fix (the configuration, the key directory).
bool IsOperatorError(const absl::Status& s) {
  return absl::IsInvalidArgument(s) || absl::IsFailedPrecondition(s);
}

absl::Status RecordFormat(Store* store, int format) {
  Batch batch;
  batch.Put(store->Cf("default"), kDataFormatKey, std::to_string(format));
  return store->Write(batch);
}

// The format recorded in `store` (1 when none is).
absl::StatusOr<int> RecordedFormat(const Store& store) {
  auto recorded = store.Get(store.Cf("default"), kDataFormatKey);
  if (absl::IsNotFound(recorded.status())) return 1;  // written before formats were recorded
  if (!recorded.ok()) return recorded.status();
  int format = 0;
  if (!absl::SimpleAtoi(*recorded, &format) || format < 1) {
    return absl::DataLossError("unreadable data format \"" + *recorded + "\" in " + store.path());
  }
  return format;
}

absl::Status RefuseNewer(const std::string& path, int format, const ServiceModule& module) {
  const int newest = 1 + static_cast<int>(module.migrations.size());
  if (format <= newest) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "データは新しい版の renkei-", module.name, " が書いたものです / the data in ", path,
      " has data format ", format, ", written by a newer version of renkei-", module.name,
      "; this version (", std::string(RenkeiVersion()), ") understands formats up to ", newest,
      ". Run the newer version again, or restore a backup this version took "
      "(docs/compatibility.md)"));
}

// Data of a newer format is refused before the store is opened for writing (which would add
// families and rewrite RocksDB's own files in it).
absl::Status RefuseNewerDataOnDisk(const std::string& path, const ServiceModule& module) {
  if (!std::filesystem::exists(std::filesystem::path(path) / "CURRENT")) return absl::OkStatus();
  ASSIGN_OR_RETURN(
      auto store,
      Store::Open(
          {.path = path, .column_families = {}, .read_only = true, .recovery_check_ms = 0}));
  ASSIGN_OR_RETURN(int format, RecordedFormat(*store));
  return RefuseNewer(path, format, module);
}

}  // namespace

absl::StatusOr<int> MigrateData(Store* store, const ServiceModule& module) {
  const int newest = 1 + static_cast<int>(module.migrations.size());
  if (store->created()) {
    RETURN_IF_ERROR(RecordFormat(store, newest));
    return newest;
  }
  const bool recorded = store->Get(store->Cf("default"), kDataFormatKey).ok();
  ASSIGN_OR_RETURN(int format, RecordedFormat(*store));
  RETURN_IF_ERROR(RefuseNewer(store->path(), format, module));
  for (; format < newest; ++format) {
    const DataMigration& step = module.migrations[static_cast<size_t>(format - 1)];
    if (step.to != format + 1) {
      return absl::InternalError(absl::StrCat("migration ", format - 1, " of ", module.name,
                                              " leads to format ", step.to, ", not ", format + 1));
    }
    LogLine(LogLevel::kInfo, "migrating data")
        .Field("from_format", format)
        .Field("to_format", step.to)
        .Field("what", step.what);
    RETURN_IF_ERROR(step.run(store));
    RETURN_IF_ERROR(RecordFormat(store, step.to));
  }
  if (!recorded) RETURN_IF_ERROR(RecordFormat(store, format));
  return format;
}

absl::StatusOr<std::unique_ptr<ServiceHost>> ServiceHost::Open(v1::InstanceConfig config,
                                                               const ServiceModule& module,
                                                               HostOptions options) {
  std::unique_ptr<ServiceHost> host(new ServiceHost());
  host->options_ = options;
  host->config_ = std::move(config);
  host->name_ = module.name;
  v1::ServerConfig* section = module.server_section(&host->config_);
  FieldViolations v;
  PrepareServerConfig(host->config_, module.name, module.name + ".server", section, &v);
  if (module.validate_config) module.validate_config(host->config_, &v);
  if (!v.empty()) return v.ToStatus();
  host->server_ = *section;
  host->instance_id_ = InstanceId(host->config_.instance());
  RETURN_IF_ERROR(host->OpenParts(module));
  auto services = module.build(*host);
  if (!services.ok()) return services.status();
  host->services_ = std::move(*services);
  host->services_.push_back(std::make_unique<AdminService>(
      module.name, host->store_.get(), host->relay_.get(), host->requests_.get()));
  return host;
}

absl::Status ServiceHost::OpenParts(const ServiceModule& module) {
  ASSIGN_OR_RETURN(data_keys_,
                   DataKeys::Load(config_.security().data_key_dir(), /*create_if_empty=*/true));
  sealer_ = std::make_unique<RecordSealer>(data_keys_.get());

  RETURN_IF_ERROR(RefuseNewerDataOnDisk(server_.data_dir(), module));
  std::vector<std::string> cfs = module.column_families;
  for (const auto& cf : AuditLog::ColumnFamilies()) cfs.push_back(cf);
  for (const auto& cf : RequestLedger::ColumnFamilies()) cfs.push_back(cf);
  ASSIGN_OR_RETURN(store_, Store::Open({.path = server_.data_dir(),
                                        .column_families = cfs,
                                        .point_lookup_families = RequestLedger::ColumnFamilies()}));
  ASSIGN_OR_RETURN(data_format_, MigrateData(store_.get(), module));
  RETURN_IF_ERROR(InitEventCounts(store_.get(), store_->created(), options_.clock->NowMicros()));
  outbox_ = std::make_unique<Outbox>(store_.get());
  audit_ = std::make_unique<AuditLog>(store_.get());
  RETURN_IF_ERROR(audit_->Load());
  audit_->StartSealer();
  auto security = ServerSecurityFromConfig(config_, server_.listen_address(), audit_.get());
  if (!security.ok()) return absl::InvalidArgumentError(security.status().message());
  security_ = std::make_shared<ServerSecurity>(std::move(*security));
  metrics_ = std::make_unique<Metrics>(module.name);
  metrics_->SetGauge("renkei_store_format_version", "The format of the service's data",
                     data_format_);
  metrics_->SetGauge("renkei_build_info", "The version of this build (always 1)", 1,
                     {{"version", std::string(RenkeiVersion())}});
  certificates_ = CertificateFiles(config_);
  RequestLedgerOptions ledger_options;
  ledger_options.window_micros =
      int64_t{config_.commands().request_window_hours()} * 3600 * 1000000;
  requests_ = std::make_unique<RequestLedger>(store_.get(), sealer_.get(), ledger_options,
                                              options_.clock, metrics_.get());
  requests_->Start();

  NatsOptions nats;
  nats.url = config_.nats().url();
  nats.client_name = "renkei-" + module.name + "-" + instance_id_;
  nats.jetstream_domain = config_.nats().jetstream_domain();
  nats.tls_cert_file = config_.nats().tls().cert_file();
  nats.tls_key_file = config_.nats().tls().key_file();
  nats.tls_ca_file = config_.nats().tls().ca_file();
  nats.allow_plaintext = config_.nats().allow_plaintext();
  auto bus = NatsBus::Connect(nats);
  if (!bus.ok()) return absl::InvalidArgumentError("nats: " + std::string(bus.status().message()));
  bus_ = std::move(*bus);

  RelayOptions relay_options;
  relay_options.service = module.name;
  relay_options.stream.name = config_.nats().stream();
  relay_options.stream.subjects = InstanceStreamSubjects(instance_id_);
  relay_options.stream.duplicate_window_seconds = config_.nats().duplicate_window_seconds();
  relay_options.stream.max_age_seconds = int64_t{config_.nats().max_age_days()} * 86400;
  relay_options.extra_streams = FederationStreams(config_);
  relay_options.batch_size = static_cast<int>(config_.outbox().batch_size());
  relay_options.retention_ms = int64_t{config_.outbox().retention_seconds()} * 1000;
  relay_ = std::make_unique<OutboxRelay>(outbox_.get(), bus_.get(), relay_options,
                                         SystemClock::Get(), metrics_.get());
  return absl::OkStatus();
}

absl::Status ServiceHost::Serve() {
  if (!server_.metrics_address().empty()) {
    RETURN_IF_ERROR(metrics_->Serve(server_.metrics_address()));
  }
  relay_->Start();
  std::vector<grpc::Service*> raw;
  for (auto& s : services_) raw.push_back(s.get());
  ServerOptions server_options;
  server_options.listen_address = server_.listen_address();
  server_options.max_message_bytes = static_cast<int>(server_.max_message_bytes());
  server_options.default_deadline_ms = static_cast<int>(server_.default_deadline_ms());
  server_options.security = security_;
  ASSIGN_OR_RETURN(server_running_, GrpcServer::Start(server_options, raw, metrics_.get()));
  health_ = std::thread([this] {
    bool serving = true;
    for (int tick = 0; !stopping_; ++tick) {
      // NOT_SERVING while the store refuses writes (store.h): load balancers and supervisors
      // see it; reads go on being answered.
      const bool writable = store_->writable();
      if (writable != serving) {
        serving = writable;
        server_running_->SetServing(serving);
        metrics_->SetStoreWritable(serving);
      }
      if (tick % 50 == 0) ReportHealth(tick);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  return absl::OkStatus();
}

// Every 5 s on the health thread: what the alert rules of deploy/prometheus/ look at.
void ServiceHost::ReportHealth(int tick) {
  metrics_->SetOutboxDepth(relay_->PendingCount(), relay_->RetainedCount());
  struct statvfs fs {};
  if (statvfs(server_.data_dir().c_str(), &fs) == 0) {
    const double unit = static_cast<double>(fs.f_frsize);
    metrics_->SetGauge("renkei_store_disk_free_bytes",
                       "Space left for unprivileged writers on the data directory's file system",
                       static_cast<double>(fs.f_bavail) * unit);
    metrics_->SetGauge("renkei_store_disk_total_bytes", "Size of the data directory's file system",
                       static_cast<double>(fs.f_blocks) * unit);
  }
  const AuditSealing sealing = audit_->sealing();
  metrics_->SetGauge("renkei_audit_unsealed_entries", "Audit records written but not chained yet",
                     sealing.waiting);
  metrics_->SetGauge("renkei_audit_last_seal_timestamp_seconds",
                     "When the audit sealer last succeeded (unix seconds; 0: not yet)",
                     static_cast<double>(sealing.last_seal_micros) / 1e6);
  metrics_->SetCounter("renkei_audit_seal_failures_total", "Rounds of the audit sealer that failed",
                       sealing.failures);
  if (tick % 600 == 0) {  // a minute: certificates are replaced on disk when renewed
    for (const std::string& file : certificates_) {
      auto expiry = CertificateExpiry(file);
      if (expiry.ok()) {
        metrics_->SetGauge("renkei_certificate_expiry_timestamp_seconds",
                           "When the certificate expires (notAfter, unix seconds)",
                           static_cast<double>(*expiry), {{"file", file}});
      }
    }
  }
}

int64_t ServiceHost::outbox_pending() const { return relay_ ? relay_->PendingCount() : 0; }

int ServiceHost::port() const { return server_running_ ? server_running_->port() : 0; }

void ServiceHost::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (server_running_) server_running_->Shutdown(std::chrono::seconds(5));
  stopping_ = true;
  if (health_.joinable()) health_.join();
  for (auto it = shutdown_.rbegin(); it != shutdown_.rend(); ++it) (*it)();
  if (relay_) relay_->Stop();
  if (requests_) requests_->Stop();
}

ServiceHost::~ServiceHost() {
  Shutdown();
  server_running_.reset();
  services_.clear();
  while (!kept_.empty()) kept_.pop_back();  // newest first
}

int RunProcess(int argc, char** argv, const ProcessSpec& process) {
  BlockTerminationSignals();
  std::string usage = "usage: renkei-" + process.name + " --config <instance.json>";
  for (const auto& [flag, print] : process.print_flags) usage += " | " + flag;
  usage += "\n";
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    for (const auto& [flag, print] : process.print_flags) {
      if (argv[i] == flag) {
        print();
        return 0;
      }
    }
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      config_path = argv[++i];
    } else if (std::strncmp(argv[i], "--config=", 9) == 0) {
      config_path = argv[i] + 9;
    } else {
      std::fputs(usage.c_str(), stderr);
      return 2;
    }
  }
  if (config_path.empty()) {
    std::fputs(usage.c_str(), stderr);
    return 2;
  }
  auto config = LoadInstanceConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "renkei-%s: %s\n", process.name.c_str(),
                 std::string(config.status().message()).c_str());
    return 2;
  }
  InitLogging(process.name, InstanceId(config->instance()));
  auto stop = process.start(std::move(*config));
  if (!stop.ok()) {
    if (IsOperatorError(stop.status())) {
      std::fprintf(stderr, "renkei-%s: %s: %s\n", process.name.c_str(), config_path.c_str(),
                   std::string(stop.status().message()).c_str());
    }
    LogLine(LogLevel::kError, "cannot start").Field("error", stop.status().ToString());
    return IsOperatorError(stop.status()) ? 2 : 1;
  }
  WaitForTerminationSignal();
  (*stop)();
  return 0;
}

int RunService(int argc, char** argv, const ServiceModule& module) {
  ProcessSpec process;
  process.name = module.name;
  process.start = [&module](v1::InstanceConfig config) -> absl::StatusOr<std::function<void()>> {
    auto opened = ServiceHost::Open(std::move(config), module);
    if (!opened.ok()) return opened.status();
    std::shared_ptr<ServiceHost> host = std::move(*opened);
    if (auto s = host->Serve(); !s.ok()) {
      return absl::UnavailableError("cannot serve: " + std::string(s.message()));
    }
    LogLine(LogLevel::kInfo, "ready")
        .Field("listen", host->server_config().listen_address())
        .Field("port", host->port())
        .Field("data_dir", host->server_config().data_dir())
        .Field("data_key", host->sealer()->keys().newest_id())
        .Field("nats", host->config().nats().url())
        .Field("nats_connected", host->bus()->IsConnected());
    return [host] {
      host->Shutdown();
      LogLine(LogLevel::kInfo, "stopped").Field("outbox_pending", host->outbox_pending());
    };
  };
  return RunProcess(argc, argv, process);
}

void ServiceHost::Consume(const ConsumerOptions& options, EventHandler handler) {
  auto* consumer = Keep(std::make_unique<DurableConsumer>(
      store(), outbox(), bus(), options, std::move(handler), options_.clock, metrics()));
  consumer->Start();
  OnShutdown([consumer] { consumer->Stop(); });
}

void ServiceHost::Consume(const std::string& stream, const std::string& durable,
                          const std::string& filter, EventHandler handler) {
  ConsumerOptions o;
  o.consumer.stream = stream;
  o.consumer.durable = durable;
  o.consumer.filter_subject = filter;
  Consume(o, std::move(handler));
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
