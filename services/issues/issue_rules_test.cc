#include "issue_rules.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/labels.h"
#include "renkei/common/validation.h"
#include "renkei/common/vocabulary.h"
#include "testing.h"

namespace renkei::issues {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ViolatedFields;

TEST(IssueRulesTest, EachStepGateNamesTheStepAndWhatIsMissing) {
  v1::RegionalIssue issue;
  for (int step = 1; step <= kSteps; ++step) {
    absl::Status s = CheckStepComplete(issue, step);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << step;
    EXPECT_THAT(ViolatedFields(s), ElementsAre("step")) << step;
    EXPECT_THAT(std::string(s.message()), HasSubstr(common::StepName(step))) << step;
  }
  issue.set_target_state("終末期でも在宅生活を継続できる");
  EXPECT_TRUE(CheckStepComplete(issue, 1).ok());
  issue.set_current_state("家族が入院を選ぶことがある");
  EXPECT_THAT(std::string(CheckStepComplete(issue, 2).message()), HasSubstr("no evidence"));
  issue.add_evidence()->set_summary("相談記録");
  EXPECT_TRUE(CheckStepComplete(issue, 2).ok());
  issue.set_chosen_issue("本人の意向に沿えない");
  EXPECT_TRUE(CheckStepComplete(issue, 3).ok());
}

TEST(IssueRulesTest, StepFourNeedsExactlyOneMainCauseAndARootCause) {
  v1::RegionalIssue issue;
  issue.add_causes()->set_text("原因1");
  issue.add_causes()->set_text("原因2");
  EXPECT_THAT(std::string(CheckStepComplete(issue, 4).message()),
              HasSubstr("exactly one main cause"));
  issue.mutable_causes(1)->set_main(true);
  EXPECT_THAT(std::string(CheckStepComplete(issue, 4).message()), HasSubstr("root-cause"));
  issue.set_root_cause("専門職が看取るプロセスを十分説明しきれていない");
  EXPECT_TRUE(CheckStepComplete(issue, 4).ok());
  issue.mutable_causes(0)->set_main(true);
  EXPECT_FALSE(CheckStepComplete(issue, 4).ok());
}

TEST(IssueRulesTest, StepsFiveToSevenNeedCountermeasuresProgressAndABaseline) {
  v1::RegionalIssue issue;
  EXPECT_FALSE(CheckStepComplete(issue, 5).ok());
  auto* cm = issue.add_countermeasures();
  cm->set_status(v1::COUNTERMEASURE_STATUS_PLANNED);
  EXPECT_TRUE(CheckStepComplete(issue, 5).ok());
  EXPECT_FALSE(CheckStepComplete(issue, 6).ok());
  cm->set_status(v1::COUNTERMEASURE_STATUS_IN_PROGRESS);
  EXPECT_TRUE(CheckStepComplete(issue, 6).ok());
  auto* e = issue.add_expected_changes();
  EXPECT_THAT(std::string(CheckStepComplete(issue, 7).message()), HasSubstr("baseline"));
  e->mutable_indicator()->set_baseline(0);  // zero is a baseline too
  EXPECT_TRUE(CheckStepComplete(issue, 7).ok());
  EXPECT_THAT(ViolatedFields(CheckStepComplete(issue, 8)), ElementsAre("step"));
}

TEST(IssueRulesTest, CausesAtMostFourWithOneMain) {
  google::protobuf::RepeatedPtrField<v1::Cause> causes;
  for (int i = 0; i < 4; ++i) causes.Add()->set_text("原因");
  common::FieldViolations ok;
  ValidateCauses(causes, "causes", &ok);
  EXPECT_TRUE(ok.empty());

  causes.Add()->set_text("5つ目");
  common::FieldViolations fifth;
  ValidateCauses(causes, "causes", &fifth);
  EXPECT_THAT(ViolatedFields(fifth), ElementsAre("causes"));
  EXPECT_THAT(fifth.violations()[0].second, HasSubstr("at most 4"));

  causes.RemoveLast();
  causes[0].set_main(true);
  causes[2].set_main(true);
  common::FieldViolations two;
  ValidateCauses(causes, "causes", &two);
  EXPECT_THAT(ViolatedFields(two), ElementsAre("causes"));
  EXPECT_THAT(two.violations()[0].second, HasSubstr("only one main cause"));

  causes[2].set_main(false);
  causes[3].set_text("");
  common::FieldViolations blank;
  ValidateCauses(causes, "causes", &blank);
  EXPECT_THAT(ViolatedFields(blank), ElementsAre("causes[3].text"));
}

TEST(IssueRulesTest, CountermeasureNeedsKnownAudiencesAndContent) {
  v1::Countermeasure c;
  c.set_content("看取るプロセスを知る");
  c.add_audiences(v1::AUDIENCE_ROLE_PERSON_AND_FAMILY);
  common::FieldViolations ok;
  ValidateCountermeasure(c, "countermeasure", &ok);
  EXPECT_TRUE(ok.empty());

  c.add_audiences(static_cast<v1::AudienceRole>(99));
  c.add_audiences(v1::AUDIENCE_ROLE_UNSPECIFIED);
  c.set_content("");
  c.mutable_due()->set_year(2026);
  c.mutable_due()->set_month(2);
  c.mutable_due()->set_day(30);
  common::FieldViolations bad;
  ValidateCountermeasure(c, "countermeasure", &bad);
  EXPECT_THAT(ViolatedFields(bad),
              ElementsAre("countermeasure.audiences[1]", "countermeasure.audiences[2]",
                          "countermeasure.content", "countermeasure.due"));

  v1::Countermeasure none;
  none.set_content("x");
  common::FieldViolations missing;
  ValidateCountermeasure(none, "countermeasure", &missing);
  EXPECT_THAT(ViolatedFields(missing), ElementsAre("countermeasure.audiences"));
}

TEST(IssueRulesTest, ExpectedChangeNeedsAnIndicatorWithMethods) {
  v1::ExpectedChange e;
  e.set_description("ケアマネ等が説明できるスキルがあがる");
  e.mutable_indicator()->set_name_ja("説明スキル");
  common::FieldViolations nothing;
  ValidateExpectedChange(e, "expected_change", &nothing);
  EXPECT_THAT(ViolatedFields(nothing), ElementsAre("expected_change.indicator.methods",
                                                   "expected_change.indicator.frequency"));

  e.mutable_indicator()->set_frequency(v1::MEASUREMENT_FREQUENCY_YEARLY);
  common::FieldViolations no_method;
  ValidateExpectedChange(e, "expected_change", &no_method);
  EXPECT_THAT(ViolatedFields(no_method), ElementsAre("expected_change.indicator.methods"));

  e.mutable_indicator()->add_methods(v1::MEASUREMENT_METHOD_SURVEY);
  e.mutable_indicator()->add_methods(v1::MEASUREMENT_METHOD_TEST);
  e.mutable_indicator()->set_code("bad code!");
  e.mutable_indicator()->set_baseline(std::nan(""));
  common::FieldViolations bad;
  ValidateExpectedChange(e, "expected_change", &bad);
  EXPECT_THAT(ViolatedFields(bad),
              ElementsAre("expected_change.indicator.code", "expected_change.indicator.baseline"));

  e.mutable_indicator()->set_code("consultations_by_source");
  e.mutable_indicator()->set_baseline(2.5);
  common::FieldViolations ok;
  ValidateExpectedChange(e, "expected_change", &ok);
  EXPECT_THAT(ViolatedFields(ok), IsEmpty());
}

TEST(IssueRulesTest, WideAreaScopeNamesTheRelatedMunicipalities) {
  google::protobuf::RepeatedPtrField<std::string> related;
  common::FieldViolations none;
  ValidateScope(v1::ISSUE_SCOPE_WIDE_AREA, related, "", &none);
  EXPECT_THAT(ViolatedFields(none), ElementsAre("related_municipality_codes"));

  *related.Add() = "132250";
  *related.Add() = "132251";  // bad check digit
  common::FieldViolations bad;
  ValidateScope(v1::ISSUE_SCOPE_WIDE_AREA, related, "", &bad);
  EXPECT_THAT(ViolatedFields(bad), ElementsAre("related_municipality_codes[1]"));

  common::FieldViolations unknown;
  ValidateScope(static_cast<v1::IssueScope>(7), {}, "", &unknown);
  EXPECT_THAT(ViolatedFields(unknown), ElementsAre("scope"));
}

TEST(IssueRulesTest, LabelsAreJapanese) {
  EXPECT_EQ(common::StepName(4), "要因分析");
  EXPECT_EQ(common::Label(v1::AUDIENCE_ROLE_CARE_MANAGERS), "ケアマネジャー");
  EXPECT_EQ(common::Label(v1::MEASUREMENT_METHOD_HEARING), "ヒアリング");
  EXPECT_EQ(common::Label(v1::COUNTERMEASURE_STATUS_IN_PROGRESS), "実施中");
}

}  // namespace
}  // namespace renkei::issues
