// The issues service's event consumers against a real nats-server, with the real renkei-intake
// and renkei-issues binaries:
//   - seeds raised in intake become exactly one candidate issue, whatever happens to the
//     consumer: a kill -9, a crash between the commit and the ack (the event is redelivered), a
//     deleted consumer that replays the whole stream;
//   - a wide-area issue escalated by the municipality arrives at the prefecture's issues service
//     (same binary, prefectural instance) as a linked wide-area issue — on one bus;
//   - consultations asked by a hospital in another municipality propose a wide-area candidate.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/events.h"
#include "renkei/v1/directory.grpc.pb.h"
#include "renkei/v1/intake.grpc.pb.h"
#include "renkei/v1/issues.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

class IssuesCandidatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok());
    nats_ = std::move(*nats);
    common::NatsOptions o;
    o.url = nats_->url();
    bus_ = std::move(*common::NatsBus::Connect(o));
    ASSERT_TRUE(bus_->WaitConnected(5000));
  }

  // A consultation with a seed about end-of-life care; returns the consultation id.
  std::string RaiseSeed(v1::IntakeService::Stub& intake, const std::vector<std::string>& tags) {
    v1::CreateConsultationRequest create;
    create.set_channel(v1::CHANNEL_PHONE);
    create.set_source_type(v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER);
    create.mutable_person()->set_name("看取り 花子");
    create.set_narrative("自宅で最期を迎えたいが、家族が不安で救急車を呼んでしまった。");
    v1::Consultation c;
    {
      grpc::ClientContext ctx;
      auto s = intake.CreateConsultation(&ctx, create, &c);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    v1::RaiseIssueSeedRequest seed;
    seed.set_id(c.id());
    seed.set_expected_version(c.version());
    seed.set_theme("終末期に本人の意向に沿えず、家族が入院を選ぶ");
    for (const auto& t : tags) seed.add_tags(t);
    grpc::ClientContext ctx;
    auto s = intake.RaiseIssueSeed(&ctx, seed, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c.id();
  }

  std::vector<v1::IssueCandidate> Candidates(InstanceProcesses& instance) {
    auto stub = v1::IssuesService::NewStub(instance.channel("issues"));
    grpc::ClientContext ctx;
    v1::ListCandidatesResponse out;
    auto s = stub->ListCandidates(&ctx, {}, &out);
    if (!s.ok()) return {};
    return {out.candidates().begin(), out.candidates().end()};
  }

  int ProposalsOnStream(const std::string& stream = "RENKEI_EVENTS") {
    return static_cast<int>(
        ReadStream(*bus_, stream, "renkei.*.m132250.candidate.issue_candidate_proposed").size());
  }

  TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  // Whether the durable consumer has nothing left to deliver or to be acknowledged: after a
  // restart, every redelivery has been applied (or recognized by the inbox).
  bool Settled(const std::string& stream, const std::string& durable) {
    auto state = bus_->GetConsumerState(stream, durable);
    return state.ok() && state->num_pending == 0 && state->num_ack_pending == 0;
  }

  std::unique_ptr<common::NatsBus> bus_;
};

TEST_F(IssuesCandidatesTest, SeedsProposeExactlyOneCandidateAcrossCrashesRedeliveryAndReplay) {
  InstanceProcesses inagi(tmp_.Sub("inagi"), nats_->url());
  ASSERT_TRUE(inagi.Start("intake").ok());
  ASSERT_TRUE(inagi.Start("issues").ok());
  auto intake = v1::IntakeService::NewStub(inagi.channel("intake"));

  std::vector<std::string> consultations;
  consultations.reserve(3);
  for (int i = 0; i < 3; ++i) consultations.push_back(RaiseSeed(*intake, {"看取り"}));
  ASSERT_TRUE(WaitFor([&] { return Candidates(inagi).size() == 1; }, std::chrono::seconds(20)));
  auto first = Candidates(inagi)[0];
  ASSERT_THAT(first.evidence(), SizeIs(3));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(first.evidence(i).consultation_id(), consultations[i]);
  ASSERT_TRUE(WaitFor([&] { return ProposalsOnStream() == 1; }));

  // kill -9 and start again: the durable consumer resumes; nothing is applied twice.
  inagi.process("issues")->Kill();
  ASSERT_TRUE(inagi.Start("issues").ok());
  ASSERT_TRUE(WaitFor([&] { return Settled("RENKEI_EVENTS", "issues_seeds"); }));
  ASSERT_THAT(Candidates(inagi), SizeIs(1));
  EXPECT_EQ(Candidates(inagi)[0].version(), first.version());

  // A crash after the effect is committed but before the ack: the event comes again after the
  // restart and is recognized by the inbox.
  inagi.Stop("issues");
  ASSERT_TRUE(inagi.Start("issues", "consumer.before_ack").ok());
  consultations.push_back(RaiseSeed(*intake, {"看取り"}));
  int wait_status = 0;
  ASSERT_TRUE(inagi.process("issues")->WaitExit(std::chrono::seconds(20), &wait_status));
  ASSERT_TRUE(inagi.Start("issues").ok());
  ASSERT_TRUE(WaitFor([&] {
    auto c = Candidates(inagi);
    return c.size() == 1 && c[0].evidence_size() == 4;
  }));
  const int64_t after_crash = Candidates(inagi)[0].version();
  EXPECT_EQ(after_crash, first.version() + 1);

  // Replay everything: the consumer is deleted, a new one with the same name starts from the
  // first message of the stream.
  inagi.Stop("issues");
  ASSERT_TRUE(bus_->DeleteConsumer("RENKEI_EVENTS", "issues_seeds").ok());
  ASSERT_TRUE(inagi.Start("issues").ok());
  // All four seed events are delivered again (the consumer is back at the stream's end when a
  // new seed is applied after them).
  consultations.push_back(RaiseSeed(*intake, {"看取り"}));
  ASSERT_TRUE(WaitFor([&] {
    auto c = Candidates(inagi);
    return c.size() == 1 && c[0].evidence_size() == 5;
  }));
  auto last = Candidates(inagi)[0];
  EXPECT_EQ(last.id(), first.id());
  EXPECT_EQ(last.version(), after_crash + 1);  // only the fifth seed changed it
  std::vector<std::string> ids;
  for (const auto& e : last.evidence()) ids.push_back(e.consultation_id());
  EXPECT_EQ(ids, consultations);
  EXPECT_EQ(ProposalsOnStream(), 1);

  inagi.Stop("issues");
  inagi.Stop("intake");
}

TEST_F(IssuesCandidatesTest, AWideAreaIssueReachesThePrefectureOnOneBus) {
  // Two instances on one nats-server, each with its own stream; the prefecture reads the
  // municipality's stream for escalations (the federation issue replaces this with sourcing).
  InstanceSpec municipal_spec;
  municipal_spec.stream = "EVENTS_M132250";
  InstanceSpec prefecture_spec;
  prefecture_spec.code = "130001";
  prefecture_spec.prefecture = true;
  prefecture_spec.stream = "EVENTS_P13";
  prefecture_spec.issues_json =
      R"("escalation_stream": "EVENTS_M132250", "escalation_subject": "renkei.pref.m132250.issue.issue_escalated")";
  InstanceProcesses inagi(tmp_.Sub("inagi"), nats_->url(), municipal_spec);
  InstanceProcesses tokyo(tmp_.Sub("tokyo"), nats_->url(), prefecture_spec);
  ASSERT_TRUE(inagi.Start("issues").ok());
  ASSERT_TRUE(tokyo.Start("issues").ok());
  auto municipal = v1::IssuesService::NewStub(inagi.channel("issues"));
  auto prefectural = v1::IssuesService::NewStub(tokyo.channel("issues"));

  v1::CreateIssueRequest create;
  create.set_theme("近隣市の病院に入院した市民の退院支援");
  create.add_theme_tags("tag:退院支援");
  create.set_scope(v1::ISSUE_SCOPE_WIDE_AREA);
  create.add_related_municipality_codes("132098");  // 町田市
  v1::RegionalIssue issue;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(municipal->CreateIssue(&ctx, create, &issue).ok());
  }
  v1::EscalateIssueRequest esc;
  esc.set_id(issue.id());
  esc.set_expected_version(issue.version());
  esc.set_note("町田市の病院との退院調整ルールを広域で検討したい");
  {
    grpc::ClientContext ctx;
    auto s = municipal->EscalateIssue(&ctx, esc, &issue);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::ListIssuesResponse list;
  ASSERT_TRUE(WaitFor(
      [&] {
        grpc::ClientContext ctx;
        return prefectural->ListIssues(&ctx, {}, &list).ok() && list.total() == 1;
      },
      std::chrono::seconds(20)));
  EXPECT_EQ(list.issues(0).origin_municipality_code(), "132250");
  EXPECT_EQ(list.issues(0).scope(), v1::ISSUE_SCOPE_WIDE_AREA);
  v1::GetIssueRequest get;
  get.set_id(list.issues(0).id());
  v1::IssueWithHistory linked;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(prefectural->GetIssue(&ctx, get, &linked).ok());
  }
  EXPECT_EQ(linked.issue().municipality_code(), "130001");
  EXPECT_EQ(linked.issue().origin_instance(), "m132250");
  EXPECT_EQ(linked.issue().origin_issue_id(), issue.id());
  EXPECT_THAT(linked.issue().related_municipality_codes(), ElementsAre("132250", "132098"));
  EXPECT_THAT(linked.history(0).detail(), HasSubstr("町田市の病院との退院調整ルール"));

  // The prefecture's own stream announces the new issue (shared nationally, counts only).
  auto opened = ReadStream(*bus_, "EVENTS_P13", "renkei.*.p13.issue.issue_opened");
  ASSERT_THAT(opened, SizeIs(1));
  EXPECT_EQ(opened[0].subject, "renkei.national.p13.issue.issue_opened");

  // The prefecture restarts and its consumer resumes: still one linked issue.
  tokyo.process("issues")->Kill();
  ASSERT_TRUE(tokyo.Start("issues").ok());
  ASSERT_TRUE(WaitFor(
      [&] { return Settled("EVENTS_M132250", "issues_escalations_" + tokyo.instance_id()); }));
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(prefectural->ListIssues(&ctx, {}, &list).ok());
  }
  EXPECT_EQ(list.total(), 1);
  tokyo.Stop("issues");
  inagi.Stop("issues");
}

}  // namespace
}  // namespace renkei::testing

