#include "periods.h"

#include "gtest/gtest.h"

namespace renkei::indicators {
namespace {

TEST(PeriodTest, ParsesEachFormAndRoundTrips) {
  for (const char* s : {"2026-11", "2026-Q3", "FY2026", "2026-11-24", "2024-02-29"}) {
    auto p = ParsePeriod(s);
    ASSERT_TRUE(p.has_value()) << s;
    EXPECT_EQ(p->ToString(), s);
  }
  for (const char* s :
       {"", "2026", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "FY26", "fy2026", "2026-11-31",
        "2025-02-29", "1899-12", "3000-01", "2026-1", "2026/11", "2026-11-24x"}) {
    EXPECT_FALSE(ParsePeriod(s).has_value()) << s;
  }
}

TEST(PeriodTest, FiscalYearRunsAprilToMarch) {
  auto fy = *ParsePeriod("FY2026");
  EXPECT_EQ(fy.FirstDay(), 20260401);
  EXPECT_EQ(fy.LastDay(), 20270331);
  EXPECT_EQ(FiscalYearOf(2027, 3), 2026);
  EXPECT_EQ(FiscalYearOf(2026, 4), 2026);
  v1::Date d;
  d.set_year(2027);
  d.set_month(2);
  d.set_day(10);
  EXPECT_EQ(PeriodOf(d, v1::MEASUREMENT_FREQUENCY_YEARLY).ToString(), "FY2026");
  EXPECT_EQ(PeriodOf(d, v1::MEASUREMENT_FREQUENCY_QUARTERLY).ToString(), "2027-Q1");
  EXPECT_EQ(PeriodOf(d, v1::MEASUREMENT_FREQUENCY_MONTHLY).ToString(), "2027-02");
  EXPECT_EQ(PeriodOf(d, v1::MEASUREMENT_FREQUENCY_AD_HOC).ToString(), "2027-02-10");
  EXPECT_EQ(ParsePeriod("2026-Q4")->LastDay(), 20261231);
  EXPECT_EQ(ParsePeriod("2028-02")->LastDay(), 20280229);
}

TEST(PeriodTest, SortKeysOrderPeriodsInTime) {
  EXPECT_LT(ParsePeriod("2026-12")->SortKey(), ParsePeriod("2027-01")->SortKey());
  EXPECT_LT(ParsePeriod("2026-Q4")->SortKey(), ParsePeriod("2027-Q1")->SortKey());
  EXPECT_LT(ParsePeriod("2026-12-31")->SortKey(), ParsePeriod("2027-01-01")->SortKey());
}

TEST(PeriodTest, DataValueSetPeriodsRoundTrip) {
  for (const char* s : {"2026-11", "2026-Q3", "FY2026", "2026-11-24"}) {
    const auto p = *ParsePeriod(s);
    const auto back = ParseDataValuePeriod(ToDataValuePeriod(p));
    ASSERT_TRUE(back.has_value()) << s;
    EXPECT_EQ(back->ToString(), s);
  }
  EXPECT_EQ(ToDataValuePeriod(*ParsePeriod("FY2026")), "2026April");
  EXPECT_FALSE(ParseDataValuePeriod("2026X").has_value());
}

TEST(PeriodTest, FrequencyDecidesTheForm) {
  EXPECT_TRUE(MatchesFrequency(*ParsePeriod("2026-11"), v1::MEASUREMENT_FREQUENCY_MONTHLY));
  EXPECT_FALSE(MatchesFrequency(*ParsePeriod("FY2026"), v1::MEASUREMENT_FREQUENCY_MONTHLY));
  EXPECT_FALSE(MatchesFrequency(*ParsePeriod("2026-11"), v1::MEASUREMENT_FREQUENCY_QUARTERLY));
  EXPECT_TRUE(MatchesFrequency(*ParsePeriod("FY2026"), v1::MEASUREMENT_FREQUENCY_YEARLY));
  EXPECT_TRUE(MatchesFrequency(*ParsePeriod("2026-11-24"), v1::MEASUREMENT_FREQUENCY_AD_HOC));
}

}  // namespace
}  // namespace renkei::indicators
