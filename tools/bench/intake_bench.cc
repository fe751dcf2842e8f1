// intake_bench: create-consultation throughput and latency over gRPC on loopback, next to its
// floor measured in the same run.
//
//   intake:  the real renkei-intake binary (with nats-server and renkei-directory, as deployed);
//            every CreateConsultation is one synced RocksDB batch with the consultation, its
//            index entry and its outbox events, while the relay publishes to JetStream.
//   floor:   a server process built on the same bootstrap (common::GrpcServer) whose only handler
//            does one synced RocksDB put of a value the size of a consultation.
//
//   secured vs without: the same binaries twice, once as deployed (bearer token checked,
//            authorization, personal fields, every create in the audit log) and once with
//            security.unauthenticated_loopback, measured alternately in the same run.
//
//   request ids: the secured instance's creates sent with a request id each (a client's
//            retry-safe create: the id's record written in the command's own batch) against
//            the same creates without one, alternated in the same run: in blocks (throughput of
//            each), and call by call (every client alternates; mean latency of each kind), which
//            leaves no drift of the machine between the two.
//
//   build/bin/intake_bench [--requests 4000] [--clients 1,8] [--rounds 2]
//
// Prints a Markdown report; docs/benchmarks.md records the figures.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "grpcpp/create_channel.h"
#include "renkei/common/auth.h"
#include "renkei/common/bus.h"
#include "renkei/common/dates.h"
#include "renkei/common/ids.h"
#include "renkei/common/server.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/store.h"
#include "renkei/common/tokens.h"
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

v1::CreateConsultationRequest SampleRequest(int i, bool with_request_id = false) {
  v1::CreateConsultationRequest r;
  if (with_request_id) r.set_request_id(common::NewId("req"));
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

// One instance (nats-server, renkei-directory, renkei-intake) under `dir`: secured (bearer tokens,
// authorization, personal-field filtering and the audit log, as deployed) or with
// security.unauthenticated_loopback (the same binaries without any of it).
struct BenchInstance {
  std::unique_ptr<testing::NatsServer> nats;
  std::unique_ptr<testing::ChildProcess> directory, intake;
  std::string address;
  std::string token;  // empty when unauthenticated
  std::unique_ptr<common::NatsBus> bus;

  std::shared_ptr<grpc::Channel> Channel() const {
    common::ClientSecurity security;
    if (token.empty()) {
      security.plaintext = true;
    } else {
      security.token = common::TokenSource::Fixed(token);
    }
    return *common::NewChannel(address, security);
  }
};

absl::StatusOr<BenchInstance> StartInstance(const std::string& dir, bool secured,
                                            bool without_nats) {
  BenchInstance in;
  std::filesystem::create_directories(dir);
  ASSIGN_OR_RETURN(in.nats, testing::NatsServer::Start(dir + "/nats"));
  const int dir_port = testing::FreePort(), intake_port = testing::FreePort();
  std::string security = R"({"unauthenticated_loopback": true})";
  if (secured) {
    RETURN_IF_ERROR(common::GenerateKeyPair(dir + "/keys", "k1"));
    security = R"({"key_dir": ")" + dir + R"(/keys", "service_key_id": "k1"})";
    ASSIGN_OR_RETURN(auto key, common::LoadSigningKey(dir + "/keys", "k1"));
    v1::TokenClaims claims;
    claims.set_iss("m132250");
    claims.set_aud("m132250");
    claims.set_sub("bench-coordinator");
    claims.set_role(v1::ROLE_COORDINATOR);
    claims.set_jur("132250");
    const uint32_t now = static_cast<uint32_t>(std::time(nullptr));
    claims.set_iat(now);
    claims.set_exp(now + 24 * 3600);
    ASSIGN_OR_RETURN(in.token, common::IssueToken(key, claims));
  }
  {
    std::ofstream cfg(dir + "/instance.json");
    cfg << R"({"instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250"},
      "nats": {"url": ")"
        << (without_nats ? "nats://127.0.0.1:1" : in.nats->url()) << R"("},
      "data_root": ")"
        << dir << R"(/data",
      "security": )"
        << security << R"(,
      "directory": {"server": {"listen_address": "127.0.0.1:)"
        << dir_port << R"("}},
      "intake": {"server": {"listen_address": "127.0.0.1:)"
        << intake_port << R"("},
                 "directory_address": "127.0.0.1:)"
        << dir_port << R"("}})";
  }
  ASSIGN_OR_RETURN(in.directory,
                   testing::ChildProcess::Spawn({testing::BinaryPath("renkei-directory"),
                                                 "--config", dir + "/instance.json"},
                                                {}, dir + "/directory.log"));
  // RENKEI_BENCH_WRAP runs the intake under a tool, e.g. "valgrind --tool=callgrind" (profiling).
  std::vector<std::string> intake_argv;
  if (const char* wrap = std::getenv("RENKEI_BENCH_WRAP")) {
    std::stringstream ss(wrap);
    std::string word;
    while (ss >> word) intake_argv.push_back(word);
  }
  for (const auto& a :
       {testing::BinaryPath("renkei-intake"), std::string("--config"), dir + "/instance.json"}) {
    intake_argv.push_back(a);
  }
  ASSIGN_OR_RETURN(in.intake, testing::ChildProcess::Spawn(intake_argv, {}, dir + "/intake.log"));
  in.address = "127.0.0.1:" + std::to_string(intake_port);
  auto channel = in.Channel();
  bool up = testing::WaitFor(
      [&] {
        auto stub = v1::IntakeService::NewStub(channel);
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
        v1::ListConsultationsResponse r;
        return stub->ListConsultations(&ctx, {}, &r).ok();
      },
      std::chrono::seconds(60));
  if (!up) return absl::UnavailableError("intake did not start; see " + dir);
  common::NatsOptions nats_options;
  nats_options.url = in.nats->url();
  ASSIGN_OR_RETURN(in.bus, common::NatsBus::Connect(nats_options));
  return in;
}

