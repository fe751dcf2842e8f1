#include "renkei/common/labels.h"

#include "renkei/v1/labels.pb.h"

namespace renkei::common::labels_internal {

// No cache: FindValueByNumber is a hash lookup, GetExtension a lookup in the options' small
// extension set, and both objects live in the generated pool for the whole process.
bool Find(const google::protobuf::EnumDescriptor* type, int number, bool english,
          std::string_view* out) {
  if (type == nullptr) return false;
  const google::protobuf::EnumValueDescriptor* value = type->FindValueByNumber(number);
  if (value == nullptr || !value->options().HasExtension(v1::label)) return false;
  const v1::Label& label = value->options().GetExtension(v1::label);
  const std::string& text = english ? label.en() : label.ja();
  if (text.empty()) return false;
  *out = text;
  return true;
}

}  // namespace renkei::common::labels_internal
