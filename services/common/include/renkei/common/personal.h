// The generic mechanism behind the (renkei.v1.personal) field option: whatever a .proto marks as
// personal data is found here by reflection, so a new personal field is protected by marking it.
#pragma once

#include <string>
#include <vector>

#include "google/protobuf/message.h"

namespace renkei::common {

// Whether a field carries the personal mark.
bool IsPersonal(const google::protobuf::FieldDescriptor* field);

// Clears every personal field of the message and of its sub-messages, recursively.
void StripPersonal(google::protobuf::Message* message);

// Every non-empty string (and the text of every date) held in a personal field, recursively.
// Tests use it to prove none of them reached events, logs or exports.
std::vector<std::string> PersonalStrings(const google::protobuf::Message& message);

}  // namespace renkei::common
