#include "renkei/common/jurisdiction.h"

#include "gtest/gtest.h"

namespace renkei::common {
namespace {

TEST(CheckDigitTest, MatchesTheOfficialRule) {
  EXPECT_TRUE(HasValidCheckDigit("132250"));  // 稲城市
  EXPECT_TRUE(HasValidCheckDigit("112020"));  // 熊谷市
  EXPECT_TRUE(HasValidCheckDigit("130001"));  // 東京都
  EXPECT_FALSE(HasValidCheckDigit("132251"));
  EXPECT_FALSE(HasValidCheckDigit("13225"));
  EXPECT_FALSE(HasValidCheckDigit("13225a"));
}

TEST(JurisdictionsTest, KnowsEveryMunicipalityOfTheReferenceData) {
  const auto& j = Jurisdictions::Get();
  EXPECT_EQ(j.municipalities().size(), 1912u);
  EXPECT_EQ(j.prefectures().size(), 47u);
  for (const auto& m : j.municipalities()) {
    ASSERT_TRUE(HasValidCheckDigit(m.code)) << m.code;
  }
  const Municipality* inagi = j.FindMunicipality("132250");
  ASSERT_NE(inagi, nullptr);
  EXPECT_EQ(inagi->name, "稲城市");
  EXPECT_EQ(inagi->prefecture_code, "13");
  EXPECT_NEAR(inagi->office_lat, 35.638, 0.01);
  EXPECT_EQ(j.FindPrefecture("11")->name, "埼玉県");
  EXPECT_EQ(j.FindPrefecture("110001")->name, "埼玉県");
}

TEST(JurisdictionsTest, ChecksCodesInOrderFormatCheckDigitKnown) {
  const auto& j = Jurisdictions::Get();
  EXPECT_EQ(j.CheckMunicipalityCode("132250"), CodeCheck::kOk);
  EXPECT_EQ(j.CheckMunicipalityCode("13225"), CodeCheck::kMalformed);
  EXPECT_EQ(j.CheckMunicipalityCode("１３２２５０"), CodeCheck::kMalformed);
  EXPECT_EQ(j.CheckMunicipalityCode("132251"), CodeCheck::kBadCheckDigit);
  // 13999x with a valid check digit but no such city.
  std::string code = "13999";
  int sum = 1 * 6 + 3 * 5 + 9 * 4 + 9 * 3 + 9 * 2;
  code += static_cast<char>('0' + (11 - sum % 11) % 10);
  EXPECT_EQ(j.CheckMunicipalityCode(code), CodeCheck::kUnknown);
}

TEST(JurisdictionsTest, FlagsCoordinatesThatCannotBelongToThePrefecture) {
  const auto& j = Jurisdictions::Get();
  EXPECT_TRUE(j.PlausiblyInPrefecture("13", 35.638, 139.505));     // Inagi city office
  EXPECT_FALSE(j.PlausiblyInPrefecture("13", 43.06, 141.35));      // Sapporo
  EXPECT_FALSE(j.PlausiblyInPrefecture("40", 35.6453, 139.7333));  // Fukuoka row placed in Tokyo
  EXPECT_TRUE(j.PlausiblyInPrefecture("11", 36.2219, 139.3750));   // Kumagaya, near Gunma border
}

TEST(HaversineTest, InagiToKumagayaIsAboutFiftyFiveKilometres) {
  const auto& j = Jurisdictions::Get();
  const auto* a = j.FindMunicipality("132250");
  const auto* b = j.FindMunicipality("112020");
  double d = HaversineKm(a->office_lat, a->office_lon, b->office_lat, b->office_lon);
  EXPECT_GT(d, 50);
  EXPECT_LT(d, 65);
}

}  // namespace
}  // namespace renkei::common
