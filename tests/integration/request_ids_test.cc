// Request ids against the real renkei-intake (docs/design-notes.md, "Request ids"): a command
// sent again with its request id is answered, never applied twice — when the first call's answer
// was lost to a kill -9 right after the commit, and under 8 clients while intake is killed with
// -9 every few seconds and every failed call is retried with its id. Real nats-server, real
// binaries; the derived counts of renkei-indicators and the counts intake keeps of its own events
// must equal the consultations stored.
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/bus.h"
#include "renkei/common/clock.h"
#include "renkei/common/dates.h"
#include "renkei/common/events.h"
#include "renkei/common/ids.h"
#include "renkei/common/service_host.h"
#include "renkei/common/store.h"
#include "renkei/common/version.h"
#include "renkei/v1/admin.grpc.pb.h"
#include "renkei/v1/directory.grpc.pb.h"
#include "renkei/v1/indicators.grpc.pb.h"
#include "renkei/v1/intake.grpc.pb.h"

namespace renkei::testing {
namespace {

constexpr char kStream[] = "RENKEI_EVENTS";
constexpr char kReceived[] = "renkei.*.m132250.consultation.consultation_received";

v1::CreateConsultationRequest NewConsultation(const std::string& request_id, int n) {
  v1::CreateConsultationRequest r;
  r.set_request_id(request_id);
  r.set_channel(v1::CHANNEL_PHONE);
  r.set_source_type(n % 2 == 0 ? v1::SOURCE_TYPE_PATIENT_FAMILY
                               : v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER);
  r.mutable_person()->set_name("稲城 太郎 " + std::to_string(n));
  return r;
}

// Every consultation intake lists, by id.
std::set<std::string> ListedConsultations(v1::IntakeService::Stub& stub) {
  std::set<std::string> out;
  for (const auto& c : ListAllConsultations(stub)) out.insert(c.id());
  return out;
}

// derived.consultations of Inagi, summed over months (0 before the first is counted).
double DerivedConsultations(v1::IndicatorsService::Stub& stub) {
  v1::GetSeriesRequest r;
  r.set_indicator_code("derived.consultations");
  r.set_jurisdiction_code("132250");
  v1::Series series;
  grpc::ClientContext ctx;
  if (!stub.GetSeries(&ctx, r, &series).ok()) return 0;
  double total = 0;
  for (const auto& p : series.points()) total += p.value();
  return total;
}

// The derived count once it reaches `expected` (or a minute has passed).
double DerivedConsultationsOnceSettled(v1::IndicatorsService::Stub& stub, size_t expected) {
  double derived = 0;
  WaitFor(
      [&] {
        derived = DerivedConsultations(stub);
        return derived == static_cast<double>(expected);
      },
      std::chrono::seconds(60));
  return derived;
}

class RequestIdsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = std::move(*nats);
    inagi_ = std::make_unique<InstanceProcesses>(tmp_.Sub("inagi"), nats_->url());
  }

  // The consultation_received events in the stream once it has stopped growing.
  std::vector<StreamMessage> ReceivedEvents() {
    common::NatsOptions o;
    o.url = nats_->url();
    auto bus = common::NatsBus::Connect(o);
    EXPECT_TRUE(bus.ok());
    (*bus)->WaitConnected(5000);
    SettledStreamCount(**bus, kStream);
    return ReadStream(**bus, kStream, kReceived);
  }

  TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<InstanceProcesses> inagi_;
};

