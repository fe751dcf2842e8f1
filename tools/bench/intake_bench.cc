// intake_bench: create-consultation throughput and latency over gRPC on loopback, next to its
// floor measured in the same run.
//
//   intake:  the real renkei-intake binary (with nats-server and renkei-directory, as deployed);
//            every CreateConsultation is one synced RocksDB batch with the consultation, its
//            index entry and its outbox events, while the relay publishes to JetStream.
//   floor:   a server process built on the same bootstrap (common::GrpcServer) whose only handler
//            does one synced RocksDB put of a value the size of a consultation.
//
//   build/bin/intake_bench [--requests 4000] [--clients 1,8]
//
// Prints a Markdown report; docs/benchmarks.md records the figures.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "grpcpp/create_channel.h"
#include "renkei/common/bus.h"
#include "renkei/common/dates.h"
#include "renkei/common/server.h"
#include "renkei/common/store.h"
#include "renkei/v1/directory.grpc.pb.h"
#include "renkei/v1/intake.grpc.pb.h"
#include "testing.h"

namespace renkei::bench {
namespace {

using Clock = std::chrono::steady_clock;

// The floor: ListCapabilities does one synced put of a 700-byte value and answers empty.
class FloorService final : public v1::DirectoryService::Service {
 public:
  explicit FloorService(common::Store* store) : store_(store) {}
  grpc::Status ListCapabilities(grpc::ServerContext*, const v1::ListCapabilitiesRequest*,
                                v1::ListCapabilitiesResponse*) override {
    common::Batch b;
    b.Put(store_->Cf("default"), "k" + std::to_string(next_.fetch_add(1)), std::string(700, 'x'));
    absl::Status s = store_->Write(b, common::Durability::kSync);
    return s.ok() ? grpc::Status::OK
                  : grpc::Status(grpc::StatusCode::INTERNAL, std::string(s.message()));
  }

