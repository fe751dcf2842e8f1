#include "indicators_parts.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "derived.h"
#include "google/protobuf/util/json_util.h"
#include "periods.h"
#include "renkei/common/csv.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"

namespace renkei::indicators {

bool IsIndicatorCode(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

bool IsPrefectureCode(std::string_view code) {
  const auto* p = common::Jurisdictions::Get().FindPrefecture(code);
  return code.size() == 6 && p != nullptr && p->code == code;
}

bool IsKnownJurisdiction(const std::string& code) {
  return code == kNation || IsPrefectureCode(code) ||
         common::Jurisdictions::Get().CheckMunicipalityCode(code) == common::CodeCheck::kOk;
}

std::string JurisdictionName(const std::string& code) {
  if (code == kNation) return "全国";
  const auto& j = common::Jurisdictions::Get();
  if (const auto* m = j.FindMunicipality(code)) return m->prefecture_name + m->name;
  if (const auto* p = j.FindPrefecture(code)) return p->name;
  return code;
}

// Municipalities that report (not the wards of designated cities: their city reports).
int MunicipalitiesIn(const std::string& prefecture2) {
  int n = 0;
  for (const auto* m : common::Jurisdictions::Get().MunicipalitiesOf(prefecture2)) {
    if (m->kind != common::MunicipalityKind::kWard) ++n;
  }
  return n;
}

Cell CellOfObservation(const v1::Observation& o) {
  Cell c;
  c.value = o.value();
  if (o.has_numerator()) c.numerator = o.numerator();
  if (o.has_denominator()) c.denominator = o.denominator();
  return c;
}

std::string Number(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  char buf[32];
  snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

bool ParseNumber(const std::string& s, double* out) {
  std::string t(common::TrimSpaces(s));
  if (t.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size() && std::isfinite(*out);
}

void ValidateSpec(const v1::IndicatorSpec& s, const std::string& path, FieldViolations* v) {
  if (!IsIndicatorCode(s.code()))
    v->Add(path + ".code", "英数字と _ . - の1〜64文字です / [A-Za-z0-9_.-]{1,64}");
  v->CheckText(path + ".name_ja", s.name_ja(), {.required = true, .max_chars = 100});
  v->CheckText(path + ".description", s.description(), {.max_chars = 1000, .single_line = false});
  v->CheckText(path + ".unit", s.unit(), {.max_chars = 20});
  v->CheckEnum(path + ".kind", s.kind(), v1::IndicatorKind_IsValid, false);
  if (s.methods().empty())
    v->Add(path + ".methods", "測定方法を1つ以上指定してください / at least one");
  for (int i = 0; i < s.methods_size() && i < 10; ++i) {
    v->CheckEnum(path + ".methods[" + std::to_string(i) + "]", s.methods(i),
                 v1::MeasurementMethod_IsValid, false);
  }
  v->CheckEnum(path + ".frequency", s.frequency(), v1::MeasurementFrequency_IsValid, false);
  v->CheckEnum(path + ".direction", s.direction(), v1::Direction_IsValid, false);
  if (s.has_baseline() && !std::isfinite(s.baseline()))
    v->Add(path + ".baseline", "数値です / finite");
  if (s.has_target() && !std::isfinite(s.target())) v->Add(path + ".target", "数値です / finite");
  if (!s.baseline_period().empty()) {
    auto p = ParsePeriod(s.baseline_period());
    if (!p || !MatchesFrequency(*p, s.frequency())) {
      v->Add(path + ".baseline_period",
             "期間は" + std::string(ExpectedPeriodForm(s.frequency())) + "の形です / bad period");
    }
  }
}

void CheckPeriodRange(const std::string& from_period, const std::string& to_period,
                      std::optional<Period>* from, std::optional<Period>* to, FieldViolations* v) {
  if (!from_period.empty() && !(*from = ParsePeriod(from_period)))
    v->Add("from_period", "期間の形式が不正です / malformed period");
  if (!to_period.empty() && !(*to = ParsePeriod(to_period)))
    v->Add("to_period", "期間の形式が不正です / malformed period");
  if (*from && *to && (*to)->LastDay() < (*from)->FirstDay())
    v->Add("to_period", "期間の終わりが始まりより前です / before from_period");
}

}  // namespace renkei::indicators