// The process dies after committing, before answering (failpoint requests.after_commit): the
// caller sees the call fail; the same request id after the restart gets the first call's
// answer, and the consultation exists once.
TEST_F(RequestIdsTest, AnswerLostToAKillAfterTheCommitIsAnsweredOnRetry) {
  ASSERT_TRUE(inagi_->Start("intake", "requests.after_commit").ok());
  auto stub = v1::IntakeService::NewStub(inagi_->channel("intake"));
  const std::string id = common::NewId("req");
  v1::Consultation lost;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status s = stub->CreateConsultation(&ctx, NewConsultation(id, 1), &lost);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  }
  int status = 0;
  ASSERT_TRUE(inagi_->process("intake")->WaitExit(std::chrono::seconds(10), &status));
  ASSERT_TRUE(inagi_->Start("intake").ok());
  // It had committed before dying: the consultation is there before any retry.
  ASSERT_EQ(ListedConsultations(*stub).size(), 1u);

  v1::Consultation answer, again;
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub->CreateConsultation(&ctx, NewConsultation(id, 1), &answer);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub->CreateConsultation(&ctx, NewConsultation(id, 1), &again);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(answer.SerializeAsString(), again.SerializeAsString());
  EXPECT_EQ(answer.person().name(), "稲城 太郎 1");
  EXPECT_EQ(ListedConsultations(*stub), std::set<std::string>{answer.id()});

  // The same id with another request: refused, naming request_id; nothing created.
  v1::Consultation other;
  grpc::ClientContext ctx;
  grpc::Status s = stub->CreateConsultation(&ctx, NewConsultation(id, 2), &other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("request_id"));
  EXPECT_EQ(ListedConsultations(*stub).size(), 1u);
  EXPECT_EQ(ReceivedEvents().size(), 1u);
}

// renkeictl: a command sent again with the same --request-id (a script that retries after it
// lost the answer) creates nothing new and prints the same consultation; without a token the
// newcomer is told what to set (exit 8, not "unexpected error").
TEST_F(RequestIdsTest, RenkeictlRequestIdsAndAMissingToken) {
  ASSERT_TRUE(inagi_->Start("intake").ok());
  const std::map<std::string, std::string> env = {{"RENKEI_INTAKE", inagi_->address("intake")},
                                                  {"RENKEI_TOKEN", inagi_->DefaultToken()}};
  const std::vector<std::string> create = {"--request-id",  "script-run-20261206-001",
                                           "consultation",  "create",
                                           "--channel",     "phone",
                                           "--source",      "family",
                                           "--person-name", "稲城 太郎"};
  CliResult first = RunRenkeictl(create, env, tmp_.Sub("cli"));
  ASSERT_EQ(first.exit_code, 0) << first;
  CliResult again = RunRenkeictl(create, env, tmp_.Sub("cli"));
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_EQ(again.out, first.out);
  EXPECT_THAT(first.out, ::testing::HasSubstr("相談を受け付けました: con_"));
  auto stub = v1::IntakeService::NewStub(inagi_->channel("intake"));
  EXPECT_EQ(ListedConsultations(*stub).size(), 1u);
  // The same id for another consultation is refused, naming request_id (a conflict: exit 5).
  std::vector<std::string> other = create;
  other.back() = "稲城 花子";
  CliResult reused = RunRenkeictl(other, env, tmp_.Sub("cli"));
  EXPECT_EQ(reused.exit_code, 5) << reused;
  EXPECT_THAT(reused.err, ::testing::HasSubstr("request_id"));
  EXPECT_EQ(ListedConsultations(*stub).size(), 1u);

  CliResult no_token = RunRenkeictl(
      {"consultation", "list"}, {{"RENKEI_INTAKE", inagi_->address("intake")}}, tmp_.Sub("cli"));
  EXPECT_EQ(no_token.exit_code, 8) << no_token;
  EXPECT_THAT(no_token.err, ::testing::HasSubstr("RENKEI_TOKEN_FILE"));
}

