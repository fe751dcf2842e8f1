// Practice-library benchmark (issue 18, acceptance 6, second half): search at the national
// instance over `--practices` practices (default 20,000), over gRPC, against a floor in the same
// run.
//
//   load    the practices arrive as the events the municipalities publish (practice_published),
//           applied by the network domain over a real RocksDB store, each in its synced batch
//           with its inbox record, as the consumer does; then the service restarts its index
//           from the store (Network::Load), timed.
//   search  `--queries` searches per shape, one client, over a real gRPC server on loopback:
//           words (看取り, a rarer phrase), a capability, a prefecture, the featured ones, and
//           everything (the first page of 20).
//   floor   a gRPC server answering SearchPractices with the same page, prepared in advance:
//           the transport and serialization of the answer, no search.
//
// Usage: practice_bench [--practices 20000] [--queries 2000]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>

#include "bench_util.h"
#include "domain_store.h"
#include "grpcpp/grpcpp.h"
#include "network/network.h"
#include "network/network_service.h"
#include "renkei/common/events.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/outbox.h"
#include "renkei/common/requests.h"
#include "testing.h"

namespace renkei::bench {
namespace {

using Clock = std::chrono::steady_clock;

const char* kThemes[] = {"看取り",
                         "退院支援",
                         "認知症の早期対応",
                         "多職種連携の情報共有",
                         "在宅医の確保",
                         "救急時の対応",
                         "口腔ケア",
                         "服薬管理",
                         "独居高齢者の見守り",
                         "医療的ケア児の在宅療養"};
const char* kCapabilities[] = {"end_of_life_care",   "dementia",        "home_visit_medical",
                               "home_visit_nursing", "palliative_care", "respite"};

// A practice as a municipality would publish it, varied by `i`.
v1::Practice Make(int i, const std::vector<std::string>& municipalities, std::mt19937* rng) {
  const std::string& m = municipalities[static_cast<size_t>(i) % municipalities.size()];
  const char* theme = kThemes[(*rng)() % std::size(kThemes)];
  v1::Practice p;
  p.set_id(common::NewId("prac"));
  p.set_issue_id(common::NewId("iss"));
  p.set_jurisdiction_code(m);
  p.set_home_instance("m" + m);
  p.set_share_level(v1::SHARE_LEVEL_NATIONAL);
  p.set_theme(std::string("【") + theme + "】" + std::to_string(i) + " 番目の地域の取組");
  p.set_target_state("本人の意向に沿った在宅生活を地域で支えられる");
  p.set_current_state("関係者の間で情報共有が十分でなく、入院に至る例がある");
  p.set_chosen_issue(std::string(theme) + "の体制が整っていない");
  auto* cause = p.add_causes();
  cause->set_text("専門職の間で手順が共有されていない");
  cause->set_main(true);
  auto* cm = p.add_countermeasures();
  cm->set_label("M1");
  cm->set_content("多職種研修と手順書の作成");
  p.add_tags(theme);
  p.add_capabilities(kCapabilities[(*rng)() % std::size(kCapabilities)]);
  p.set_step_reached(1 + static_cast<int>((*rng)() % 7));
  p.set_cycle(1);
  if (i % 97 == 0) {
    auto* note = p.add_notes();
    note->set_id(common::NewId("pnote"));
    note->set_featured(true);
    p.set_featured(true);
  }
  p.set_version(1);
  *p.mutable_updated_at() = common::SystemClock::Get()->NowTimestamp();
  return p;
}

// Serves SearchPractices with one prepared answer.
class Floor final : public v1::NetworkService::Service {
 public:
  explicit Floor(v1::SearchPracticesResponse answer) : answer_(std::move(answer)) {}
  grpc::Status SearchPractices(grpc::ServerContext*, const v1::SearchPracticesRequest*,
                               v1::SearchPracticesResponse* response) override {
    *response = answer_;
    return grpc::Status::OK;
  }

 private:
  v1::SearchPracticesResponse answer_;
};

std::unique_ptr<grpc::Server> Serve(grpc::Service* service, int* port) {
  grpc::ServerBuilder b;
  b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), port);
  b.RegisterService(service);
  return b.BuildAndStart();
}

struct Shape {
  const char* name;
  v1::SearchPracticesRequest request;
};

std::vector<double> Measure(v1::NetworkService::Stub& stub, const v1::SearchPracticesRequest& r,
                            int queries, int32_t* total) {
  std::vector<double> us;
  for (int i = 0; i < queries + 20; ++i) {
    v1::SearchPracticesResponse out;
    grpc::ClientContext ctx;
    const auto start = Clock::now();
    grpc::Status s = stub.SearchPractices(&ctx, r, &out);
    const double took = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    if (!s.ok()) {
      std::fprintf(stderr, "SearchPractices: %s\n", s.error_message().c_str());
      std::exit(1);
    }
    if (i >= 20) us.push_back(took);  // the first 20 warm up
    *total = out.total();
  }
  return us;
}

