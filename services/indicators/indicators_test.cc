#include "indicators.h"

#include "derived.h"
#include "domain_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "indicator_store.h"
#include "renkei/common/validation.h"
#include "testing.h"

namespace renkei::indicators {
namespace {

using renkei::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using testing::ViolatedFields;

struct Instance : renkei::testing::DomainStore {
  Instance(const std::string& dir, v1::InstanceLevel level, const std::string& code,
           common::Clock* clock)
      : DomainStore(dir, IndicatorStore::ColumnFamilies()) {
    IndicatorsOptions options;
    options.level = level;
    options.jurisdiction_code = code;
    indicators = std::make_unique<Indicators>(store.get(), outbox.get(),
                                              common::EventSource{"x", clock}, options, clock);
  }
  std::unique_ptr<Indicators> indicators;
};

v1::DefineIndicatorRequest Define(const std::string& code, v1::IndicatorKind kind,
                                  v1::MeasurementFrequency frequency,
                                  v1::IndicatorOrigin origin = v1::INDICATOR_ORIGIN_NATIONAL) {
  v1::DefineIndicatorRequest r;
  auto* s = r.mutable_definition()->mutable_spec();
  s->set_code(code);
  s->set_name_ja(code + " の指標");
  s->set_unit(kind == v1::INDICATOR_KIND_RATIO ? "%" : "件");
  s->set_kind(kind);
  s->add_methods(v1::MEASUREMENT_METHOD_SYSTEM_DERIVED);
  s->set_frequency(frequency);
  s->set_direction(v1::DIRECTION_HIGHER_IS_BETTER);
  r.mutable_definition()->set_origin(origin);
  return r;
}

v1::RecordObservationRequest Value(const std::string& code, const std::string& j,
                                   const std::string& period, double value,
                                   std::optional<double> num = {}, std::optional<double> den = {}) {
  v1::RecordObservationRequest r;
  auto* o = r.mutable_observation();
  o->set_indicator_code(code);
  o->set_jurisdiction_code(j);
  o->set_period(period);
  o->set_value(value);
  if (num) o->set_numerator(*num);
  if (den) o->set_denominator(*den);
  o->set_source("テスト");
  return r;
}

class IndicatorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    nation_ = std::make_unique<Instance>(tmp_.Sub("nation"), v1::INSTANCE_LEVEL_NATIONAL, "000000",
                                         &clock_);
    ASSERT_TRUE(nation()
                    .DefineIndicator(Define("matched_inside", v1::INDICATOR_KIND_RATIO,
                                            v1::MEASUREMENT_FREQUENCY_MONTHLY))
                    .ok());
    ASSERT_TRUE(nation()
                    .DefineIndicator(Define("consultations", v1::INDICATOR_KIND_COUNT,
                                            v1::MEASUREMENT_FREQUENCY_MONTHLY))
                    .ok());
  }
  Indicators& nation() { return *nation_->indicators; }
  void Record(const v1::RecordObservationRequest& r) {
    auto s = nation().RecordObservation(r);
    ASSERT_TRUE(s.ok()) << s.status();
  }

  common::FakeClock clock_;
  renkei::testing::TempDir tmp_;
  std::unique_ptr<Instance> nation_;
};

TEST_F(IndicatorsTest, RollUpsAddNumeratorsAndDenominatorsAcrossTwoPrefectures) {
  // Tokyo: Inagi 1/2, Chofu 90/100; Saitama: Kumagaya 30/40.
  Record(Value("matched_inside", "132250", "2026-11", 0, 1, 2));
  Record(Value("matched_inside", "132080", "2026-11", 0, 90, 100));
  Record(Value("matched_inside", "112020", "2026-11", 0, 30, 40));
  v1::RollUpRequest r;
  r.set_indicator_code("matched_inside");
  r.set_period("2026-11");
  r.set_jurisdiction_code("130001");
  auto tokyo = *nation().RollUp(r);
  EXPECT_DOUBLE_EQ(tokyo.value(), 91.0 / 102);  // not (0.5 + 0.9) / 2
  EXPECT_DOUBLE_EQ(tokyo.numerator(), 91);
  EXPECT_DOUBLE_EQ(tokyo.denominator(), 102);
  EXPECT_EQ(tokyo.reporting(), 2);
  EXPECT_GT(tokyo.expected(), 50);  // Tokyo's municipalities (62 with the 23 wards)
  r.set_jurisdiction_code("000000");
  auto japan = *nation().RollUp(r);
  EXPECT_DOUBLE_EQ(japan.value(), 121.0 / 142);
  EXPECT_EQ(japan.reporting(), 2);
  EXPECT_EQ(japan.expected(), 47);

  v1::CompareRequest c;
  c.set_indicator_code("matched_inside");
  c.set_period("2026-11");
  c.set_scope("13");
  auto cmp = *nation().Compare(c);
  ASSERT_EQ(cmp.rows_size(), 2);
  EXPECT_EQ(cmp.rows(0).jurisdiction_code(), "132080");
  EXPECT_EQ(cmp.rows(0).rank(), 1);
  EXPECT_THAT(cmp.rows(0).name(), HasSubstr("調布市"));
  EXPECT_EQ(cmp.rows(1).rank(), 2);
  EXPECT_TRUE(cmp.rows(1).suppressed());  // denominator 2 < 10: withheld from the nation
  EXPECT_FALSE(cmp.rows(1).has_numerator());
  EXPECT_EQ(cmp.rows(1).value(), 0);
  EXPECT_DOUBLE_EQ(cmp.median(), 0.7);
  c.set_scope("000000");
  cmp = *nation().Compare(c);
  ASSERT_EQ(cmp.rows_size(), 2);
  EXPECT_EQ(cmp.rows(0).jurisdiction_code(), "130001");
  EXPECT_EQ(cmp.rows(1).jurisdiction_code(), "110001");
}

