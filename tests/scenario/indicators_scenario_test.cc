// Step 7 of worked example 2 (the Inagi end-of-life worksheet), end to end through the real
// issues and indicators services (in this process, on their ServiceHosts) and a real nats-server:
//
//   the issue reaches step 5; its expected changes E1–E3 are set with their indicators
//   (explanation skill by survey and test, share of care managers who explained to families,
//   families' reassurance by hearing) and baselines for FY2025; renkei-indicators defines the
//   three indicators from the expected_change_defined events and records the baselines; E2's
//   baseline arrives later (UpdateExpectedChange) and is recorded too; the FY2026 measurements are
//   recorded; the progress of the issue's indicators against baseline and target comes out.
#include <iostream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/v1/indicators.grpc.pb.h"
#include "renkei/v1/issues.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::ElementsAre;

using IssuesStub = v1::IssuesService::Stub;
using IndicatorsStub = v1::IndicatorsService::Stub;

struct Expected {
  const char* label;
  const char* description;
  const char* name;
  v1::IndicatorKind kind;
  std::vector<v1::MeasurementMethod> methods;
  const char* unit;
  std::optional<double> baseline;  // given with the expected change (FY2025)
  double target;
  double fy2026;  // measured a year later
};
const Expected kExpected[] = {
    {"E1",
     "ケアマネ等が説明できるスキルがあがる",
     "家族への説明スキル (自己評価・試験の平均)",
     v1::INDICATOR_KIND_SURVEY_SCORE,
     {v1::MEASUREMENT_METHOD_SURVEY, v1::MEASUREMENT_METHOD_TEST},
     "点",
     2.4,
     4.0,
     3.6},
    {"E2",
     "ケアマネ等が家族に実際に説明するようになる",
     "看取りの過程を家族に説明したケアマネの割合",
     v1::INDICATOR_KIND_RATIO,
     {v1::MEASUREMENT_METHOD_SURVEY},
     "割合",
     std::nullopt,
     0.6,
     0.45},
    {"E3",
     "説明により家族等が理解し、安心する",
     "家族の安心感 (ヒアリング・アンケート)",
     v1::INDICATOR_KIND_SURVEY_SCORE,
     {v1::MEASUREMENT_METHOD_HEARING, v1::MEASUREMENT_METHOD_SURVEY},
     "点",
     3.1,
     4.0,
     4.2},
};

class IndicatorsScenario : public ::testing::Test {
 protected:
  void SetUp() override {
    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok());
    nats_ = std::move(*nats);
    inagi_ = std::make_unique<InstanceProcesses>(tmp_.Sub("inagi"), nats_->url(), InProcess());
    ASSERT_TRUE(inagi_->Start("issues").ok());
    ASSERT_TRUE(inagi_->Start("indicators").ok());
    issues_ = v1::IssuesService::NewStub(inagi_->channel("issues"));
    indicators_ = v1::IndicatorsService::NewStub(inagi_->channel("indicators"));
  }
  void TearDown() override {
    inagi_->Stop("indicators");
    inagi_->Stop("issues");
  }

  template <typename Stub, typename Req, typename Resp>
  Resp Ok(Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
          const Req& req) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    Resp resp;
    grpc::Status s = (stub->*method)(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message() << "\n" << ViolationDescriptions(s);
    return resp;
  }

  TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<InstanceProcesses> inagi_;
  std::unique_ptr<IssuesStub> issues_;
  std::unique_ptr<IndicatorsStub> indicators_;
};

