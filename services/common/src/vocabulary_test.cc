#include "renkei/common/vocabulary.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace renkei::common {
namespace {

bool AsciiOnly(const std::string& s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

TEST(VocabularyTest, EveryCodeHasJapaneseAndEnglishLabelsUniqueInItsSet) {
  const auto& all = Vocabulary();
  std::map<std::string, int> per_set;
  std::set<std::string> codes, ja, en;
  for (const auto& e : all) {
    SCOPED_TRACE(e.set + " " + e.code);
    ++per_set[e.set];
    EXPECT_FALSE(e.ja.empty());
    EXPECT_FALSE(e.en.empty());
    EXPECT_FALSE(AsciiOnly(e.ja)) << e.ja;
    EXPECT_NE(e.ja, e.code);
    EXPECT_TRUE(codes.insert(e.set + "/" + e.code).second) << "duplicate code";
    EXPECT_TRUE(ja.insert(e.set + "/" + e.ja).second) << "duplicate ja label";
    EXPECT_TRUE(en.insert(e.set + "/" + e.en).second) << "duplicate en label";
  }
  EXPECT_EQ(per_set.size(), 6u);
  EXPECT_EQ(per_set[std::string(kCapabilitySet)], 29);
  EXPECT_EQ(per_set[std::string(kSeedTagSet)], 1);
  EXPECT_GE(per_set[std::string(kIndicatorSet)], 10);
  EXPECT_EQ(per_set[std::string(kPdcaStepSet)], 7);
  EXPECT_EQ(per_set[std::string(kSkillSet)], 9);
  EXPECT_EQ(per_set[std::string(kLikertSet)], 5);
}

TEST(VocabularyTest, FindsCodesAndLabelsTags) {
  ASSERT_NE(FindVocabulary(kCapabilitySet, "parkinsons"), nullptr);
  EXPECT_EQ(FindVocabulary(kCapabilitySet, "parkinsons")->ja, "パーキンソン病");
  EXPECT_EQ(FindVocabulary(kSeedTagSet, kResourceGapTag)->en, "resource gap");
  EXPECT_EQ(FindVocabulary(kIndicatorSet, "derived.consultations")->ja, "相談件数");
  EXPECT_EQ(FindVocabulary(kCapabilitySet, "spaceship"), nullptr);
  EXPECT_EQ(TagLabel("resource_gap"), "資源の空白");
  EXPECT_EQ(TagLabel("parkinsons"), "パーキンソン病");
  EXPECT_EQ(TagLabel("capability:home_visit_medical"), "訪問診療");
  EXPECT_EQ(TagLabel("tag:看取り"), "看取り");
  EXPECT_EQ(TagLabel("専門医連携"), "専門医連携");
  EXPECT_EQ(StepName(1), "目指す姿の設定");
  EXPECT_EQ(StepName(7), "効果確認");
  EXPECT_EQ(StepName(0), "不明");
  EXPECT_EQ(StepName(8), "不明");
  const std::vector<std::string> tags = {"tag:parkinsons", "capability:parkinsons", "看取り"};
  EXPECT_EQ(TagLabels(tags), (std::vector<std::string>{"パーキンソン病", "看取り"}));
}

TEST(VocabularyTest, CapabilityVocabularyHasTheBuiltInsThenTheExtras) {
  v1::CapabilityDefinition extra;
  extra.set_code("foot_care");
  extra.set_label_ja("フットケア");
  CapabilityVocabulary v({extra});
  EXPECT_EQ(v.size(), 30u);
  EXPECT_EQ(v.at(0).code(), "home_visit_medical");
  EXPECT_TRUE(v.at(0).built_in());
  EXPECT_EQ(v.LabelOf("foot_care"), "フットケア");
  EXPECT_EQ(v.LabelOf("parkinsons"), "パーキンソン病");
  EXPECT_EQ(v.LabelOf("unknown_code"), "unknown_code");
  EXPECT_EQ(v.IndexOf("unknown_code"), -1);
}

}  // namespace
}  // namespace renkei::common
