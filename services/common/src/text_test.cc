#include "renkei/common/text.h"

#include "gtest/gtest.h"

namespace renkei::common {
namespace {

TEST(TextTest, ValidatesUtf8Strictly) {
  EXPECT_TRUE(IsValidUtf8("稲城市 abc"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE7\xA8"));      // truncated
  EXPECT_EQ(Utf8Length("稲城市"), 3u);
}

TEST(NormalizeTest, FoldsTheVariantsJapaneseUsersTypeAndSourcesSpell) {
  // hiragana / katakana / half-width katakana with voiced marks
  EXPECT_EQ(NormalizeForSearch("いなぎ"), NormalizeForSearch("イナギ"));
  EXPECT_EQ(NormalizeForSearch("ｲﾅｷﾞ"), NormalizeForSearch("イナギ"));
  EXPECT_EQ(NormalizeForSearch("ﾊﾟｰｷﾝｿﾝ"), "パーキンソン");
  // full-width digits and letters, case
  EXPECT_EQ(NormalizeForSearch("６丁目ＡＢc"), "6丁目abc");
  // ヶ / ケ in place names, itaiji
  EXPECT_EQ(NormalizeForSearch("龍ヶ崎市"), NormalizeForSearch("龍ケ崎市"));
  EXPECT_EQ(NormalizeForSearch("檮原町"), NormalizeForSearch("梼原町"));
  EXPECT_EQ(NormalizeForSearch("髙橋クリニック"), NormalizeForSearch("高橋クリニック"));
  // spaces (ASCII and ideographic) dropped, dashes unified
  EXPECT_EQ(NormalizeForSearch("医療法人　愛全 病院"), "医療法人愛全病院");
  EXPECT_EQ(NormalizeForSearch("1－32"), NormalizeForSearch("1-32"));
  // combining voiced mark
  EXPECT_EQ(NormalizeForSearch("カ\u3099"), "ガ");
  EXPECT_EQ(NormalizeForSearch("㈱ケア"), "(株)ケア");
}

TEST(NormalizeTest, IsIdempotent) {
  for (const char* s : {"ｲﾅｷﾞ ｸﾘﾆｯｸ", "いなぎ在宅療養クリニック", "ＡＢＣ－１２３", "龍ヶ崎"}) {
    std::string once = NormalizeForSearch(s);
    EXPECT_EQ(NormalizeForSearch(once), once) << s;
  }
}

TEST(DisplayWidthTest, CountsWideCharactersAsTwoColumns) {
  EXPECT_EQ(DisplayWidth("abc"), 3);
  EXPECT_EQ(DisplayWidth("稲城市"), 6);
  EXPECT_EQ(DisplayWidth("ｲﾅｷﾞ"), 4);
  EXPECT_EQ(TruncateToWidth("稲城在宅療養クリニック", 9), "稲城在宅…");
}

}  // namespace
}  // namespace renkei::common
