// The words for what an indicator is and how it is measured (indicators.proto IndicatorKind,
// MeasurementMethod, MeasurementFrequency, Direction) that `issue expect add` and
// `indicator define` share; their labels are the enum values' (words.h).
#pragma once

#include <string>

#include "google/protobuf/repeated_field.h"
#include "renkei/v1/indicators.pb.h"
#include "words.h"

namespace renkei::cli {

inline constexpr Word<v1::IndicatorKind> kIndicatorKinds[] = {
    {"count", v1::INDICATOR_KIND_COUNT},
    {"ratio", v1::INDICATOR_KIND_RATIO},
    {"mean", v1::INDICATOR_KIND_MEAN},
    {"survey_score", v1::INDICATOR_KIND_SURVEY_SCORE},
};

// Measurement methods.
inline constexpr Word<v1::MeasurementMethod> kMethods[] = {
    {"survey", v1::MEASUREMENT_METHOD_SURVEY},
    {"hearing", v1::MEASUREMENT_METHOD_HEARING},
    {"test", v1::MEASUREMENT_METHOD_TEST},
    {"system", v1::MEASUREMENT_METHOD_SYSTEM_DERIVED},
};

// Measurement frequencies.
inline constexpr Word<v1::MeasurementFrequency> kFrequencies[] = {
    {"monthly", v1::MEASUREMENT_FREQUENCY_MONTHLY},
    {"quarterly", v1::MEASUREMENT_FREQUENCY_QUARTERLY},
    {"yearly", v1::MEASUREMENT_FREQUENCY_YEARLY},
    {"ad_hoc", v1::MEASUREMENT_FREQUENCY_AD_HOC},
};

inline constexpr Word<v1::Direction> kDirections[] = {
    {"higher", v1::DIRECTION_HIGHER_IS_BETTER},
    {"lower", v1::DIRECTION_LOWER_IS_BETTER},
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
