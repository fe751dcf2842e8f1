#include "harness.h"

#include <filesystem>
#include <fstream>

#include "grpcpp/create_channel.h"
#include "grpcpp/health_check_service_interface.h"
#include "renkei/common/events.h"
#include "renkei/common/ids.h"

namespace renkei::testing {
namespace {

[[noreturn]] void Fatal(const absl::Status& s) {
  std::fprintf(stderr, "test harness: %s\n", s.ToString().c_str());
  std::abort();
}

}  // namespace

std::string SharedDataDir() {
  if (const char* env = std::getenv("RENKEI_SHARED_DATA")) return env;
  for (std::string candidate :
       {SourceDir() + "/../shared/data", std::string("/work/shared/data")}) {
    if (std::filesystem::exists(candidate + "/municipalities.csv")) return candidate;
  }
  return SourceDir() + "/../shared/data";
}

std::vector<StreamMessage> ReadStream(common::NatsBus& bus, const std::string& stream,
                                      const std::string& filter) {
  std::vector<StreamMessage> out;
  common::ConsumerSpec spec;
  spec.stream = stream;
  spec.durable = "inspect_" + common::NewId("c").substr(2);
  spec.filter_subject = filter;
  auto sub = bus.PullSubscribe(spec);
  if (!sub.ok()) return out;
  while (true) {
    auto batch = (*sub)->Fetch(500, 500);
    if (!batch.ok() || batch->empty()) break;
    for (auto& m : *batch) {
      out.push_back({m.subject(), m.msg_id(), m.data()});
      (void)m.Ack();
    }
  }
  return out;
}

InProcessDirectory::InProcessDirectory() {
  auto nats = NatsServer::Start(tmp_.Sub("nats"));
  if (!nats.ok()) Fatal(nats.status());
  nats_ = std::move(*nats);
  auto store = common::Store::Open(
      {.path = tmp_.Sub("db"), .column_families = directory::ResourceStore::ColumnFamilies()});
  if (!store.ok()) Fatal(store.status());
  store_ = std::move(*store);
  outbox_ = std::make_unique<common::Outbox>(store_.get());
  common::NatsOptions nopts;
  nopts.url = nats_->url();
  nopts.reconnect_wait_ms = 100;
  bus_ = std::move(*common::NatsBus::Connect(nopts));
  common::RelayOptions ropts;
  ropts.stream.name = kStream;
  ropts.stream.subjects = common::InstanceStreamSubjects(kInstance);
  ropts.stream.duplicate_window_seconds = 3600;
  ropts.publish_timeout_ms = 2000;
  relay_ = std::make_unique<common::OutboxRelay>(outbox_.get(), bus_.get(), ropts);
  directory_ = std::make_unique<directory::Directory>(store_.get(), outbox_.get(),
                                                      common::EventSource{kInstance}, &vocabulary_);
  if (auto s = directory_->LoadIndex(); !s.ok()) Fatal(s);
  service_ = std::make_unique<directory::DirectoryService>(directory_.get());
  common::ServerOptions sopts;
  sopts.listen_address = "127.0.0.1:0";
  auto server = common::GrpcServer::Start(sopts, {service_.get()});
  if (!server.ok()) Fatal(server.status());
  server_ = std::move(*server);
  channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                 grpc::InsecureChannelCredentials());
  stub_ = v1::DirectoryService::NewStub(channel_);
  relay_->Start();
}

InProcessDirectory::~InProcessDirectory() {
  server_.reset();
  relay_->Stop();
}

uint64_t InProcessDirectory::WaitForStreamCount(uint64_t n, std::chrono::milliseconds timeout) {
  uint64_t count = 0;
  WaitFor(
      [&] {
        auto st = bus_->GetStreamState(kStream);
        count = st.ok() ? st->messages : 0;
        return count >= n;
      },
      timeout);
  return count;
}

int InProcessDirectory::CountKeys(const std::string& column_family) {
  int n = 0;
  auto it = store_->NewIterator(store_->Cf(column_family));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

namespace {

// Test channels retry quickly: the processes they talk to are started and killed on purpose, and
// gRPC's default reconnect backoff (1 s, growing) would only slow the tests down.
std::shared_ptr<grpc::Channel> FastReconnectChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  // Own subchannels: no backoff state shared with earlier channels to the same address.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

}  // namespace

DirectoryProcess::DirectoryProcess(const std::string& dir, const std::string& nats_url)
    : dir_(dir), log_(dir + "/directory.log"), port_(FreePort()) {
  std::filesystem::create_directories(dir);
  std::ofstream config(dir + "/instance.json");
  config << R"({
  "instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250"},
  "nats": {"url": ")"
         << nats_url << R"("},
  "outbox": {"retention_seconds": 300},
  "data_root": ")"
         << dir << R"(/data",
  "directory": {"server": {"listen_address": "127.0.0.1:)"
         << port_ << R"("}}
})";
  stub_ = v1::DirectoryService::NewStub(FastReconnectChannel(address()));
}

absl::Status DirectoryProcess::Start(const std::string& failpoints) {
  std::map<std::string, std::string> env;
  if (!failpoints.empty()) env["RENKEI_FAILPOINTS"] = failpoints;
  auto p = ChildProcess::Spawn(
      {BinaryPath("renkei-directory"), "--config", dir_ + "/instance.json"}, env, log_);
  if (!p.ok()) return p.status();
  process_ = std::move(*p);
  if (!WaitHealthy(std::chrono::seconds(30))) {
    return absl::UnavailableError("renkei-directory did not become healthy; log: " +
                                  ReadFile(log_));
  }
  return absl::OkStatus();
}

bool DirectoryProcess::WaitHealthy(std::chrono::milliseconds timeout) {
  return WaitFor(
      [&] {
        auto channel = FastReconnectChannel(address());
        if (process_ && !process_->Running()) return false;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
        v1::ListCapabilitiesResponse resp;
        auto stub = v1::DirectoryService::NewStub(channel);
        auto st = stub->ListCapabilities(&ctx, {}, &resp);
        return st.ok();
      },
      timeout);
}

}  // namespace renkei::testing