// The coordinator's tables and the meeting brief show a seed's tags and capability as people
// read them (パーキンソン病, once although given as a tag and as the capability), never the codes.
TEST_F(RequestIdsTest, RenkeictlSeedsAndTheDigestShowLabelsNotCodes) {
  ASSERT_TRUE(inagi_->Start("intake").ok());
  const std::map<std::string, std::string> env = {{"RENKEI_INTAKE", inagi_->address("intake")},
                                                  {"RENKEI_TOKEN", inagi_->DefaultToken()}};
  CliResult created = RunRenkeictl({"consultation", "create", "--channel", "phone", "--source",
                                    "family", "--person-name", "稲城 太郎"},
                                   env, tmp_.Sub("cli"));
  ASSERT_EQ(created.exit_code, 0) << created;
  const std::string id = FindFirst(created.out, "(con_[A-Za-z0-9_-]+)");
  ASSERT_FALSE(id.empty()) << created;
  CliResult seed = RunRenkeictl(
      {"consultation", "seed", id, "--expected-version", "1", "--theme", "専門医と相談できる仕組み",
       "--tag", "parkinsons", "--tag", "専門医連携", "--capability", "parkinsons"},
      env, tmp_.Sub("cli"));
  ASSERT_EQ(seed.exit_code, 0) << seed;

  const int64_t now = common::SystemClock::Get()->NowMicros();
  const std::string today = common::FormatDate(common::TokyoDate(now));
  CliResult digest = RunRenkeictl({"consultation", "digest", "--from", today, "--to", today}, env,
                                  tmp_.Sub("cli"));
  ASSERT_EQ(digest.exit_code, 0) << digest;
  EXPECT_THAT(digest.out,
              ::testing::HasSubstr("専門医と相談できる仕組み　[パーキンソン病、専門医連携]"));
  EXPECT_THAT(digest.out, ::testing::Not(::testing::HasSubstr("parkinsons")));
  CliResult seeds = RunRenkeictl({"consultation", "seeds"}, env, tmp_.Sub("cli"));
  ASSERT_EQ(seeds.exit_code, 0) << seeds;
  EXPECT_THAT(seeds.out, ::testing::HasSubstr("パーキンソン病, 専門医連携"));
  EXPECT_THAT(seeds.out, ::testing::HasSubstr("パーキンソン病 (parkinsons)"));
}

