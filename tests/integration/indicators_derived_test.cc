// Derived indicators equal a recount: Inagi's intake records consultations over three months from
// four kinds of source and raises seeds on some; renkei-indicators, consuming the instance's
// events, is killed with -9 in the middle, crashes once between committing an effect and
// acknowledging it, and is started again. Its monthly figures must equal the counts computed
// directly from the intake store (ListConsultations), per month and per source type — nothing
// lost, nothing counted twice. Then a recompute (RecomputeDerived) clears the figures and counts
// them again from the stream's history: the same figures again. Real
// nats-server, real binaries.
#include <algorithm>
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/clock.h"
#include "renkei/common/dates.h"
#include "renkei/v1/indicators.grpc.pb.h"
#include "renkei/v1/intake.grpc.pb.h"

namespace renkei::testing {
namespace {

constexpr int64_t kDay = 86400LL * 1000000;

class IndicatorsDerivedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok());
    nats_ = std::move(*nats);
    InstanceSpec spec;
    spec.services = {"intake", "indicators"};
    inagi_ = std::make_unique<InstanceProcesses>(tmp_.Sub("inagi"), nats_->url(), spec);
    ASSERT_TRUE(inagi_->Start("intake").ok());
    ASSERT_TRUE(inagi_->Start("indicators").ok());
    intake_ = v1::IntakeService::NewStub(inagi_->channel("intake"));
  }

  // A consultation received `days_ago` days ago at 10:00 Tokyo, from `source`; with a seed when
  // `seed`.
  void Consult(int days_ago, v1::SourceType source, bool seed) {
    v1::CreateConsultationRequest c;
    const int64_t now = common::SystemClock::Get()->NowMicros();
    const v1::Date day = common::TokyoDate(now - days_ago * kDay);
    // 10:00 that day, or (today, before 10:00 in Tokyo) a second ago: never in the future.
    const int64_t start = common::TokyoStartOfDay(day);
    int64_t at = start + 10LL * 3600 * 1000000;
    if (at > now - 1000000) at = std::max(start, now - 1000000);
    *c.mutable_received_at() = common::TimestampFromMicros(at);
    c.set_channel(v1::CHANNEL_PHONE);
    c.set_source_type(source);
    c.mutable_requester()->set_name("相談者");
    v1::Consultation out;
    {
      grpc::ClientContext ctx;
      auto s = intake_->CreateConsultation(&ctx, c, &out);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    if (!seed) return;
    v1::RaiseIssueSeedRequest r;
    r.set_id(out.id());
    r.set_expected_version(out.version());
    r.set_theme("地域課題のタネ");
    r.add_tags("看取り");
    grpc::ClientContext ctx;
    auto s = intake_->RaiseIssueSeed(&ctx, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // The recount: consultations per (month, source word) and per month, from the intake store.
  std::map<std::string, double> Recount() {
    std::map<std::string, double> out;
    for (const auto& c : ListAllConsultations(*intake_)) {
      {
        const v1::Date d = common::TokyoDate(common::MicrosFromTimestamp(c.received_at()));
        char month[8];
        snprintf(month, sizeof month, "%04d-%02d", d.year(), d.month());
        std::string source = v1::SourceType_Name(c.source_type()).substr(strlen("SOURCE_TYPE_"));
        for (auto& ch : source)
          ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        out[std::string("derived.consultations/") + month] += 1;
        out["derived.consultations.src." + source + "/" + month] += 1;
      }
    }
    return out;
  }

  // What renkei-indicators holds for the same keys.
  std::map<std::string, double> Derived(const std::map<std::string, double>& keys) {
    auto stub = v1::IndicatorsService::NewStub(inagi_->channel("indicators"));
    std::map<std::string, double> out;
    std::set<std::string> codes;
    for (const auto& [key, _] : keys) codes.insert(key.substr(0, key.find('/')));
    for (const auto& code : codes) {
      v1::GetSeriesRequest r;
      r.set_indicator_code(code);
      r.set_jurisdiction_code("132250");
      v1::Series series;
      grpc::ClientContext ctx;
      if (!stub->GetSeries(&ctx, r, &series).ok()) continue;  // not defined yet
      for (const auto& p : series.points()) out[code + "/" + p.period()] = p.value();
    }
    return out;
  }

  TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<InstanceProcesses> inagi_;
  std::unique_ptr<v1::IntakeService::Stub> intake_;
};

TEST_F(IndicatorsDerivedTest, MonthlyCountsEqualARecountAfterKillNineAndACrashBeforeAck) {
  const v1::SourceType sources[] = {
      v1::SOURCE_TYPE_PATIENT_FAMILY, v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER,
      v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER, v1::SOURCE_TYPE_MEDICAL_CARE_PROFESSIONAL,
      v1::SOURCE_TYPE_COORDINATOR};
  int seeds = 0;
  auto batch = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      const bool seed = i % 4 == 0;
      seeds += seed;
      Consult(/*days_ago=*/(i * 7) % 80, sources[i % 5], seed);
    }
  };
  batch(0, 15);
  // A crash after committing an effect, before acknowledging it: redelivered, not applied twice.
  inagi_->Stop("indicators");
  ASSERT_TRUE(inagi_->Start("indicators", "consumer.before_ack").ok());
  batch(15, 20);
  int wait_status = 0;
  ASSERT_TRUE(inagi_->process("indicators")->WaitExit(std::chrono::seconds(20), &wait_status));
  ASSERT_TRUE(inagi_->Start("indicators").ok());
  // kill -9 while events are still arriving, and more events while it is down.
  batch(20, 35);
  inagi_->process("indicators")->Kill();
  batch(35, 45);
  ASSERT_TRUE(inagi_->Start("indicators").ok());
  batch(45, 60);

  auto expected = Recount();
  double total = 0;
  for (const auto& [key, n] : expected) {
    if (key.rfind("derived.consultations/", 0) == 0) total += n;
  }
  ASSERT_EQ(total, 60);
  ASSERT_GE(expected.size(), 3u * 2);  // at least three months
  // Seeds, summed over months. Both wait for the events the killed process had fetched but not
  // acknowledged: JetStream delivers them again only after the consumer's ack wait (30 s), so
  // either figure (whichever such an event belonged to) may lag the other by that long.
  auto stub = v1::IndicatorsService::NewStub(inagi_->channel("indicators"));
  v1::GetSeriesRequest r;
  r.set_indicator_code("derived.issue_seeds");
  r.set_jurisdiction_code("132250");
  v1::Series series;
  double raised = 0;
  std::map<std::string, double> derived;
  const bool settled = WaitFor(
      [&] {
        derived = Derived(expected);
        grpc::ClientContext ctx;
        if (!stub->GetSeries(&ctx, r, &series).ok()) return false;
        raised = 0;
        for (const auto& p : series.points()) raised += p.value();
        return derived == expected && raised == seeds;
      },
      std::chrono::seconds(60));
  EXPECT_TRUE(settled);
  EXPECT_EQ(derived, expected);
  EXPECT_EQ(raised, seeds);
  EXPECT_EQ(series.definition().origin(), v1::INDICATOR_ORIGIN_DERIVED);

  // Recompute from the event history (the operator's RecomputeDerived): generation 1 clears the
  // figures, and its consumer reads every event of the stream again. Intake reports a complete
  // history, so nothing needs accepting.
  const int64_t restarted = common::SystemClock::Get()->NowMicros();
  {
    auto op = v1::IndicatorsService::NewStub(inagi_->channel("indicators", v1::ROLE_OPERATOR));
    v1::RecomputeDerivedResponse done;
    grpc::ClientContext ctx;
    grpc::Status s = op->RecomputeDerived(&ctx, v1::RecomputeDerivedRequest(), &done);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(done.generation(), 1u);
    ASSERT_EQ(done.histories_size(), 1);  // intake (the instance file names no issues, training)
    EXPECT_EQ(done.histories(0).service(), "intake");
    EXPECT_TRUE(done.histories(0).complete());
  }
  InstanceProcesses& again = *inagi_;
  auto recomputed = [&] {
    auto stub2 = v1::IndicatorsService::NewStub(again.channel("indicators"));
    std::map<std::string, double> out;
    for (const auto& [key, n] : expected) {
      const std::string code = key.substr(0, key.find('/'));
      v1::GetSeriesRequest r;
      r.set_indicator_code(code);
      r.set_jurisdiction_code("132250");
      r.set_from_period(key.substr(key.find('/') + 1));
      r.set_to_period(key.substr(key.find('/') + 1));
      v1::Series s;
      grpc::ClientContext ctx;
      if (stub2->GetSeries(&ctx, r, &s).ok() && s.points_size() == 1)
        out[key] = s.points(0).value();
    }
    return out;
  };
  std::map<std::string, double> again_figures;
  EXPECT_TRUE(WaitFor(
      [&] {
        again_figures = recomputed();
        return again_figures == expected;
      },
      std::chrono::seconds(30)));
  EXPECT_EQ(again_figures, expected);
  // Every figure was written again after the recompute (cleared and recomputed, not left over).
  auto stub2 = v1::IndicatorsService::NewStub(again.channel("indicators"));
  for (const auto& [key, n] : expected) {
    v1::GetObservationHistoryRequest h;
    h.set_indicator_code(key.substr(0, key.find('/')));
    h.set_jurisdiction_code("132250");
    h.set_period(key.substr(key.find('/') + 1));
    v1::ObservationHistory history;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub2->GetObservationHistory(&ctx, h, &history).ok()) << key;
    ASSERT_EQ(history.versions_size(), 1) << key;
    EXPECT_GE(common::MicrosFromTimestamp(history.versions(0).recorded_at()), restarted) << key;
    EXPECT_EQ(history.versions(0).version(), n) << key;  // one increment per consultation
  }
}

}  // namespace
}  // namespace renkei::testing
