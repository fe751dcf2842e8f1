#include "vocabulary.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace renkei::directory {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(VocabularyTest, KindCodesRoundTripForEveryKind) {
  const auto* e = v1::ResourceKind_descriptor();
  for (int i = 0; i < e->value_count(); ++i) {
    auto kind = static_cast<v1::ResourceKind>(e->value(i)->number());
    if (kind == v1::RESOURCE_KIND_UNSPECIFIED) continue;
    EXPECT_EQ(KindFromCode(KindCode(kind)), kind) << KindCode(kind);
  }
  EXPECT_EQ(KindCode(v1::RESOURCE_KIND_VISITING_NURSE_STATION), "visiting_nurse_station");
  EXPECT_FALSE(KindFromCode("unspecified"));
  EXPECT_FALSE(KindFromCode("spaceship"));
}

TEST(VocabularyTest, MapsTheServiceTypesOfTheRealOpenDataFiles) {
  EXPECT_EQ(KindFromMhlwServiceType("訪問入浴介護"), v1::RESOURCE_KIND_HOME_VISIT_BATHING);
  EXPECT_EQ(KindFromMhlwServiceType("訪問リハビリテーション"),
            v1::RESOURCE_KIND_HOME_VISIT_REHABILITATION);
  EXPECT_EQ(KindFromMhlwServiceType("夜間対応型訪問介護"), v1::RESOURCE_KIND_NIGHT_HOME_HELP);
  EXPECT_EQ(KindFromMhlwServiceType("小規模多機能型居宅介護"),
            v1::RESOURCE_KIND_SMALL_MULTIFUNCTIONAL);
  EXPECT_EQ(KindFromMhlwServiceType("定期巡回・随時対応型訪問介護看護"),
            v1::RESOURCE_KIND_PERIODIC_VISIT_24H);
  EXPECT_EQ(KindFromMhlwServiceType("看護小規模多機能型居宅介護（複合型サービス）"),
            v1::RESOURCE_KIND_NURSING_SMALL_MULTIFUNCTIONAL);
  EXPECT_EQ(KindFromMhlwServiceType("訪問看護"), v1::RESOURCE_KIND_VISITING_NURSE_STATION);
  EXPECT_EQ(KindFromMhlwServiceType("地域密着型通所介護"), v1::RESOURCE_KIND_COMMUNITY_DAY_SERVICE);
  EXPECT_FALSE(KindFromMhlwServiceType("宇宙旅行"));
}

TEST(VocabularyTest, InfersCapabilitiesFromInstitutionNames) {
  EXPECT_THAT(CapabilitiesInferredFromName("稲城在宅療養クリニック"),
              ElementsAre("home_visit_medical"));
  EXPECT_THAT(CapabilitiesInferredFromName("元気クリニック内科・脳神経内科"),
              ElementsAre("neurology", "parkinsons"));
  EXPECT_THAT(CapabilitiesInferredFromName("なごや脳神経在宅クリニック"),
              ElementsAre("home_visit_medical"));
  EXPECT_THAT(CapabilitiesInferredFromName("てんかんと脳神経内科の訪問クリニック柏"),
              ElementsAre("home_visit_medical", "neurology", "parkinsons"));
  EXPECT_THAT(CapabilitiesInferredFromName("もの忘れクリニック"), ElementsAre("dementia"));
  EXPECT_THAT(CapabilitiesInferredFromName("稲城長沼眼科"), IsEmpty());
}

TEST(VocabularyTest, ExtraCapabilitiesAreValidatedAndAdded) {
  v1::CapabilityDefinition ok, clash, bad;
  ok.set_code("stoma_care");
  ok.set_label_ja("ストーマケア");
  clash.set_code("parkinsons");
  clash.set_label_ja("重複");
  bad.set_code("Bad Code");
  common::FieldViolations v;
  ValidateExtraCapabilities({ok, clash, bad}, "directory.extra_capabilities", &v);
  ASSERT_EQ(v.violations().size(), 3u);
  EXPECT_EQ(v.violations()[0].first, "directory.extra_capabilities[1].code");
  EXPECT_EQ(v.violations()[1].first, "directory.extra_capabilities[2].code");
  EXPECT_EQ(v.violations()[2].first, "directory.extra_capabilities[2].label_ja");
  CapabilityVocabulary vocab({ok});
  EXPECT_TRUE(vocab.Contains("stoma_care"));
  EXPECT_TRUE(vocab.Contains("parkinsons"));
  EXPECT_FALSE(vocab.Contains("telepathy"));
}

}  // namespace
}  // namespace renkei::directory
