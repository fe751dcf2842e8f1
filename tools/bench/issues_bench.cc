// issues_bench: reading regional issues over gRPC at scale, next to its floor measured in the
// same run.
//
//   issues:  the real renkei-issues binary (with nats-server), loaded through its gRPC API with
//            `--issues` issues of `--events` history entries each (create, step content, four
//            causes, three countermeasures, three expected changes, step completions, status
//            changes, baselines: the worked example's shape); then measured:
//              list      ListIssues, no filter, first page of 50
//              filter    ListIssues by step + theme tag + text in the theme
//              get       GetIssue: one full issue with its history, random issue
//   floor:   a server process on the same bootstrap (common::GrpcServer) answering the same RPCs
//            with canned responses of the same size (transport and serialization only).
//
//   build/bin/issues_bench [--issues 10000] [--events 20] [--requests 3000] [--clients 1,4]
//
// Prints a Markdown report; docs/benchmarks.md records the figures.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "grpcpp/create_channel.h"
#include "renkei/common/server.h"
#include "renkei/v1/issues.grpc.pb.h"
#include "testing.h"

namespace renkei::bench {
namespace {

using Clock = std::chrono::steady_clock;
using Stub = v1::IssuesService::Stub;

const char* const kThemes[] = {"終末期に本人の意向に沿えず、家族が入院を選ぶことがある",
                               "退院時に在宅側への情報共有が遅れる",
                               "パーキンソン病の在宅患者を診る専門医が見つからない",
                               "認知症の人の救急搬送時に情報が伝わらない",
                               "夜間の訪問看護の体制が足りない",
                               "歯科との連携が少なく口腔ケアが行き届かない",
                               "薬の飲み残しが多く服薬管理がうまくいかない",
                               "ケアマネジャーが医師に相談しにくい",
                               "独居高齢者の急変時の連絡先がわからない",
                               "入退院支援のルールが病院ごとに異なる"};
const char* const kTags[] = {"tag:看取リ",   "tag:退院支援", "tag:神経難病", "tag:認知症",
                             "tag:訪問看護", "tag:口腔ケア", "tag:服薬",     "tag:医療介護連携",
                             "tag:独居",     "tag:入退院"};

// The floor: canned responses of the sizes the real service returns.
class FloorService final : public v1::IssuesService::Service {
 public:
  FloorService(v1::IssueWithHistory get, v1::ListIssuesResponse list)
      : get_(std::move(get)), list_(std::move(list)) {}
  grpc::Status GetIssue(grpc::ServerContext*, const v1::GetIssueRequest*,
                        v1::IssueWithHistory* out) override {
    *out = get_;
    return grpc::Status::OK;
  }
  grpc::Status ListIssues(grpc::ServerContext*, const v1::ListIssuesRequest*,
                          v1::ListIssuesResponse* out) override {
    *out = list_;
    return grpc::Status::OK;
  }

 private:
  v1::IssueWithHistory get_;
  v1::ListIssuesResponse list_;
};

int RunFloorServer(const std::string& get_file, const std::string& list_file, int port) {
  common::BlockTerminationSignals();
  v1::IssueWithHistory get;
  v1::ListIssuesResponse list;
  if (!get.ParseFromString(testing::ReadFile(get_file)) ||
      !list.ParseFromString(testing::ReadFile(list_file))) {
    return 1;
  }
  FloorService service(std::move(get), std::move(list));
  return ServeUntilSignal(port, &service);
}

std::shared_ptr<Stub> NewStub(const std::string& address) {
  return std::shared_ptr<Stub>(
      v1::IssuesService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())));
}