TEST_F(RequestIdsTest, ThousandCreatesAtEightClientsUnderKillNineAreEachAppliedOnce) {
  ASSERT_TRUE(inagi_->Start("intake").ok());
  ASSERT_TRUE(inagi_->Start("indicators").ok());
  constexpr int kClients = 8;
  constexpr int kPerClient = 125;

  std::mutex mu;
  std::map<std::string, std::string> answered;  // request id -> consultation id
  std::atomic<int> failed_calls{0};
  std::atomic<int> finished{0};
  std::atomic<int> kills{0};

  // kill -9 every 1.5..3 s while the clients work, and start intake again each time.
  std::thread killer([&] {
    std::mt19937 random(20261206);
    while (finished.load() < kClients) {
      const auto pause = std::chrono::milliseconds(1500 + random() % 1500);
      const auto until = std::chrono::steady_clock::now() + pause;
      while (finished.load() < kClients && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (finished.load() >= kClients) break;
      inagi_->process("intake")->Kill();
      ++kills;
      absl::Status s = inagi_->Start("intake");
      ASSERT_TRUE(s.ok()) << s;
    }
  });

  std::vector<std::thread> clients;
  clients.reserve(kClients);
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto stub = v1::IntakeService::NewStub(inagi_->channel("intake"));
      for (int i = 0; i < kPerClient; ++i) {
        const std::string id = common::NewId("req");
        const v1::CreateConsultationRequest request = NewConsultation(id, c * kPerClient + i);
        for (int attempt = 0;; ++attempt) {
          ASSERT_LT(attempt, 600) << "no answer for " << id;
          v1::Consultation out;
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
          grpc::Status s = stub->CreateConsultation(&ctx, request, &out);
          if (s.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            answered[id] = out.id();
            break;
          }
          // Every failure is retried with the same request id: the call may have committed.
          ASSERT_TRUE(s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                      s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
              << s.error_code() << " " << s.error_message();
          ++failed_calls;
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        // Paced, so that the run spans many kills.
        std::this_thread::sleep_for(std::chrono::milliseconds(120));
      }
      ++finished;
    });
  }
  for (auto& t : clients) t.join();
  killer.join();
  if (!inagi_->process("intake")->Running()) {
    ASSERT_TRUE(inagi_->Start("intake").ok());
  }

  RecordProperty("kills", kills.load());
  RecordProperty("failed_calls_retried", failed_calls.load());
  std::printf("kills: %d, failed calls retried with their request id: %d\n", kills.load(),
              failed_calls.load());
  EXPECT_GE(kills.load(), 5);
  EXPECT_GT(failed_calls.load(), 0);

  // As many consultations as request ids, each answer a different one, all of them listed.
  ASSERT_EQ(answered.size(), static_cast<size_t>(kClients * kPerClient));
  std::set<std::string> answers;
  for (const auto& [id, consultation] : answered) answers.insert(consultation);
  EXPECT_EQ(answers.size(), answered.size());
  auto stub = v1::IntakeService::NewStub(inagi_->channel("intake"));
  EXPECT_EQ(ListedConsultations(*stub), answers);

  // Each consultation_received event once in JetStream.
  std::set<std::string> event_ids, event_consultations;
  std::vector<StreamMessage> events = ReceivedEvents();
  for (const auto& m : events) {
    event_ids.insert(m.msg_id);
    v1::EventEnvelope e;
    ASSERT_TRUE(e.ParseFromString(m.data));
    event_consultations.insert(e.consultation_received().consultation_id());
  }
  EXPECT_EQ(events.size(), answers.size());
  EXPECT_EQ(event_ids.size(), answers.size());
  EXPECT_EQ(event_consultations, answers);

  // The derived count equals them, and so does intake's own count of its events.
  auto indicators = v1::IndicatorsService::NewStub(inagi_->channel("indicators"));
  EXPECT_EQ(DerivedConsultationsOnceSettled(*indicators, answers.size()),
            static_cast<double>(answers.size()));
  auto admin = v1::AdminService::NewStub(inagi_->channel("intake", v1::ROLE_OPERATOR));
  v1::EventCounts counts;
  grpc::ClientContext ctx;
  ASSERT_TRUE(admin->CountEvents(&ctx, v1::CountEventsRequest(), &counts).ok());
  double counted = 0;
  for (const auto& c : counts.counts()) {
    if (c.code() == "derived.consultations") counted += c.value();
  }
  EXPECT_EQ(counted, static_cast<double>(answers.size()));

  // No command answered anything but what its batch recorded.
  EXPECT_THAT(ReadFile(inagi_->log_path("intake")),
              ::testing::Not(::testing::HasSubstr("program error")));
}