TEST_F(IndicatorsTest, BadInputIsNamedAndNothingIsWritten) {
  const size_t before = nation_->EventCount();
  EXPECT_THAT(
      ViolatedFields(nation().RecordObservation(Value("no_such", "132250", "2026-11", 1)).status()),
      ElementsAre("observation.indicator_code"));
  EXPECT_THAT(
      ViolatedFields(
          nation().RecordObservation(Value("consultations", "132250", "FY2026", 1)).status()),
      ElementsAre("observation.period"));
  EXPECT_THAT(
      ViolatedFields(nation()
                         .RecordObservation(Value("matched_inside", "132250", "2026-11", 0, 1, 0))
                         .status()),
      ElementsAre("observation.denominator"));
  EXPECT_THAT(
      ViolatedFields(
          nation().RecordObservation(Value("consultations", "132251", "2026-11", 1)).status()),
      ElementsAre("observation.jurisdiction_code"));
  EXPECT_THAT(
      ViolatedFields(
          nation().RecordObservation(Value("consultations", "132250", "2026-11", 1.5)).status()),
      ElementsAre("observation.value"));
  // A municipality's instance holds only its own values.
  Instance inagi(tmp_.Sub("inagi"), v1::INSTANCE_LEVEL_MUNICIPALITY, "132250", &clock_);
  auto local = Define("local_count", v1::INDICATOR_KIND_COUNT, v1::MEASUREMENT_FREQUENCY_MONTHLY,
                      v1::INDICATOR_ORIGIN_LOCAL);
  ASSERT_TRUE(inagi.indicators->DefineIndicator(local).ok());
  auto s = inagi.indicators->RecordObservation(Value("local_count", "132080", "2026-11", 3));
  EXPECT_THAT(ViolatedFields(s.status()), ElementsAre("observation.jurisdiction_code"));
  EXPECT_THAT(common::FieldViolationsOf(s.status())[0].second, HasSubstr("管轄外"));
  // National definitions only from the national instance.
  EXPECT_THAT(ViolatedFields(inagi.indicators
                                 ->DefineIndicator(Define("x", v1::INDICATOR_KIND_COUNT,
                                                          v1::MEASUREMENT_FREQUENCY_MONTHLY))
                                 .status()),
              ElementsAre("definition.origin"));
  EXPECT_EQ(nation_->EventCount(), before);
}

TEST_F(IndicatorsTest, CorrectionsKeepHistoryAndQueriesSeeTheLatest) {
  Record(Value("consultations", "132250", "2026-10", 12));
  auto again = nation().RecordObservation(Value("consultations", "132250", "2026-10", 13));
  EXPECT_THAT(again.status(), StatusIs(absl::StatusCode::kAborted));
  auto fix = Value("consultations", "132250", "2026-10", 14);
  fix.set_expected_version(1);
  fix.mutable_observation()->set_note("重複を除いて訂正");
  fix.mutable_observation()->set_recorded_by("inagi-staff-01");
  auto fixed = nation().RecordObservation(fix);
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  EXPECT_EQ(fixed->version(), 2);
  v1::GetObservationHistoryRequest h;
  h.set_indicator_code("consultations");
  h.set_jurisdiction_code("132250");
  h.set_period("2026-10");
  auto history = *nation().GetObservationHistory(h);
  ASSERT_EQ(history.versions_size(), 2);
  EXPECT_EQ(history.versions(0).value(), 12);
  EXPECT_EQ(history.versions(1).value(), 14);
  EXPECT_EQ(history.versions(1).recorded_by(), "inagi-staff-01");
  Record(Value("consultations", "132250", "2026-09", 20));
  v1::GetSeriesRequest sr;
  sr.set_indicator_code("consultations");
  sr.set_jurisdiction_code("132250");
  auto series = *nation().GetSeries(sr);
  ASSERT_EQ(series.points_size(), 2);
  EXPECT_EQ(series.points(0).period(), "2026-09");
  EXPECT_EQ(series.points(1).value(), 14);
}

