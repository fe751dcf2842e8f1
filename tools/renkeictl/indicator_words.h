// The words for what an indicator is and how it is measured (indicators.proto IndicatorKind,
// MeasurementMethod, MeasurementFrequency, Direction) that `issue expect add` and
// `indicator define` share, and their Japanese labels (the methods' and frequencies' from
// issue_rules.h, via RulesLabel, defined in issue_commands.cc).
#pragma once

#include <string>

#include "google/protobuf/repeated_field.h"
#include "renkei/v1/indicators.pb.h"
#include "words.h"

namespace renkei::cli {

template <>
std::string RulesLabel(v1::MeasurementMethod v);
template <>
std::string RulesLabel(v1::MeasurementFrequency v);

inline constexpr Word<v1::IndicatorKind> kIndicatorKinds[] = {
    {"count", v1::INDICATOR_KIND_COUNT, "件数"},
    {"ratio", v1::INDICATOR_KIND_RATIO, "割合"},
    {"mean", v1::INDICATOR_KIND_MEAN, "平均"},
    {"survey_score", v1::INDICATOR_KIND_SURVEY_SCORE, "調査の得点"},
};

// Measurement methods.
inline constexpr Word<v1::MeasurementMethod> kMethods[] = {
    {"survey", v1::MEASUREMENT_METHOD_SURVEY, nullptr},
    {"hearing", v1::MEASUREMENT_METHOD_HEARING, nullptr},
    {"test", v1::MEASUREMENT_METHOD_TEST, nullptr},
    {"system", v1::MEASUREMENT_METHOD_SYSTEM_DERIVED, nullptr},
};

// Measurement frequencies.
inline constexpr Word<v1::MeasurementFrequency> kFrequencies[] = {
    {"monthly", v1::MEASUREMENT_FREQUENCY_MONTHLY, nullptr},
    {"quarterly", v1::MEASUREMENT_FREQUENCY_QUARTERLY, nullptr},
    {"yearly", v1::MEASUREMENT_FREQUENCY_YEARLY, nullptr},
    {"ad_hoc", v1::MEASUREMENT_FREQUENCY_AD_HOC, nullptr},
};

inline constexpr Word<v1::Direction> kDirections[] = {
    {"higher", v1::DIRECTION_HIGHER_IS_BETTER, "高いほど良い"},
    {"lower", v1::DIRECTION_LOWER_IS_BETTER, "低いほど良い"},
};

// "アンケート調査・テスト".
inline std::string MethodsText(const google::protobuf::RepeatedField<int>& methods) {
  std::string out;
  for (int m : methods) {
    out += (out.empty() ? "" : "・") + LabelOf(kMethods, static_cast<v1::MeasurementMethod>(m));
  }
  return out;
}

}  // namespace renkei::cli