// An event of a newer version (a payload type this build does not know) in the stream of a
// running instance: renkei-indicators parks it, goes on counting the events after it, shows it
// in renkei_events_parked and keeps it parked — not rejected — across a restart of the same build.
TEST_F(RequestIdsTest, ANewerEventInjectedIntoARunningServiceIsParkedAndCounted) {
  InstanceSpec spec;
  spec.services = {"intake", "indicators"};
  spec.metrics = true;
  inagi_ = std::make_unique<InstanceProcesses>(tmp_.Sub("newer"), nats_->url(), spec);
  ASSERT_TRUE(inagi_->Start("intake").ok());
  ASSERT_TRUE(inagi_->Start("indicators").ok());
  auto intake = v1::IntakeService::NewStub(inagi_->channel("intake"));
  auto consult = [&](int n) {
    v1::Consultation out;
    grpc::ClientContext ctx;
    ASSERT_TRUE(
        intake->CreateConsultation(&ctx, NewConsultation(common::NewId("req"), n), &out).ok());
  };
  consult(1);
  common::NatsOptions o;
  o.url = nats_->url();
  auto bus = common::NatsBus::Connect(o);
  ASSERT_TRUE(bus.ok());
  ASSERT_TRUE((*bus)->WaitConnected(5000));
  v1::EventEnvelope newer = common::NewEvent({"m132250"}, "consultation", "con_from_the_future", 3,
                                             v1::SHARE_LEVEL_PREFECTURE, "132250");
  v1::EventEnvelope::GetReflection()->MutableUnknownFields(&newer)->AddLengthDelimited(
      290, "\x0a\x02ok");
  auto published = (*bus)->PublishBatch({{"renkei.pref.m132250.consultation.consultation_reopened",
                                          newer.id(), newer.SerializeAsString()}},
                                        5000);
  ASSERT_TRUE(published.at(0).status.ok()) << published.at(0).status;
  consult(2);

  auto indicators = v1::IndicatorsService::NewStub(inagi_->channel("indicators"));
  ASSERT_TRUE(
      WaitFor([&] { return DerivedConsultations(*indicators) == 2; }, std::chrono::seconds(30)));
  const std::string metrics = inagi_->metrics_address("indicators");
  const std::string derived = "consumer=\"indicators_derived\"";
  ASSERT_TRUE(WaitFor([&] { return MetricValue(metrics, "renkei_events_parked", derived) == 1; },
                      std::chrono::seconds(20)))
      << ReadFile(inagi_->log_path("indicators"));
  EXPECT_TRUE(WaitFor([&] { return MetricValue(metrics, "renkei_consumer_pending", derived) == 0; },
                      std::chrono::seconds(20)));
  EXPECT_EQ(MetricValue(metrics, "renkei_events_consumed_total", "result=\"parked\"").value_or(0),
            1.0);
  EXPECT_THAT(ReadFile(inagi_->log_path("indicators")),
              ::testing::HasSubstr("event from a newer version parked"));
  // The rest of what the alert rules read (deploy/prometheus/renkei-alerts.yml) is there too.
  EXPECT_GT(MetricValue(metrics, "renkei_store_disk_free_bytes").value_or(0), 0);
  EXPECT_GE(MetricValue(metrics, "renkei_store_disk_total_bytes").value_or(0),
            MetricValue(metrics, "renkei_store_disk_free_bytes").value_or(1));
  EXPECT_GT(MetricValue(metrics, "renkei_audit_last_seal_timestamp_seconds").value_or(0),
            1.7e9);  // sealed since start-up (unix seconds)
  EXPECT_EQ(MetricValue(metrics, "renkei_audit_seal_failures_total"), 0.0);
  EXPECT_EQ(MetricValue(metrics, "renkei_store_format_version"), 1.0);
  // The whole exposition, these included, passes Prometheus' own checker.
  auto [promtool_rc, promtool_out] =
      RunShell("curl -sS http://" + metrics + "/metrics | promtool check metrics");
  EXPECT_EQ(promtool_rc, 0) << promtool_out;
  EXPECT_EQ(MetricValue(metrics, "renkei_build_info",
                        "version=\"" + std::string(common::RenkeiVersion()) + "\""),
            1.0);

  // Restarted (the same build): still parked, nothing rejected, counting goes on.
  inagi_->Stop("indicators");
  ASSERT_TRUE(inagi_->Start("indicators").ok());
  consult(3);
  ASSERT_TRUE(
      WaitFor([&] { return DerivedConsultations(*indicators) == 3; }, std::chrono::seconds(30)));
  ASSERT_TRUE(WaitFor([&] { return MetricValue(metrics, "renkei_events_parked", derived) == 1; },
                      std::chrono::seconds(20)));
  EXPECT_THAT(ReadFile(inagi_->log_path("indicators")),
              ::testing::Not(::testing::HasSubstr("event rejected")));
}