TEST_F(IndicatorsTest, ExportSuppressesSmallCellsAndTheJsonRoundTrips) {
  Record(Value("consultations", "132250", "2026-11", 5));  // 1..9: suppressed
  Record(Value("consultations", "132080", "2026-11", 42));
  Record(Value("matched_inside", "132080", "2026-11", 0, 9, 12));
  v1::ExportObservationsRequest e;
  e.set_format(v1::OBSERVATION_FORMAT_CSV);
  auto csv = *nation().ExportObservations(e);
  EXPECT_THAT(csv.content(), StartsWith("\xEF\xBB\xBFindicator_code,"));
  EXPECT_EQ(csv.rows(), 3);
  EXPECT_EQ(csv.suppressed(), 1);
  EXPECT_THAT(csv.content(), HasSubstr("132250,東京都稲城市,2026-11,,,,件"));
  EXPECT_THAT(csv.content(), HasSubstr("132080,東京都調布市,2026-11,42,"));
  e.set_unsuppressed(true);
  EXPECT_EQ(nation().ExportObservations(e)->suppressed(), 0);

  e.set_format(v1::OBSERVATION_FORMAT_DATA_VALUE_SET);
  auto json = *nation().ExportObservations(e);
  EXPECT_THAT(json.content(), HasSubstr("\"dataValues\""));
  EXPECT_THAT(json.content(), HasSubstr("\"period\": \"202611\""));
  Instance copy(tmp_.Sub("copy"), v1::INSTANCE_LEVEL_NATIONAL, "000000", &clock_);
  for (const char* code : {"matched_inside", "consultations"}) {
    ASSERT_TRUE(copy.indicators
                    ->DefineIndicator(Define(code,
                                             std::string(code) == "consultations"
                                                 ? v1::INDICATOR_KIND_COUNT
                                                 : v1::INDICATOR_KIND_RATIO,
                                             v1::MEASUREMENT_FREQUENCY_MONTHLY))
                    .ok());
  }
  v1::ImportObservationsRequest imp;
  imp.set_format(v1::OBSERVATION_FORMAT_DATA_VALUE_SET);
  imp.set_content(json.content());
  auto result = copy.indicators->ImportObservations(imp);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->recorded(), 3);
  EXPECT_THAT(result->errors(), IsEmpty());
  v1::RollUpRequest r;
  r.set_indicator_code("matched_inside");
  r.set_period("2026-11");
  r.set_jurisdiction_code("130001");
  EXPECT_DOUBLE_EQ(copy.indicators->RollUp(r)->value(), 9.0 / 12);
  // Importing the same file again changes nothing.
  EXPECT_EQ(copy.indicators->ImportObservations(imp)->unchanged(), 3);
}

