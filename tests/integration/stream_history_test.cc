// Stream history you can trust (issue 16): the instance's JetStream store is deleted with events
// older than intake's outbox window in it. The loss is reported — intake's log, its
// renkei_stream_history_gap metric, AdminService.GetStreamHistory and `renkeictl federation
// status` — a recompute of the derived indicators refuses, and `indicator reconcile --repair`
// brings the derived counts back to what intake holds. A restore of intake to an older
// checkpoint is reconciled the other way. Real nats-server, real binaries, the real renkeictl.
#include <filesystem>
#include <set>

#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/ids.h"
#include "renkei/v1/admin.grpc.pb.h"
#include "renkei/v1/indicators.grpc.pb.h"
#include "renkei/v1/intake.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::HasSubstr;

class StreamHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = std::move(*nats);
    InstanceSpec spec;
    spec.services = {"intake", "indicators"};
    spec.metrics = true;
    // Published events leave intake's outbox a second later: a lost stream cannot get them back.
    spec.extra_json = "\"outbox\": {\"retention_seconds\": 1}";
    // The scheduled comparison every second (renkei_derived_differences).
    spec.indicators_json = "\"reconcile_interval_seconds\": 1";
    inagi_ = std::make_unique<InstanceProcesses>(tmp_.Sub("inagi"), nats_->url(), spec);
    ASSERT_TRUE(inagi_->Start("intake").ok());
    ASSERT_TRUE(inagi_->Start("indicators").ok());
    intake_ = v1::IntakeService::NewStub(inagi_->channel("intake"));
    indicators_ = v1::IndicatorsService::NewStub(inagi_->channel("indicators"));
    operator_indicators_ =
        v1::IndicatorsService::NewStub(inagi_->channel("indicators", v1::ROLE_OPERATOR));
    admin_ = v1::AdminService::NewStub(inagi_->channel("intake", v1::ROLE_OPERATOR));
  }

  void Consult(int n) {
    for (int i = 0; i < n; ++i) {
      v1::CreateConsultationRequest r;
      r.set_request_id(common::NewId("req"));
      r.set_channel(v1::CHANNEL_PHONE);
      r.set_source_type(i % 3 == 0 ? v1::SOURCE_TYPE_PATIENT_FAMILY
                                   : v1::SOURCE_TYPE_MEDICAL_CARE_PROFESSIONAL);
      v1::Consultation out;
      grpc::ClientContext ctx;
      grpc::Status s = intake_->CreateConsultation(&ctx, r, &out);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }

  // derived.consultations of Inagi, summed over months.
  double Derived() {
    v1::GetSeriesRequest r;
    r.set_indicator_code("derived.consultations");
    r.set_jurisdiction_code("132250");
    v1::Series series;
    grpc::ClientContext ctx;
    if (!indicators_->GetSeries(&ctx, r, &series).ok()) return -1;
    double total = 0;
    for (const auto& p : series.points()) total += p.value();
    return total;
  }

  bool DerivedBecomes(double n) {
    return WaitFor([&] { return Derived() == n; }, std::chrono::seconds(30));
  }

  v1::StreamHistory IntakeHistory() {
    v1::StreamHistory h;
    grpc::ClientContext ctx;
    grpc::Status s = admin_->GetStreamHistory(&ctx, v1::GetStreamHistoryRequest(), &h);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return h;
  }

  absl::StatusOr<v1::ReconcileDerivedResponse> Reconcile(bool repair) {
    v1::ReconcileDerivedRequest r;
    r.set_repair(repair);
    r.set_request_id(common::NewId("req"));
    v1::ReconcileDerivedResponse out;
    grpc::ClientContext ctx;
    grpc::Status s = operator_indicators_->ReconcileDerived(&ctx, r, &out);
    if (!s.ok())
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
    return out;
  }

  CliResult Renkeictl(const std::vector<std::string>& args) {
    return RunRenkeictl(args,
                        {{"RENKEI_INTAKE", inagi_->address("intake")},
                         {"RENKEI_INDICATORS", inagi_->address("indicators")},
                         {"RENKEI_TOKEN", inagi_->Token(v1::ROLE_OPERATOR)}},
                        tmp_.Sub("cli"));
  }

  TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<InstanceProcesses> inagi_;
  std::unique_ptr<v1::IntakeService::Stub> intake_;
  std::unique_ptr<v1::IndicatorsService::Stub> indicators_;
  std::unique_ptr<v1::IndicatorsService::Stub> operator_indicators_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(StreamHistoryTest, ALostStreamStoreIsReportedRecomputeRefusesAndReconcileRepairs) {
  constexpr int kOlder = 30;
  constexpr int kNewer = 5;
  Consult(kOlder);
  ASSERT_TRUE(DerivedBecomes(kOlder));
  // Every one of them published and pruned from intake's outbox.
  ASSERT_TRUE(
      WaitFor([&] { return IntakeHistory().events_pruned() == kOlder; }, std::chrono::seconds(30)));
  EXPECT_TRUE(IntakeHistory().complete());
  EXPECT_EQ(MetricValue(inagi_->metrics_address("intake"), "renkei_stream_history_gap"), 0.0);

  // The stream's store is lost: nats-server stopped, its store deleted, started again empty.
  nats_->Stop();
  std::filesystem::remove_all(tmp_.Sub("nats") + "/store");
  ASSERT_TRUE(nats_->Restart().ok());
  Consult(kNewer);

  // Reported: the relay finds another incarnation of the stream after reconnecting.
  v1::StreamHistory history;
  ASSERT_TRUE(WaitFor(
      [&] {
        history = IntakeHistory();
        return !history.complete();
      },
      std::chrono::seconds(30)))
      << ReadFile(inagi_->log_path("intake"));
  EXPECT_EQ(history.service(), "intake");
  EXPECT_EQ(history.unaccepted_events_lost(), static_cast<uint64_t>(kOlder));
  ASSERT_EQ(history.gaps_size(), 1);
  EXPECT_EQ(history.gaps(0).events_lost(), static_cast<uint64_t>(kOlder));
  EXPECT_THAT(history.gaps(0).cause(), HasSubstr("created again"));
  EXPECT_FALSE(history.gaps(0).has_accepted_at());
  EXPECT_THAT(ReadFile(inagi_->log_path("intake")), HasSubstr("stream history gap"));
  EXPECT_EQ(MetricValue(inagi_->metrics_address("intake"), "renkei_stream_history_gap"),
            static_cast<double>(kOlder));
  CliResult status = Renkeictl({"federation", "status", "--config", inagi_->config_path()});
  EXPECT_EQ(status.exit_code, 0) << status;
  EXPECT_THAT(status.out, HasSubstr("欠けあり: 30 件のイベントがストリームにありません"));

  // The figures kept counting (the old ones are in the indicators' own store): nothing differs
  // yet, and a recompute — which would lose the 30 — refuses, naming intake and the loss.
  ASSERT_TRUE(DerivedBecomes(kOlder + kNewer));
  auto before = Reconcile(false);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_GT(before->compared(), 0);
  EXPECT_EQ(before->differences_size(), 0);
  CliResult refused = Renkeictl({"indicator", "recompute"});
  EXPECT_EQ(refused.exit_code, 5) << refused;
  EXPECT_THAT(refused.err, HasSubstr("intake"));
  EXPECT_THAT(refused.err, HasSubstr("30 件以上"));
  EXPECT_EQ(Derived(), kOlder + kNewer);

  // Recomputed anyway (accepted): the stream holds only the newer events...
  CliResult accepted = Renkeictl({"indicator", "recompute", "--accept-history-gap"});
  ASSERT_EQ(accepted.exit_code, 0) << accepted;
  ASSERT_TRUE(DerivedBecomes(kNewer));
  // ... the scheduled comparison says so ...
  auto differences = [&] {
    return MetricValue(inagi_->metrics_address("indicators"), "renkei_derived_differences");
  };
  EXPECT_TRUE(WaitFor([&] { return differences() > 0.0; }, std::chrono::seconds(30)));
  // ... and reconcile finds what is missing and repairs it from intake's own counts.
  auto found = Reconcile(false);
  ASSERT_TRUE(found.ok()) << found.status();
  std::set<std::string> codes;
  for (const auto& d : found->differences()) {
    codes.insert(d.code());
    EXPECT_EQ(d.service(), "intake");
  }
  EXPECT_THAT(codes, ::testing::Contains("derived.consultations"));
  CliResult repaired = Renkeictl({"indicator", "reconcile", "--repair"});
  ASSERT_EQ(repaired.exit_code, 0) << repaired;
  EXPECT_THAT(repaired.out, HasSubstr("直しました"));
  EXPECT_EQ(Derived(), static_cast<double>(ListAllConsultations(*intake_).size()));
  EXPECT_EQ(Derived(), kOlder + kNewer);
  auto after = Reconcile(false);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->differences_size(), 0);
  EXPECT_TRUE(WaitFor([&] { return differences() == 0.0; }, std::chrono::seconds(30)));

  // The operator accepts the gap: no longer alerting, still on record (history incomplete).
  CliResult accept = Renkeictl({"federation", "accept-gap", "--service", "intake"});
  ASSERT_EQ(accept.exit_code, 0) << accept;
  history = IntakeHistory();
  EXPECT_FALSE(history.complete());
  EXPECT_EQ(history.unaccepted_events_lost(), 0u);
  EXPECT_TRUE(history.gaps(0).has_accepted_at());
  EXPECT_EQ(MetricValue(inagi_->metrics_address("intake"), "renkei_stream_history_gap"), 0.0);
}

