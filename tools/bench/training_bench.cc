// training_bench: registrations and lists of trainings over gRPC on loopback, next to their
// floors measured in the same run.
//
//   training:  the real renkei-training binary as a prefecture instance (130001, with
//              nats-server); the relay publishes every event to JetStream while it runs.
//     register   Register to fresh trainings of one online session each (capacity 3/4 of the
//                registrations each receives, so a quarter waits), either all on one training
//                (they serialize on its lock) or spread over --spread trainings. Every
//                registration is one synced RocksDB batch (the service's default): the
//                registration, the training's whole ledger and one outbox event.
//     list       --trainings trainings stored (dates over a year, 1-3 sessions each with its
//                own venue or online only, 1-2 target skills), the service restarted (its list
//                index is rebuilt from RocksDB), then ListTrainings for municipality 132250,
//                first page of 50, and the same filtered by a month and a skill.
//   floor:     a server process on the same bootstrap (common::GrpcServer) whose Register does
//              one synced RocksDB put of a registration-sized value, and whose ListTrainings
//              answers canned responses of the sizes the service returned.
//
//   build/bin/training_bench [--registrations 2000] [--clients 1,8] [--spread 8]
//                            [--trainings 5000] [--requests 3000] [--list-clients 1,4]
//
// Prints a Markdown report; docs/benchmarks.md records the figures.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "grpcpp/create_channel.h"
#include "renkei/common/bus.h"
#include "renkei/common/clock.h"
#include "renkei/common/dates.h"
#include "renkei/common/server.h"
#include "renkei/common/store.h"
#include "renkei/v1/storage.pb.h"
#include "renkei/v1/training.grpc.pb.h"
#include "testing.h"

namespace renkei::bench {
namespace {

using Clock = std::chrono::steady_clock;
using Stub = v1::TrainingService::Stub;

constexpr int64_t kHour = 3600LL * 1000000;
constexpr int64_t kDay = 24 * kHour;

// Tokyo municipalities the participants work for (all see the prefecture's trainings).
const char* const kMunicipalities[] = {"132250", "132080", "132241", "132063",
                                       "132098", "132012", "132101", "131016"};
const char* const kSkills[] = {
    "plan_training",         "run_training",       "collect_data",
    "analyse_data",          "design_survey",      "explain_to_stakeholders",
    "explain_dying_process", "convey_issue_seeds", "peer_support"};
const char* const kTitles[] = {
    "看取りの過程を家族に説明する演習",   "入退院支援ルールの運用研修",
    "相談記録から地域課題の種を見つける", "在宅医療・介護連携の実態調査の設計",
    "多職種連携のためのデータ分析入門",   "コーディネーター同士のピアサポート交流会",
    "認知症の人の救急搬送時の情報共有",   "研修の企画・運営 実践編"};

// The floor: Register does one synced put of a registration-sized value and echoes the
// registration; ListTrainings answers canned responses (the filtered one when a skill is given).
class FloorService final : public v1::TrainingService::Service {
 public:
  FloorService(common::Store* store, size_t record_bytes, v1::ListTrainingsResponse list,
               v1::ListTrainingsResponse filtered)
      : store_(store),
        record_bytes_(record_bytes),
        list_(std::move(list)),
        filtered_(std::move(filtered)) {}
  grpc::Status Register(grpc::ServerContext*, const v1::RegisterRequest* r,
                        v1::Registration* out) override {
    common::Batch b;
    b.Put(store_->Cf("default"), "k" + std::to_string(next_.fetch_add(1)),
          std::string(record_bytes_, 'x'));
    absl::Status s = store_->Write(b, common::Durability::kSync);
    if (!s.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, std::string(s.message()));
    *out = r->registration();
    out->set_status(v1::REGISTRATION_STATUS_CONFIRMED);
    return grpc::Status::OK;
  }
  grpc::Status ListTrainings(grpc::ServerContext*, const v1::ListTrainingsRequest* r,
                             v1::ListTrainingsResponse* out) override {
    *out = r->skill_code().empty() ? list_ : filtered_;
    return grpc::Status::OK;
  }