TEST_F(IndicatorsTest, ImportListsEveryBadRowAndWritesNothingUnlessPartial) {
  v1::ImportObservationsRequest imp;
  imp.set_format(v1::OBSERVATION_FORMAT_CSV);
  imp.set_content(
      "indicator_code,jurisdiction_code,period,value,numerator,denominator\r\n"
      "consultations,132250,2026-11,7,,\r\n"
      "consultations,132250,FY2026,7,,\r\n"
      "matched_inside,132250,2026-11,,3,0\r\n"
      "unknown,132250,2026-11,1,,\r\n"
      "consultations,132250,2026-12,abc,,\r\n");
  const size_t before = nation_->EventCount();
  // Nothing written, INVALID_ARGUMENT naming every bad row (as the directory's import).
  auto refused = nation().ImportObservations(imp);
  EXPECT_THAT(refused.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> errors;
  for (const auto& [field, d] : common::FieldViolationsOf(refused.status()))
    errors.push_back(field);
  EXPECT_THAT(errors, ElementsAre("row 2 (period)", "row 3 (denominator)", "row 4 (indicator_code)",
                                  "row 5 (value)"));
  EXPECT_EQ(nation_->EventCount(), before);
  imp.set_allow_partial(true);
  EXPECT_EQ(nation().ImportObservations(imp)->recorded(), 1);
}

// A derived definition stored by an earlier version under an earlier wording (the skill's code in
// the name) is rewritten at start-up as a new version with its event, once; the rest stay as they
// are.
TEST_F(IndicatorsTest, DerivedDefinitionsStoredUnderAnEarlierWordingAreRewrittenOnce) {
  Instance inagi(tmp_.Sub("inagi"), v1::INSTANCE_LEVEL_MUNICIPALITY, "132250", &clock_);
  const std::string code = "derived.survey_score.convey_issue_seeds";
  auto earlier = DerivedDefinition(code);
  ASSERT_TRUE(earlier.has_value());
  earlier->mutable_spec()->set_name_ja("研修アンケートの得点 (convey_issue_seeds)");
  earlier->set_version(1);
  auto current = DerivedDefinition("derived.consultations");
  ASSERT_TRUE(current.has_value());
  current->set_version(1);
  IndicatorStore store(inagi.store.get());
  common::Batch batch;
  store.PutDefinition(&batch, *earlier);
  store.PutDefinition(&batch, *current);
  ASSERT_TRUE(inagi.store->Write(batch).ok());
  const size_t events = inagi.EventCount();

  for (int run = 0; run < 2; ++run) {
    ASSERT_TRUE(inagi.indicators->RefreshDerivedDefinitions().ok());
    v1::GetIndicatorRequest get;
    get.set_code(code);
    auto got = inagi.indicators->GetIndicator(get);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->spec().name_ja(), "研修アンケートの得点 (地域課題のタネを伝える)");
    EXPECT_EQ(got->version(), 2);
    get.set_code("derived.consultations");
    got = inagi.indicators->GetIndicator(get);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->version(), 1);
    EXPECT_EQ(inagi.EventCount(), events + 1) << "run " << run;
  }
}

TEST_F(IndicatorsTest, ExpectedChangesDefineIndicatorsAndProgressIsReported) {
  Instance inagi(tmp_.Sub("inagi"), v1::INSTANCE_LEVEL_MUNICIPALITY, "132250", &clock_);
  const std::string issue = "iss_01JDZ0000000000000000000AA";
  auto event = common::NewEvent({"m132250", &clock_}, "issue", issue, 9, v1::SHARE_LEVEL_PREFECTURE,
                                "132250");
  auto* ec = event.mutable_expected_change_defined();
  ec->set_issue_id(issue);
  ec->set_expected_change_id("exp_01JDZ0000000000000000000AA");
  ec->set_municipality_code("132250");
  auto* spec = ec->mutable_indicator();
  spec->set_code(issue + ".E1");
  spec->set_name_ja("家族への説明スキル");
  spec->set_unit("点");
  spec->set_kind(v1::INDICATOR_KIND_SURVEY_SCORE);
  spec->add_methods(v1::MEASUREMENT_METHOD_SURVEY);
  spec->add_methods(v1::MEASUREMENT_METHOD_TEST);
  spec->set_frequency(v1::MEASUREMENT_FREQUENCY_YEARLY);
  spec->set_direction(v1::DIRECTION_HIGHER_IS_BETTER);
  spec->set_baseline(2.4);
  spec->set_baseline_period("FY2025");
  spec->set_target(4.0);
  {
    common::CommandBatch cmd(inagi.store.get(), inagi.outbox.get());
    ASSERT_TRUE(inagi.indicators->ApplyExpectedChange(event, &cmd).ok());
    ASSERT_TRUE(cmd.Commit().ok());
  }
  v1::GetIndicatorRequest get;
  get.set_code(issue + ".E1");
  auto d = *inagi.indicators->GetIndicator(get);
  EXPECT_EQ(d.origin(), v1::INDICATOR_ORIGIN_EXPECTED_CHANGE);
  EXPECT_EQ(d.expected_change_label(), "E1");
  auto later = Value(issue + ".E1", "132250", "FY2026", 3.6);
  later.mutable_observation()->set_denominator(25);  // responses
  ASSERT_TRUE(inagi.indicators->RecordObservation(later).ok());
  v1::GetIssueProgressRequest pr;
  pr.set_issue_id(issue);
  auto progress = *inagi.indicators->GetIssueProgress(pr);
  ASSERT_EQ(progress.indicators_size(), 1);
  const auto& e1 = progress.indicators(0);
  EXPECT_DOUBLE_EQ(e1.baseline(), 2.4);
  EXPECT_DOUBLE_EQ(e1.target(), 4.0);
  EXPECT_DOUBLE_EQ(e1.latest(), 3.6);
  EXPECT_EQ(e1.latest_period(), "FY2026");
  EXPECT_NEAR(e1.progress(), (3.6 - 2.4) / (4.0 - 2.4), 1e-12);
  EXPECT_FALSE(e1.target_reached());
  ASSERT_EQ(e1.points_size(), 2);
  EXPECT_EQ(e1.points(0).period(), "FY2025");
}

