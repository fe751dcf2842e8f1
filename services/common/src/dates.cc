#include "renkei/common/dates.h"

#include <algorithm>
#include <cstdio>

namespace renkei::common {
namespace {

constexpr int64_t kTokyoOffsetMicros = 9LL * 3600 * 1000000;
constexpr int64_t kMicrosPerDay = 86400LL * 1000000;

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

v1::Date CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp + (mp < 10 ? 3 : -9);
  v1::Date out;
  out.set_year(static_cast<int32_t>(y + (m <= 2)));
  out.set_month(static_cast<int32_t>(m));
  out.set_day(static_cast<int32_t>(d));
  return out;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

v1::Date TokyoDate(int64_t micros) {
  return CivilFromDays(FloorDiv(micros + kTokyoOffsetMicros, kMicrosPerDay));
}

int64_t TokyoStartOfDay(const v1::Date& date) {
  return DaysFromCivil(date.year(), date.month(), date.day()) * kMicrosPerDay - kTokyoOffsetMicros;
}

int32_t DateNumber(const v1::Date& date) {
  return date.year() * 10000 + date.month() * 100 + date.day();
}

v1::Date DateFromNumber(int32_t yyyymmdd) {
  v1::Date d;
  d.set_year(yyyymmdd / 10000);
  d.set_month(yyyymmdd / 100 % 100);
  d.set_day(yyyymmdd % 100);
  return d;
}

int DaysBetween(const v1::Date& a, const v1::Date& b) {
  return static_cast<int>(DaysFromCivil(b.year(), b.month(), b.day()) -
                          DaysFromCivil(a.year(), a.month(), a.day()));
}

int AgeOn(const v1::Date& birth, const v1::Date& on) {
  int age = on.year() - birth.year();
  if (on.month() < birth.month() || (on.month() == birth.month() && on.day() < birth.day())) --age;
  return age;
}

std::string FormatDate(const v1::Date& date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", date.year(), date.month(), date.day());
  return buf;
}

int FiscalYear(const v1::Date& date) { return date.month() >= 4 ? date.year() : date.year() - 1; }

v1::Date MonthsBefore(const v1::Date& date, int months) {
  int index = date.year() * 12 + (date.month() - 1) - months;
  int year = index / 12, month = index % 12 + 1;
  // The same day of that month, or its last day (31 March - 1 month = 28/29 February).
  const int64_t next_month =
      month == 12 ? DaysFromCivil(year + 1, 1, 1) : DaysFromCivil(year, month + 1, 1);
  const int last = static_cast<int>(next_month - DaysFromCivil(year, month, 1));
  v1::Date out;
  out.set_year(year);
  out.set_month(month);
  out.set_day(std::min(date.day(), last));
  return out;
}

v1::Date AddDays(const v1::Date& date, int days) {
  return TokyoDate(TokyoStartOfDay(date) + static_cast<int64_t>(days) * kMicrosPerDay);
}

}  // namespace renkei::common