int Main(int argc, char** argv) {
  int requests = 4000;
  std::vector<int> client_counts = {1, 8};
  int rounds = 2;
  bool without_nats = false;  // diagnosis: the relay stays disconnected, events wait in the outbox
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--floor-server" && i + 2 < argc)
      return RunFloorServer(argv[i + 1], std::atoi(argv[i + 2]));
    if (a == "--requests" && i + 1 < argc) {
      requests = std::atoi(argv[++i]);
    } else if (a == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--without-nats") {
      without_nats = true;
    } else if (a == "--clients" && i + 1 < argc) {
      client_counts.clear();
      std::stringstream ss(argv[++i]);
      std::string part;
      while (std::getline(ss, part, ',')) client_counts.push_back(std::atoi(part.c_str()));
    } else {
      std::fprintf(stderr,
                   "usage: intake_bench [--requests N] [--clients 1,8] [--rounds 2] "
                   "[--without-nats]\n");
      return 2;
    }
  }
  testing::TempDir tmp;
  auto secured = StartInstance(tmp.Sub("secured"), true, without_nats);
  auto open = StartInstance(tmp.Sub("open"), false, without_nats);
  if (!secured.ok() || !open.ok()) {
    std::fprintf(stderr, "%s %s\n", secured.status().ToString().c_str(),
                 open.status().ToString().c_str());
    return 1;
  }
  const int floor_port = testing::FreePort();
  auto floor = testing::ChildProcess::Spawn(
      {"/proc/self/exe", "--floor-server", tmp.Sub("floor"), std::to_string(floor_port)}, {},
      tmp.Sub("floor.log"));
  if (!floor.ok()) return 1;
  const std::string floor_address = "127.0.0.1:" + std::to_string(floor_port);
  bool up = testing::WaitFor(
      [&] {
        auto stub = v1::DirectoryService::NewStub(
            grpc::CreateChannel(floor_address, grpc::InsecureChannelCredentials()));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
        v1::ListCapabilitiesResponse r;
        return stub->ListCapabilities(&ctx, {}, &r).ok();
      },
      std::chrono::seconds(60));
  if (!up) return 1;
  std::atomic<int> seq{0};
  std::atomic<int> created_secured{0}, created_open{0};

  std::printf(
      "## intake_bench\n\nmachine: %s\ncommand: intake_bench --requests %d --rounds %d%s\n\n",
      MachineLine().c_str(), requests, rounds, without_nats ? " --without-nats" : "");
  std::printf(
      "| clients | intake creates/s (auth + audit) | p50 ms | p99 ms | without auth/audit "
      "creates/s | p50 ms | p99 ms | overhead | floor puts/s | p50 ms | p99 ms | intake / floor "
      "|\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  struct IdRow {
    int clients;
    Result without, with;
    // Call by call: mean latency (µs) of each kind.
    double interleaved_without_us = 0, interleaved_with_us = 0;
  };
  std::vector<IdRow> id_rows;
  for (int clients : client_counts) {
    auto floor_caller = [&](int) {
      auto stub = std::shared_ptr<v1::DirectoryService::Stub>(v1::DirectoryService::NewStub(
          grpc::CreateChannel(floor_address, grpc::InsecureChannelCredentials())));
      return std::function<bool(int)>([stub](int) {
        grpc::ClientContext ctx;
        v1::ListCapabilitiesResponse r;
        return stub->ListCapabilities(&ctx, {}, &r).ok();
      });
    };
    auto intake_caller = [&](const BenchInstance& in, std::atomic<int>* created,
                             bool with_ids = false) {
      return [&in, created, &seq, with_ids](int) {
        auto stub =
            std::shared_ptr<v1::IntakeService::Stub>(v1::IntakeService::NewStub(in.Channel()));
        return std::function<bool(int)>([stub, created, &seq, with_ids](int) {
          grpc::ClientContext ctx;
          v1::Consultation c;
          grpc::Status s =
              stub->CreateConsultation(&ctx, SampleRequest(seq.fetch_add(1), with_ids), &c);
          if (!s.ok()) std::fprintf(stderr, "create failed: %s\n", s.error_message().c_str());
          if (s.ok()) created->fetch_add(1);
          return s.ok();
        });
      };
    };
    // Each relay must have published everything before the next measurement (its work would
    // slow the next one down).
    auto drained = [&] {
      if (without_nats) return;
      for (auto* in : {&*secured, &*open}) {
        auto& n = in == &*secured ? created_secured : created_open;
        testing::WaitFor(
            [&] {
              auto st = in->bus->GetStreamState("RENKEI_EVENTS");
              return st.ok() && st->messages >= 2 * static_cast<uint64_t>(n.load());
            },
            std::chrono::seconds(60));
      }
    };
    Drive(clients, 200, intake_caller(*secured, &created_secured));
    Drive(clients, 200, intake_caller(*open, &created_open));
    drained();
    Drive(clients, 200, floor_caller);
    Result f = Drive(clients, requests, floor_caller);
    // Alternate the two so that drift on the machine (page cache, other load) hits both alike.
    Result sec, opn, ids;
    for (int r = 0; r < rounds; ++r) {
      Result o = Drive(clients, requests / rounds, intake_caller(*open, &created_open));
      drained();
      // With and without request ids on the same instance, in turns: which goes first alternates
      // (the second finds a bigger store and may meet its flush).
      Result s, d;
      for (int k = 0; k < 2; ++k) {
        if ((k == 0) == (r % 2 == 0)) {
          s = Drive(clients, requests / rounds, intake_caller(*secured, &created_secured));
        } else {
          d = Drive(clients, requests / rounds,
                    intake_caller(*secured, &created_secured, /*with_ids=*/true));
        }
        drained();
      }
      for (auto pair :
           {std::make_pair(&opn, &o), std::make_pair(&sec, &s), std::make_pair(&ids, &d)}) {
        pair.first->seconds += pair.second->seconds;
        pair.first->ok += pair.second->ok;
        pair.first->failed += pair.second->failed;
        pair.first->latency_us.insert(pair.first->latency_us.end(), pair.second->latency_us.begin(),
                                      pair.second->latency_us.end());
      }
    }
    std::printf(
        "| %d | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %.1f%% | %.0f | %.2f | %.2f | %.0f%% |\n",
        clients, sec.Rate(), sec.Percentile(50) / 1000, sec.Percentile(99) / 1000, opn.Rate(),
        opn.Percentile(50) / 1000, opn.Percentile(99) / 1000,
        100.0 * (1.0 - sec.Rate() / opn.Rate()), f.Rate(), f.Percentile(50) / 1000,
        f.Percentile(99) / 1000, 100.0 * sec.Rate() / f.Rate());
    if (sec.failed || opn.failed || f.failed || ids.failed)
      std::printf("(failed calls: secured %zu, without %zu, floor %zu, with request ids %zu)\n",
                  sec.failed, opn.failed, f.failed, ids.failed);
    // Call by call: every client alternates with and without an id.
    std::mutex kinds_mu;
    double sum_us[2] = {0, 0};
    size_t count[2] = {0, 0};
    Drive(clients, requests, [&](int) {
      auto stub =
          std::shared_ptr<v1::IntakeService::Stub>(v1::IntakeService::NewStub(secured->Channel()));
      auto calls = std::make_shared<int>(0);
      return std::function<bool(int)>([&, stub, calls](int) {
        const int kind = (*calls)++ % 2;
        const auto request = SampleRequest(seq.fetch_add(1), kind == 1);
        grpc::ClientContext ctx;
        v1::Consultation c;
        const auto start = std::chrono::steady_clock::now();
        grpc::Status s = stub->CreateConsultation(&ctx, request, &c);
        const double us =
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                .count();
        if (!s.ok()) return false;
        created_secured.fetch_add(1);
        std::lock_guard<std::mutex> lock(kinds_mu);
        sum_us[kind] += us;
        ++count[kind];
        return true;
      });
    });
    drained();
    id_rows.push_back({clients, sec, ids, sum_us[0] / std::max<size_t>(count[0], 1),
                       sum_us[1] / std::max<size_t>(count[1], 1)});
  }
  std::printf(
      "\n| clients | creates/s without request ids | p50 ms | p99 ms | with request ids "
      "creates/s | p50 ms | p99 ms | with / without | call by call: mean ms without | with | "
      "without / with |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& row : id_rows) {
    std::printf(
        "| %d | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %.1f%% | %.3f | %.3f | %.1f%% |\n",
        row.clients, row.without.Rate(), row.without.Percentile(50) / 1000,
        row.without.Percentile(99) / 1000, row.with.Rate(), row.with.Percentile(50) / 1000,
        row.with.Percentile(99) / 1000, 100.0 * row.with.Rate() / row.without.Rate(),
        row.interleaved_without_us / 1000, row.interleaved_with_us / 1000,
        100.0 * row.interleaved_without_us / row.interleaved_with_us);
  }
  for (auto* in : {&*secured, &*open}) {
    in->intake->Terminate();
    in->directory->Terminate();
  }
  (*floor)->Terminate();
  return 0;
}

}  // namespace
}  // namespace renkei::bench

int main(int argc, char** argv) { return renkei::bench::Main(argc, argv); }
