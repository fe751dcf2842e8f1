// The federation on real nats-servers (one per instance, leaf links, JetStream domains and
// stream sourcing rendered from the instance files) with the real service binaries: what a
// municipality enters reaches its prefecture and the nation and nothing else does; a cut link
// or a killed prefectural nats-server loses nothing and doubles nothing.
#include "renkei/common/federation.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "federation_harness.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/bus.h"
#include "renkei/common/clock.h"
#include "renkei/common/config.h"
#include "renkei/common/events.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/v1/directory.grpc.pb.h"
#include "renkei/v1/indicators.grpc.pb.h"
#include "renkei/v1/intake.grpc.pb.h"
#include "renkei/v1/issues.grpc.pb.h"
#include "renkei/v1/training.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::HasSubstr;
using DirectoryStub = v1::DirectoryService::Stub;
using IndicatorsStub = v1::IndicatorsService::Stub;

constexpr char kPersonName[] = "連携試験 花子";
constexpr char kIndicator[] = "home_death_ratio";
constexpr char kPeriod[] = "2026-10";

// The municipalities, their names as a resource prefix, and the (numerator, denominator) each
// records.
struct Municipality {
  const char* id;
  const char* code;
  double numerator, denominator;
};
constexpr Municipality kMunicipalities[] = {
    {"m132250", "132250", 12, 40}, {"m132080", "132080", 30, 90}, {"m112020", "112020", 21, 70}};

class FederationTest : public ::testing::Test {
 protected:
  // The six instances with these services (by level).
  void StartFederation(const std::vector<std::string>& municipal,
                       const std::vector<std::string>& prefecture,
                       const std::vector<std::string>& national) {
    auto fed = LocalFederation::Start(tmp_.path(),
                                      LocalFederation::Standard(municipal, prefecture, national));
    ASSERT_TRUE(fed.ok()) << fed.status();
    fed_ = std::move(*fed);
  }
  void StartWithData() {
    StartFederation({"directory", "intake", "issues", "indicators"},
                    {"directory", "issues", "indicators"}, {"indicators"});
  }

  std::unique_ptr<DirectoryStub> Directory(const std::string& id) {
    return v1::DirectoryService::NewStub(fed_->channel(id, "directory"));
  }
  std::unique_ptr<IndicatorsStub> Indicators(const std::string& id) {
    return v1::IndicatorsService::NewStub(fed_->channel(id, "indicators"));
  }