namespace renkei::testing {
namespace {

// Issue 18, acceptance 5: Kumagaya's consultations asked by the discharge unit of a hospital in
// Fukaya (a directory resource) propose a wide-area candidate with Fukaya filled in; the
// consultation events carry the hospital's municipality, not its name or the requester's.
TEST_F(IssuesCandidatesTest, ConsultationsFromAHospitalElsewhereProposeAWideAreaCandidate) {
  InstanceProcesses kumagaya(tmp_.Sub("kumagaya"), nats_->url(), InProcess("112020"));
  for (const char* s : {"directory", "intake", "issues"}) ASSERT_TRUE(kumagaya.Start(s).ok()) << s;
  auto directory = v1::DirectoryService::NewStub(kumagaya.channel("directory"));
  v1::UpsertResourceRequest hospital;
  auto* r = hospital.mutable_resource();
  r->set_kind(v1::RESOURCE_KIND_HOSPITAL);
  r->set_name("深谷赤十字病院 地域医療連携課");
  r->set_municipality_code("112186");
  r->set_address("埼玉県深谷市上柴町西5-8-1");
  v1::UpsertResourceResponse made;
  {
    grpc::ClientContext ctx;
    auto s = directory->UpsertResource(&ctx, hospital, &made);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto intake = v1::IntakeService::NewStub(kumagaya.channel("intake"));
  for (int i = 0; i < 3; ++i) {
    v1::CreateConsultationRequest create;
    create.set_channel(v1::CHANNEL_PHONE);
    create.set_source_type(v1::SOURCE_TYPE_MEDICAL_CARE_PROFESSIONAL);
    create.mutable_requester()->set_name("退院支援 看護師");
    create.mutable_requester()->set_institution_resource_id(made.resource().id());
    v1::Consultation c;
    {
      grpc::ClientContext ctx;
      auto s = intake->CreateConsultation(&ctx, create, &c);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    EXPECT_EQ(c.requester().institution_name(), "深谷赤十字病院 地域医療連携課");
    EXPECT_EQ(c.requester().institution_municipality_code(), "112186");
    v1::RaiseIssueSeedRequest seed;
    seed.set_id(c.id());
    seed.set_expected_version(c.version());
    seed.set_theme("退院前に在宅の主治医が決まらない");
    seed.add_tags("退院支援");
    grpc::ClientContext ctx;
    auto s = intake->RaiseIssueSeed(&ctx, seed, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  std::vector<v1::IssueCandidate> proposed;
  ASSERT_TRUE(WaitFor([&] {
    proposed = Candidates(kumagaya);
    return proposed.size() == 1;
  }));
  EXPECT_EQ(proposed[0].proposed_scope(), v1::ISSUE_SCOPE_WIDE_AREA);
  EXPECT_THAT(proposed[0].proposed_related_municipality_codes(), ElementsAre("112186"));
  auto received =
      ReadStream(*bus_, "RENKEI_EVENTS", "renkei.*.m112020.consultation.consultation_received");
  ASSERT_THAT(received, SizeIs(3));
  for (const auto& m : received) {
    v1::EventEnvelope e;
    ASSERT_TRUE(e.ParseFromString(m.data));
    EXPECT_EQ(e.consultation_received().requester_municipality_code(), "112186");
    EXPECT_EQ(m.data.find("深谷赤十字病院"), std::string::npos);
    EXPECT_EQ(m.data.find("退院支援 看護師"), std::string::npos);
  }
}

}  // namespace
}  // namespace renkei::testing