// The real renkei-intake on data as an older version left it (no data format recorded: every
// version before formats were) starts, serves it and records format 1; on data a newer version
// wrote (format 99) it refuses to start, exit 2, saying what to do — and changes nothing.
TEST_F(RequestIdsTest, TheRealBinaryUpgradesAnOlderStoreAndRefusesANewerOne) {
  ASSERT_TRUE(inagi_->Start("intake").ok());
  auto stub = v1::IntakeService::NewStub(inagi_->channel("intake"));
  v1::Consultation created;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(
        stub->CreateConsultation(&ctx, NewConsultation(common::NewId("req"), 1), &created).ok());
  }
  inagi_->Stop("intake");
  const std::string data_dir = inagi_->data_dir() + "/data/intake";
  auto set_format = [&](const std::string& format) {
    auto store = common::Store::Open({.path = data_dir, .column_families = {}});
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ(*(*store)->Get((*store)->Cf("default"), common::kDataFormatKey), "1");
    common::Batch batch;
    if (format.empty()) {
      batch.Delete((*store)->Cf("default"), common::kDataFormatKey);
    } else {
      batch.Put((*store)->Cf("default"), common::kDataFormatKey, format);
    }
    ASSERT_TRUE((*store)->Write(batch).ok());
  };
  set_format("");  // as an older version left it
  ASSERT_TRUE(inagi_->Start("intake").ok());
  EXPECT_EQ(ListedConsultations(*stub), std::set<std::string>{created.id()});
  inagi_->Stop("intake");

  set_format("99");  // (checks that format 1 was recorded first)
  auto [rc, out] =
      RunShell(BinaryPath("renkei-intake") + " --config " + inagi_->config_path() + " 2>&1");
  EXPECT_EQ(rc, 2) << out;
  EXPECT_THAT(out, ::testing::HasSubstr("has data format 99, written by a newer version of "
                                        "renkei-intake; this version"));
  EXPECT_THAT(out, ::testing::HasSubstr("restore a backup this version took"));
  auto store = common::Store::Open({.path = data_dir, .column_families = {}, .read_only = true});
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(*(*store)->Get((*store)->Cf("default"), common::kDataFormatKey), "99");
}

