// The indicators service's own helpers, shared by the files its domain is split into
// (indicators.cc and its parts: observations, queries, export and import, events). Not part of the
// service's interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "periods.h"
#include "renkei/common/validation.h"
#include "renkei/v1/indicators.pb.h"
#include "renkei/v1/storage.pb.h"
#include "stats.h"

namespace renkei::indicators {

using common::FieldViolations;

// Bad rows named in an import's INVALID_ARGUMENT (the rest are counted in its message).
inline constexpr int kRowErrorsInStatus = 20;
inline constexpr char kNation[] = "000000";

bool IsIndicatorCode(std::string_view s);
bool IsPrefectureCode(std::string_view code);
bool IsKnownJurisdiction(const std::string& code);
std::string JurisdictionName(const std::string& code);
int MunicipalitiesIn(const std::string& prefecture2);
Cell CellOfObservation(const v1::Observation& o);
std::string Number(double v);
bool ParseNumber(const std::string& s, double* out);
void ValidateSpec(const v1::IndicatorSpec& s, const std::string& path, FieldViolations* v);

// A request's optional period range (from_period, to_period): each well formed, the end not
// before the start. Fills *from and *to with what parsed.
void CheckPeriodRange(const std::string& from_period, const std::string& to_period,
                      std::optional<Period>* from, std::optional<Period>* to, FieldViolations* v);

}  // namespace renkei::indicators
