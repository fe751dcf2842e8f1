#include "periods.h"

#include <cstdio>

#include "renkei/common/validation.h"

namespace renkei::indicators {
namespace {

bool Digits(std::string_view s, size_t from, size_t n, int* out) {
  if (s.size() < from + n) return false;
  int v = 0;
  for (size_t i = from; i < from + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool PlausibleYear(int y) { return y >= 1900 && y <= 2999; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

int64_t Period::SortKey() const {
  switch (kind) {
    case PeriodKind::kMonth:
      return int64_t{year} * 12 + (index - 1);
    case PeriodKind::kQuarter:
      return int64_t{year} * 4 + (index - 1);
    case PeriodKind::kFiscalYear:
      return year;
    case PeriodKind::kDay:
      return int64_t{year} * 10000 + int64_t{month} * 100 + index;
  }
  return 0;
}

std::string Period::ToString() const {
  char buf[16];
  switch (kind) {
    case PeriodKind::kMonth:
      snprintf(buf, sizeof buf, "%04d-%02d", year, index);
      break;
    case PeriodKind::kQuarter:
      snprintf(buf, sizeof buf, "%04d-Q%d", year, index);
      break;
    case PeriodKind::kFiscalYear:
      snprintf(buf, sizeof buf, "FY%04d", year);
      break;
    case PeriodKind::kDay:
      snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, index);
      break;
  }
  return buf;
}

int32_t Period::FirstDay() const {
  switch (kind) {
    case PeriodKind::kMonth:
      return year * 10000 + index * 100 + 1;
    case PeriodKind::kQuarter:
      return year * 10000 + ((index - 1) * 3 + 1) * 100 + 1;
    case PeriodKind::kFiscalYear:
      return year * 10000 + 401;
    case PeriodKind::kDay:
      return year * 10000 + month * 100 + index;
  }
  return 0;
}

int32_t Period::LastDay() const {
  switch (kind) {
    case PeriodKind::kMonth:
      return year * 10000 + index * 100 + DaysInMonth(year, index);
    case PeriodKind::kQuarter: {
      const int m = index * 3;
      return year * 10000 + m * 100 + DaysInMonth(year, m);
    }
    case PeriodKind::kFiscalYear:
      return (year + 1) * 10000 + 331;
    case PeriodKind::kDay:
      return FirstDay();
  }
  return 0;
}

std::optional<Period> ParsePeriod(std::string_view s) {
  Period p;
  if (s.size() == 6 && s[0] == 'F' && s[1] == 'Y') {
    if (!Digits(s, 2, 4, &p.year) || !PlausibleYear(p.year)) return std::nullopt;
    p.kind = PeriodKind::kFiscalYear;
    return p;
  }
  if (s.size() < 7 || !Digits(s, 0, 4, &p.year) || !PlausibleYear(p.year) || s[4] != '-')
    return std::nullopt;
  if (s.size() == 7 && s[5] == 'Q') {
    if (!Digits(s, 6, 1, &p.index) || p.index < 1 || p.index > 4) return std::nullopt;
    p.kind = PeriodKind::kQuarter;
    return p;
  }
  int month = 0;
  if (!Digits(s, 5, 2, &month) || month < 1 || month > 12) return std::nullopt;
  if (s.size() == 7) {
    p.kind = PeriodKind::kMonth;
    p.index = month;
    return p;
  }
  int day = 0;
  if (s.size() != 10 || s[7] != '-' || !Digits(s, 8, 2, &day) ||
      !common::IsValidDate(p.year, month, day)) {
    return std::nullopt;
  }
  p.kind = PeriodKind::kDay;
  p.month = month;
  p.index = day;
  return p;
}

bool MatchesFrequency(const Period& p, v1::MeasurementFrequency frequency) {
  switch (frequency) {
    case v1::MEASUREMENT_FREQUENCY_MONTHLY:
      return p.kind == PeriodKind::kMonth;
    case v1::MEASUREMENT_FREQUENCY_QUARTERLY:
      return p.kind == PeriodKind::kQuarter;
    case v1::MEASUREMENT_FREQUENCY_YEARLY:
      return p.kind == PeriodKind::kFiscalYear;
    default:
      return true;
  }
}

std::string_view ExpectedPeriodForm(v1::MeasurementFrequency frequency) {
  switch (frequency) {
    case v1::MEASUREMENT_FREQUENCY_MONTHLY:
      return "月 (例 2026-11)";
    case v1::MEASUREMENT_FREQUENCY_QUARTERLY:
      return "四半期 (例 2026-Q3)";
    case v1::MEASUREMENT_FREQUENCY_YEARLY:
      return "年度 (例 FY2026)";
    default:
      return "月・四半期・年度・日 (例 2026-11, 2026-Q3, FY2026, 2026-11-24)";
  }
}

std::string ToDataValuePeriod(const Period& p) {
  char buf[16];
  switch (p.kind) {
    case PeriodKind::kMonth:
      snprintf(buf, sizeof buf, "%04d%02d", p.year, p.index);
      break;
    case PeriodKind::kQuarter:
      snprintf(buf, sizeof buf, "%04dQ%d", p.year, p.index);
      break;
    case PeriodKind::kFiscalYear:
      snprintf(buf, sizeof buf, "%04dApril", p.year);
      break;
    case PeriodKind::kDay:
      snprintf(buf, sizeof buf, "%04d%02d%02d", p.year, p.month, p.index);
      break;
  }
  return buf;
}

std::optional<Period> ParseDataValuePeriod(std::string_view s) {
  if (s.size() == 9 && s.substr(4) == "April")
    return ParsePeriod("FY" + std::string(s.substr(0, 4)));
  if (s.size() == 6 && s[4] == 'Q') {
    return ParsePeriod(std::string(s.substr(0, 4)) + "-" + std::string(s.substr(4)));
  }
  if (s.size() == 6)
    return ParsePeriod(std::string(s.substr(0, 4)) + "-" + std::string(s.substr(4)));
  if (s.size() == 8) {
    return ParsePeriod(std::string(s.substr(0, 4)) + "-" + std::string(s.substr(4, 2)) + "-" +
                       std::string(s.substr(6)));
  }
  return std::nullopt;
}

int FiscalYearOf(int year, int month) { return month >= 4 ? year : year - 1; }

Period PeriodOf(const v1::Date& date, v1::MeasurementFrequency frequency) {
  Period p;
  p.year = date.year();
  switch (frequency) {
    case v1::MEASUREMENT_FREQUENCY_MONTHLY:
      p.kind = PeriodKind::kMonth;
      p.index = date.month();
      break;
    case v1::MEASUREMENT_FREQUENCY_QUARTERLY:
      p.kind = PeriodKind::kQuarter;
      p.index = (date.month() - 1) / 3 + 1;
      break;
    case v1::MEASUREMENT_FREQUENCY_YEARLY:
      p.kind = PeriodKind::kFiscalYear;
      p.year = FiscalYearOf(date.year(), date.month());
      break;
    default:
      p.kind = PeriodKind::kDay;
      p.month = date.month();
      p.index = date.day();
  }
  return p;
}

}  // namespace renkei::indicators
