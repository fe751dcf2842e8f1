#include "renkei/common/dates.h"

#include "gtest/gtest.h"
#include "renkei/common/personal.h"
#include "renkei/v1/intake.pb.h"

namespace renkei::common {
namespace {

TEST(DatesTest, TokyoDatesTurnAtFifteenHundredUtc) {
  // 2026-11-23T14:59:59Z is 23:59:59 in Tokyo; one second later it is the 24th.
  const int64_t t = 1795445999LL * 1000000;
  EXPECT_EQ(FormatDate(TokyoDate(t)), "2026-11-23");
  EXPECT_EQ(FormatDate(TokyoDate(t + 1000000)), "2026-11-24");
  v1::Date d = TokyoDate(t + 1000000);
  EXPECT_EQ(TokyoStartOfDay(d), t + 1000000);
  EXPECT_EQ(DateNumber(d), 20261124);
  EXPECT_EQ(DateNumber(DateFromNumber(20240229)), 20240229);
}

TEST(DatesTest, DaysAgesAndFiscalYears) {
  EXPECT_EQ(DaysBetween(DateFromNumber(20260301), DateFromNumber(20260228)), -1);
  EXPECT_EQ(DaysBetween(DateFromNumber(20240228), DateFromNumber(20240301)), 2);  // leap year
  EXPECT_EQ(AgeOn(DateFromNumber(19470515), DateFromNumber(20260514)), 78);
  EXPECT_EQ(AgeOn(DateFromNumber(19470515), DateFromNumber(20260515)), 79);
  EXPECT_EQ(FiscalYear(DateFromNumber(20260331)), 2025);
  EXPECT_EQ(FiscalYear(DateFromNumber(20260401)), 2026);
}

TEST(DatesTest, MonthsBeforeKeepsTheDayOrTakesTheMonthsLast) {
  EXPECT_EQ(DateNumber(MonthsBefore(DateFromNumber(20261207), 12)), 20251207);
  EXPECT_EQ(DateNumber(MonthsBefore(DateFromNumber(20260331), 1)), 20260228);
  EXPECT_EQ(DateNumber(MonthsBefore(DateFromNumber(20240331), 1)), 20240229);  // leap year
  EXPECT_EQ(DateNumber(MonthsBefore(DateFromNumber(20260115), 1)), 20251215);
  EXPECT_EQ(DateNumber(AddDays(DateFromNumber(20261231), 1)), 20270101);
  EXPECT_EQ(DateNumber(AddDays(DateFromNumber(20240301), -1)), 20240229);
}

TEST(PersonalTest, StripsEveryMarkedFieldRecursivelyAndFindsTheirStrings) {
  v1::Consultation c;
  c.set_id("con_1");
  c.mutable_requester()->set_name("山田花子");
  c.mutable_person()->set_name("稲城太郎");
  *c.mutable_person()->mutable_birth_date() = DateFromNumber(19470515);
  c.mutable_person()->set_care_level(v1::CARE_LEVEL_CARE_2);
  c.set_narrative("歩行が困難");
  c.add_follow_ups()->set_task("ケアマネに確認");
  c.add_needs()->set_capability("parkinsons");
  auto strings = PersonalStrings(c);
  EXPECT_EQ(strings, (std::vector<std::string>{"山田花子", "稲城太郎", "1947-05-15", "歩行が困難",
                                               "ケアマネに確認"}));
  StripPersonal(&c);
  EXPECT_TRUE(PersonalStrings(c).empty());
  EXPECT_EQ(c.person().care_level(), v1::CARE_LEVEL_CARE_2);  // de-identified attributes stay
  EXPECT_EQ(c.needs(0).capability(), "parkinsons");
  EXPECT_EQ(c.id(), "con_1");
}

}  // namespace
}  // namespace renkei::common
