// Calendar dates in Asia/Tokyo (UTC+9, no daylight saving), the time zone of every date a
// coordinator sees, and fiscal years (April–March).
#pragma once

#include <cstdint>
#include <string>

#include "renkei/v1/common.pb.h"

namespace renkei::common {

// The Tokyo date of an instant (microseconds since the Unix epoch).
v1::Date TokyoDate(int64_t micros);
// The first microsecond of a Tokyo date.
int64_t TokyoStartOfDay(const v1::Date& date);
// yyyymmdd, e.g. 20261124 (0 for an empty date); orders like the dates.
int32_t DateNumber(const v1::Date& date);
v1::Date DateFromNumber(int32_t yyyymmdd);
// Days from a to b (negative when b is earlier).
int DaysBetween(const v1::Date& a, const v1::Date& b);
// Full years between a birth date and a date.
int AgeOn(const v1::Date& birth, const v1::Date& on);
// "2026-11-24".
std::string FormatDate(const v1::Date& date);
// The Japanese fiscal year a date belongs to (April 2026 – March 2027 is 2026).
int FiscalYear(const v1::Date& date);
// The same day `months` months earlier (the month's last day when it has fewer days).
v1::Date MonthsBefore(const v1::Date& date, int months);
// `days` days later (earlier when negative).
v1::Date AddDays(const v1::Date& date, int days);

}  // namespace renkei::common
