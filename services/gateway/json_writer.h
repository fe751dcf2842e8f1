// Protobuf's JSON mapping (proto3), written by walking any message's reflection: lowerCamelCase
// names, enums by name, 64-bit integers as strings, bytes as base64, maps as objects,
// well-known types (Timestamp, ...) in their JSON forms; fields at their default value included
// where they have no presence (as JsonPrintOptions::always_print_primitive_fields).
//
// The same fields and values as google::protobuf::util::MessageToJsonString with those options
// (tested: same keys, same message read back; numbers in their shortest form), about ten times
// faster: the library converts through the binary form and a type resolver, which was
// most of the gateway's cost per answer (docs/benchmarks.md).
#pragma once

#include <string>

#include "google/protobuf/message.h"

namespace renkei::gateway {

// False when a well-known type holds a value without a JSON form (a Timestamp out of range, an
// Any of an unknown type): `out` is then not valid JSON.
bool AppendJson(const google::protobuf::Message& message, std::string* out);

}  // namespace renkei::gateway