  // A resource of the municipality, named so its origin shows.
  std::string AddResource(const std::string& id, const std::string& code, int n) {
    v1::UpsertResourceRequest r;
    auto* res = r.mutable_resource();
    res->set_kind(v1::RESOURCE_KIND_VISITING_NURSE_STATION);
    res->set_name("連携試験 訪問看護 " + code + "-" + std::to_string(n));
    res->set_municipality_code(code);
    const auto* m = common::Jurisdictions::Get().FindMunicipality(code);
    res->mutable_location()->set_latitude(m->office_lat);
    res->mutable_location()->set_longitude(m->office_lon);
    v1::UpsertResourceResponse resp;
    auto s = Call(*Directory(id), &DirectoryStub::UpsertResource, r, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.resource().id();
  }

  // The ids of the resources a directory finds in a municipality.
  std::set<std::string> ResourcesIn(const std::string& at, const std::string& code) {
    v1::SearchResourcesRequest r;
    r.set_municipality_code(code);
    r.set_page_size(200);
    v1::SearchResourcesResponse resp;
    auto s = Call(*Directory(at), &DirectoryStub::SearchResources, r, &resp);
    EXPECT_TRUE(s.ok()) << at << ": " << s.error_message();
    std::set<std::string> ids;
    // (A search that finds nothing inside falls back to the nearest outside: only the
    // municipality's own count.)
    for (const auto& h : resp.hits()) {
      if (h.resource().municipality_code() == code) ids.insert(h.resource().id());
    }
    return ids;
  }

  void DefineNationalIndicator() {
    v1::DefineIndicatorRequest r;
    auto* s = r.mutable_definition()->mutable_spec();
    s->set_code(kIndicator);
    s->set_name_ja("在宅看取りの割合");
    s->set_unit("%");
    s->set_kind(v1::INDICATOR_KIND_RATIO);
    s->add_methods(v1::MEASUREMENT_METHOD_SURVEY);
    s->set_frequency(v1::MEASUREMENT_FREQUENCY_MONTHLY);
    s->set_direction(v1::DIRECTION_HIGHER_IS_BETTER);
    r.mutable_definition()->set_origin(v1::INDICATOR_ORIGIN_NATIONAL);
    v1::IndicatorDefinition d;
    auto st = Call(*Indicators("national"), &IndicatorsStub::DefineIndicator, r, &d);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  bool HasIndicator(const std::string& id) {
    v1::GetIndicatorRequest r;
    r.set_code(kIndicator);
    v1::IndicatorDefinition d;
    return Call(*Indicators(id), &IndicatorsStub::GetIndicator, r, &d).ok();
  }

  void Record(const Municipality& m, double numerator, double denominator, int64_t version) {
    v1::RecordObservationRequest r;
    auto* o = r.mutable_observation();
    o->set_indicator_code(kIndicator);
    o->set_jurisdiction_code(m.code);
    o->set_period(kPeriod);
    o->set_numerator(numerator);
    o->set_denominator(denominator);
    r.set_expected_version(version);
    v1::Observation out;
    auto s = Call(*Indicators(m.id), &IndicatorsStub::RecordObservation, r, &out);
    ASSERT_TRUE(s.ok()) << m.id << ": " << s.error_message();
  }

  // The roll-up at `at` for `jurisdiction` (a prefecture's code or "000000").
  std::optional<v1::RollUpValue> RollUp(const std::string& at, const std::string& jurisdiction) {
    v1::RollUpRequest r;
    r.set_indicator_code(kIndicator);
    r.set_period(kPeriod);
    r.set_jurisdiction_code(jurisdiction);
    v1::RollUpValue v;
    if (!Call(*Indicators(at), &IndicatorsStub::RollUp, r, &v).ok()) return std::nullopt;
    return v;
  }

  bool RollUpIs(const std::string& at, const std::string& jurisdiction, double numerator,
                double denominator, int reporting) {
    auto v = RollUp(at, jurisdiction);
    return v && v->numerator() == numerator && v->denominator() == denominator &&
           v->reporting() == reporting;
  }

  // Every message of every stream of the instance's nats-server.
  std::vector<StreamMessage> Everything(const std::string& id) {
    std::vector<StreamMessage> all;
    for (const char* s : {"RENKEI_EVENTS", common::kSharePrefStream, common::kShareNationalStream,
                          common::kChildrenStream, common::kDownStream, common::kParentStream}) {
      if (StreamCount(*fed_->node(id).bus, s) == 0) continue;
      for (auto& m : ReadStream(*fed_->node(id).bus, s)) all.push_back(std::move(m));
    }
    return all;
  }

  // Waits until the streams of the instances stop growing (no message for half a second):
  // sourcing between servers has settled, and what follows may check what is absent.
  void WaitUntilQuiet(const std::vector<std::string>& ids) {
    auto counts = [&] {
      std::vector<uint64_t> c;
      for (const auto& id : ids) {
        for (const char* s :
             {"RENKEI_EVENTS", common::kSharePrefStream, common::kShareNationalStream,
              common::kChildrenStream, common::kDownStream, common::kParentStream}) {
          c.push_back(StreamCount(*fed_->node(id).bus, s));
        }
      }
      return c;
    };
    std::vector<uint64_t> last = counts();
    auto quiet_since = std::chrono::steady_clock::now();
    ASSERT_TRUE(WaitFor(
        [&] {
          std::vector<uint64_t> now = counts();
          if (now != last) {
            last = now;
            quiet_since = std::chrono::steady_clock::now();
          }
          return std::chrono::steady_clock::now() - quiet_since >= std::chrono::milliseconds(500);
        },
        std::chrono::seconds(60)));
  }

  // Whether any file under `dir` contains `needle` (raw bytes: the JetStream store).
  static bool AnyFileContains(const std::string& dir, const std::string& needle) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      if (ReadFile(e.path().string()).find(needle) != std::string::npos) return true;
    }
    return false;
  }

  TempDir tmp_;
  std::unique_ptr<LocalFederation> fed_;
};