int Run(int practices, int queries) {
  testing::TempDir tmp;
  const auto cfs = [] {
    auto c = network::NetworkStore::ColumnFamilies();
    for (auto& x : common::RequestLedger::ColumnFamilies()) c.push_back(x);
    return c;
  }();
  testing::DomainStore domain(tmp.Sub("db"), cfs);
  network::NetworkOptions o;
  o.level = v1::INSTANCE_LEVEL_NATIONAL;
  o.jurisdiction_code = "000000";
  auto net =
      std::make_unique<network::Network>(domain.store.get(), domain.outbox.get(),
                                         domain.sealer.get(), common::EventSource{"national"}, o);
  std::vector<std::string> municipalities;
  for (const auto& m : common::Jurisdictions::Get().municipalities()) {
    municipalities.push_back(m.code);
  }
  std::printf("practice_bench: %d practices from %zu municipalities, %d queries per shape\n",
              practices, municipalities.size(), queries);
  std::printf("machine: %s\n", MachineLine().c_str());
  std::mt19937 rng(18);
  auto start = Clock::now();
  for (int i = 0; i < practices; ++i) {
    v1::Practice p = Make(i, municipalities, &rng);
    auto e = common::NewEvent({p.home_instance()}, "network", p.id(), 1, v1::SHARE_LEVEL_NATIONAL,
                              p.jurisdiction_code());
    *e.mutable_practice_published()->mutable_practice() = p;
    common::CommandBatch cmd(domain.store.get(), domain.outbox.get());
    if (auto s = net->ApplyEvent(e, &cmd); !s.ok()) {
      std::fprintf(stderr, "apply: %s\n", s.ToString().c_str());
      return 1;
    }
    if (auto s = cmd.Commit(); !s.ok()) return 1;
  }
  const double load_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("load: %d practices applied in %.1f s (%.0f/s, one synced batch each)\n", practices,
              load_s, practices / load_s);
  // A restart: the index again from the store.
  net = std::make_unique<network::Network>(domain.store.get(), domain.outbox.get(),
                                           domain.sealer.get(), common::EventSource{"national"}, o);
  start = Clock::now();
  if (!net->Load().ok()) return 1;
  std::printf("index rebuilt from the store in %.0f ms\n",
              std::chrono::duration<double, std::milli>(Clock::now() - start).count());

  common::RequestLedger ledger(domain.store.get(), domain.sealer.get());
  network::NetworkService service(net.get(), &ledger);
  int port = 0;
  auto server = Serve(&service, &port);
  auto stub = v1::NetworkService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));

  std::vector<Shape> shapes;
  auto shape = [&](const char* name, auto fill) {
    Shape s{name, {}};
    fill(&s.request);
    shapes.push_back(std::move(s));
  };
  shape("text 看取り", [](v1::SearchPracticesRequest* r) { r->set_text("看取り"); });
  shape("text 医療的ケア児 (rarer)",
        [](v1::SearchPracticesRequest* r) { r->set_text("医療的ケア児"); });
  shape("capability dementia",
        [](v1::SearchPracticesRequest* r) { r->set_capability("dementia"); });
  shape("prefecture 11 + step >= 5", [](v1::SearchPracticesRequest* r) {
    r->set_prefecture_code("11");
    r->set_min_step(5);
  });
  shape("featured only", [](v1::SearchPracticesRequest* r) { r->set_featured_only(true); });
  shape("everything (first page)", [](v1::SearchPracticesRequest*) {});

  // The floor answers with the largest page the searches return.
  v1::SearchPracticesResponse page;
  {
    v1::SearchPracticesRequest everything;
    grpc::ClientContext ctx;
    stub->SearchPractices(&ctx, everything, &page);
  }
  Floor floor(page);
  int floor_port = 0;
  auto floor_server = Serve(&floor, &floor_port);
  auto floor_stub = v1::NetworkService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(floor_port), grpc::InsecureChannelCredentials()));

  std::printf("\n%-30s %8s %9s %9s %9s\n", "shape", "matches", "p50 ms", "p99 ms", "max ms");
  double worst = 0;
  for (const auto& s : shapes) {
    int32_t total = 0;
    auto us = Measure(*stub, s.request, queries, &total);
    const double p99 = Percentile(us, 99) / 1000;
    worst = std::max(worst, p99);
    std::printf("%-30s %8d %9.2f %9.2f %9.2f\n", s.name, total, Percentile(us, 50) / 1000, p99,
                Percentile(us, 100) / 1000);
  }
  int32_t ignored = 0;
  auto floor_us = Measure(*floor_stub, v1::SearchPracticesRequest(), queries, &ignored);
  std::printf("%-30s %8s %9.2f %9.2f %9.2f\n", "floor (prepared page of 20)", "-",
              Percentile(floor_us, 50) / 1000, Percentile(floor_us, 99) / 1000,
              Percentile(floor_us, 100) / 1000);
  std::printf("\ntarget p99 <= 20 ms at %d practices: %s (worst shape %.2f ms)\n", practices,
              worst <= 20 ? "met" : "MISSED", worst);
  server->Shutdown();
  floor_server->Shutdown();
  return worst <= 20 ? 0 : 3;
}

}  // namespace
}  // namespace renkei::bench

int main(int argc, char** argv) {
  int practices = 20000, queries = 2000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--practices") == 0)
      practices = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--queries") == 0)
      queries = std::atoi(argv[++i]);
  }
  return renkei::bench::Run(practices, queries);
}
