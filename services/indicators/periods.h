// Periods of observations, as strings: "2026-11" (calendar month), "2026-Q3" (calendar quarter),
// "FY2026" (Japanese fiscal year: April 2026 – March 2027), "2026-11-24" (a day, for ad-hoc
// measures). Each parses to a kind and a sort key that orders periods of one kind in time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "renkei/v1/common.pb.h"
#include "renkei/v1/indicators.pb.h"

namespace renkei::indicators {

enum class PeriodKind { kMonth, kQuarter, kFiscalYear, kDay };

struct Period {
  PeriodKind kind = PeriodKind::kMonth;
  int year = 0;   // calendar year; for a fiscal year, the year it starts in
  int index = 0;  // month 1..12, quarter 1..4, day-of-month for kDay (with month)
  int month = 0;  // kDay only
  // Orders periods of the same kind: months as year*12+month, quarters year*4+q, fiscal years
  // the year, days yyyymmdd.
  int64_t SortKey() const;
  std::string ToString() const;
  // The first and last calendar day it covers, as yyyymmdd.
  int32_t FirstDay() const;
  int32_t LastDay() const;
};

// nullopt when malformed (years 1900..2999; a real day).
std::optional<Period> ParsePeriod(std::string_view s);

// Whether an indicator of this frequency takes periods of this kind (ad hoc takes any).
bool MatchesFrequency(const Period& p, v1::MeasurementFrequency frequency);
// "月 (2026-11)", … for messages.
std::string_view ExpectedPeriodForm(v1::MeasurementFrequency frequency);

// The period of `frequency` that contains the date (ad hoc: the day).
Period PeriodOf(const v1::Date& date, v1::MeasurementFrequency frequency);

// The data-value-set convention (DHIS2): "202611", "2026Q3", "2026April", "20261124".
std::string ToDataValuePeriod(const Period& p);
std::optional<Period> ParseDataValuePeriod(std::string_view s);

// The fiscal year (April–March) a calendar month belongs to.
int FiscalYearOf(int year, int month);

}  // namespace renkei::indicators
