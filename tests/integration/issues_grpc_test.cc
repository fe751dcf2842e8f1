// The issues service's RPCs over real gRPC (the issues module in this process, a real
// nats-server): step
// gate violations, a fifth cause, two main causes, unknown audience roles, stale versions,
// malformed ids and invalid UTF-8 are each answered with an error naming the field, and nothing
// is written — neither the issue, nor its history, nor an event.
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/v1/issues.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Stub = v1::IssuesService::Stub;

class IssuesGrpcTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    auto nats = NatsServer::Start(tmp_->Sub("nats"));
    ASSERT_TRUE(nats.ok());
    nats_ = nats->release();
    instance_ = new InstanceProcesses(tmp_->Sub("inagi"), nats_->url(), InProcess());
    ASSERT_TRUE(instance_->Start("issues").ok());
  }
  static void TearDownTestSuite() {
    instance_->Stop("issues");
    delete instance_;
    delete nats_;
    delete tmp_;
  }

  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const Req& req, Resp* resp = nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    Resp local;
    return ((*stub_).*method)(&ctx, req, resp ? resp : &local);
  }

  // A fresh issue taken through steps 1–4 (main cause chosen): now at step 5.
  void SetUp() override {
    stub_ = v1::IssuesService::NewStub(instance_->channel("issues"));
    common::NatsOptions o;
    o.url = nats_->url();
    bus_ = std::move(*common::NatsBus::Connect(o));
    v1::CreateIssueRequest create;
    create.set_theme("【看取り】終末期に本人の意向に沿えず、家族が入院を選ぶことがある");
    ASSERT_TRUE(Call(&Stub::CreateIssue, create, &issue_).ok());
    auto update = [&](const std::function<void(v1::UpdateIssueRequest*)>& fill) {
      v1::UpdateIssueRequest u;
      u.set_id(issue_.id());
      u.set_expected_version(issue_.version());
      fill(&u);
      auto s = Call(&Stub::UpdateIssue, u, &issue_);
      ASSERT_TRUE(s.ok()) << s.error_message();
      v1::AdvanceStepRequest a;
      a.set_id(issue_.id());
      a.set_expected_version(issue_.version());
      s = Call(&Stub::AdvanceStep, a, &issue_);
      ASSERT_TRUE(s.ok()) << s.error_message();
    };
    update([](auto* u) { u->set_target_state("終末期であっても在宅生活を継続できる"); });
    update([](auto* u) {
      u->set_current_state("家族が不安になり救急車を呼ぶ");
      u->set_replace_evidence(true);
      auto* e = u->add_evidence();
      e->set_kind(v1::EVIDENCE_KIND_HEARING);
      e->set_summary("ケアマネジャーへのヒアリング");
    });
    update([](auto* u) { u->set_chosen_issue("本人の意向に沿えない"); });
    update([](auto* u) {
      u->set_replace_causes(true);
      u->add_causes()->set_text("本人の意向を具体的に確認できていない");
      auto* main = u->add_causes();
      main->set_text("衰弱すると家族が不安になる");
      main->set_main(true);
      u->set_root_cause("専門職が看取るプロセスを十分説明しきれていない");
    });
    ASSERT_EQ(issue_.current_step(), 5);
    stream_before_ = SettledStreamCount();
  }

  uint64_t StreamCount() { return testing::StreamCount(*bus_, "RENKEI_EVENTS"); }
  uint64_t SettledStreamCount() { return testing::SettledStreamCount(*bus_, "RENKEI_EVENTS"); }

  void ExpectNothingWritten() {
    v1::GetIssueRequest get;
    get.set_id(issue_.id());
    v1::IssueWithHistory now;
    ASSERT_TRUE(Call(&Stub::GetIssue, get, &now).ok());
    EXPECT_EQ(now.issue().version(), issue_.version());
    EXPECT_EQ(now.history_size(), issue_.version());
    EXPECT_EQ(now.issue().SerializeAsString(), issue_.SerializeAsString());
    EXPECT_EQ(SettledStreamCount(), stream_before_);
  }

  v1::UpdateIssueRequest Causes(int n, int mains) {
    v1::UpdateIssueRequest u;
    u.set_id(issue_.id());
    u.set_expected_version(issue_.version());
    u.set_replace_causes(true);
    for (int i = 0; i < n; ++i) {
      auto* c = u.add_causes();
      c->set_text("原因" + std::to_string(i + 1));
      c->set_main(i < mains);
    }
    return u;
  }

  static TempDir* tmp_;
  static NatsServer* nats_;
  static InstanceProcesses* instance_;
  std::unique_ptr<Stub> stub_;
  std::unique_ptr<common::NatsBus> bus_;
  v1::RegionalIssue issue_;
  uint64_t stream_before_ = 0;
};

TempDir* IssuesGrpcTest::tmp_ = nullptr;
NatsServer* IssuesGrpcTest::nats_ = nullptr;
InstanceProcesses* IssuesGrpcTest::instance_ = nullptr;

TEST_F(IssuesGrpcTest, AFifthCauseAndTwoMainCausesAreRejected) {
  grpc::Status s = Call(&Stub::UpdateIssue, Causes(5, 1));
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("causes"));
  EXPECT_THAT(s.error_message(), HasSubstr("要因は4つまで"));

  s = Call(&Stub::UpdateIssue, Causes(3, 2));
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("causes"));
  EXPECT_THAT(s.error_message(), HasSubstr("主たる原因は1つだけ"));

  // Step 4 is complete: its causes cannot lose their main cause.
  s = Call(&Stub::UpdateIssue, Causes(2, 0));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("causes"));
  EXPECT_THAT(s.error_message(), HasSubstr("ステップ4は完了済み"));
  ExpectNothingWritten();
}