TEST_F(IndicatorsTest, AnExpectedChangeCanFollowADerivedIndicator) {
  // The 看取り worksheet's E-item "residents who know 人生会議" followed by the awareness
  // questionnaire's derived share (docs/outreach.md): linked before its first figure exists.
  Instance inagi(tmp_.Sub("inagi"), v1::INSTANCE_LEVEL_MUNICIPALITY, "132250", &clock_);
  const std::string issue = "iss_01JDZ0000000000000000000AB";
  const std::string code = "derived.awareness.acp_known.after";
  auto event = common::NewEvent({"m132250", &clock_}, "issue", issue, 9, v1::SHARE_LEVEL_PREFECTURE,
                                "132250");
  auto* ec = event.mutable_expected_change_defined();
  ec->set_issue_id(issue);
  ec->set_expected_change_id("exp_01JDZ0000000000000000000AB");
  ec->set_municipality_code("132250");
  auto* spec = ec->mutable_indicator();
  spec->set_code(code);
  spec->set_name_ja("人生会議を知っている住民の割合");
  spec->set_kind(v1::INDICATOR_KIND_RATIO);
  spec->add_methods(v1::MEASUREMENT_METHOD_SURVEY);
  spec->set_frequency(v1::MEASUREMENT_FREQUENCY_MONTHLY);
  spec->set_direction(v1::DIRECTION_HIGHER_IS_BETTER);
  spec->set_baseline(0.3);
  spec->set_target(0.6);
  {
    common::CommandBatch cmd(inagi.store.get(), inagi.outbox.get());
    ASSERT_TRUE(inagi.indicators->ApplyExpectedChange(event, &cmd).ok());
    ASSERT_TRUE(cmd.Commit().ok());
  }
  // Not defined as the expected change's own indicator.
  v1::GetIndicatorRequest get;
  get.set_code(code);
  EXPECT_FALSE(inagi.indicators->GetIndicator(get).ok());
  // Two after-event answer sheets, one agreeing.
  for (int likert : {5, 2}) {
    auto answered =
        common::NewEvent({"m132250", &clock_}, "training", "trn_01JDZ0000000000000000000AB", 1,
                         v1::SHARE_LEVEL_PREFECTURE, "132250");
    auto* a = answered.mutable_awareness_answered();
    a->set_training_id("trn_01JDZ0000000000000000000AB");
    a->set_organizer_code("132250");
    a->set_phase(v1::AWARENESS_PHASE_AFTER);
    auto* x = a->add_answers();
    x->set_item_id("acp_known");
    x->set_likert(likert);
    a->add_statements("人生会議 (ACP) を知っている");
    common::CommandBatch cmd(inagi.store.get(), inagi.outbox.get());
    ASSERT_TRUE(inagi.indicators->ApplyDerived(answered, &cmd).ok());
    ASSERT_TRUE(cmd.Commit().ok());
  }
  v1::GetIssueProgressRequest pr;
  pr.set_issue_id(issue);
  auto progress = inagi.indicators->GetIssueProgress(pr);
  ASSERT_TRUE(progress.ok()) << progress.status();
  ASSERT_EQ(progress->indicators_size(), 1);
  const auto& p = progress->indicators(0);
  EXPECT_EQ(p.definition().spec().code(), code);
  EXPECT_EQ(p.definition().origin(), v1::INDICATOR_ORIGIN_DERIVED);
  // Named after the item's statement, which the code does not hold.
  EXPECT_EQ(p.definition().spec().name_ja(),
            "「人生会議 (ACP) を知っている」にそう思うと答えた割合 (参加後)");
  EXPECT_DOUBLE_EQ(p.baseline(), 0.3);
  EXPECT_DOUBLE_EQ(p.target(), 0.6);
  EXPECT_DOUBLE_EQ(p.latest(), 0.5);
  EXPECT_NEAR(p.progress(), (0.5 - 0.3) / (0.6 - 0.3), 1e-12);
}

}  // namespace
}  // namespace renkei::indicators
