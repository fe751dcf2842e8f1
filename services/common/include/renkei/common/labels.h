// The labels people see for enum values, read from the (renkei.v1.label) option every enum value
// of package renkei.v1 carries (proto/renkei/v1/labels.proto). One vocabulary for the services,
// renkeictl and the console: nothing else declares a label for an enum value.
//
//   common::Label(v1::CONSULTATION_STATUS_RECEIVED)        // "受付"
//   common::LabelEn(v1::CONSULTATION_STATUS_RECEIVED)      // "received"
//   common::Label(outcome, "回答待ち")                       // the fallback for UNSPECIFIED
//
// A value without a label (an enum's UNSPECIFIED, a number the enum does not declare) gives the
// fallback. The returned views point into the generated descriptor pool, which lives as long as
// the process. Thread-safe.
#pragma once

#include <string_view>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace renkei::common {

namespace labels_internal {
// Sets `out` to the label (ja, or en) of value `number` of `type`; false when it has none.
bool Find(const google::protobuf::EnumDescriptor* type, int number, bool english,
          std::string_view* out);
}  // namespace labels_internal

// Japanese label of `value`; `fallback` when the value has none.
template <typename E>
std::string_view Label(E value, std::string_view fallback = "不明") {
  std::string_view out;
  return labels_internal::Find(google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value),
                               false, &out)
             ? out
             : fallback;
}

// English label of `value`; `fallback` when the value has none.
template <typename E>
std::string_view LabelEn(E value, std::string_view fallback = "unknown") {
  std::string_view out;
  return labels_internal::Find(google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value),
                               true, &out)
             ? out
             : fallback;
}

}  // namespace renkei::common