// One issue with `events` history entries (at least 20 takes it to evaluation).
bool Populate(Stub& stub, int n, int events) {
  auto call = [&](auto method, const auto& req, auto* resp) {
    grpc::ClientContext ctx;
    grpc::Status s = (stub.*method)(&ctx, req, resp);
    if (!s.ok()) std::fprintf(stderr, "populate: %s\n", s.error_message().c_str());
    return s.ok();
  };
  v1::RegionalIssue issue;
  v1::CreateIssueRequest create;
  create.set_theme(std::string(kThemes[n % 10]) + " (" + std::to_string(n) + ")");
  create.add_theme_tags(kTags[n % 10]);
  if (!call(&Stub::CreateIssue, create, &issue)) return false;
  int written = 1;
  auto update = [&](const std::function<void(v1::UpdateIssueRequest*)>& fill) {
    v1::UpdateIssueRequest u;
    u.set_id(issue.id());
    u.set_expected_version(issue.version());
    fill(&u);
    ++written;
    return call(&Stub::UpdateIssue, u, &issue);
  };
  auto advance = [&] {
    v1::AdvanceStepRequest a;
    a.set_id(issue.id());
    a.set_expected_version(issue.version());
    ++written;
    return call(&Stub::AdvanceStep, a, &issue);
  };
  std::vector<std::function<bool()>> steps = {
      [&] {
        return update(
            [](auto* u) { u->set_target_state("本人の意向を尊重した在宅生活を継続できる"); });
      },
      advance,
      [&] {
        return update([](auto* u) {
          u->set_current_state(
              "相談記録と事業所へのヒアリングから、同じ趣旨の課題が繰り返し挙がっている。");
          u->set_replace_evidence(true);
          auto* e = u->add_evidence();
          e->set_kind(v1::EVIDENCE_KIND_SURVEY);
          e->set_summary("市内の居宅介護支援事業所アンケート (回答 42 事業所)");
          e->set_reference("令和8年度 在宅医療・介護連携 実態調査");
        });
      },
      advance,
      [&] {
        return update(
            [](auto* u) { u->set_chosen_issue("関係者間で情報と方針が共有されていない"); });
      },
      advance,
      [&] {
        return update([](auto* u) {
          u->set_replace_causes(true);
          const char* causes[] = {
              "本人の意向を具体的に確認できていない", "衰弱すると家族が不安になる",
              "看取り経験少ないケアマネも不安になる", "不安になると在宅医でなく救急車に連絡"};
          for (int i = 0; i < 4; ++i) {
            auto* c = u->add_causes();
            c->set_text(causes[i]);
            c->set_main(i == 1);
          }
          u->set_root_cause(
              "専門職が看取るプロセスを十分説明しきれていないため、家族の不安が高まってしまってい"
              "る");
        });
      },
      advance,
  };
  for (int m = 0; m < 3; ++m) {
    steps.push_back([&, m] {
      v1::AddCountermeasureRequest add;
      add.set_id(issue.id());
      add.set_expected_version(issue.version());
      auto* c = add.mutable_countermeasure();
      c->add_audiences(v1::AUDIENCE_ROLE_CARE_MANAGERS);
      c->add_audiences(v1::AUDIENCE_ROLE_VISITING_NURSES);
      c->set_content("在宅看取りプロセスを家族に説明する演習や資料の作成 " + std::to_string(m + 1));
      c->set_owner("高齢福祉課");
      ++written;
      return call(&Stub::AddCountermeasure, add, &issue);
    });
  }
  for (int x = 0; x < 3; ++x) {
    steps.push_back([&, x] {
      v1::AddExpectedChangeRequest add;
      add.set_id(issue.id());
      add.set_expected_version(issue.version());
      auto* e = add.mutable_expected_change();
      e->set_description("ケアマネ等が説明できるスキルがあがる " + std::to_string(x + 1));
      e->mutable_indicator()->set_name_ja("説明スキルのアンケート、試験");
      e->mutable_indicator()->add_methods(v1::MEASUREMENT_METHOD_SURVEY);
      e->mutable_indicator()->set_frequency(v1::MEASUREMENT_FREQUENCY_YEARLY);
      ++written;
      return call(&Stub::AddExpectedChange, add, &issue);
    });
  }
  steps.push_back(advance);
  for (int m = 0; m < 2; ++m) {
    steps.push_back([&, m] {
      v1::UpdateCountermeasureRequest u;
      u.set_id(issue.id());
      u.set_expected_version(issue.version());
      u.set_countermeasure_id(issue.countermeasures(m).id());
      u.set_status(v1::COUNTERMEASURE_STATUS_IN_PROGRESS);
      ++written;
      return call(&Stub::UpdateCountermeasure, u, &issue);
    });
  }
  steps.push_back(advance);
  steps.push_back([&] {
    v1::UpdateExpectedChangeRequest u;
    u.set_id(issue.id());
    u.set_expected_version(issue.version());
    u.set_expected_change_id(issue.expected_changes(0).id());
    u.set_baseline(2.4);
    ++written;
    return call(&Stub::UpdateExpectedChange, u, &issue);
  });
  for (size_t i = 0; i < steps.size() && written < events; ++i) {
    if (!steps[i]()) return false;
  }
  // Beyond the worked example's shape: more edits of the theme.
  while (written < events) {
    if (!update([&](auto* u) {
          u->set_theme(std::string(kThemes[n % 10]) + " (" + std::to_string(n) + ")");
        })) {
      return false;
    }
  }
  return true;
}

