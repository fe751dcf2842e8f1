#include "intake_rules.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/dates.h"
#include "renkei/common/labels.h"

namespace renkei::intake {
namespace {

using ::testing::ElementsAre;

TEST(IntakeRulesTest, LifecycleAllowsExactlyTheDocumentedTransitions) {
  using S = v1::ConsultationStatus;
  const std::vector<S> all = {S::CONSULTATION_STATUS_RECEIVED, S::CONSULTATION_STATUS_ASSESSING,
                              S::CONSULTATION_STATUS_MATCHED,  S::CONSULTATION_STATUS_REFERRED,
                              S::CONSULTATION_STATUS_CLOSED,   S::CONSULTATION_STATUS_UNRESOLVED};
  std::vector<std::string> allowed;
  for (S from : all) {
    for (S to : all) {
      if (TransitionAllowed(from, to))
        allowed.push_back(std::string(common::Label(from)) + ">" + std::string(common::Label(to)));
    }
  }
  EXPECT_THAT(allowed,
              ElementsAre("受付>評価中", "受付>資源候補あり", "受付>紹介済み", "受付>未解決",
                          "評価中>資源候補あり", "評価中>紹介済み", "評価中>終結", "評価中>未解決",
                          "資源候補あり>評価中", "資源候補あり>紹介済み", "資源候補あり>終結",
                          "資源候補あり>未解決", "紹介済み>資源候補あり", "紹介済み>終結",
                          "紹介済み>未解決", "未解決>評価中"));
}

TEST(IntakeRulesTest, AgeBandsAtTheReceivedDate) {
  auto band = [](int birth, int on) {
    return AgeBandOf(common::DateFromNumber(birth), common::DateFromNumber(on));
  };
  EXPECT_EQ(band(19610601, 20260531), v1::AGE_BAND_40_64);  // 64 the day before turning 65
  EXPECT_EQ(band(19610601, 20260601), v1::AGE_BAND_65_74);
  EXPECT_EQ(band(19450101, 20261124), v1::AGE_BAND_75_84);
  EXPECT_EQ(band(19300101, 20261124), v1::AGE_BAND_95_AND_OVER);
  EXPECT_EQ(AgeBandOf(v1::Date(), common::DateFromNumber(20261124)), v1::AGE_BAND_UNSPECIFIED);
}

TEST(IntakeRulesTest, CreateValidationNamesEachField) {
  common::CapabilityVocabulary vocab;
  v1::CreateConsultationRequest r;
  r.set_channel(static_cast<v1::Channel>(9));
  r.mutable_requester()->set_name(std::string(101, 'a'));
  *r.mutable_person()->mutable_birth_date() = common::DateFromNumber(20300101);
  r.mutable_person()->add_conditions(v1::CONDITION_CATEGORY_UNSPECIFIED);
  r.set_narrative("bad\xFF");
  auto* need = r.add_needs();
  need->set_capability("parkinsons");
  need->add_also_requires("parkinsons");
  r.add_needs()->set_capability("telepathy");
  common::FieldViolations v;
  ValidateCreate(r, vocab, common::DateFromNumber(20261124), &v);
  std::vector<std::string> fields;
  for (auto& [f, d] : v.violations()) fields.push_back(f);
  EXPECT_THAT(fields, ElementsAre("channel", "source_type", "requester.name", "person.birth_date",
                                  "person.conditions[0]", "narrative", "needs[0].also_requires[0]",
                                  "needs[1].capability"));
}

TEST(IntakeRulesTest, TagsAreNormalizedAndDeduplicated) {
  google::protobuf::RepeatedPtrField<std::string> tags;
  for (const char* t : {"専門医連携", "ｾﾝﾓﾝｲ", "せんもんい", "  ", "Parkinsons"}) *tags.Add() = t;
  EXPECT_THAT(NormalizeTags(tags), ElementsAre("専門医連携", "センモンイ", "parkinsons"));
}

}  // namespace
}  // namespace renkei::intake
