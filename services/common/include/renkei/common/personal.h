// The generic mechanism behind the (renkei.v1.personal) field option: whatever a .proto marks as
// personal data is found here by reflection, so a new personal field is protected by marking it.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace renkei::common {

// Whether a field carries the personal mark.
bool IsPersonal(const google::protobuf::FieldDescriptor* field);

// Whether a message of this type can hold a personal field anywhere below it (exact for recursive
// types; computed once per type). Thread-safe.
bool MayHoldPersonal(const google::protobuf::Descriptor* type);

// Whether any personal field is set in the message or below it.
bool HasPersonal(const google::protobuf::Message& message);

// Clears every personal field of the message and of its sub-messages, recursively.
void StripPersonal(google::protobuf::Message* message);

// Moves every personal value of `record` into `personal` (an empty message of the same type):
// afterwards `record` holds exactly what StripPersonal would leave, and `personal` holds the
// personal fields at the same places — every element of a repeated field that may hold personal
// data is mirrored, possibly empty, so the two stay in step. A map whose values may hold personal
// data moves whole. MergePersonal(record, personal) restores the original.
void SplitPersonal(google::protobuf::Message* record, google::protobuf::Message* personal);

// Puts back into `record` what SplitPersonal moved into `personal` (which it consumes). DATA_LOSS
// when the two are not in step (a repeated field has a different number of elements).
absl::Status MergePersonal(google::protobuf::Message* record, google::protobuf::Message* personal);

// Every non-empty string (and the text of every date) held in a personal field, recursively.
// Tests use it to prove none of them reached events, logs or exports.
std::vector<std::string> PersonalStrings(const google::protobuf::Message& message);

}  // namespace renkei::common
