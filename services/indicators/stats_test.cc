#include "stats.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace renkei::indicators {
namespace {

using ::testing::ElementsAre;

TEST(StatsTest, QuartilesInterpolateLikeExcel) {
  // QUARTILE.INC({1,2,3,4,5,6,7,8}) = 2.75, 4.5, 6.25
  std::vector<double> v = {8, 1, 7, 2, 6, 3, 5, 4};
  EXPECT_DOUBLE_EQ(Quantile(v, 0.25), 2.75);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.5), 4.5);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.75), 6.25);
  EXPECT_DOUBLE_EQ(Quantile({3}, 0.25), 3);
  EXPECT_DOUBLE_EQ(Quantile({}, 0.5), 0);
}

TEST(StatsTest, TiesShareARankAndDirectionDecidesTheBest) {
  EXPECT_THAT(Ranks({0.5, 0.9, 0.5, 0.1}, v1::DIRECTION_HIGHER_IS_BETTER), ElementsAre(2, 1, 2, 4));
  EXPECT_THAT(Ranks({0.5, 0.9, 0.5, 0.1}, v1::DIRECTION_LOWER_IS_BETTER), ElementsAre(2, 4, 2, 1));
}

TEST(StatsTest, RatiosRollUpFromNumeratorsAndDenominatorsNeverAveraged) {
  // 1/2 and 90/100: the average of the ratios would be 0.7; the prefecture's ratio is 91/102.
  auto c = Combine({{0.5, 1, 2}, {0.9, 90, 100}}, v1::INDICATOR_KIND_RATIO);
  ASSERT_TRUE(c.has_value());
  EXPECT_DOUBLE_EQ(c->value, 91.0 / 102);
  EXPECT_DOUBLE_EQ(*c->numerator, 91);
  EXPECT_DOUBLE_EQ(*c->denominator, 102);
  EXPECT_FALSE(Combine({{0, 0, 0}}, v1::INDICATOR_KIND_RATIO).has_value());
  EXPECT_DOUBLE_EQ(Combine({{3, {}, {}}, {4, {}, {}}}, v1::INDICATOR_KIND_COUNT)->value, 7);
  // Survey scores weighted by the number of responses.
  EXPECT_DOUBLE_EQ(Combine({{4, 40, 10}, {2, 60, 30}}, v1::INDICATOR_KIND_SURVEY_SCORE)->value,
                   (4.0 * 10 + 2.0 * 30) / 40);
}

TEST(StatsTest, SmallCellsAreSuppressed) {
  SuppressionRule rule;
  EXPECT_FALSE(Suppressed({0, {}, {}}, v1::INDICATOR_KIND_COUNT, rule));
  EXPECT_TRUE(Suppressed({1, {}, {}}, v1::INDICATOR_KIND_COUNT, rule));
  EXPECT_TRUE(Suppressed({9, {}, {}}, v1::INDICATOR_KIND_COUNT, rule));
  EXPECT_FALSE(Suppressed({10, {}, {}}, v1::INDICATOR_KIND_COUNT, rule));
  EXPECT_TRUE(Suppressed({0.5, 4, 9}, v1::INDICATOR_KIND_RATIO, rule));
  EXPECT_FALSE(Suppressed({0.5, 5, 10}, v1::INDICATOR_KIND_RATIO, rule));
}

}  // namespace
}  // namespace renkei::indicators