TEST_F(IndicatorsScenario, ExpectedChangesE1ToE3AreMeasuredAgainstBaselineAndTarget) {
  v1::CreateIssueRequest create;
  create.set_theme("【看取り】終末期に本人の意向に沿えず、家族が入院を選ぶことがある");
  auto issue = Ok(issues_.get(), &IssuesStub::CreateIssue, create);
  ASSERT_NO_FATAL_FAILURE(ThroughStepFour(*issues_, &issue));
  ASSERT_EQ(issue.current_step(), 5);

  for (const auto& x : kExpected) {
    v1::AddExpectedChangeRequest add;
    add.set_id(issue.id());
    add.set_expected_version(issue.version());
    auto* e = add.mutable_expected_change();
    e->set_label(x.label);
    e->set_description(x.description);
    auto* spec = e->mutable_indicator();
    spec->set_name_ja(x.name);
    spec->set_unit(x.unit);
    spec->set_kind(x.kind);
    for (auto m : x.methods) spec->add_methods(m);
    spec->set_frequency(v1::MEASUREMENT_FREQUENCY_YEARLY);
    spec->set_direction(v1::DIRECTION_HIGHER_IS_BETTER);
    if (x.baseline) {
      spec->set_baseline(*x.baseline);
      spec->set_baseline_period("FY2025");
    }
    spec->set_target(x.target);
    issue = Ok(issues_.get(), &IssuesStub::AddExpectedChange, add);
  }
  // E2's baseline comes from a survey done later.
  {
    v1::UpdateExpectedChangeRequest u;
    u.set_id(issue.id());
    u.set_expected_version(issue.version());
    u.set_expected_change_id(issue.expected_changes(1).id());
    u.set_baseline(0.2);
    u.set_baseline_period("FY2025");
    issue = Ok(issues_.get(), &IssuesStub::UpdateExpectedChange, u);
  }

  // The indicators service defines them from the events.
  v1::ListIndicatorsRequest list;
  list.set_issue_id(issue.id());
  v1::ListIndicatorsResponse defined;
  ASSERT_TRUE(WaitFor([&] {
    defined = Ok(indicators_.get(), &IndicatorsStub::ListIndicators, list);
    return defined.definitions_size() == 3 &&
           defined.definitions(1).spec().has_baseline();  // E2 after its update
  }));
  std::vector<std::string> labels;
  for (const auto& d : defined.definitions()) {
    labels.push_back(d.expected_change_label());
    EXPECT_EQ(d.origin(), v1::INDICATOR_ORIGIN_EXPECTED_CHANGE);
    EXPECT_EQ(d.owner_jurisdiction(), "132250");
  }
  EXPECT_THAT(labels, ElementsAre("E1", "E2", "E3"));

  // A year later the measurements are recorded (E2 from 18 of 40 care managers).
  for (const auto& x : kExpected) {
    v1::RecordObservationRequest r;
    auto* o = r.mutable_observation();
    o->set_indicator_code(issue.id() + "." + x.label);
    o->set_jurisdiction_code("132250");
    o->set_period("FY2026");
    if (x.kind == v1::INDICATOR_KIND_RATIO) {
      o->set_numerator(18);
      o->set_denominator(40);
    } else {
      o->set_value(x.fy2026);
      o->set_denominator(25);  // responses
    }
    o->set_source("稲城市 在宅医療・介護連携 アンケート 2026年度");
    o->set_recorded_by("inagi-coordinator");
    Ok(indicators_.get(), &IndicatorsStub::RecordObservation, r);
  }

  v1::GetIssueProgressRequest pr;
  pr.set_issue_id(issue.id());
  auto progress = Ok(indicators_.get(), &IndicatorsStub::GetIssueProgress, pr);
  ASSERT_EQ(progress.indicators_size(), 3);
  std::cout << "progress of worked example 2's indicators (baseline FY2025 → FY2026, target):\n";
  for (int i = 0; i < 3; ++i) {
    const auto& p = progress.indicators(i);
    const auto& x = kExpected[i];
    std::cout << "  " << x.label << " " << p.definition().spec().name_ja() << ": " << p.baseline()
              << " → " << p.latest() << " (target " << p.target() << ", progress "
              << (p.has_progress() ? p.progress() : -1) << (p.target_reached() ? ", reached" : "")
              << ")\n";
    ASSERT_TRUE(p.has_baseline()) << x.label;
    EXPECT_DOUBLE_EQ(p.baseline(), x.baseline ? *x.baseline : 0.2);
    EXPECT_DOUBLE_EQ(p.latest(), x.fy2026);
    EXPECT_EQ(p.latest_period(), "FY2026");
    EXPECT_NEAR(p.progress(), (x.fy2026 - p.baseline()) / (x.target - p.baseline()), 1e-12);
    EXPECT_EQ(p.target_reached(), x.fy2026 >= x.target);
    ASSERT_EQ(p.points_size(), 2);
    EXPECT_EQ(p.points(0).period(), "FY2025");
  }
}

}  // namespace
}  // namespace renkei::testing