 private:
  common::Store* store_;
  std::atomic<uint64_t> next_{0};
};

int RunFloorServer(const std::string& dir, int port) {
  common::BlockTerminationSignals();
  auto store = common::Store::Open({.path = dir, .column_families = {}});
  if (!store.ok()) return 1;
  FloorService service(store->get());
  return ServeUntilSignal(port, &service);
}

v1::CreateConsultationRequest SampleRequest(int i) {
  v1::CreateConsultationRequest r;
  r.set_channel(v1::CHANNEL_PHONE);
  r.set_source_type(v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER);
  r.mutable_requester()->set_name("ケアマネジャー 山田 花子");
  r.mutable_requester()->set_organization("稲城ひまわり居宅介護支援事業所");
  r.mutable_requester()->set_contact("042-378-5555");
  r.mutable_person()->set_name("稲城 一郎 " + std::to_string(i));
  *r.mutable_person()->mutable_birth_date() = common::DateFromNumber(19480312);
  r.mutable_person()->set_address("稲城市東長沼2111-7");
  r.mutable_person()->set_care_level(v1::CARE_LEVEL_CARE_2);
  r.mutable_person()->add_conditions(v1::CONDITION_CATEGORY_NEUROLOGICAL);
  r.set_narrative(
      "パーキンソン病。通院が難しくなってきたため、パーキンソン病に強い訪問診療医を探している。");
  auto* need = r.add_needs();
  need->set_capability("parkinsons");
  need->add_also_requires("home_visit_medical");
  return r;
}

int Main(int argc, char** argv) {
  int requests = 4000;
  std::vector<int> client_counts = {1, 8};
  bool without_nats = false;  // diagnosis: the relay stays disconnected, events wait in the outbox
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--floor-server" && i + 2 < argc)
      return RunFloorServer(argv[i + 1], std::atoi(argv[i + 2]));
    if (a == "--requests" && i + 1 < argc) {
      requests = std::atoi(argv[++i]);
    } else if (a == "--without-nats") {
      without_nats = true;
    } else if (a == "--clients" && i + 1 < argc) {
      client_counts.clear();
      std::stringstream ss(argv[++i]);
      std::string part;
      while (std::getline(ss, part, ',')) client_counts.push_back(std::atoi(part.c_str()));
    } else {
      std::fprintf(stderr, "usage: intake_bench [--requests N] [--clients 1,8] [--without-nats]\n");
      return 2;
    }
  }
  testing::TempDir tmp;
  auto nats = testing::NatsServer::Start(tmp.Sub("nats"));
  if (!nats.ok()) return 1;
  const int dir_port = testing::FreePort(), intake_port = testing::FreePort(),
            floor_port = testing::FreePort();
  {
    std::ofstream cfg(tmp.Sub("instance.json"));
    cfg << R"({"instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250"},
      "nats": {"url": ")"
        << (without_nats ? "nats://127.0.0.1:1" : (*nats)->url()) << R"("},
      "data_root": ")"
        << tmp.Sub("data") << R"(",
      "directory": {"server": {"listen_address": "127.0.0.1:)"
        << dir_port << R"("}},
      "intake": {"server": {"listen_address": "127.0.0.1:)"
        << intake_port << R"("},
                 "directory_address": "127.0.0.1:)"
        << dir_port << R"("}})";
  }
  auto spawn = [&](std::vector<std::string> argv_list, const std::string& log) {
    auto p = testing::ChildProcess::Spawn(argv_list, {}, tmp.Sub(log));
    return p.ok() ? std::move(*p) : nullptr;
  };
  auto directory =
      spawn({testing::BinaryPath("renkei-directory"), "--config", tmp.Sub("instance.json")},
            "directory.log");
  // RENKEI_BENCH_WRAP runs the intake under a tool, e.g. "valgrind --tool=callgrind" (profiling).
  std::vector<std::string> intake_argv;
  if (const char* wrap = std::getenv("RENKEI_BENCH_WRAP")) {
    std::stringstream ss(wrap);
    std::string word;
    while (ss >> word) intake_argv.push_back(word);
  }
  for (const auto& a :
       {testing::BinaryPath("renkei-intake"), std::string("--config"), tmp.Sub("instance.json")}) {
    intake_argv.push_back(a);
  }
  auto intake = spawn(intake_argv, "intake.log");
  auto floor =
      spawn({"/proc/self/exe", "--floor-server", tmp.Sub("floor"), std::to_string(floor_port)},
            "floor.log");
  const std::string intake_address = "127.0.0.1:" + std::to_string(intake_port);
  const std::string floor_address = "127.0.0.1:" + std::to_string(floor_port);
  auto ready = [](const std::string& address, auto probe) {
    return testing::WaitFor([&] { return probe(address); }, std::chrono::seconds(60));
  };
  bool up =
      ready(intake_address,
            [](const std::string& a) {
              auto stub = v1::IntakeService::NewStub(
                  grpc::CreateChannel(a, grpc::InsecureChannelCredentials()));
              grpc::ClientContext ctx;
              ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
              v1::ListConsultationsResponse r;
              return stub->ListConsultations(&ctx, {}, &r).ok();
            }) &&
      ready(floor_address, [](const std::string& a) {
        auto stub = v1::DirectoryService::NewStub(
            grpc::CreateChannel(a, grpc::InsecureChannelCredentials()));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
        v1::ListCapabilitiesResponse r;
        return stub->ListCapabilities(&ctx, {}, &r).ok();
      });
  if (!up) {
    std::fprintf(stderr, "servers did not start; see %s\n", tmp.path().c_str());
    return 1;
  }
  common::NatsOptions nats_options;
  nats_options.url = (*nats)->url();
  auto bus = common::NatsBus::Connect(nats_options);
  if (!bus.ok()) return 1;
  std::atomic<int> seq{0};

  std::printf("## intake_bench\n\nmachine: %s\ncommand: intake_bench --requests %d%s\n\n",
              MachineLine().c_str(), requests, without_nats ? " --without-nats" : "");
  std::printf(
      "| clients | intake creates/s | p50 ms | p99 ms | floor puts/s | p50 ms | p99 ms | intake / "
      "floor |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (int clients : client_counts) {
    // Warm both up, then measure the floor and intake back to back.
    auto floor_caller = [&](int) {
      auto stub = std::shared_ptr<v1::DirectoryService::Stub>(v1::DirectoryService::NewStub(
          grpc::CreateChannel(floor_address, grpc::InsecureChannelCredentials())));
      return std::function<bool(int)>([stub](int) {
        grpc::ClientContext ctx;
        v1::ListCapabilitiesResponse r;
        return stub->ListCapabilities(&ctx, {}, &r).ok();
      });
    };
    auto intake_caller = [&](int) {
      auto stub = std::shared_ptr<v1::IntakeService::Stub>(v1::IntakeService::NewStub(
          grpc::CreateChannel(intake_address, grpc::InsecureChannelCredentials())));
      return std::function<bool(int)>([stub, &seq](int) {
        grpc::ClientContext ctx;
        v1::Consultation c;
        grpc::Status s = stub->CreateConsultation(&ctx, SampleRequest(seq.fetch_add(1)), &c);
        if (!s.ok()) std::fprintf(stderr, "create failed: %s\n", s.error_message().c_str());
        return s.ok();
      });
    };
    // Measure the floor only once intake's relay has published everything (its work would slow
    // the floor down and flatter the ratio).
    auto drained = [&] {
      if (without_nats) return;  // nothing is published
      testing::WaitFor(
          [&] {
            auto st = (*bus)->GetStreamState("RENKEI_EVENTS");
            return st.ok() && st->messages >= 2 * static_cast<uint64_t>(seq.load());
          },
          std::chrono::seconds(60));
    };
    Drive(clients, 200, intake_caller);
    drained();
    Drive(clients, 200, floor_caller);
    Result f = Drive(clients, requests, floor_caller);
    Result in = Drive(clients, requests, intake_caller);
    drained();
    std::printf("| %d | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %.0f%% |\n", clients, in.Rate(),
                in.Percentile(50) / 1000, in.Percentile(99) / 1000, f.Rate(),
                f.Percentile(50) / 1000, f.Percentile(99) / 1000, 100.0 * in.Rate() / f.Rate());
    if (in.failed || f.failed)
      std::printf("(failed calls: intake %zu, floor %zu)\n", in.failed, f.failed);
  }
  intake->Terminate();
  directory->Terminate();
  floor->Terminate();
  return 0;
}

}  // namespace
}  // namespace renkei::bench

int main(int argc, char** argv) { return renkei::bench::Main(argc, argv); }