 private:
  common::Store* store_;
  size_t record_bytes_;
  v1::ListTrainingsResponse list_, filtered_;
  std::atomic<uint64_t> next_{0};
};

// --floor-server DIR RECORD_BYTES LIST_FILE FILTERED_FILE PORT ("-": no canned response).
int RunFloorServer(char** argv) {
  common::BlockTerminationSignals();
  auto store = common::Store::Open({.path = argv[0], .column_families = {}});
  if (!store.ok()) return 1;
  v1::ListTrainingsResponse list, filtered;
  if (std::string(argv[2]) != "-" && !list.ParseFromString(testing::ReadFile(argv[2]))) return 1;
  if (std::string(argv[3]) != "-" && !filtered.ParseFromString(testing::ReadFile(argv[3])))
    return 1;
  FloorService service(store->get(), std::strtoul(argv[1], nullptr, 10), std::move(list),
                       std::move(filtered));
  return ServeUntilSignal(std::atoi(argv[4]), &service);
}

std::shared_ptr<Stub> NewStub(const std::string& address) {
  return std::shared_ptr<Stub>(v1::TrainingService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials())));
}

bool Serving(const std::string& address) {
  auto stub = NewStub(address);  // a fresh channel: no reconnect backoff
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  v1::ListTrainingsRequest req;
  req.set_page_size(1);
  v1::ListTrainingsResponse r;
  return stub->ListTrainings(&ctx, req, &r).ok();
}

// Prints the first few failures with the request that caused them.
void ReportFailure(const char* what, const google::protobuf::Message& request,
                   const grpc::Status& s) {
  static std::atomic<int> shown{0};
  if (shown.fetch_add(1) >= 5) return;
  std::fprintf(stderr, "%s failed: code %d: %s\n  request: %s\n", what,
               static_cast<int>(s.error_code()), s.error_message().c_str(),
               request.ShortDebugString().c_str());
}

// A training for registrations: one online session a month away.
v1::Training RegistrationTraining(const std::string& title, int capacity) {
  const int64_t now = common::SystemClock::Get()->NowMicros();
  v1::Training t;
  t.set_title(title);
  t.set_description("申込の負荷試験用の研修です。");
  t.add_audiences(v1::AUDIENCE_ROLE_COORDINATORS);
  auto* skill = t.add_target_skills();
  skill->set_skill_code("explain_dying_process");
  skill->set_level(v1::SKILL_LEVEL_PRACTITIONER);
  t.set_sessions_are_one_course(true);
  auto* s = t.add_sessions();
  *s->mutable_starts_at() = common::TimestampFromMicros(now + 30 * kDay);
  *s->mutable_ends_at() = common::TimestampFromMicros(now + 30 * kDay + 2 * kHour);
  s->set_online(true);
  s->set_online_url("https://meet.example.jp/tokyo-training");
  s->set_capacity(capacity);
  return t;
}

v1::RegisterRequest Registration(const std::string& training_id, const std::string& participant,
                                 int i) {
  v1::RegisterRequest r;
  auto* reg = r.mutable_registration();
  reg->set_training_id(training_id);
  reg->set_participant_id(participant);
  reg->set_participant_name("在宅医療・介護連携コーディネーター " + participant);
  reg->set_participant_contact("coordinator-" + participant + "@city.example.lg.jp");
  reg->set_municipality_code(kMunicipalities[i % 8]);
  reg->set_role(v1::AUDIENCE_ROLE_COORDINATORS);
  reg->set_network_consent(i % 2 == 0);
  return r;
}