TEST_F(FederationTest, DataReachesItsPrefectureAndTheNationAndNothingElse) {
  ASSERT_NO_FATAL_FAILURE(StartWithData());
  // The nation defines an indicator; it reaches every instance below.
  DefineNationalIndicator();
  for (const char* id : {"p13", "p11", "m132250", "m132080", "m112020"}) {
    EXPECT_TRUE(WaitFor([&] { return HasIndicator(id); }, std::chrono::seconds(30))) << id;
  }
  // Each municipality enters resources, an observation and a consultation with personal data;
  // Inagi also has a `local` event (no service emits one yet: it is published directly).
  std::map<std::string, std::set<std::string>> resources;
  for (const auto& m : kMunicipalities) {
    for (int i = 0; i < 3; ++i) resources[m.code].insert(AddResource(m.id, m.code, i));
    Record(m, m.numerator, m.denominator, 0);
    v1::CreateConsultationRequest c;
    c.set_channel(v1::CHANNEL_PHONE);
    c.set_source_type(v1::SOURCE_TYPE_PATIENT_FAMILY);
    c.mutable_person()->set_name(kPersonName);
    c.add_needs()->set_capability("parkinsons");
    v1::Consultation out;
    auto stub = v1::IntakeService::NewStub(fed_->channel(m.id, "intake"));
    auto s = Call(*stub, &v1::IntakeService::Stub::CreateConsultation, c, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto& inagi = *fed_->node("m132250").bus;
  auto local = inagi.PublishBatch(
      {{"renkei.local.m132250.consultation.local_note", "evt-local-test-1", "ローカルのみ"}}, 5000);
  ASSERT_TRUE(local[0].status.ok());

  // The prefecture's directory holds its municipalities' resources; each municipality holds its
  // prefecture's (sourced down); Saitama's never reach Tokyo's side, nor Tokyo's Saitama's.
  auto holds = [&](const std::string& at, const std::string& code) {
    return WaitFor([&] { return ResourcesIn(at, code) == resources[code]; },
                   std::chrono::seconds(30));
  };
  EXPECT_TRUE(holds("p13", "132250"));
  EXPECT_TRUE(holds("p13", "132080"));
  EXPECT_TRUE(holds("p11", "112020"));
  EXPECT_TRUE(holds("m132080", "132250"));  // Chofu finds Inagi's resources
  EXPECT_TRUE(holds("m132250", "132080"));
  EXPECT_TRUE(ResourcesIn("p13", "112020").empty());
  EXPECT_TRUE(ResourcesIn("m132250", "112020").empty());
  EXPECT_TRUE(ResourcesIn("p11", "132250").empty());
  EXPECT_TRUE(ResourcesIn("m112020", "132250").empty());

  // Roll-ups from the municipalities' numerators and denominators: Tokyo at the prefecture and
  // at the nation, the nation from both prefectures.
  EXPECT_TRUE(
      WaitFor([&] { return RollUpIs("p13", "130001", 42, 130, 2); }, std::chrono::seconds(30)));
  EXPECT_TRUE(WaitFor([&] { return RollUpIs("national", "130001", 42, 130, 2); },
                      std::chrono::seconds(30)));
  EXPECT_TRUE(
      WaitFor([&] { return RollUpIs("national", "000000", 63, 200, 2); }, std::chrono::seconds(30)))
      << RollUp("national", "000000")->DebugString();
  EXPECT_TRUE(RollUpIs("p11", "110001", 21, 70, 1));
  auto rolled = RollUp("p13", "130001");
  ASSERT_TRUE(rolled);
  EXPECT_DOUBLE_EQ(rolled->value(), 42.0 / 130);  // not the mean of 0.3 and 0.333

  // Scan every stream above the municipalities: no local event, no personal data, and no
  // event of another prefecture's municipalities; at the nation no prefecture-share event.
  WaitUntilQuiet({"p13", "p11", "national"});
  for (const char* id : {"p13", "p11", "national"}) {
    const auto all = Everything(id);
    EXPECT_FALSE(all.empty()) << id;
    for (const auto& m : all) {
      EXPECT_NE(m.subject.rfind("renkei.local.", 0), 0u) << id << " holds " << m.subject;
      EXPECT_EQ(m.data.find(kPersonName), std::string::npos) << id << " " << m.subject;
      if (std::string(id) == "p13") {
        EXPECT_EQ(m.subject.find(".m112020."), std::string::npos) << m.subject;
      }
      if (std::string(id) == "p11") {
        EXPECT_EQ(m.subject.find(".m132250."), std::string::npos) << m.subject;
        EXPECT_EQ(m.subject.find(".m132080."), std::string::npos) << m.subject;
      }
      if (std::string(id) == "national") {
        EXPECT_EQ(m.subject.rfind("renkei.pref.", 0), std::string::npos) << m.subject;
      }
    }
    // The raw JetStream store too.
    EXPECT_FALSE(AnyFileContains(fed_->node(id).dir + "/nats/store", kPersonName)) << id;
    EXPECT_FALSE(AnyFileContains(fed_->node(id).dir + "/nats/store", "local_note")) << id;
  }
  // Inagi's consultations reached Tokyo (prefecture share), not Saitama or the nation.
  auto consultations_at = [&](const std::string& id) {
    int n = 0;
    for (const auto& m : Everything(id))
      n += m.subject.find(".m132250.consultation.") != std::string::npos;
    return n;
  };
  EXPECT_GT(consultations_at("p13"), 0);
  EXPECT_EQ(consultations_at("p11"), 0);
  EXPECT_EQ(consultations_at("national"), 0);
  // The sibling does not receive Inagi's consultations either (only resources come down).
  EXPECT_EQ(consultations_at("m132080"), 0);
  // The local event is in Inagi's own stream, and nowhere else.
  EXPECT_EQ(ReadStream(inagi, "RENKEI_EVENTS", "renkei.local.m132250.>").size(), 1u);

  // A wide-area issue: Inagi escalates it (naming Chofu), Tokyo receives it linked to its origin
  // and completes step 1; the status flows back to Inagi's issue and to Chofu, not to Kumagaya.
  using IssuesStub = v1::IssuesService::Stub;
  auto inagi_issues = v1::IssuesService::NewStub(fed_->channel("m132250", "issues"));
  v1::CreateIssueRequest create;
  create.set_theme("【看取り】市境をまたぐ訪問診療の連携");
  create.set_scope(v1::ISSUE_SCOPE_WIDE_AREA);
  create.add_related_municipality_codes("132080");
  v1::RegionalIssue issue;
  ASSERT_TRUE(Call(*inagi_issues, &IssuesStub::CreateIssue, create, &issue).ok());
  v1::UpdateIssueRequest update;
  update.set_id(issue.id());
  update.set_expected_version(issue.version());
  update.set_target_state("市境に関係なく、在宅で最期まで過ごせる");
  ASSERT_TRUE(Call(*inagi_issues, &IssuesStub::UpdateIssue, update, &issue).ok());
  v1::EscalateIssueRequest escalate;
  escalate.set_id(issue.id());
  escalate.set_expected_version(issue.version());
  auto es = Call(*inagi_issues, &IssuesStub::EscalateIssue, escalate, &issue);
  ASSERT_TRUE(es.ok()) << es.error_message();
  auto tokyo_issues = v1::IssuesService::NewStub(fed_->channel("p13", "issues"));
  v1::ListIssuesResponse at_tokyo;
  ASSERT_TRUE(WaitFor(
      [&] {
        v1::ListIssuesRequest r;
        return Call(*tokyo_issues, &IssuesStub::ListIssues, r, &at_tokyo).ok() &&
               at_tokyo.issues_size() == 1;
      },
      std::chrono::seconds(30)));
  v1::GetIssueRequest get;
  get.set_id(at_tokyo.issues(0).id());
  v1::IssueWithHistory wide;
  ASSERT_TRUE(Call(*tokyo_issues, &IssuesStub::GetIssue, get, &wide).ok());
  EXPECT_EQ(wide.issue().origin_issue_id(), issue.id());
  EXPECT_EQ(wide.issue().origin_instance(), "m132250");
  v1::AdvanceStepRequest advance;
  advance.set_id(wide.issue().id());
  advance.set_expected_version(wide.issue().version());
  v1::RegionalIssue advanced;
  auto as = Call(*tokyo_issues, &IssuesStub::AdvanceStep, advance, &advanced);
  ASSERT_TRUE(as.ok()) << as.error_message();
  EXPECT_TRUE(WaitFor(
      [&] {
        v1::GetIssueRequest g;
        g.set_id(issue.id());
        v1::IssueWithHistory mine;
        return Call(*inagi_issues, &IssuesStub::GetIssue, g, &mine).ok() &&
               mine.issue().wide_area().prefecture_issue_id() == wide.issue().id() &&
               mine.issue().wide_area().current_step() == 2;
      },
      std::chrono::seconds(30)));
  auto wide_area_at = [&](const std::string& id) {
    auto stub = v1::IssuesService::NewStub(fed_->channel(id, "issues"));
    v1::ListWideAreaIssuesRequest r;
    v1::ListWideAreaIssuesResponse out;
    EXPECT_TRUE(Call(*stub, &IssuesStub::ListWideAreaIssues, r, &out).ok());
    return out;
  };
  EXPECT_TRUE(WaitFor(
      [&] {
        auto chofu = wide_area_at("m132080");
        return chofu.issues_size() == 1 && chofu.issues(0).current_step() == 2 &&
               chofu.issues(0).origin_issue_id().empty();
      },
      std::chrono::seconds(30)));
  EXPECT_EQ(wide_area_at("m132250").issues(0).origin_issue_id(), issue.id());
  EXPECT_EQ(wide_area_at("m112020").issues_size(), 0);

  // Every instance's federation streams are as configured: nats-server 2.9 kept every source
  // with its filter and domain (it silently drops settings it does not know).
  for (const auto& id : fed_->ids()) {
    auto config = common::LoadInstanceConfig(fed_->node(id).processes->config_path());
    ASSERT_TRUE(config.ok()) << config.status();
    for (const auto& spec : common::FederationStreams(*config)) {
      auto info = fed_->node(id).bus->GetStreamInfo(spec.name);
      ASSERT_TRUE(info.ok()) << id << " " << spec.name << ": " << info.status();
      ASSERT_EQ(info->configured_sources.size(), spec.sources.size()) << id << " " << spec.name;
      for (size_t i = 0; i < spec.sources.size(); ++i) {
        EXPECT_EQ(info->configured_sources[i].name, spec.sources[i].name);
        EXPECT_EQ(info->configured_sources[i].filter_subject, spec.sources[i].filter_subject)
            << id << " " << spec.name;
        EXPECT_EQ(info->configured_sources[i].domain, spec.sources[i].domain);
      }
      // And every source is flowing (one per source: none collapsed into another).
      EXPECT_EQ(info->sources.size(), spec.sources.size()) << id << " " << spec.name;
    }
  }

  // A leaf node without its own credentials is refused by the prefecture's hub.
  const int intruder_port = FreePort();
  const std::string intruder_dir = tmp_.Sub("intruder");
  std::filesystem::create_directories(intruder_dir);
  std::ofstream(intruder_dir + "/nats.conf")
      << "listen: \"127.0.0.1:" << intruder_port << "\"\nserver_name: \"intruder\"\n"
      << "leafnodes { remotes: [ { url: \"nats-leaf://m132250:wrong-password@127.0.0.1:"
      << fed_->node("p13").leaf_port << "\" } ] }\n";
  auto intruder = NatsServer::StartConfigured(intruder_dir + "/nats", intruder_dir + "/nats.conf");
  ASSERT_TRUE(intruder.ok()) << intruder.status();
  EXPECT_TRUE(WaitFor(
      [&] {
        return ReadFile(intruder_dir + "/nats/nats-server.log").find("Authorization Violation") !=
               std::string::npos;
      },
      std::chrono::seconds(15)))
      << ReadFile(intruder_dir + "/nats/nats-server.log");
  (*intruder)->Stop();

  // The parent cannot read the child's own stream: its nats-server refuses the API call.
  common::NatsOptions o;
  o.url = "nats://127.0.0.1:" + std::to_string(fed_->node("p13").nats_port);
  o.jetstream_domain = "m132250";
  o.api_timeout_ms = 2000;
  auto spy = common::NatsBus::Connect(o);
  ASSERT_TRUE(spy.ok());
  ASSERT_TRUE((*spy)->WaitConnected(5000));
  common::ConsumerSpec cs;
  cs.stream = "RENKEI_EVENTS";
  cs.durable = "spy";
  cs.filter_subject = "renkei.local.>";
  EXPECT_FALSE((*spy)->PullSubscribe(cs).ok());
  EXPECT_FALSE((*spy)->DeleteStream(common::kSharePrefStream).ok());
  // What the parent may source it can: the share stream's info answers.
  EXPECT_TRUE((*spy)->GetStreamState(common::kShareNationalStream).ok());
}

v1::Training OnlineTraining(const std::string& title, int capacity, int64_t start_in_hours) {
  v1::Training t;
  t.set_title(title);
  t.add_audiences(v1::AUDIENCE_ROLE_COORDINATORS);
  auto* skill = t.add_target_skills();
  skill->set_skill_code("explain_dying_process");
  skill->set_level(v1::SKILL_LEVEL_PRACTITIONER);
  t.set_sessions_are_one_course(true);
  auto* s = t.add_sessions();
  const int64_t hour = 3600LL * 1000000;
  const int64_t now = common::SystemClock::Get()->NowMicros();
  *s->mutable_starts_at() = common::TimestampFromMicros(now + start_in_hours * hour);
  *s->mutable_ends_at() = common::TimestampFromMicros(now + (start_in_hours + 2) * hour);
  s->set_online(true);
  s->set_online_url("https://meet.example.jp/renkei");
  s->set_capacity(capacity);
  return t;
}

TEST_F(FederationTest, TrainingsGoDownRegistrationsGoUpAndOutcomesComeBack) {
  ASSERT_NO_FATAL_FAILURE(StartFederation({"training"}, {"training"}, {"training"}));
  using TrainingStub = v1::TrainingService::Stub;
  auto stub = [&](const std::string& id) {
    return v1::TrainingService::NewStub(fed_->channel(id, "training"));
  };
  // Tokyo schedules a training with one seat; the nation one with ten.
  v1::CreateTrainingRequest create;
  *create.mutable_training() = OnlineTraining("家族に看取りのプロセスを説明する (東京都)", 1, 240);
  v1::Training tokyo_training;
  auto st = Call(*stub("p13"), &TrainingStub::CreateTraining, create, &tokyo_training);
  ASSERT_TRUE(st.ok()) << st.error_message();
  *create.mutable_training() = OnlineTraining("全国 在宅医療・介護連携 研修 (国)", 10, 300);
  create.mutable_training()->set_quota_per_municipality(1);
  v1::Training national_training;
  st = Call(*stub("national"), &TrainingStub::CreateTraining, create, &national_training);
  ASSERT_TRUE(st.ok()) << st.error_message();

  auto visible = [&](const std::string& at, const std::string& code) {
    v1::ListTrainingsRequest r;
    r.set_municipality_code(code);
    v1::ListTrainingsResponse out;
    std::set<std::string> ids;
    if (!Call(*stub(at), &TrainingStub::ListTrainings, r, &out).ok()) return ids;
    for (const auto& t : out.trainings()) ids.insert(t.id());
    return ids;
  };
  const std::set<std::string> both = {tokyo_training.id(), national_training.id()};
  for (const auto& node : std::vector<std::pair<std::string, std::string>>{{"m132250", "132250"},
                                                                           {"m132080", "132080"}}) {
    // (A lambda may capture a structured binding from C++20 on; this is C++17.)
    EXPECT_TRUE(
        WaitFor([&] { return visible(node.first, node.second) == both; }, std::chrono::seconds(30)))
        << node.first;
  }
  EXPECT_TRUE(WaitFor(
      [&] { return visible("m112020", "112020") == std::set<std::string>{national_training.id()}; },
      std::chrono::seconds(30)));
  // A copy cannot be changed where it is not organized.
  v1::CancelTrainingRequest cancel_copy;
  cancel_copy.set_id(tokyo_training.id());
  cancel_copy.set_expected_version(tokyo_training.version());
  cancel_copy.set_reason("test");
  v1::Training ignored;
  EXPECT_EQ(
      Call(*stub("m132250"), &TrainingStub::CancelTraining, cancel_copy, &ignored).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);

  // Inagi and Chofu each register a coordinator for Tokyo's single seat.
  auto register_at = [&](const std::string& at, const std::string& code,
                         const std::string& training_id,
                         const std::string& participant = "coord-01") {
    v1::RegisterRequest r;
    auto* reg = r.mutable_registration();
    reg->set_training_id(training_id);
    reg->set_participant_id(participant);
    reg->set_participant_name(kPersonName);
    reg->set_municipality_code(code);
    reg->set_role(v1::AUDIENCE_ROLE_COORDINATORS);
    v1::Registration out;
    auto s = Call(*stub(at), &TrainingStub::Register, r, &out);
    EXPECT_TRUE(s.ok()) << at << ": " << s.error_message();
    EXPECT_EQ(out.status(), v1::REGISTRATION_STATUS_REQUESTED);
    return out.id();
  };
  auto registration_at = [&](const std::string& at, const std::string& id) {
    v1::GetRegistrationRequest r;
    r.set_id(id);
    v1::Registration out;
    Call(*stub(at), &TrainingStub::GetRegistration, r, &out);
    return out;
  };
  auto status_at = [&](const std::string& at, const std::string& id) {
    return registration_at(at, id).status();
  };
  const std::string inagi_reg = register_at("m132250", "132250", tokyo_training.id());
  ASSERT_TRUE(
      WaitFor([&] { return status_at("m132250", inagi_reg) == v1::REGISTRATION_STATUS_CONFIRMED; },
              std::chrono::seconds(30)));
  const std::string chofu_reg = register_at("m132080", "132080", tokyo_training.id());
  ASSERT_TRUE(
      WaitFor([&] { return status_at("m132080", chofu_reg) == v1::REGISTRATION_STATUS_WAITLISTED; },
              std::chrono::seconds(30)));
  // Chofu's copy says why, in the organizer's words.
  EXPECT_THAT(registration_at("m132080", chofu_reg).organizer_reason(),
              HasSubstr("定員に達している"));
  // Tokyo holds both, by municipality-qualified participant ids, without names.
  v1::ListRegistrationsRequest lr;
  lr.set_training_id(tokyo_training.id());
  v1::ListRegistrationsResponse at_tokyo;
  ASSERT_TRUE(Call(*stub("p13"), &TrainingStub::ListRegistrations, lr, &at_tokyo).ok());
  ASSERT_EQ(at_tokyo.registrations_size(), 2);
  EXPECT_EQ(at_tokyo.registrations(0).participant_id(), "132250.coord-01");
  EXPECT_EQ(at_tokyo.registrations(1).participant_id(), "132080.coord-01");
  for (const auto& r : at_tokyo.registrations()) EXPECT_TRUE(r.participant_name().empty());

  // Inagi cancels: Tokyo frees the seat and promotes Chofu's coordinator, and Chofu hears it.
  v1::CancelRegistrationRequest cancel;
  cancel.set_id(inagi_reg);
  v1::Registration cancelled;
  ASSERT_TRUE(Call(*stub("m132250"), &TrainingStub::CancelRegistration, cancel, &cancelled).ok());
  EXPECT_EQ(cancelled.status(), v1::REGISTRATION_STATUS_CANCELLED);
  EXPECT_TRUE(
      WaitFor([&] { return status_at("m132080", chofu_reg) == v1::REGISTRATION_STATUS_CONFIRMED; },
              std::chrono::seconds(30)));
  EXPECT_EQ(registration_at("m132080", chofu_reg).organizer_reason(), "");

  // The nation's training: Kumagaya's registration goes up through Saitama and comes back.
  const std::string kumagaya_reg = register_at("m112020", "112020", national_training.id());
  EXPECT_TRUE(WaitFor(
      [&] { return status_at("m112020", kumagaya_reg) == v1::REGISTRATION_STATUS_CONFIRMED; },
      std::chrono::seconds(30)));
  // A second Kumagaya participant is over the municipality's quota of one: refused, and
  // Kumagaya's copy shows the nation's reason.
  const std::string over_quota =
      register_at("m112020", "112020", national_training.id(), "coord-02");
  EXPECT_TRUE(
      WaitFor([&] { return status_at("m112020", over_quota) == v1::REGISTRATION_STATUS_CANCELLED; },
              std::chrono::seconds(30)));
  EXPECT_THAT(registration_at("m112020", over_quota).organizer_reason(),
              HasSubstr("この市区町村の申込枠 (1 名) は埋まっています"));

  // Names never left the municipalities.
  WaitUntilQuiet({"p13", "p11", "national"});
  for (const char* id : {"p13", "p11", "national"}) {
    for (const auto& m : Everything(id)) {
      EXPECT_EQ(m.data.find(kPersonName), std::string::npos) << id << " " << m.subject;
    }
    EXPECT_FALSE(AnyFileContains(fed_->node(id).dir + "/nats/store", kPersonName)) << id;
  }
}

// Every event of `origin` that the parent holds in RENKEI_CHILDREN is one the child shared, each
// exactly once.
void ExpectExactlyOnce(common::NatsBus& child, common::NatsBus& parent, const std::string& origin,
                       bool prefecture_parent) {
  std::vector<std::string> shared =
      StreamIds(child, common::kShareNationalStream, "renkei.national." + origin + ".>");
  if (prefecture_parent) {
    auto pref = StreamIds(child, common::kSharePrefStream, "renkei.pref." + origin + ".>");
    shared.insert(shared.end(), pref.begin(), pref.end());
  }
  const std::string filter =
      prefecture_parent ? "renkei.*." + origin + ".>" : "renkei.national." + origin + ".>";
  std::vector<std::string> received = StreamIds(parent, common::kChildrenStream, filter);
  std::set<std::string> shared_set(shared.begin(), shared.end());
  std::set<std::string> received_set(received.begin(), received.end());
  EXPECT_EQ(received.size(), received_set.size()) << origin << ": duplicates at the parent";
  EXPECT_EQ(shared.size(), shared_set.size()) << origin << ": duplicates in the child";
  EXPECT_EQ(received_set, shared_set) << origin;
  std::cout << "  " << origin << ": shared " << shared_set.size() << ", received "
            << received.size() << " (" << received_set.size() << " distinct)\n";
}

TEST_F(FederationTest, ACutLinkAndAKilledPrefectureServerLoseNothingAndDoubleNothing) {
  ASSERT_NO_FATAL_FAILURE(StartWithData());
  DefineNationalIndicator();
  for (const char* id : {"m132250", "m132080", "m112020", "p13"}) {
    ASSERT_TRUE(WaitFor([&] { return HasIndicator(id); }, std::chrono::seconds(30))) << id;
  }
  const auto& inagi = kMunicipalities[0];
  const auto& chofu = kMunicipalities[1];
  std::map<std::string, std::set<std::string>> resources;
  for (const auto& m : {inagi, chofu}) {
    resources[m.code].insert(AddResource(m.id, m.code, 0));
    Record(m, m.numerator, m.denominator, 0);
  }
  ASSERT_TRUE(
      WaitFor([&] { return RollUpIs("p13", "130001", 42, 130, 2); }, std::chrono::seconds(30)));
  auto holds = [&](const std::string& at, const std::string& code) {
    return WaitFor([&] { return ResourcesIn(at, code) == resources[code]; },
                   std::chrono::seconds(60));
  };

  // 1. Inagi's link to Tokyo is cut. Inagi keeps working; so do Tokyo and Chofu.
  fed_->node("m132250").uplink->Cut();
  for (int i = 1; i <= 40; ++i) resources["132250"].insert(AddResource(inagi.id, inagi.code, i));
  Record(inagi, 20, 40, 1);  // a correction: 12/40 -> 20/40
  for (int i = 1; i <= 20; ++i) resources["132080"].insert(AddResource(chofu.id, chofu.code, i));
  EXPECT_EQ(ResourcesIn("m132250", "132250"), resources["132250"]);  // Inagi works locally
  EXPECT_TRUE(holds("p13", "132080"));                               // Chofu reaches Tokyo
  EXPECT_EQ(ResourcesIn("p13", "132250").size(), 1u);  // nothing of Inagi's crossed the cut
  EXPECT_TRUE(RollUpIs("p13", "130001", 42, 130, 2));
  // The operator sees it: `renkeictl federation status` reports Inagi's link down at Tokyo and
  // Chofu's up, and Tokyo's link down at Inagi.
  std::filesystem::create_directories(tmp_.Sub("cli"));
  auto status = [&](const std::string& id) {
    return RunRenkeictl(
        {"-o", "json", "federation", "status", "--config", fed_->node(id).processes->config_path()},
        {}, tmp_.Sub("cli"));
  };
  EXPECT_TRUE(WaitFor(
      [&] {
        auto r = status("p13");
        return r.exit_code == 0 &&
               r.out.find("\"domain\": \"m132250\", \"link\": \"切断") != std::string::npos &&
               r.out.find("\"domain\": \"m132080\", \"link\": \"接続中") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << status("p13");
  // The municipality notices when its leaf node's pings go unanswered (seconds later).
  EXPECT_TRUE(WaitFor(
      [&] {
        return status("m132250").out.find("\"parent\": {\"link\": \"切断") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << status("m132250");

  // 2. The link returns: everything arrives, once.
  fed_->node("m132250").uplink->Restore();
  EXPECT_TRUE(holds("p13", "132250"));
  EXPECT_TRUE(holds("m132080", "132250"));
  EXPECT_TRUE(
      WaitFor([&] { return RollUpIs("p13", "130001", 50, 130, 2); }, std::chrono::seconds(30)));
  EXPECT_TRUE(WaitFor(
      [&] {
        return status("p13").out.find("\"domain\": \"m132250\", \"link\": \"接続中") !=
               std::string::npos;
      },
      std::chrono::seconds(20)))
      << status("p13");
  // Everything in flight settled (as after step 3): the sets compared are final, not a moment of
  // the catch-up (seen once under a loaded full run: a comparison made mid-flight).
  WaitUntilQuiet({"m132250", "m132080", "p13"});
  std::cout << "after the cut link returned:\n";
  ExpectExactlyOnce(*fed_->node("m132250").bus, *fed_->node("p13").bus, "m132250", true);
  ExpectExactlyOnce(*fed_->node("m132080").bus, *fed_->node("p13").bus, "m132080", true);

  // 3. Tokyo's nats-server is killed (-9) while both municipalities keep entering data, and
  //    restarted.
  fed_->node("p13").nats->Kill();
  for (int i = 41; i <= 70; ++i) resources["132250"].insert(AddResource(inagi.id, inagi.code, i));
  for (int i = 21; i <= 50; ++i) resources["132080"].insert(AddResource(chofu.id, chofu.code, i));
  Record(chofu, 45, 90, 1);  // 30/90 -> 45/90
  ASSERT_TRUE(fed_->node("p13").nats->Restart().ok());
  EXPECT_TRUE(holds("p13", "132250"));
  EXPECT_TRUE(holds("p13", "132080"));
  EXPECT_TRUE(holds("m132080", "132250"));
  EXPECT_TRUE(holds("m132250", "132080"));
  // The prefecture's roll-up equals the sum of its municipalities; so does the nation's view.
  EXPECT_TRUE(
      WaitFor([&] { return RollUpIs("p13", "130001", 65, 130, 2); }, std::chrono::seconds(60)));
  EXPECT_TRUE(WaitFor([&] { return RollUpIs("national", "130001", 65, 130, 2); },
                      std::chrono::seconds(60)));
  WaitUntilQuiet({"m132250", "m132080", "p13", "national"});
  std::cout << "after Tokyo's nats-server was killed and restarted:\n";
  ExpectExactlyOnce(*fed_->node("m132250").bus, *fed_->node("p13").bus, "m132250", true);
  ExpectExactlyOnce(*fed_->node("m132080").bus, *fed_->node("p13").bus, "m132080", true);
  ExpectExactlyOnce(*fed_->node("p13").bus, *fed_->node("national").bus, "m132250", false);
  ExpectExactlyOnce(*fed_->node("p13").bus, *fed_->node("national").bus, "m132080", false);
}

}  // namespace
}  // namespace renkei::testing