// A rolling restart (docs/compatibility.md, "Upgrading an instance"): every service of the
// instance stopped with SIGTERM and started again, one after the other, while clients create
// consultations and resources and retry every failed call with its request id. No command fails
// for good, none is applied twice, and the consumers restarted on the way miss nothing.
TEST_F(RequestIdsTest, ARollingRestartOfEveryServiceUnderLoadLosesNoCommand) {
  const std::vector<std::string> services = {"directory", "intake",     "issues",
                                             "training",  "indicators", "network"};
  InstanceSpec spec;
  spec.services = services;
  inagi_ = std::make_unique<InstanceProcesses>(tmp_.Sub("rolling"), nats_->url(), spec);
  for (const auto& service : services) ASSERT_TRUE(inagi_->Start(service).ok()) << service;

  std::atomic<bool> done{false};
  std::atomic<int> retried{0};
  std::atomic<int> cancelled{0};
  std::mutex mu;
  std::map<std::string, std::string> consultations, resources;  // request id -> id
  // Calls `call` until it succeeds; every failure must be one a retry is for, as renkeictl and
  // the gateway retry: UNAVAILABLE, DEADLINE_EXCEEDED, and CANCELLED by a service that stopped
  // while handling the call — which may have committed it (seen here: the request id is what
  // makes the retry safe).
  auto until_answered = [&](const std::function<grpc::Status()>& call) {
    for (int attempt = 0;; ++attempt) {
      ASSERT_LT(attempt, 600);
      grpc::Status s = call();
      if (s.ok()) return;
      ASSERT_TRUE(s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                  s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                  s.error_code() == grpc::StatusCode::CANCELLED)
          << s.error_code() << " " << s.error_message();
      if (s.error_code() == grpc::StatusCode::CANCELLED) ++cancelled;
      ++retried;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  std::vector<std::thread> clients;
  clients.reserve(6);
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      auto stub = v1::IntakeService::NewStub(inagi_->channel("intake"));
      for (int i = 0; !done; ++i) {
        const std::string id = common::NewId("req");
        const auto request = NewConsultation(id, c * 10000 + i);
        v1::Consultation out;
        until_answered([&] {
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
          return stub->CreateConsultation(&ctx, request, &out);
        });
        std::lock_guard<std::mutex> lock(mu);
        consultations[id] = out.id();
        std::this_thread::sleep_for(std::chrono::milliseconds(40));  // paced: a steady load
      }
    });
  }
  for (int c = 0; c < 2; ++c) {
    clients.emplace_back([&, c] {
      auto stub = v1::DirectoryService::NewStub(inagi_->channel("directory"));
      for (int i = 0; !done; ++i) {
        v1::UpsertResourceRequest request;
        request.set_request_id(common::NewId("req"));
        v1::Resource* r = request.mutable_resource();
        r->set_kind(v1::RESOURCE_KIND_CLINIC);
        r->set_name("稲城 再起動クリニック " + std::to_string(c) + "-" + std::to_string(i));
        r->set_municipality_code("132250");
        r->mutable_location()->set_latitude(35.63);
        r->mutable_location()->set_longitude(139.50);
        v1::UpsertResourceResponse out;
        until_answered([&] {
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
          return stub->UpsertResource(&ctx, request, &out);
        });
        std::lock_guard<std::mutex> lock(mu);
        resources[request.request_id()] = out.resource().id();
        std::this_thread::sleep_for(std::chrono::milliseconds(40));
      }
    });
  }

  // One service after the other, as an upgrade does: stop (SIGTERM: calls under way finish),
  // start, wait until it serves, a second of load, the next.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  for (const auto& service : services) {
    const auto begin = std::chrono::steady_clock::now();
    inagi_->Stop(service);
    ASSERT_TRUE(inagi_->Start(service).ok()) << service;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - begin)
                        .count();
    std::printf("%s restarted in %lld ms\n", service.c_str(), static_cast<long long>(ms));
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  done = true;
  for (auto& t : clients) t.join();
  std::printf(
      "consultations: %zu, resources: %zu, calls retried with their request id: %d (of them "
      "CANCELLED by a stopping service: %d)\n",
      consultations.size(), resources.size(), retried.load(), cancelled.load());
  RecordProperty("calls_retried", retried.load());
  EXPECT_GT(retried.load(), 0);  // the restarts were felt
  ASSERT_GT(consultations.size(), 50u);
  ASSERT_GT(resources.size(), 20u);

  // Each command applied once: as many records as request ids, all different, all stored.
  std::set<std::string> consultation_ids, resource_ids;
  for (const auto& [request, id] : consultations) consultation_ids.insert(id);
  for (const auto& [request, id] : resources) resource_ids.insert(id);
  EXPECT_EQ(consultation_ids.size(), consultations.size());
  EXPECT_EQ(resource_ids.size(), resources.size());
  auto intake = v1::IntakeService::NewStub(inagi_->channel("intake"));
  EXPECT_EQ(ListedConsultations(*intake), consultation_ids);

  // Their events once each in the stream, and the consumers restarted on the way counted every
  // consultation once (renkei-indicators' derived count).
  EXPECT_EQ(ReceivedEvents().size(), consultation_ids.size());
  common::NatsOptions o;
  o.url = nats_->url();
  auto bus = common::NatsBus::Connect(o);
  ASSERT_TRUE(bus.ok());
  (*bus)->WaitConnected(5000);
  std::set<std::string> upserted;
  for (const auto& m : ReadStream(**bus, kStream, "renkei.*.m132250.resource.resource_upserted")) {
    v1::EventEnvelope e;
    ASSERT_TRUE(e.ParseFromString(m.data));
    EXPECT_TRUE(upserted.insert(e.aggregate_id()).second) << "twice: " << e.aggregate_id();
  }
  EXPECT_EQ(upserted, resource_ids);
  auto indicators = v1::IndicatorsService::NewStub(inagi_->channel("indicators"));
  EXPECT_EQ(DerivedConsultationsOnceSettled(*indicators, consultation_ids.size()),
            static_cast<double>(consultation_ids.size()));
}

}  // namespace
}  // namespace renkei::testing