TEST_F(StreamHistoryTest, ReconcileAfterARestoreDropsCountsOfConsultationsTheStoreNoLongerHas) {
  Consult(10);
  ASSERT_TRUE(WaitFor([&] { return IntakeHistory().has_checked_at(); }, std::chrono::seconds(10)));
  const std::string checkpoint = tmp_.Sub("checkpoint");
  std::filesystem::create_directories(checkpoint);
  {
    v1::CheckpointRequest r;
    r.set_target_dir(checkpoint + "/intake");
    v1::CheckpointResponse out;
    grpc::ClientContext ctx;
    grpc::Status s = admin_->Checkpoint(&ctx, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  Consult(4);
  ASSERT_TRUE(DerivedBecomes(14));

  // intake restored to the checkpoint: 4 consultations it no longer has are still counted.
  inagi_->Stop("intake");
  const std::string data = inagi_->data_dir() + "/data/intake";
  std::filesystem::remove_all(data);
  std::filesystem::rename(checkpoint + "/intake", data);
  ASSERT_TRUE(inagi_->Start("intake").ok());
  ASSERT_EQ(ListAllConsultations(*intake_).size(), 10u);
  auto found = Reconcile(false);
  ASSERT_TRUE(found.ok()) << found.status();
  bool consultations = false;
  for (const auto& d : found->differences()) {
    if (d.code() != "derived.consultations") continue;
    consultations = true;
    EXPECT_EQ(d.held().value(), 14);
    EXPECT_EQ(d.counted().value(), 10);
  }
  EXPECT_TRUE(consultations);
  auto repaired = Reconcile(true);
  ASSERT_TRUE(repaired.ok()) << repaired.status();
  EXPECT_TRUE(repaired->repaired());
  EXPECT_EQ(Derived(), 10);
}

}  // namespace
}  // namespace renkei::testing