TEST_F(IssuesGrpcTest, StepGatesNameTheStepOrTheField) {
  // Step 5 cannot be completed without a countermeasure.
  v1::AdvanceStepRequest advance;
  advance.set_id(issue_.id());
  advance.set_expected_version(issue_.version());
  grpc::Status s = Call(&Stub::AdvanceStep, advance);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("step"));
  EXPECT_THAT(s.error_message(), HasSubstr("対策立案"));

  // No new cycle before evaluation; no return to the current step.
  v1::StartNewCycleRequest cycle;
  cycle.set_id(issue_.id());
  cycle.set_expected_version(issue_.version());
  EXPECT_THAT(ViolatedFields(Call(&Stub::StartNewCycle, cycle)), ElementsAre("status"));
  v1::ReturnToStepRequest back;
  back.set_id(issue_.id());
  back.set_expected_version(issue_.version());
  back.set_step(5);
  back.set_reason("見直し");
  EXPECT_THAT(ViolatedFields(Call(&Stub::ReturnToStep, back)), ElementsAre("step"));

  // A fresh issue at step 1: no countermeasure before the main cause is chosen.
  v1::CreateIssueRequest create;
  create.set_theme("退院支援");
  v1::RegionalIssue fresh;
  ASSERT_TRUE(Call(&Stub::CreateIssue, create, &fresh).ok());
  stream_before_ = SettledStreamCount();
  v1::AddCountermeasureRequest add;
  add.set_id(fresh.id());
  add.set_expected_version(fresh.version());
  add.mutable_countermeasure()->add_audiences(v1::AUDIENCE_ROLE_HOSPITAL_STAFF);
  add.mutable_countermeasure()->set_content("退院前カンファレンスの手順を共有");
  s = Call(&Stub::AddCountermeasure, add);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("countermeasure"));
  EXPECT_THAT(s.error_message(), HasSubstr("主たる原因"));
  v1::UpdateIssueRequest early;
  early.set_id(fresh.id());
  early.set_expected_version(fresh.version());
  early.set_current_state("現状");
  EXPECT_THAT(ViolatedFields(Call(&Stub::UpdateIssue, early)), ElementsAre("current_state"));
  ExpectNothingWritten();
}

TEST_F(IssuesGrpcTest, UnknownAudienceRolesAndBadIndicatorsAreNamed) {
  v1::AddCountermeasureRequest add;
  add.set_id(issue_.id());
  add.set_expected_version(issue_.version());
  auto* c = add.mutable_countermeasure();
  c->add_audiences(v1::AUDIENCE_ROLE_CARE_MANAGERS);
  c->add_audiences(static_cast<v1::AudienceRole>(77));
  c->set_content("説明スキルの獲得支援");
  grpc::Status s = Call(&Stub::AddCountermeasure, add);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("countermeasure.audiences[1]"));
  EXPECT_THAT(s.error_message(), HasSubstr("77"));

  v1::AddExpectedChangeRequest exp;
  exp.set_id(issue_.id());
  exp.set_expected_version(issue_.version());
  exp.mutable_expected_change()->set_description("説明スキルがあがる");
  exp.mutable_expected_change()->mutable_indicator()->set_name_ja("説明スキル");
  exp.mutable_expected_change()->mutable_indicator()->add_methods(
      static_cast<v1::MeasurementMethod>(9));
  s = Call(&Stub::AddExpectedChange, exp);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("expected_change.indicator.methods[0]",
                                             "expected_change.indicator.frequency"));
  ExpectNothingWritten();
}

TEST_F(IssuesGrpcTest, StaleVersionsAreAbortedAndNothingIsWritten) {
  v1::UpdateIssueRequest u;
  u.set_id(issue_.id());
  u.set_expected_version(issue_.version() - 1);
  u.set_theme("古い版からの変更");
  grpc::Status s = Call(&Stub::UpdateIssue, u);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::ABORTED));
  EXPECT_THAT(s.error_message(),
              HasSubstr("stale version: stored " + std::to_string(issue_.version())));

  v1::AdvanceStepRequest advance;
  advance.set_id(issue_.id());
  advance.set_expected_version(issue_.version() + 1);
  EXPECT_THAT(Call(&Stub::AdvanceStep, advance), GrpcStatusIs(grpc::StatusCode::ABORTED));
  ExpectNothingWritten();
}

TEST_F(IssuesGrpcTest, MalformedIdsUnknownIdsAndInvalidUtf8) {
  v1::GetIssueRequest get;
  get.set_id("iss_../../etc");
  grpc::Status s = Call(&Stub::GetIssue, get);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("id"));
  get.set_id("iss_01JZZZZZZZZZZZZZZZZZZZZZZZ");
  EXPECT_THAT(Call(&Stub::GetIssue, get), GrpcStatusIs(grpc::StatusCode::NOT_FOUND));

  v1::UpdateIssueRequest u;
  u.set_id(issue_.id());
  u.set_expected_version(issue_.version());
  u.set_theme("看取り\xFF");
  s = Call(&Stub::UpdateIssue, u);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ::testing::Not(::testing::IsEmpty()));

  v1::UpdateIssueRequest nothing;
  nothing.set_id(issue_.id());
  nothing.set_expected_version(issue_.version());
  EXPECT_THAT(ViolatedFields(Call(&Stub::UpdateIssue, nothing)), ElementsAre("update"));
  ExpectNothingWritten();
}

}  // namespace
}  // namespace renkei::testing