// The registration record as the service stores it (ids, status, times filled in).
size_t StoredRegistrationBytes() {
  v1::Registration reg =
      Registration("trn_" + std::string(26, '0'), "p-1-1-000000", 0).registration();
  reg.set_id("reg_" + std::string(26, '0'));
  reg.add_session_ids("ses_" + std::string(26, '0'));
  reg.set_status(v1::REGISTRATION_STATUS_CONFIRMED);
  *reg.mutable_registered_at() = common::SystemClock::Get()->NowTimestamp();
  *reg.mutable_confirmed_at() = reg.registered_at();
  reg.set_version(1);
  return reg.ByteSizeLong();
}

// The k-th training of the list load: a date within the year ahead (Tokyo daytime), 1-3
// sessions each in its own room or online only, no lecturers (so nothing is double-booked).
v1::Training ListTraining(int k, int64_t base) {
  std::mt19937 rng(k);
  v1::Training t;
  t.set_title(std::string(kTitles[k % 8]) + " 第" + std::to_string(k + 1) + "回");
  t.set_description(
      "在宅医療・介護連携推進事業のコーディネーター向け研修です。事例をもとにグループで検討し、"
      "地域の関係者への説明や多職種との調整に活かせる力を身につけます。");
  t.add_audiences(v1::AUDIENCE_ROLE_COORDINATORS);
  if (k % 3 == 0) t.add_audiences(v1::AUDIENCE_ROLE_CARE_MANAGERS);
  if (k % 4 == 0) t.add_audiences(v1::AUDIENCE_ROLE_MUNICIPAL_STAFF);
  const int skills = 1 + static_cast<int>(rng() % 2);
  const int first_skill = static_cast<int>(rng() % 9);
  for (int j = 0; j < skills; ++j) {
    auto* target = t.add_target_skills();
    target->set_skill_code(kSkills[(first_skill + j * 4) % 9]);
    target->set_level(static_cast<v1::SkillLevel>(1 + rng() % 3));
  }
  const int sessions = k % 10 == 0 ? 3 : k % 4 == 0 ? 2 : 1;
  t.set_sessions_are_one_course(k % 10 != 0);  // three sessions: alternative dates
  const int64_t first = base + (7 + static_cast<int64_t>(rng() % 358)) * kDay +
                        (9 + static_cast<int64_t>(rng() % 9)) * kHour;
  for (int j = 0; j < sessions; ++j) {
    auto* s = t.add_sessions();
    *s->mutable_starts_at() = common::TimestampFromMicros(first + int64_t{j} * 7 * kDay);
    *s->mutable_ends_at() = common::TimestampFromMicros(first + int64_t{j} * 7 * kDay + 2 * kHour);
    if (k % 3 != 0)
      s->set_venue("東京都福祉保健研修センター 研修室 " + std::to_string(k) + "-" +
                   std::to_string(j));
    if (k % 3 != 1) {
      s->set_online(true);
      s->set_online_url("https://meet.example.jp/tokyo/" + std::to_string(k));
    }
    s->set_capacity(20 + static_cast<int>(rng() % 180));
  }
  if (k % 2 == 0) *t.mutable_registration_deadline() = common::TimestampFromMicros(first - kDay);
  if (k % 5 == 0) t.set_quota_per_municipality(2);
  return t;
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
// relay republishes what it kept for the retention window). Returns the seconds waited.
double WaitIdle(pid_t pid) {
  auto t0 = Clock::now();
  for (int i = 0; i < 180; ++i) {
    long before = CpuTicks(pid);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if (CpuTicks(pid) - before < 5) break;
  }
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Median of the per-call latencies (by request index) in [begin, end).
double MedianMs(const std::vector<double>& by_index, size_t begin, size_t end) {
  return Percentile(std::vector<double>(by_index.data() + begin, by_index.data() + end), 50) / 1000;
}

int Main(int argc, char** argv) {
  int registrations = 2000, spread = 8, trainings = 5000, requests = 3000;
  std::vector<int> client_counts = {1, 8}, list_client_counts = {1, 4};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--floor-server" && i + 5 < argc) return RunFloorServer(argv + i + 1);
    if (a == "--registrations" && i + 1 < argc) {
      registrations = std::atoi(argv[++i]);
    } else if (a == "--spread" && i + 1 < argc) {
      spread = std::atoi(argv[++i]);
    } else if (a == "--trainings" && i + 1 < argc) {
      trainings = std::atoi(argv[++i]);
    } else if (a == "--requests" && i + 1 < argc) {
      requests = std::atoi(argv[++i]);
    } else if (a == "--clients" && i + 1 < argc) {
      client_counts = ParseIntList(argv[++i]);
    } else if (a == "--list-clients" && i + 1 < argc) {
      list_client_counts = ParseIntList(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: training_bench [--registrations N] [--clients 1,8] [--spread 8] "
                   "[--trainings N] [--requests N] [--list-clients 1,4]\n");
      return 2;
    }
  }
  if (registrations < 10 || spread < 1 || trainings < 1 || requests < 1) return 2;
  testing::TempDir tmp;
  auto nats = testing::NatsServer::Start(tmp.Sub("nats"));
  if (!nats.ok()) return 1;
  const int port = testing::FreePort(), floor_port = testing::FreePort();
  {
    std::ofstream cfg(tmp.Sub("instance.json"));
    cfg << R"({"instance": {"level": "INSTANCE_LEVEL_PREFECTURE", "code": "130001"},
      "nats": {"url": ")"
        << (*nats)->url() << R"("},
      "data_root": ")"
        << tmp.Sub("data") << R"(",
      "security": {"unauthenticated_loopback": true},
      "training": {"server": {"listen_address": "127.0.0.1:)"
        << port << R"("}}})";
  }
  const std::string address = "127.0.0.1:" + std::to_string(port);
  const std::string floor_address = "127.0.0.1:" + std::to_string(floor_port);
  auto start = [&]() -> std::unique_ptr<testing::ChildProcess> {
    auto p = testing::ChildProcess::Spawn(
        {testing::BinaryPath("renkei-training"), "--config", tmp.Sub("instance.json")}, {},
        tmp.Sub("training.log"));
    if (!p.ok()) return nullptr;
    bool up = testing::WaitFor([&] { return Serving(address); }, std::chrono::seconds(120));
    return up ? std::move(*p) : nullptr;
  };
  auto start_floor = [&](const std::string& dir, const std::string& list,
                         const std::string& filtered) -> std::unique_ptr<testing::ChildProcess> {
    auto p = testing::ChildProcess::Spawn(
        {"/proc/self/exe", "--floor-server", tmp.Sub(dir),
         std::to_string(StoredRegistrationBytes()), list, filtered, std::to_string(floor_port)},
        {}, tmp.Sub(dir + ".log"));
    if (!p.ok()) return nullptr;
    bool up = testing::WaitFor([&] { return Serving(floor_address); }, std::chrono::seconds(30));
    return up ? std::move(*p) : nullptr;
  };
  auto service = start();
  auto floor = start_floor("floor", "-", "-");
  if (!service || !floor) {
    std::fprintf(stderr, "servers did not start; see %s\n", tmp.path().c_str());
    return 1;
  }
  common::NatsOptions nats_options;
  nats_options.url = (*nats)->url();
  auto bus = common::NatsBus::Connect(nats_options);
  if (!bus.ok()) return 1;
  // Every successful create or registration publishes one event; measure nothing while the
  // relay still has some to publish.
  std::atomic<uint64_t> events{0};
  auto drained = [&] {
    testing::WaitFor(
        [&] {
          auto st = (*bus)->GetStreamState("RENKEI_EVENTS");
          return st.ok() && st->messages >= events.load();
        },
        std::chrono::seconds(120));
  };
  auto stub = NewStub(address);
  auto create = [&](Stub& s, const v1::Training& t, v1::Training* out) {
    v1::CreateTrainingRequest req;
    *req.mutable_training() = t;
    grpc::ClientContext ctx;
    grpc::Status st = s.CreateTraining(&ctx, req, out);
    if (!st.ok()) ReportFailure("CreateTraining", req, st);
    if (st.ok()) events.fetch_add(1);
    return st.ok();
  };
  int failures = 0;

  std::printf("## training_bench\n\nmachine: %s\n", MachineLine().c_str());
  std::printf(
      "command: training_bench --registrations %d --clients %s --spread %d --trainings %d "
      "--requests %d --list-clients %s\n\n",
      registrations, JoinInts(client_counts).c_str(), spread, trainings, requests,
      JoinInts(list_client_counts).c_str());

  // --- registrations ---
  std::printf(
      "### Register (%d registrations a row; every registration one synced RocksDB batch, the "
      "service's default)\n\n",
      registrations);
  std::printf(
      "| trainings | clients | confirmed / waitlisted | registrations/s | p50 ms | p99 ms | p50 "
      "first → last 10%% ms | floor puts/s | p50 ms | p99 ms | training / floor |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::fflush(stdout);
  size_t largest_ledger = 0;
  int scenario = 0;
  std::vector<int> target_counts = {1};
  if (spread > 1) target_counts.push_back(spread);
  for (int clients : client_counts) {
    for (int targets : target_counts) {
      ++scenario;
      const int per_training = (registrations + targets - 1) / targets;
      const int capacity = std::clamp(per_training * 3 / 4, 1, 10000);
      std::vector<v1::Training> created(targets);
      for (int t = 0; t < targets; ++t) {
        if (!create(*stub,
                    RegistrationTraining(
                        "申込負荷 " + std::to_string(scenario) + "-" + std::to_string(t), capacity),
                    &created[t])) {
          return 1;
        }
      }
      v1::Training warmup;
      if (!create(*stub, RegistrationTraining("申込負荷 準備 " + std::to_string(scenario), 10000),
                  &warmup)) {
        return 1;
      }
      // Per request index: latency, the registration's id and status (for the ledger's size).
      std::vector<double> latency_by_index(registrations);
      std::vector<v1::Registration> done(registrations);
      std::atomic<int> confirmed{0}, waitlisted{0};
      auto register_caller = [&](const std::string& a, bool measured) {
        return [&, a, measured](int) {
          auto s = NewStub(a);
          return std::function<bool(int)>([&, s, measured](int i) {
            const std::string participant = "p-" + std::to_string(scenario) + "-" +
                                            (measured ? "m" : "w") + "-" + std::to_string(i);
            auto req =
                Registration(measured ? created[i % targets].id() : warmup.id(), participant, i);
            grpc::ClientContext ctx;
            v1::Registration out;
            auto q0 = Clock::now();
            grpc::Status st = s->Register(&ctx, req, &out);
            if (!st.ok()) {
              ReportFailure("Register", req, st);
              return false;
            }
            if (a == floor_address) return true;
            events.fetch_add(1);
            if (!measured) return true;
            latency_by_index[i] =
                std::chrono::duration<double, std::micro>(Clock::now() - q0).count();
            (out.status() == v1::REGISTRATION_STATUS_CONFIRMED ? confirmed : waitlisted)
                .fetch_add(1);
            done[i] = std::move(out);
            return true;
          });
        };
      };
      Drive(clients, 200, register_caller(address, false));
      drained();
      Drive(clients, 200, register_caller(floor_address, false));
      Result f = Drive(clients, registrations, register_caller(floor_address, false));
      Result in = Drive(clients, registrations, register_caller(address, true));
      drained();
      // What the service holds now, against what the registrations answered.
      int held_confirmed = 0, held_waitlisted = 0;
      for (const auto& t : created) {
        v1::GetTrainingRequest get;
        get.set_id(t.id());
        v1::Training now;
        grpc::ClientContext ctx;
        if (!stub->GetTraining(&ctx, get, &now).ok()) return 1;
        held_confirmed += now.sessions(0).confirmed();
        held_waitlisted += now.sessions(0).waitlisted();
      }
      // The ledger of the first training as the service rewrites it on every registration.
      v1::TrainingLedger ledger;
      ledger.set_training_id(created[0].id());
      for (int i = 0; i < registrations; i += targets) {
        const auto& r = done[i];
        if (r.status() == v1::REGISTRATION_STATUS_WAITLISTED) ledger.add_waitlist(r.id());
        (*ledger.mutable_active_by_municipality())[r.municipality_code()] += 1;
        ledger.set_active(ledger.active() + 1);
      }
      (*ledger.mutable_confirmed_by_session())[created[0].sessions(0).id()] = capacity;
      largest_ledger = std::max(largest_ledger, ledger.ByteSizeLong());
      const size_t tenth = registrations / 10;
      std::printf(
          "| %d | %d | %d / %d | %.0f | %.2f | %.2f | %.2f → %.2f | %.0f | %.2f | %.2f | %.0f%% "
          "|\n",
          targets, clients, confirmed.load(), waitlisted.load(), in.Rate(),
          in.Percentile(50) / 1000, in.Percentile(99) / 1000, MedianMs(latency_by_index, 0, tenth),
          MedianMs(latency_by_index, registrations - tenth, registrations), f.Rate(),
          f.Percentile(50) / 1000, f.Percentile(99) / 1000, 100.0 * in.Rate() / f.Rate());
      std::fflush(stdout);
      const int expected_confirmed = std::min(per_training, capacity) * targets;
      if (in.failed || f.failed || held_confirmed != confirmed.load() ||
          held_waitlisted != waitlisted.load() ||
          (registrations % targets == 0 && confirmed.load() != expected_confirmed)) {
        std::printf(
            "(failed calls: training %zu, floor %zu; the trainings hold %d confirmed / %d "
            "waitlisted; expected %d confirmed)\n",
            in.failed, f.failed, held_confirmed, held_waitlisted, expected_confirmed);
        ++failures;
      }
    }
  }
  std::printf(
      "\nregistration record %zu bytes (the floor's put); the training's ledger, rewritten whole "
      "by every registration, reaches %zu bytes at %d registrations on one training\n\n",
      StoredRegistrationBytes(), largest_ledger, registrations);
  std::fflush(stdout);
  floor->Terminate();

  // --- lists ---
  v1::ListTrainingsResponse existing;
  {
    grpc::ClientContext ctx;
    v1::ListTrainingsRequest all;
    all.set_page_size(1);
    if (!stub->ListTrainings(&ctx, all, &existing).ok()) return 1;
  }
  const int to_create = std::max(0, trainings - existing.total());
  const int64_t base = common::SystemClock::Get()->NowMicros();
  drained();
  Result load = Drive(8, to_create, [&](int) {
    auto s = NewStub(address);
    return std::function<bool(int)>([&, s](int k) {
      v1::Training out;
      return create(*s, ListTraining(k, base), &out);
    });
  });
  if (load.failed) {
    std::fprintf(stderr, "%zu trainings failed to load\n", load.failed);
    return 1;
  }
  drained();

  // Restart: the list and schedule indexes are rebuilt from RocksDB.
  service->Terminate();
  auto r0 = Clock::now();
  service = start();
  if (!service) return 1;
  const double restart_s = std::chrono::duration<double>(Clock::now() - r0).count();
  const double settle_s = WaitIdle(service->pid());

  v1::ListTrainingsRequest list;
  list.set_municipality_code("132250");
  list.set_page_size(50);
  v1::ListTrainingsRequest filter = list;
  *filter.mutable_from() = common::TokyoDate(base + 120 * kDay);
  *filter.mutable_to() = common::TokyoDate(base + 150 * kDay);
  filter.set_skill_code("explain_dying_process");
  v1::ListTrainingsResponse first_page, filtered;
  {
    grpc::ClientContext c1, c2;
    if (!stub->ListTrainings(&c1, list, &first_page).ok() ||
        !stub->ListTrainings(&c2, filter, &filtered).ok()) {
      return 1;
    }
    std::ofstream(tmp.Sub("list.bin")) << first_page.SerializeAsString();
    std::ofstream(tmp.Sub("filtered.bin")) << filtered.SerializeAsString();
  }
  floor = start_floor("floor-list", tmp.Sub("list.bin"), tmp.Sub("filtered.bin"));
  if (!floor) return 1;

  std::printf(
      "### ListTrainings (%d trainings stored, prefecture 130001; %d calls a row)\n\n"
      "created %d trainings over gRPC with 8 writers in %.1f s (%.0f/s, p50 %.2f ms, p99 %.2f "
      "ms; each create checks every stored session for a double-booked venue or lecturer); "
      "restart to serving (indexes rebuilt): %.2f s; the relay settled %.0f s before "
      "measuring\n\n",
      first_page.total(), requests, to_create, load.seconds, load.Rate(),
      load.Percentile(50) / 1000, load.Percentile(99) / 1000, restart_s, settle_s);
  std::printf(
      "response sizes: list page %zu bytes (%d of %d visible to 132250); filtered (%s to %s, "
      "explain_dying_process) %zu bytes (%d of %d)\n\n",
      first_page.ByteSizeLong(), first_page.trainings_size(), first_page.total(),
      common::FormatDate(filter.from()).c_str(), common::FormatDate(filter.to()).c_str(),
      filtered.ByteSizeLong(), filtered.trainings_size(), filtered.total());
  std::printf(
      "| query | clients | training p50 ms | p99 ms | calls/s | service CPU ms/call | floor p50 ms "
      "| p99 ms | calls/s |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  struct Query {
    const char* name;
    const v1::ListTrainingsRequest* request;
    int expected;
  };
  const Query queries[] = {
      {"municipality 132250, page of 50", &list, first_page.trainings_size()},
      {"+ month + skill", &filter, filtered.trainings_size()},
  };
  for (const auto& q : queries) {
    for (int clients : list_client_counts) {
      auto caller_for = [&](const std::string& a) {
        return [&, a](int) {
          auto s = NewStub(a);
          return std::function<bool(int)>([s, &q](int) {
            grpc::ClientContext ctx;
            v1::ListTrainingsResponse r;
            grpc::Status st = s->ListTrainings(&ctx, *q.request, &r);
            if (!st.ok()) ReportFailure("ListTrainings", *q.request, st);
            return st.ok() && r.trainings_size() == q.expected;
          });
        };
      };
      Drive(clients, 200, caller_for(address));
      Drive(clients, 200, caller_for(floor_address));
      const long ticks = CpuTicks(service->pid());
      Result in = Drive(clients, requests, caller_for(address));
      const double cpu_ms =
          1000.0 * (CpuTicks(service->pid()) - ticks) / sysconf(_SC_CLK_TCK) / requests;
      Result f = Drive(clients, requests, caller_for(floor_address));
      std::printf("| %s | %d | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f | %.0f |\n", q.name, clients,
                  in.Percentile(50) / 1000, in.Percentile(99) / 1000, in.Rate(), cpu_ms,
                  f.Percentile(50) / 1000, f.Percentile(99) / 1000, f.Rate());
      std::fflush(stdout);
      if (in.failed || f.failed) {
        std::printf("(failed calls: training %zu, floor %zu)\n", in.failed, f.failed);
        ++failures;
      }
    }
  }
  floor->Terminate();
  service->Terminate();
  return failures ? 1 : 0;
}

}  // namespace
}  // namespace renkei::bench

int main(int argc, char** argv) { return renkei::bench::Main(argc, argv); }