// CPU time (clock ticks) the process has used.
long CpuTicks(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream rest(content.substr(content.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::atol(field.c_str());
    if (i == 15) stime = std::atol(field.c_str());
  }
  return utime + stime;
}

// Waits until the process uses under 5% of a core for a second (after a restart the outbox
// relay republishes what it kept for the retention window; measuring during that would measure
// the relay). Returns the seconds waited.
double WaitIdle(pid_t pid) {
  auto t0 = Clock::now();
  for (int i = 0; i < 180; ++i) {
    long before = CpuTicks(pid);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if (CpuTicks(pid) - before < 5) break;
  }
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

int Main(int argc, char** argv) {
  int issues = 10000, events = 20, requests = 3000;
  std::vector<int> client_counts = {1, 4};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--floor-server" && i + 3 < argc)
      return RunFloorServer(argv[i + 1], argv[i + 2], std::atoi(argv[i + 3]));
    if (a == "--issues" && i + 1 < argc) {
      issues = std::atoi(argv[++i]);
    } else if (a == "--events" && i + 1 < argc) {
      events = std::atoi(argv[++i]);
    } else if (a == "--requests" && i + 1 < argc) {
      requests = std::atoi(argv[++i]);
    } else if (a == "--clients" && i + 1 < argc) {
      client_counts.clear();
      std::stringstream ss(argv[++i]);
      std::string part;
      while (std::getline(ss, part, ',')) client_counts.push_back(std::atoi(part.c_str()));
    } else {
      std::fprintf(
          stderr, "usage: issues_bench [--issues N] [--events N] [--requests N] [--clients 1,4]\n");
      return 2;
    }
  }
  testing::TempDir tmp;
  auto nats = testing::NatsServer::Start(tmp.Sub("nats"));
  if (!nats.ok()) return 1;
  const int port = testing::FreePort(), floor_port = testing::FreePort();
  {
    std::ofstream cfg(tmp.Sub("instance.json"));
    cfg << R"({"instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250"},
      "nats": {"url": ")"
        << (*nats)->url() << R"("},
      "data_root": ")"
        << tmp.Sub("data") << R"(",
      "security": {"unauthenticated_loopback": true},
      "issues": {"server": {"listen_address": "127.0.0.1:)"
        << port << R"("}}})";
  }
  const std::string address = "127.0.0.1:" + std::to_string(port);
  auto start = [&]() -> std::unique_ptr<testing::ChildProcess> {
    auto p = testing::ChildProcess::Spawn(
        {testing::BinaryPath("renkei-issues"), "--config", tmp.Sub("instance.json")}, {},
        tmp.Sub("issues.log"));
    if (!p.ok()) return nullptr;
    bool up = testing::WaitFor(
        [&] {
          auto stub = NewStub(address);  // a fresh channel: no reconnect backoff
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
          v1::ListIssuesResponse r;
          return stub->ListIssues(&ctx, {}, &r).ok();
        },
        std::chrono::seconds(120));
    return up ? std::move(*p) : nullptr;
  };
  auto service = start();
  if (!service) {
    std::fprintf(stderr, "renkei-issues did not start; see %s\n", tmp.path().c_str());
    return 1;
  }

  // Load: 8 writers.
  auto t0 = Clock::now();
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> writers;
  writers.reserve(8);
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&] {
      auto stub = NewStub(address);
      for (int n; (n = next.fetch_add(1)) < issues;) {
        if (!Populate(*stub, n, events)) failed.fetch_add(1);
      }
    });
  }
  for (auto& t : writers) t.join();
  const double load_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (failed.load() > 0) {
    std::fprintf(stderr, "%d issues failed to load\n", failed.load());
    return 1;
  }

  // Restart: the list index is rebuilt from RocksDB.
  service->Terminate();
  auto r0 = Clock::now();
  service = start();
  if (!service) return 1;
  const double restart_s = std::chrono::duration<double>(Clock::now() - r0).count();
  const double settle_s = WaitIdle(service->pid());

  // Sample responses for the floor, and the ids to read.
  auto stub = NewStub(address);
  v1::ListIssuesResponse all;
  std::vector<std::string> ids;
  v1::ListIssuesRequest page;
  page.set_page_size(200);
  do {
    grpc::ClientContext ctx;
    if (!stub->ListIssues(&ctx, page, &all).ok()) return 1;
    for (const auto& s : all.issues()) ids.push_back(s.id());
    page.set_page_token(all.next_page_token());
  } while (!page.page_token().empty());
  v1::ListIssuesResponse first_page;
  v1::IssueWithHistory sample;
  {
    grpc::ClientContext c1, c2;
    v1::GetIssueRequest g;
    g.set_id(ids[ids.size() / 2]);
    if (!stub->ListIssues(&c1, {}, &first_page).ok() || !stub->GetIssue(&c2, g, &sample).ok())
      return 1;
  }
  {
    std::ofstream(tmp.Sub("get.bin")) << sample.SerializeAsString();
    std::ofstream(tmp.Sub("list.bin")) << first_page.SerializeAsString();
  }
  auto floor = testing::ChildProcess::Spawn({"/proc/self/exe", "--floor-server", tmp.Sub("get.bin"),
                                             tmp.Sub("list.bin"), std::to_string(floor_port)},
                                            {}, tmp.Sub("floor.log"));
  const std::string floor_address = "127.0.0.1:" + std::to_string(floor_port);
  if (!floor.ok() ||
      !testing::WaitFor(
          [&] {
            auto f = NewStub(floor_address);
            grpc::ClientContext ctx;
            ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
            v1::ListIssuesResponse r;
            return f->ListIssues(&ctx, {}, &r).ok();
          },
          std::chrono::seconds(30))) {
    return 1;
  }

  v1::ListIssuesRequest filter;
  filter.set_step(7);
  filter.set_theme_tag("tag:看取り");
  filter.set_text("本人の意向");
  v1::ListIssuesResponse filtered;
  {
    grpc::ClientContext ctx;
    if (!stub->ListIssues(&ctx, filter, &filtered).ok()) return 1;
  }

  std::printf(
      "## issues_bench\n\nmachine: %s\ncommand: issues_bench --issues %d --events %d --requests "
      "%d\n\n",
      MachineLine().c_str(), issues, events, requests);
  std::printf(
      "loaded %d issues × %d history entries (%d commands) over gRPC with 8 writers in %.1f s "
      "(%.0f "
      "commands/s); restart to serving (index rebuilt): %.2f s; the relay's republishing after the "
      "restart "
      "took %.0f s before measuring\n\n",
      issues, events, issues * events, load_s, issues * events / load_s, restart_s, settle_s);
  std::printf(
      "response sizes: list page %zu bytes (%d issues, total %d); filtered list total %d; get %zu "
      "bytes "
      "(%d history entries)\n\n",
      first_page.ByteSizeLong(), first_page.issues_size(), first_page.total(), filtered.total(),
      sample.ByteSizeLong(), sample.history_size());
  std::printf(
      "| query | clients | issues p50 ms | p99 ms | calls/s | floor p50 ms | p99 ms | calls/s |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  std::mt19937 rng(42);
  std::vector<int> picks(requests);
  for (auto& p : picks) p = static_cast<int>(rng() % ids.size());

  struct Query {
    const char* name;
    std::function<bool(Stub&, int)> call;
  };
  const std::vector<Query> queries = {
      {"list (page of 50)",
       [](Stub& s, int) {
         grpc::ClientContext ctx;
         v1::ListIssuesResponse r;
         return s.ListIssues(&ctx, {}, &r).ok() && r.issues_size() == 50;
       }},
      {"filter (step + tag + text)",
       [&](Stub& s, int) {
         grpc::ClientContext ctx;
         v1::ListIssuesResponse r;
         return s.ListIssues(&ctx, filter, &r).ok();
       }},
      {"get with history",
       [&](Stub& s, int i) {
         grpc::ClientContext ctx;
         v1::GetIssueRequest g;
         g.set_id(ids[picks[i]]);
         v1::IssueWithHistory r;
         return s.GetIssue(&ctx, g, &r).ok() && r.history_size() == events;
       }},
  };
  int worst_failures = 0;
  for (const auto& q : queries) {
    for (int clients : client_counts) {
      auto caller_for = [&](const std::string& a) {
        return [&, a](int) {
          auto s = NewStub(a);
          return std::function<bool(int)>([s, &q](int i) { return q.call(*s, i); });
        };
      };
      Drive(clients, 200, caller_for(address));
      Drive(clients, 200, caller_for(floor_address));
      Result in = Drive(clients, requests, caller_for(address));
      Result f = Drive(clients, requests, caller_for(floor_address));
      std::printf("| %s | %d | %.2f | %.2f | %.0f | %.2f | %.2f | %.0f |\n", q.name, clients,
                  in.Percentile(50) / 1000, in.Percentile(99) / 1000, in.Rate(),
                  f.Percentile(50) / 1000, f.Percentile(99) / 1000, f.Rate());
      worst_failures += static_cast<int>(in.failed + f.failed);
    }
  }
  if (worst_failures) std::printf("\n(failed calls: %d)\n", worst_failures);
  (*floor)->Terminate();
  service->Terminate();
  return worst_failures ? 1 : 0;
}

}  // namespace
}  // namespace renkei::bench

int main(int argc, char** argv) { return renkei::bench::Main(argc, argv); }
